/*
 * w_table: rows under column headings, with a selected row kept in view,
 * row marks and cells cut to their column. The rows come from a callback,
 * so the table holds no data and knows nothing of the engine.
 */
#ifndef FLOWDECK_W_TABLE_H
#define FLOWDECK_W_TABLE_H

#include <curses.h>
#include <stddef.h>

struct w_table_col {
    const char *title;
    int width; /* columns; 0: whatever is left (one such column, last) */
    int right; /* 1: right-aligned */
};

struct w_table {
    size_t rows; /* how many there are */
    size_t sel;  /* the selected row */
    size_t top;  /* the first row in view */
};

/* Returns: borrowed text of a cell; may set *attr (A_NORMAL before). */
typedef const char *w_table_cell_fn(void *ctx, size_t row, size_t col,
                                    attr_t *attr);
/* Returns: 1 when `row` is marked. */
typedef int w_table_mark_fn(void *ctx, size_t row);

/* Set the number of rows, keeping the selection inside them. */
void w_table_set_rows(struct w_table *t, size_t rows);

/* Move the selection by `delta` rows, stopping at either end. */
void w_table_move(struct w_table *t, long delta);

/*
 * Draw headings at row y of `win` and rows under them, in `h` lines in
 * all. `mark` may be NULL. `utf8` picks the glyphs (ASCII otherwise).
 */
void w_table_draw(WINDOW *win, int y, int h, struct w_table *t,
                  const struct w_table_col *cols, size_t ncols,
                  w_table_cell_fn *cell, w_table_mark_fn *mark, void *ctx,
                  int utf8);

/*
 * Each w_table_draw() remembers where the table's rows went on the
 * screen, for the mouse, until w_table_hits_clear() (the app calls it
 * before each frame and when the top view changes).
 */
void w_table_hits_clear(void);

/*
 * Returns: borrowed; the table whose row is at screen row y, column x,
 * with that row in *out; NULL when no drawn table has a row there.
 */
struct w_table *w_table_hit(size_t *out, int y, int x);

#endif
