/*
 * w_graph: a flow drawn top to bottom as text: "( Start )", a box per
 * step with its status glyph and a note beside it, frames for steps that
 * hold lanes of steps (parallel branches side by side, or one under the
 * other indented when they are too wide; a foreach's body; a choice's
 * choices), "( End )". The caller builds the tree, the widget lays it
 * out on a canvas for a width and draws any part of it, so a tall graph
 * scrolls. Knows nothing of the engine.
 */
#ifndef FLOWDECK_W_GRAPH_H
#define FLOWDECK_W_GRAPH_H

#include <curses.h>
#include <stddef.h>

enum w_graph_kind {
    W_GRAPH_STEP,     /* a box */
    W_GRAPH_TERMINAL, /* "( Start )", "( ✔ End )" */
    W_GRAPH_GROUP     /* a frame holding lanes */
};

struct w_graph_lane;

struct w_graph_node {
    enum w_graph_kind kind;
    char *glyph; /* the status glyph, or NULL */
    attr_t glyph_attr;
    char *title; /* "charge", or "parallel notify" for a frame */
    char *note;  /* beside a box, in a frame's title; or NULL */
    int dim;     /* not reached, or a branch not taken */
    int id;      /* >= 0: selectable, see w_graph_rows() */
    struct w_graph_lane *lanes;
    size_t nlanes, cap;
    /* the layout, set by w_graph_render() */
    int w, h, cx, stacked, notew, titlew;
};

struct w_graph_lane {
    char *label; /* a choice's condition, or NULL */
    struct w_graph_node *nodes;
    size_t n, cap;
    int w, h, cx; /* the layout */
};

struct w_graph_cell {
    char ch[8]; /* one character in UTF-8; "" right of a wide one */
    attr_t attr;
};

struct w_graph {
    struct w_graph_lane root;
    struct w_graph_cell *cells; /* the canvas, width x height */
    int width, height;
    int *rows; /* rows[2 * id], rows[2 * id + 1]: first and last row */
    size_t nrows;
};

/* Drop the tree and the canvas; the graph may be built again. */
void w_graph_clear(struct w_graph *g);
void w_graph_free(struct w_graph *g);

/* Returns: the top lane, where the graph is built. */
struct w_graph_lane *w_graph_root(struct w_graph *g);

/*
 * Add a node at the end of `lane`; strings are copied, `glyph` and
 * `note` may be NULL. Returns: borrowed, valid until the next node is
 * added to the same lane.
 */
struct w_graph_node *w_graph_add(struct w_graph_lane *lane,
                                 enum w_graph_kind kind, const char *glyph,
                                 attr_t glyph_attr, const char *title,
                                 const char *note, int dim, int id);

/* Add a lane to the group `node`, with a `label` (may be NULL).
 * Returns: borrowed, valid until the next lane is added to `node`. */
struct w_graph_lane *w_graph_add_lane(struct w_graph_node *node,
                                      const char *label);

/* Lay the tree out for `width` columns and paint the canvas, the node
 * with id `sel` highlighted; `utf8` picks the line glyphs. */
void w_graph_render(struct w_graph *g, int width, int sel, int utf8);

/* Returns: 0 and the first and last canvas row of node `id`, or -1. */
int w_graph_rows(const struct w_graph *g, int id, int *y0, int *y1);

/* Draw canvas rows from `top` and columns from `left` into `h` rows of
 * `win` from row y, column x. */
void w_graph_draw(WINDOW *win, int y, int x, int h, const struct w_graph *g,
                  int top, int left);

#endif
