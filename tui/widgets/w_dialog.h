/*
 * w_dialog: a framed box over the middle of a window, for confirmations
 * and small forms. Knows nothing of the engine.
 */
#ifndef FLOWDECK_W_DIALOG_H
#define FLOWDECK_W_DIALOG_H

#include <curses.h>

/*
 * Clear an h x w box (inner size, shrunk to fit) centred in `win`, frame
 * it with `title` in its top edge, and return a window of its inside for
 * the caller to fill; free it with delwin(). `utf8` picks the line
 * glyphs. Returns: NULL when `win` is too small for any box.
 */
WINDOW *w_dialog_open(WINDOW *win, int h, int w, const char *title, int utf8);

/* A yes/no question: `text` and "y yes   n no" in a box. */
void w_dialog_confirm(WINDOW *win, const char *title, const char *text,
                      int utf8);

#endif
