/*
 * w_text: put a line of UTF-8 text in a window, clipped to the window's
 * right edge by display width. Knows nothing of the engine.
 */
#ifndef FLOWDECK_W_TEXT_H
#define FLOWDECK_W_TEXT_H

#include <curses.h>

/*
 * Draw `s` at y, x with `attr`, cut at the right edge of `win`.
 * Returns: the column after the text (the right edge when cut).
 */
int w_text_put(WINDOW *win, int y, int x, const char *s, attr_t attr);

#endif
