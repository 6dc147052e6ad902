/*
 * theme: colour pairs from the THEME_COLOURS table, or its monochrome
 * attributes when colours are unavailable or unwanted (NO_COLOR).
 */
#include "theme.h"

#include <stdlib.h>

struct theme_entry {
    short fg, bg;
    int bold;
    attr_t mono;
};

static const struct theme_entry theme_table[THEME_COUNT] = {
#define THEME_ROW(name, fg, bg, bold, mono)                                    \
    [THEME_##name] = {fg, bg, bold, mono},
    THEME_COLOURS(THEME_ROW)
#undef THEME_ROW
};

static int theme_colour;

void
theme_init(void)
{
    const char *no = getenv("NO_COLOR");
    short dflt;

    theme_colour = 0;
    if (!has_colors() || (no && *no))
        return;
    if (start_color() == ERR)
        return;
    /* without default colours, -1 (the terminal's own) means black */
    dflt = use_default_colors() == OK ? -1 : COLOR_BLACK;
    for (int i = 0; i < THEME_COUNT; i++)
        init_pair((short)(i + 1), theme_table[i].fg,
                  theme_table[i].bg < 0 ? dflt : theme_table[i].bg);
    theme_colour = 1;
}

attr_t
theme_attr(enum theme_colour c)
{
    if (!theme_colour)
        return theme_table[c].mono;
    return COLOR_PAIR(c + 1) | (theme_table[c].bold ? A_BOLD : A_NORMAL);
}
