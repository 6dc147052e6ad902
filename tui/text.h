/*
 * text: display width of UTF-8 text, for lining up tables in the CLI and
 * clipping strings on the dashboard. Widths follow the current locale
 * (wcwidth); bytes that do not decode count as one column each.
 */
#ifndef FLOWDECK_TEXT_H
#define FLOWDECK_TEXT_H

#include <stddef.h>

/* Returns: the number of terminal columns `s` takes. */
size_t text_width(const char *s);

/*
 * Returns: the length in bytes of the longest prefix of `s` that fits in
 * `cols` columns, never splitting a character.
 */
size_t text_fit(const char *s, size_t cols);

#endif
