/*
 * theme: the dashboard's colours, one X-macro table of built-in colours,
 * which a theme file (assets/themes/NAME.theme) may override. Each entry
 * has a foreground, a background (-1: the terminal's), attributes, and
 * the attribute to use when there are no colours (no has_colors(), or
 * NO_COLOR set), so nothing depends on colour alone.
 *
 * A theme file has one line per entry, `name = fg bg attrs...`, with `#`
 * comments: fg and bg are a colour name (black red green yellow blue
 * magenta cyan white, or default), a number below 256, or `N|name` (N
 * with 256 colours, name with 8); attrs are bold, dim, reverse,
 * underline or normal. Entries not named keep their built-in colours.
 */
#ifndef FLOWDECK_THEME_H
#define FLOWDECK_THEME_H

#include <curses.h>

/* clang-format off */
/*  name     fg            bg            bold  without colour */
#define THEME_COLOURS(X)                                        \
    X(TITLE,   COLOR_WHITE,  -1,           1,    A_BOLD)        \
    X(UP,      COLOR_GREEN,  -1,           1,    A_BOLD)        \
    X(DOWN,    COLOR_RED,    -1,           1,    A_BOLD)        \
    X(BANNER,  COLOR_BLACK,  COLOR_YELLOW, 0,    A_REVERSE)     \
    X(HEADING, COLOR_CYAN,   -1,           1,    A_BOLD)        \
    X(LABEL,   COLOR_CYAN,   -1,           0,    A_NORMAL)      \
    X(KEY,     COLOR_YELLOW, -1,           1,    A_BOLD)        \
    X(DIM,     COLOR_WHITE,  -1,           0,    A_DIM)

enum theme_colour {
#define THEME_ENUM(name, fg, bg, bold, mono) THEME_##name,
    THEME_COLOURS(THEME_ENUM)
#undef THEME_ENUM
    THEME_COUNT
};
/* clang-format on */

/*
 * Set up colour pairs when the terminal has colours and NO_COLOR is
 * unset; call after initscr(). `name` (may be NULL: FLOWDECK_THEME, else
 * "default") is a path when it has a '/', else a theme found next to the
 * binary: ../share/flowdeck/themes/NAME.theme, or assets/themes/ of a
 * source tree the binary was built in. Returns: 0; or ENG_ENOTFOUND or
 * ENG_EINVAL with a message when the theme named cannot be used (the
 * built-in colours are then set up).
 */
int theme_init(const char *name);

/*
 * Read the theme file at `path` into the colour table (not the screen).
 * Returns: 0, ENG_ENOTFOUND, or ENG_EINVAL naming the line.
 */
int theme_load_file(const char *path);

/* Returns: the attributes to draw `c` with. */
attr_t theme_attr(enum theme_colour c);

#endif
