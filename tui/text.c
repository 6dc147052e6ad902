/*
 * text: UTF-8 display widths through the C library's multibyte functions
 * (mbrtowc, wcwidth), so they follow the locale set in main().
 */
#include "text.h"

#include <string.h>
#include <wchar.h>

/* decode one character at s; *cols gets its width, returns its length */
static size_t
text_next(const char *s, size_t left, size_t *cols)
{
    mbstate_t st;
    wchar_t wc;
    size_t n;
    int w;

    memset(&st, 0, sizeof(st));
    n = mbrtowc(&wc, s, left, &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *cols = 1;
        return 1;
    }
    w = wcwidth(wc);
    *cols = w < 0 ? 1 : (size_t)w;
    return n;
}

size_t
text_width(const char *s)
{
    size_t len = strlen(s), i = 0, total = 0, cols;

    while (i < len) {
        i += text_next(s + i, len - i, &cols);
        total += cols;
    }
    return total;
}

size_t
text_fit(const char *s, size_t cols)
{
    size_t len = strlen(s), i = 0, used = 0, n, w;

    while (i < len) {
        n = text_next(s + i, len - i, &w);
        if (used + w > cols)
            break;
        used += w;
        i += n;
    }
    return i;
}
