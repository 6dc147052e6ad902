/*
 * w_pager: lines of text with their attributes, scrolled in a window.
 * Knows nothing of the engine.
 */
#ifndef FLOWDECK_W_PAGER_H
#define FLOWDECK_W_PAGER_H

#include <curses.h>
#include <stddef.h>

struct w_pager_line {
    char *text;
    attr_t attr;
    int indent;
};

struct w_pager {
    struct w_pager_line *lines;
    size_t n, cap;
    size_t top; /* first line in view */
};

/* Drop every line (the scroll position stays, clamped when drawn). */
void w_pager_clear(struct w_pager *p);
void w_pager_free(struct w_pager *p);

/* Add `text`, one line per '\n' in it, each indented by `indent`. */
void w_pager_add(struct w_pager *p, int indent, attr_t attr, const char *text);

/* Scroll by `delta` lines for a view `h` lines high. */
void w_pager_scroll(struct w_pager *p, long delta, int h);

/* Draw the lines from p->top in `h` lines from row y. */
void w_pager_draw(WINDOW *win, int y, int h, struct w_pager *p);

#endif
