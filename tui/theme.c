/*
 * theme: colour pairs from the THEME_COLOURS table, changed by a theme
 * file, or its monochrome attributes when colours are unavailable or
 * unwanted (NO_COLOR). A 256-colour value is used only when the terminal
 * has 256 colours; otherwise its 8-colour name, or the terminal's own.
 */
#include "theme.h"

#include "common/err.h"
#include "common/paths.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>


struct theme_entry {
    short fg, bg;     /* 8 colours, or -1 */
    short fg256, bg256; /* 256 colours, or -2: as fg, bg */
    attr_t attrs;
    attr_t mono;
};

static const char *const theme_names[THEME_COUNT] = {
#define THEME_NAME(name, fg, bg, bold, mono) [THEME_##name] = #name,
    THEME_COLOURS(THEME_NAME)
#undef THEME_NAME
};

static const struct theme_entry theme_builtin[THEME_COUNT] = {
#define THEME_ROW(name, fg, bg, bold, mono)                                    \
    [THEME_##name] = {fg, bg, -2, -2, (bold) ? A_BOLD : A_NORMAL, mono},
    THEME_COLOURS(THEME_ROW)
#undef THEME_ROW
};

static struct theme_entry theme_table[THEME_COUNT];
static int theme_colour;

/* "red" -> 1, "default" -> -1, "214" -> 214; Returns: 0, or -1 */
static int
theme_parse_colour(short *out, const char *s)
{
    static const char *const names[] = {"black", "red",     "green", "yellow",
                                        "blue",  "magenta", "cyan",  "white"};
    char *end;
    long n;

    if (strcasecmp(s, "default") == 0 || strcmp(s, "-1") == 0) {
        *out = -1;
        return 0;
    }
    for (short i = 0; i < 8; i++) {
        if (strcasecmp(s, names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    errno = 0;
    n = strtol(s, &end, 10);
    if (errno || end == s || *end || n < 0 || n > 255)
        return -1;
    *out = (short)n;
    return 0;
}

/* "214|yellow", "214", "yellow" into the 256- and 8-colour values */
static int
theme_parse_pair(short *c8, short *c256, const char *s)
{
    const char *bar = strchr(s, '|');
    char *first;
    int rc;

    if (bar == NULL) {
        if (theme_parse_colour(c8, s) != 0)
            return -1;
        *c256 = -2;
        if (*c8 >= 8) { /* a 256-colour value alone: none with 8 */
            *c256 = *c8;
            *c8 = -1;
        }
        return 0;
    }
    first = xstrndup(s, (size_t)(bar - s));
    rc = theme_parse_colour(c256, first) == 0 &&
                 theme_parse_colour(c8, bar + 1) == 0 && *c8 < 8
             ? 0
             : -1;
    free(first);
    return rc;
}

static int
theme_parse_attr(attr_t *out, const char *s)
{
    static const struct {
        const char *name;
        attr_t attr;
    } attrs[] = {{"bold", A_BOLD},           {"dim", A_DIM},
                 {"reverse", A_REVERSE},     {"underline", A_UNDERLINE},
                 {"normal", A_NORMAL}};

    for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        if (strcasecmp(s, attrs[i].name) == 0) {
            *out |= attrs[i].attr;
            return 0;
        }
    }
    return -1;
}

/* one line: "heading = 39|cyan default bold" */
static int
theme_parse_line(char *line, const char *path, int lineno)
{
    char *eq = strchr(line, '='), *name = line, *tok;
    struct theme_entry e;
    int which = -1, n = 0;

    if (eq == NULL)
        return err_set(ENG_EINVAL, "%s:%d: expected 'name = fg bg attrs'",
                       path, lineno);
    *eq = '\0';
    while (*name == ' ' || *name == '\t')
        name++;
    for (char *end = eq; end > name && (end[-1] == ' ' || end[-1] == '\t');)
        *--end = '\0';
    for (int i = 0; i < THEME_COUNT; i++)
        if (strcasecmp(name, theme_names[i]) == 0)
            which = i;
    if (which < 0)
        return err_set(ENG_EINVAL, "%s:%d: no colour named '%s'", path, lineno,
                       name);
    e = theme_builtin[which];
    e.attrs = A_NORMAL;
    for (tok = eq + 1;; n++) {
        size_t len;
        int bad;

        tok += strspn(tok, " \t");
        if (*tok == '\0')
            break;
        len = strcspn(tok, " \t");
        if (tok[len])
            tok[len++] = '\0';
        bad = n == 0   ? theme_parse_pair(&e.fg, &e.fg256, tok)
                  : n == 1 ? theme_parse_pair(&e.bg, &e.bg256, tok)
                           : theme_parse_attr(&e.attrs, tok);

        if (bad)
            return err_set(ENG_EINVAL, "%s:%d: cannot read '%s'", path,
                           lineno, tok);
        tok += len;
    }
    if (n < 2)
        return err_set(ENG_EINVAL, "%s:%d: expected 'name = fg bg attrs'",
                       path, lineno);
    theme_table[which] = e;
    return 0;
}

int
theme_load_file(const char *path)
{
    FILE *f = fopen(path, "re");
    char line[256];
    int lineno = 0, rc = 0;

    if (f == NULL)
        return err_set(ENG_ENOTFOUND, "theme %s: %s", path, strerror(errno));
    while (rc == 0 && fgets(line, sizeof(line), f)) {
        char *p = line, *hash = strchr(line, '#');

        lineno++;
        if (hash)
            *hash = '\0';
        line[strcspn(line, "\r\n")] = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p)
            rc = theme_parse_line(p, path, lineno);
    }
    fclose(f);
    return rc;
}

/* Returns: a new path of the theme `name` next to the binary, or NULL */
static char *
theme_find(const char *name)
{
    char *dir = paths_share_dir("themes", "assets/themes"), *path;

    if (dir == NULL)
        return NULL;
    path = xasprintf("%s/%s.theme", dir, name);
    free(dir);
    if (access(path, R_OK) == 0)
        return path;
    free(path);
    return NULL;
}

/* Returns: 0, or an ENG_* code with a message; the table is set either
 * way (the built-in colours when the theme could not be used) */
static int
theme_choose(const char *name)
{
    char *path;
    int rc;

    memcpy(theme_table, theme_builtin, sizeof(theme_table));
    if (name == NULL || *name == '\0') {
        path = theme_find("default"); /* none: the built-in colours */
        rc = path ? theme_load_file(path) : 0;
    } else if (strchr(name, '/')) {
        path = NULL;
        rc = theme_load_file(name);
    } else {
        path = theme_find(name);
        rc = path ? theme_load_file(path)
                  : err_set(ENG_ENOTFOUND, "no theme '%s' (looked in "
                                           "share/flowdeck/themes and "
                                           "assets/themes)", name);
    }
    free(path);
    if (rc)
        memcpy(theme_table, theme_builtin, sizeof(theme_table));
    return rc;
}

int
theme_init(const char *name)
{
    const char *no = getenv("NO_COLOR");
    short dflt;
    int rc;

    if (name == NULL)
        name = getenv("FLOWDECK_THEME");
    rc = theme_choose(name);
    theme_colour = 0;
    if (!has_colors() || (no && *no))
        return rc;
    if (start_color() == ERR)
        return rc;
    /* without default colours, -1 (the terminal's own) means black */
    dflt = use_default_colors() == OK ? -1 : COLOR_BLACK;
    for (int i = 0; i < THEME_COUNT; i++) {
        const struct theme_entry *e = &theme_table[i];
        short fg = e->fg, bg = e->bg;

        if (COLORS >= 256 && e->fg256 != -2)
            fg = e->fg256;
        if (COLORS >= 256 && e->bg256 != -2)
            bg = e->bg256;
        if (fg >= COLORS)
            fg = -1;
        if (bg >= COLORS)
            bg = -1;
        init_pair((short)(i + 1), fg < 0 ? (dflt < 0 ? -1 : COLOR_WHITE) : fg,
                  bg < 0 ? dflt : bg);
    }
    theme_colour = 1;
    return rc;
}

attr_t
theme_attr(enum theme_colour c)
{
    if (!theme_colour)
        return theme_table[c].mono;
    return COLOR_PAIR(c + 1) | theme_table[c].attrs;
}
