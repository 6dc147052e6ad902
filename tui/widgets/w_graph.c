/*
 * w_graph: two passes over the tree. Measuring sets each node's width,
 * height and the column its connection runs through (cx), deciding for
 * each frame whether its lanes go side by side; painting writes the
 * glyphs on a canvas of cells. A lane lines its nodes up on one axis.
 * Between two nodes of a lane the box edges meet with ┬ over ┴.
 */
#include "widgets/w_graph.h"

#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define W_GRAPH_TITLE_MAX 28 /* columns of a box's glyph and name */
#define W_GRAPH_NOTE_MAX 48  /* columns of the note beside a box */
#define W_GRAPH_LABEL_MAX 30 /* columns of a lane's label */
#define W_GRAPH_BOX_MIN 12   /* inner width of the narrowest box */
#define W_GRAPH_GAP 3        /* columns between lanes side by side */
#define W_GRAPH_INDENT 2     /* of a lane in a frame stacked */

struct w_graph_glyphs {
    const char *tl, *tr, *bl, *br, *hz, *vt, *up, *down;
};

static const struct w_graph_glyphs w_graph_box_utf8 = {
    "\u250c", "\u2510", "\u2514", "\u2518",
    "\u2500", "\u2502", "\u2534", "\u252c"};
static const struct w_graph_glyphs w_graph_box_ascii = {"+", "+", "+", "+",
                                                        "-", "|", "+", "+"};
static const struct w_graph_glyphs w_graph_frame_utf8 = {
    "\u2554", "\u2557", "\u255a", "\u255d",
    "\u2550", "\u2551", "\u2567", "\u2564"};
static const struct w_graph_glyphs w_graph_frame_ascii = {"+", "+", "+", "+",
                                                          "=", "|", "+", "+"};

/* ---- the tree ---- */

static void
w_graph_lane_clear(struct w_graph_lane *l)
{
    for (size_t i = 0; i < l->n; i++) {
        struct w_graph_node *n = &l->nodes[i];

        free(n->glyph);
        free(n->title);
        free(n->note);
        for (size_t k = 0; k < n->nlanes; k++)
            w_graph_lane_clear(&n->lanes[k]);
        free(n->lanes);
    }
    free(l->nodes);
    free(l->label);
    memset(l, 0, sizeof(*l));
}

void
w_graph_clear(struct w_graph *g)
{
    w_graph_lane_clear(&g->root);
    free(g->cells);
    g->cells = NULL;
    g->width = g->height = 0;
    free(g->rows);
    g->rows = NULL;
    g->nrows = 0;
}

void
w_graph_free(struct w_graph *g)
{
    w_graph_clear(g);
}

struct w_graph_lane *
w_graph_root(struct w_graph *g)
{
    return &g->root;
}

struct w_graph_node *
w_graph_add(struct w_graph_lane *lane, enum w_graph_kind kind,
            const char *glyph, attr_t glyph_attr, const char *title,
            const char *note, int dim, int id)
{
    struct w_graph_node *n;

    if (lane->n == lane->cap) {
        lane->cap = lane->cap ? lane->cap * 2 : 8;
        lane->nodes = xreallocarray(lane->nodes, lane->cap, sizeof(*n));
    }
    n = &lane->nodes[lane->n++];
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->glyph = glyph ? xstrdup(glyph) : NULL;
    n->glyph_attr = glyph_attr;
    n->title = xstrdup(title ? title : "");
    n->note = note && *note ? xstrdup(note) : NULL;
    n->dim = dim;
    n->id = id;
    return n;
}

struct w_graph_lane *
w_graph_add_lane(struct w_graph_node *node, const char *label)
{
    struct w_graph_lane *l;

    if (node->nlanes == node->cap) {
        node->cap = node->cap ? node->cap * 2 : 4;
        node->lanes = xreallocarray(node->lanes, node->cap, sizeof(*l));
    }
    l = &node->lanes[node->nlanes++];
    memset(l, 0, sizeof(*l));
    l->label = label && *label ? xstrdup(label) : NULL;
    return l;
}

/* ---- text ---- */

/* the next character of s: its length in bytes and its width */
static size_t
w_graph_char(const char *s, int *cols)
{
    mbstate_t st;
    wchar_t wc;
    size_t n;
    int w;

    memset(&st, 0, sizeof(st));
    n = mbrtowc(&wc, s, strlen(s), &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *cols = 1;
        return 1;
    }
    w = wcwidth(wc);
    *cols = w < 0 ? 1 : w;
    return n;
}

/* Returns: the columns of `s`, at most `max` */
static int
w_graph_width(const char *s, int max)
{
    int total = 0, w;

    while (s && *s) {
        s += w_graph_char(s, &w);
        if (total + w > max)
            return total;
        total += w;
    }
    return total;
}

/* ---- measuring ---- */

static void w_graph_measure_lane(struct w_graph_lane *l, int avail, int notes);

/* the frame's title: "✔ parallel notify · 2/2" */
static int
w_graph_group_titlew(const struct w_graph_node *n)
{
    int w = w_graph_width(n->title, W_GRAPH_TITLE_MAX);

    if (n->glyph)
        w += w_graph_width(n->glyph, 4) + 1;
    if (n->note)
        w += 3 + w_graph_width(n->note, W_GRAPH_NOTE_MAX);
    return w;
}

/* Returns: whether any lane of `n` has a label */
static int
w_graph_labelled(const struct w_graph_node *n)
{
    for (size_t k = 0; k < n->nlanes; k++)
        if (n->lanes[k].label)
            return 1;
    return 0;
}

static int
w_graph_label_w(const struct w_graph_lane *l)
{
    return l->label ? w_graph_width(l->label, W_GRAPH_LABEL_MAX) + 2 : 0;
}

/* Returns: the columns of `n`'s lanes side by side, measured with or
 * without the notes beside their boxes; *lh gets their height */
static int
w_graph_side_by_side(struct w_graph_node *n, int avail, int notes, int *lh)
{
    int inner = 0, labels = w_graph_labelled(n);

    *lh = 0;
    for (size_t k = 0; k < n->nlanes; k++) {
        struct w_graph_lane *l = &n->lanes[k];
        int w;

        w_graph_measure_lane(l, avail - 4, notes);
        w = l->w > w_graph_label_w(l) ? l->w : w_graph_label_w(l);
        inner += w + (k ? W_GRAPH_GAP : 0);
        if (l->h + labels > *lh)
            *lh = l->h + labels;
    }
    return inner;
}

static void
w_graph_measure_group(struct w_graph_node *n, int avail, int notes)
{
    int inner, lh = 0, titlew;

    n->titlew = w_graph_group_titlew(n);
    titlew = n->titlew + 6;
    /* side by side when that fits, with the notes beside the boxes or
     * else without them (the glyphs still tell the status) */
    inner = w_graph_side_by_side(n, avail, notes, &lh);
    if (n->nlanes > 1 && notes && inner + 4 > avail)
        inner = w_graph_side_by_side(n, avail, 0, &lh);
    n->stacked = n->nlanes > 1 && inner + 4 > avail;
    if (!n->stacked) {
        n->w = inner + 4 > titlew ? inner + 4 : titlew;
        n->h = lh + 2;
        n->cx = n->w / 2;
        return;
    }
    /* one under the other, each under its label */
    inner = 0;
    lh = 0;
    for (size_t k = 0; k < n->nlanes; k++) {
        struct w_graph_lane *l = &n->lanes[k];
        int w;

        w_graph_measure_lane(l, avail - 4 - W_GRAPH_INDENT, notes);
        w = l->w + W_GRAPH_INDENT;
        if (w_graph_label_w(l) > w)
            w = w_graph_label_w(l);
        if (w < 10)
            w = 10; /* "branch 12" */
        if (w > inner)
            inner = w;
        lh += l->h + 1;
    }
    n->w = inner + 4 > titlew ? inner + 4 : titlew;
    n->h = lh + 2;
    n->cx = n->w / 2;
}

static void
w_graph_measure_node(struct w_graph_node *n, int avail, int notes)
{
    int bw;

    switch (n->kind) {
    case W_GRAPH_TERMINAL:
        n->titlew = w_graph_width(n->title, W_GRAPH_TITLE_MAX);
        if (n->glyph)
            n->titlew += w_graph_width(n->glyph, 4) + 1;
        n->w = n->titlew + 4;
        n->h = 1;
        n->cx = n->w / 2;
        break;
    case W_GRAPH_STEP:
        n->titlew = w_graph_width(n->title, W_GRAPH_TITLE_MAX);
        if (n->glyph)
            n->titlew += w_graph_width(n->glyph, 4) + 1;
        bw = (n->titlew + 2 > W_GRAPH_BOX_MIN ? n->titlew + 2
                                              : W_GRAPH_BOX_MIN) +
             2;
        n->notew =
            n->note && notes ? w_graph_width(n->note, W_GRAPH_NOTE_MAX) : 0;
        if (n->notew && bw + 1 + n->notew > avail)
            n->notew = avail - bw - 1 >= 6 ? avail - bw - 1 : 0;
        n->w = bw + (n->notew ? n->notew + 1 : 0);
        n->h = 3;
        n->cx = bw / 2;
        break;
    case W_GRAPH_GROUP:
        w_graph_measure_group(n, avail, notes);
        break;
    }
}

static void
w_graph_measure_lane(struct w_graph_lane *l, int avail, int notes)
{
    int axis = 0, right = 0;

    l->h = 0;
    for (size_t i = 0; i < l->n; i++) {
        struct w_graph_node *n = &l->nodes[i];

        w_graph_measure_node(n, avail, notes);
        if (n->cx > axis)
            axis = n->cx;
        if (n->w - n->cx > right)
            right = n->w - n->cx;
        l->h += n->h;
        /* a terminal with something under it: a line down to it */
        if (n->kind == W_GRAPH_TERMINAL && i + 1 < l->n)
            l->h++;
    }
    l->w = axis + right;
    l->cx = axis;
}

/* ---- painting ---- */

static struct w_graph_cell *
w_graph_cell(struct w_graph *g, int x, int y)
{
    if (x < 0 || y < 0 || x >= g->width || y >= g->height)
        return NULL;
    return &g->cells[(size_t)y * (size_t)g->width + (size_t)x];
}

static void
w_graph_put(struct w_graph *g, int x, int y, const char *ch, attr_t attr)
{
    struct w_graph_cell *c = w_graph_cell(g, x, y);

    if (c == NULL)
        return;
    snprintf(c->ch, sizeof(c->ch), "%s", ch);
    c->attr = attr;
}

/* Returns: the column after `s`, cut at `max` columns */
static int
w_graph_text(struct w_graph *g, int x, int y, const char *s, int max,
             attr_t attr)
{
    int used = 0, w;

    while (s && *s) {
        size_t n = w_graph_char(s, &w);
        struct w_graph_cell *c;

        if (used + w > max)
            break;
        c = w_graph_cell(g, x + used, y);
        if (c && n < sizeof(c->ch)) {
            memcpy(c->ch, s, n);
            c->ch[n] = '\0';
            c->attr = attr;
            for (int k = 1; k < w; k++) {
                struct w_graph_cell *r = w_graph_cell(g, x + used + k, y);

                if (r)
                    r->ch[0] = '\0';
            }
        }
        used += w;
        s += n;
    }
    return x + used;
}

static void
w_graph_hline(struct w_graph *g, int x, int y, int w,
              const struct w_graph_glyphs *gl, int bottom, attr_t attr)
{
    w_graph_put(g, x, y, bottom ? gl->bl : gl->tl, attr);
    for (int i = 1; i < w - 1; i++)
        w_graph_put(g, x + i, y, gl->hz, attr);
    w_graph_put(g, x + w - 1, y, bottom ? gl->br : gl->tr, attr);
}

static void
w_graph_mark(struct w_graph *g, const struct w_graph_node *n, int y)
{
    if (n->id < 0)
        return;
    if ((size_t)n->id >= g->nrows) {
        size_t old = g->nrows;

        g->nrows = (size_t)n->id + 16;
        g->rows = xreallocarray(g->rows, g->nrows * 2, sizeof(*g->rows));
        for (size_t i = old * 2; i < g->nrows * 2; i++)
            g->rows[i] = -1;
    }
    g->rows[2 * n->id] = y;
    g->rows[2 * n->id + 1] = y + n->h - 1;
}

static void w_graph_paint_lane(struct w_graph *g, const struct w_graph_lane *l,
                               int x, int y, int sel, int utf8);

static void
w_graph_paint_step(struct w_graph *g, const struct w_graph_node *n, int x,
                   int y, int top, int bottom, int sel, int utf8)
{
    const struct w_graph_glyphs *gl =
        utf8 ? &w_graph_box_utf8 : &w_graph_box_ascii;
    int bw = n->w - (n->notew ? n->notew + 1 : 0), tx;
    attr_t line = n->dim ? A_DIM : A_NORMAL;
    attr_t text = (n->dim ? A_DIM : A_NORMAL) | (n->id == sel ? A_REVERSE : 0);

    w_graph_hline(g, x, y, bw, gl, 0, line);
    w_graph_hline(g, x, y + 2, bw, gl, 1, line);
    if (top)
        w_graph_put(g, x + n->cx, y, gl->up, line);
    if (bottom)
        w_graph_put(g, x + n->cx, y + 2, gl->down, line);
    w_graph_put(g, x, y + 1, gl->vt, line);
    w_graph_put(g, x + bw - 1, y + 1, gl->vt, line);
    if (n->id == sel)
        for (int i = 1; i < bw - 1; i++)
            w_graph_put(g, x + i, y + 1, " ", A_REVERSE);
    tx = x + 2;
    if (n->glyph) {
        tx = w_graph_text(g, tx, y + 1, n->glyph, 4,
                          n->glyph_attr | (n->id == sel ? A_REVERSE : 0));
        tx++;
    }
    w_graph_text(g, tx, y + 1, n->title, bw - 2 - (tx - x), text);
    if (n->notew)
        w_graph_text(g, x + bw + 1, y + 1, n->note, n->notew,
                     n->dim ? A_DIM : A_NORMAL);
}

static void
w_graph_paint_group(struct w_graph *g, const struct w_graph_node *n, int x,
                    int y, int bottom, int sel, int utf8)
{
    const struct w_graph_glyphs *gl =
        utf8 ? &w_graph_frame_utf8 : &w_graph_frame_ascii;
    attr_t line = n->dim ? A_DIM : A_NORMAL;
    attr_t text = line | (n->id == sel ? A_REVERSE : 0);
    int tx, lx, ly, labels = w_graph_labelled(n);

    w_graph_hline(g, x, y, n->w, gl, 0, line);
    w_graph_hline(g, x, y + n->h - 1, n->w, gl, 1, line);
    if (bottom)
        w_graph_put(g, x + n->cx, y + n->h - 1, gl->down, line);
    for (int i = 1; i < n->h - 1; i++) {
        w_graph_put(g, x, y + i, gl->vt, line);
        w_graph_put(g, x + n->w - 1, y + i, gl->vt, line);
    }
    /* " ✔ parallel notify · 2/2 " in the middle of the top edge */
    tx = x + (n->w - n->titlew - 2) / 2;
    w_graph_put(g, tx++, y, " ", text);
    if (n->glyph) {
        tx = w_graph_text(g, tx, y, n->glyph, 4,
                          n->glyph_attr | (n->id == sel ? A_REVERSE : 0));
        w_graph_put(g, tx++, y, " ", text);
    }
    tx = w_graph_text(g, tx, y, n->title, W_GRAPH_TITLE_MAX, text);
    if (n->note) {
        tx = w_graph_text(g, tx, y, utf8 ? " \u00b7 " : " - ", 3, text);
        tx = w_graph_text(g, tx, y, n->note, W_GRAPH_NOTE_MAX, text);
    }
    w_graph_put(g, tx, y, " ", text);
    lx = x + 2;
    ly = y + 1;
    for (size_t k = 0; k < n->nlanes; k++) {
        const struct w_graph_lane *l = &n->lanes[k];

        if (n->stacked) {
            char label[32];

            if (l->label == NULL)
                snprintf(label, sizeof(label), "branch %zu", k + 1);
            w_graph_text(g, lx, ly, l->label ? l->label : label,
                         W_GRAPH_LABEL_MAX, A_DIM);
            w_graph_paint_lane(g, l, lx + W_GRAPH_INDENT, ly + 1, sel, utf8);
            ly += l->h + 1;
        } else {
            int w = l->w > w_graph_label_w(l) ? l->w : w_graph_label_w(l);

            if (l->label)
                w_graph_text(g, lx, ly, l->label, W_GRAPH_LABEL_MAX, A_DIM);
            w_graph_paint_lane(g, l, lx + (w - l->w) / 2, ly + labels, sel,
                               utf8);
            lx += w + W_GRAPH_GAP;
        }
    }
}

static void
w_graph_paint_lane(struct w_graph *g, const struct w_graph_lane *l, int x,
                   int y, int sel, int utf8)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct w_graph_node *n = &l->nodes[i];
        int nx = x + l->cx - n->cx, tx;

        w_graph_mark(g, n, y);
        switch (n->kind) {
        case W_GRAPH_TERMINAL:
            w_graph_put(g, nx, y, "(", A_NORMAL);
            tx = nx + 2;
            if (n->glyph)
                tx = w_graph_text(g, tx, y, n->glyph, 4, n->glyph_attr) + 1;
            w_graph_text(g, tx, y, n->title, W_GRAPH_TITLE_MAX,
                         n->id == sel ? A_REVERSE : A_BOLD);
            w_graph_put(g, nx + n->w - 1, y, ")", A_NORMAL);
            if (i + 1 < l->n) {
                y++;
                w_graph_put(g, x + l->cx, y,
                            utf8 ? w_graph_box_utf8.vt : w_graph_box_ascii.vt,
                            A_NORMAL);
            }
            break;
        case W_GRAPH_STEP:
            w_graph_paint_step(g, n, nx, y, i > 0, i + 1 < l->n, sel, utf8);
            break;
        case W_GRAPH_GROUP:
            w_graph_paint_group(g, n, nx, y, i + 1 < l->n, sel, utf8);
            break;
        }
        y += n->h;
    }
}

void
w_graph_render(struct w_graph *g, int width, int sel, int utf8)
{
    size_t cells;

    w_graph_measure_lane(&g->root, width, 1);
    free(g->cells);
    g->width = g->root.w + 1;
    g->height = g->root.h;
    cells = (size_t)g->width * (size_t)(g->height ? g->height : 1);
    g->cells = xcalloc(cells, sizeof(*g->cells));
    for (size_t i = 0; i < cells; i++) {
        g->cells[i].ch[0] = ' ';
        g->cells[i].attr = A_NORMAL;
    }
    for (size_t i = 0; i < g->nrows * 2; i++)
        g->rows[i] = -1;
    w_graph_paint_lane(g, &g->root, 0, 0, sel, utf8);
}

int
w_graph_rows(const struct w_graph *g, int id, int *y0, int *y1)
{
    if (id < 0 || (size_t)id >= g->nrows || g->rows[2 * id] < 0)
        return -1;
    *y0 = g->rows[2 * id];
    *y1 = g->rows[2 * id + 1];
    return 0;
}

void
w_graph_draw(WINDOW *win, int y, int x, int h, const struct w_graph *g, int top,
             int left)
{
    int W = getmaxx(win) - x;

    for (int r = 0; r < h && top + r < g->height; r++) {
        for (int c = 0; c < W && left + c < g->width; c++) {
            const struct w_graph_cell *cell =
                &g->cells[(size_t)(top + r) * (size_t)g->width +
                          (size_t)(left + c)];

            if (cell->ch[0] == '\0' ||
                (cell->ch[0] == ' ' && cell->attr == A_NORMAL))
                continue;
            wattr_on(win, cell->attr, NULL);
            mvwaddstr(win, y + r, x + c, cell->ch);
            wattr_off(win, cell->attr, NULL);
        }
    }
}
