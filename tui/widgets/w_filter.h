/*
 * w_filter: the '/' line of a list: a w_input whose text is a regular
 * expression (extended, case-insensitive) that rows must match. Keys
 * edit it while it is open; Enter closes it keeping the pattern, Esc
 * closes it and clears it. Knows nothing of the engine.
 */
#ifndef FLOWDECK_W_FILTER_H
#define FLOWDECK_W_FILTER_H

#include "widgets/w_input.h"

#include <curses.h>
#include <regex.h>

struct w_filter {
    struct w_input input;
    int open;   /* the '/' line is open */
    regex_t re;
    int has_re; /* `re` is compiled from a non-empty pattern */
};

/*
 * Set the pattern (NULL: none) and compile it. Returns: 0, or -1 when it
 * is not a regular expression (then every row passes).
 */
int w_filter_set(struct w_filter *f, const char *text);

/* Compile the pattern as typed. Returns: as w_filter_set. */
int w_filter_compile(struct w_filter *f);

/*
 * A key while the line is open. Returns: 1 when the pattern or the
 * line's state changed (compile it again), 0 when the key did nothing.
 */
int w_filter_key(struct w_filter *f, int ch);

/* Returns: 1 when `s` matches the pattern, or there is none. */
int w_filter_match(const struct w_filter *f, const char *s);

/* Returns: 1 when the line is worth showing: open, or holding a pattern. */
int w_filter_shown(const struct w_filter *f);

/* Draw the line at y, x in `width` columns (a cursor while open). */
void w_filter_draw(WINDOW *win, int y, int x, int width,
                   const struct w_filter *f);

void w_filter_free(struct w_filter *f);

#endif
