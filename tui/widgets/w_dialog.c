/*
 * w_dialog: frames drawn from text glyphs (not the alternate character
 * set), so the ASCII fallback is plain '+', '-' and '|'.
 */
#include "widgets/w_dialog.h"

#include "text.h"
#include "theme.h"
#include "widgets/w_text.h"

#include <string.h>

WINDOW *
w_dialog_open(WINDOW *win, int h, int w, const char *title, int utf8)
{
    const char *hz = utf8 ? "\u2500" : "-", *vt = utf8 ? "\u2502" : "|";
    const char *c[4] = {utf8 ? "\u250c" : "+", utf8 ? "\u2510" : "+",
                        utf8 ? "\u2514" : "+", utf8 ? "\u2518" : "+"};
    int H = getmaxy(win), W = getmaxx(win), y0, x0;
    WINDOW *in;

    if (h + 2 > H)
        h = H - 2;
    if (w + 2 > W)
        w = W - 2;
    if (h < 1 || w < 4)
        return NULL;
    y0 = (H - h - 2) / 2;
    x0 = (W - w - 2) / 2;
    for (int y = 0; y < h + 2; y++) {
        const char *l = y == 0 ? c[0] : y == h + 1 ? c[2] : vt;
        const char *r = y == 0 ? c[1] : y == h + 1 ? c[3] : vt;

        mvwaddstr(win, y0 + y, x0, l);
        for (int x = 1; x <= w; x++)
            waddstr(win, y == 0 || y == h + 1 ? hz : " ");
        waddstr(win, r);
    }
    if (title && (int)text_width(title) + 4 <= w) {
        mvwaddstr(win, y0, x0 + 1, " ");
        wattr_on(win, theme_attr(THEME_HEADING), NULL);
        waddstr(win, title);
        wattr_off(win, theme_attr(THEME_HEADING), NULL);
        waddstr(win, " ");
    }
    in = derwin(win, h, w, y0 + 1, x0 + 1);
    return in;
}

void
w_dialog_confirm(WINDOW *win, const char *title, const char *text, int utf8)
{
    int w = (int)text_width(text) + 2;
    WINDOW *in;
    int x;

    if (w < 30)
        w = 30;
    in = w_dialog_open(win, 3, w, title, utf8);
    if (in == NULL)
        return;
    w_text_put(in, 0, 1, text, A_NORMAL);
    x = w_text_put(in, 2, 1, "y", theme_attr(THEME_KEY));
    x = w_text_put(in, 2, x + 1, "yes", A_NORMAL);
    x = w_text_put(in, 2, x + 3, "n", theme_attr(THEME_KEY));
    w_text_put(in, 2, x + 1, "no", A_NORMAL);
    delwin(in);
}
