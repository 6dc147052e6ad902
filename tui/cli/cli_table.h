/*
 * cli_table: columns of text for the CLI's tables, lined up by display
 * width. The last column is cut (with "...") to fit the terminal.
 */
#ifndef FLOWDECK_CLI_TABLE_H
#define FLOWDECK_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct cli_table;

/*
 * Returns: a table of `ncols` columns; `headers` (ncols strings, borrowed
 * for the table's life) is printed first unless NULL.
 */
struct cli_table *cli_table_create(int ncols, const char *const *headers);
void cli_table_free(struct cli_table *t);

/* Add the next cell (copied), left to right, row after row. */
void cli_table_cell(struct cli_table *t, const char *s);
void cli_table_cellf(struct cli_table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Print to `f` within `width` columns (0: no limit). */
void cli_table_print(const struct cli_table *t, FILE *f, size_t width);

#endif
