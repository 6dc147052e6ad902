/*
 * theme: the dashboard's colours, one X-macro table. Each entry has a
 * foreground, a background (-1: the terminal's) and the attribute to use
 * when there are no colours (no has_colors(), or NO_COLOR set), so
 * nothing depends on colour alone.
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

/* Set up colour pairs when the terminal has colours and NO_COLOR is
 * unset; call after initscr(). */
void theme_init(void);

/* Returns: the attributes to draw `c` with. */
attr_t theme_attr(enum theme_colour c);

#endif
