/*
 * flow_int: what the flow module's files share and nobody else needs: the
 * syntax-error record the path and condition scanners fill in, and the
 * positioned error the parser and the validator report through.
 */
#ifndef FLOWDECK_FLOW_INT_H
#define FLOWDECK_FLOW_INT_H

#include "flow/flow.h"

#include <stddef.h>

/* Where a scan of an expression stopped and why. */
struct flow_syntax {
    size_t off;         /* byte offset of the bad character */
    char problem[96];   /* "unexpected '%'" */
    char expected[192]; /* "'.', '[' or the end"; "" when nothing to add */
};

/*
 * Scan a path at text[0..len) (see flow_path_compile for `used`).
 * Returns: 0 and a new path in *out; ENG_EINVAL with *e filled in and no
 * message set (the caller words it, see flow_syntax_fail).
 */
int flow_path_scan(struct flow_path **out, const char *text, size_t len,
                   size_t *used, struct flow_syntax *e);

/*
 * Describe the character at text[off] for a message: "'x'", "' '",
 * "end of text", "byte 0x01"; a whole UTF-8 sequence is quoted.
 */
void flow_syntax_char(char *out, size_t n, const char *text, size_t len,
                      size_t off);

/*
 * Set the message "bad <kind> '<excerpt>': <problem> at column <c>
 * (expected <expected>)" where c is the 1-based character column of
 * e->off; store e->off in *errpos when not NULL.
 * Returns: ENG_EINVAL.
 */
int flow_syntax_fail(const char *kind, const char *text, size_t len,
                     const struct flow_syntax *e, size_t *errpos);

/*
 * Set "<src>:<line>:<col>: <message>" as the last error, with `code`.
 * Returns: code.
 */
int flow_err_at(int code, const char *src, struct flow_pos pos,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
