/*
 * jsonw: write a flat JSON object straight into text, for the journal's
 * detail records on hot paths (a send journals one per message), where
 * building a jansson tree only to dump it would cost more than the
 * database write. Keys are literals; values are escaped.
 */
#ifndef FLOWDECK_JSONW_H
#define FLOWDECK_JSONW_H

#include "common/buf.h"

#include <stddef.h>
#include <stdint.h>

struct jsonw {
    struct buf b;
    int n;
};

void jsonw_begin(struct jsonw *w);
void jsonw_str(struct jsonw *w, const char *key, const char *value);
void jsonw_strn(struct jsonw *w, const char *key, const char *value,
                size_t len);
void jsonw_int(struct jsonw *w, const char *key, int64_t value);
void jsonw_time(struct jsonw *w, const char *key, int64_t ms);
/* Returns: the object's text, which the caller frees. */
char *jsonw_end(struct jsonw *w);

/* Append s[0..n) to b as a JSON string literal (quotes included). */
void jsonw_quote(struct buf *b, const char *s, size_t n);

#endif
