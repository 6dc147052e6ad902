/*
 * w_text: clipped text output for every screen.
 */
#include "widgets/w_text.h"

#include "text.h"

int
w_text_put(WINDOW *win, int y, int x, const char *s, attr_t attr)
{
    int w = getmaxx(win);
    size_t n;

    if (y < 0 || y >= getmaxy(win) || x >= w)
        return x;
    n = text_fit(s, (size_t)(w - x));
    wattr_on(win, attr, NULL);
    mvwaddnstr(win, y, x, s, (int)n);
    wattr_off(win, attr, NULL);
    return x + (int)text_width(s) < w ? x + (int)text_width(s) : w;
}
