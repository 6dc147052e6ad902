/*
 * w_table: each line is a two-column gutter (selection, mark) and the
 * cells, one space apart. A cell wider than its column ends in an
 * ellipsis.
 */
#include "widgets/w_table.h"

#include "text.h"
#include "theme.h"

#include <string.h>

#define W_TABLE_GUTTER 3
#define W_TABLE_HITS 8

/* where the tables of the last frame drew their rows, in screen rows */
static struct {
    struct w_table *t;
    int y, h, x, w; /* the first row's line, how many, the columns */
} w_table_hits[W_TABLE_HITS];
static int w_table_nhits;

void
w_table_hits_clear(void)
{
    w_table_nhits = 0;
}

struct w_table *
w_table_hit(size_t *out, int y, int x)
{
    for (int i = w_table_nhits - 1; i >= 0; i--) { /* the last drawn is on
                                                      top */
        if (y < w_table_hits[i].y || y >= w_table_hits[i].y + w_table_hits[i].h ||
            x < w_table_hits[i].x || x >= w_table_hits[i].x + w_table_hits[i].w)
            continue;
        *out = w_table_hits[i].t->top + (size_t)(y - w_table_hits[i].y);
        if (*out >= w_table_hits[i].t->rows)
            return NULL;
        return w_table_hits[i].t;
    }
    return NULL;
}

void
w_table_set_rows(struct w_table *t, size_t rows)
{
    t->rows = rows;
    if (t->sel >= rows)
        t->sel = rows ? rows - 1 : 0;
    if (t->top > t->sel)
        t->top = t->sel;
}

void
w_table_move(struct w_table *t, long delta)
{
    long sel = (long)t->sel + delta;

    if (sel >= (long)t->rows)
        sel = (long)t->rows - 1;
    if (sel < 0)
        sel = 0;
    t->sel = (size_t)sel;
}

/* put `s` in `width` columns at y, x: cut with an ellipsis, or padded */
static void
w_table_put(WINDOW *win, int y, int x, int width, const char *s, int right,
            attr_t attr, int utf8)
{
    int w = (int)text_width(s), maxx = getmaxx(win);
    size_t n = strlen(s);

    if (width <= 0 || x >= maxx)
        return;
    if (width > maxx - x)
        width = maxx - x;
    wattr_on(win, attr, NULL);
    if (w > width) {
        n = text_fit(s, (size_t)(width - 1));
        mvwaddnstr(win, y, x, s, (int)n);
        waddstr(win, utf8 ? "\u2026" : "~");
    } else {
        mvwaddnstr(win, y, right ? x + width - w : x, s, (int)n);
    }
    wattr_off(win, attr, NULL);
}

/* Returns: the width of column `i`, the flexible one taking the rest */
static int
w_table_width(WINDOW *win, const struct w_table_col *cols, size_t ncols,
              size_t i)
{
    int used = W_TABLE_GUTTER, rest;

    if (cols[i].width > 0)
        return cols[i].width;
    for (size_t c = 0; c < ncols; c++)
        used += cols[c].width + 1;
    rest = getmaxx(win) - used;
    return rest > 4 ? rest : 4;
}

void
w_table_draw(WINDOW *win, int y, int h, struct w_table *t,
             const struct w_table_col *cols, size_t ncols,
             w_table_cell_fn *cell, w_table_mark_fn *mark, void *ctx, int utf8)
{
    int body = h - 1, x = W_TABLE_GUTTER;

    for (size_t c = 0; c < ncols; c++) {
        int w = w_table_width(win, cols, ncols, c);

        w_table_put(win, y, x, w, cols[c].title, cols[c].right,
                    theme_attr(THEME_HEADING), utf8);
        x += w + 1;
    }
    if (body < 1)
        return;
    if (t->sel < t->top)
        t->top = t->sel;
    if (t->sel >= t->top + (size_t)body)
        t->top = t->sel - (size_t)body + 1;
    if (w_table_nhits < W_TABLE_HITS) {
        w_table_hits[w_table_nhits].t = t;
        w_table_hits[w_table_nhits].y = getbegy(win) + y + 1;
        w_table_hits[w_table_nhits].h = body;
        w_table_hits[w_table_nhits].x = getbegx(win);
        w_table_hits[w_table_nhits].w = getmaxx(win);
        w_table_nhits++;
    }
    for (int i = 0; i < body && t->top + (size_t)i < t->rows; i++) {
        size_t row = t->top + (size_t)i;
        int ry = y + 1 + i, selected = row == t->sel;
        attr_t base = selected ? A_REVERSE : A_NORMAL;

        if (selected) {
            wattr_on(win, A_REVERSE, NULL);
            mvwhline(win, ry, 0, ' ', getmaxx(win));
            wattr_off(win, A_REVERSE, NULL);
            w_table_put(win, ry, 0, 1, utf8 ? "\u25b8" : ">", 0, base, utf8);
        }
        if (mark && mark(ctx, row))
            w_table_put(win, ry, 1, 1, utf8 ? "\u2713" : "*", 0,
                        base | theme_attr(THEME_KEY), utf8);
        x = W_TABLE_GUTTER;
        for (size_t c = 0; c < ncols; c++) {
            int w = w_table_width(win, cols, ncols, c);
            attr_t attr = A_NORMAL;
            const char *s = cell(ctx, row, c, &attr);

            w_table_put(win, ry, x, w, s ? s : "", cols[c].right, attr | base,
                        utf8);
            x += w + 1;
        }
    }
}
