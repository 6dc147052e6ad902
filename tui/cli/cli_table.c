/*
 * cli_table: collects cells, then prints them in columns two spaces
 * apart. Only the last column is ever shortened, so what identifies a
 * row (names, ids, times) always shows in full.
 */
#include "cli/cli_table.h"

#include "common/xalloc.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_TABLE_GAP 2
#define CLI_TABLE_MIN_LAST 12

struct cli_table {
    int ncols;
    const char *const *headers;
    char **cells; /* row after row */
    size_t ncells, cap;
};

struct cli_table *
cli_table_create(int ncols, const char *const *headers)
{
    struct cli_table *t = xcalloc(1, sizeof(*t));

    t->ncols = ncols;
    t->headers = headers;
    return t;
}

void
cli_table_free(struct cli_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->ncells; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t);
}

static void
cli_table_take(struct cli_table *t, char *s)
{
    /* one line per cell: a newline would break the columns */
    for (char *p = s; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    if (t->ncells == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = xreallocarray(t->cells, t->cap, sizeof(*t->cells));
    }
    t->cells[t->ncells++] = s;
}

void
cli_table_cell(struct cli_table *t, const char *s)
{
    cli_table_take(t, xstrdup(s ? s : ""));
}

void
cli_table_cellf(struct cli_table *t, const char *fmt, ...)
{
    va_list ap, ap2;
    char *s;
    int n;

    va_start(ap, fmt);
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    s = xmalloc(n > 0 ? (size_t)n + 1 : 1);
    s[0] = '\0';
    if (n > 0)
        vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    cli_table_take(t, s);
}

static void
cli_table_row(FILE *f, const char *const *row, int ncols, const size_t *widths,
              size_t width)
{
    size_t used = 0;

    for (int c = 0; c < ncols; c++) {
        const char *s = row[c] ? row[c] : "";

        if (c == ncols - 1) {
            size_t w = text_width(s), room;

            room = width > used + CLI_TABLE_MIN_LAST ? width - used
                                                     : CLI_TABLE_MIN_LAST;
            if (width && w > room)
                fprintf(f, "%.*s...", (int)text_fit(s, room - 3), s);
            else
                fputs(s, f);
            break;
        }
        fputs(s, f);
        for (size_t pad = text_width(s); pad < widths[c] + CLI_TABLE_GAP; pad++)
            fputc(' ', f);
        used += widths[c] + CLI_TABLE_GAP;
    }
    fputc('\n', f);
}

void
cli_table_print(const struct cli_table *t, FILE *f, size_t width)
{
    size_t *widths = xcalloc((size_t)t->ncols, sizeof(*widths));
    size_t nrows = (t->ncells + (size_t)t->ncols - 1) / (size_t)t->ncols;
    const char **row = xcalloc((size_t)t->ncols, sizeof(*row));

    for (int c = 0; t->headers && c < t->ncols; c++)
        widths[c] = text_width(t->headers[c]);
    for (size_t i = 0; i < t->ncells; i++) {
        size_t w = text_width(t->cells[i]);
        int c = (int)(i % (size_t)t->ncols);

        if (w > widths[c])
            widths[c] = w;
    }
    if (t->headers)
        cli_table_row(f, t->headers, t->ncols, widths, width);
    for (size_t r = 0; r < nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            size_t i = r * (size_t)t->ncols + (size_t)c;

            row[c] = i < t->ncells ? t->cells[i] : "";
        }
        cli_table_row(f, row, t->ncols, widths, width);
    }
    free(row);
    free(widths);
}
