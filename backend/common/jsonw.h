/*
 * jsonw: JSON text written fast. A flat object straight into text, for
 * the journal's detail records on hot paths (a send journals one per
 * message), where building a jansson tree only to dump it would cost
 * more than the database write; keys are literals, values are escaped.
 * And jsonw_dump, json_dumps's compact output byte for byte without its
 * per-character callbacks and UTF-8 decoding, for responses.
 */
#ifndef FLOWDECK_JSONW_H
#define FLOWDECK_JSONW_H

#include "common/buf.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct jsonw {
    struct buf *out; /* &own, or the caller's (jsonw_begin_in) */
    struct buf own;
    int n;
};

void jsonw_begin(struct jsonw *w);
/* An object appended to b, which the caller owns; jsonw_close ends it. */
void jsonw_begin_in(struct jsonw *w, struct buf *b);
void jsonw_close(struct jsonw *w);
void jsonw_str(struct jsonw *w, const char *key, const char *value);
void jsonw_strn(struct jsonw *w, const char *key, const char *value,
                size_t len);
void jsonw_int(struct jsonw *w, const char *key, int64_t value);
void jsonw_time(struct jsonw *w, const char *key, int64_t ms);
/* As jsonw_strn, but a value that is not UTF-8 leaves the key out, as
 * json_object_set_new(o, key, json_stringn(value, len)) does. Returns: 0,
 * or -1 when it left the key out. */
int jsonw_strn_utf8(struct jsonw *w, const char *key, const char *value,
                    size_t len);
/* key with a value that is already JSON text, written as it is. */
void jsonw_raw(struct jsonw *w, const char *key, const char *json);
/* End an object of jsonw_begin. Returns: its text, which the caller
 * frees. */
char *jsonw_end(struct jsonw *w);

/* Append s[0..n) to b as a JSON string literal (quotes included),
 * escaped as json_dumps escapes. */
void jsonw_quote(struct buf *b, const char *s, size_t n);

/*
 * Are the 8 bytes at p all plain ASCII text in a JSON string (no control
 * character, '"', '\\' or byte >= 0x80)? Lets the string scanners of
 * jsonw and jsonr skip a word at a time. The classic "has a byte less
 * than n" and "has a zero byte" tests: exact as a yes/no for the word.
 */
static inline int
jsonw_plain8(const char *p)
{
    const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
    uint64_t x, q, b;

    memcpy(&x, p, sizeof(x));
    q = x ^ (ones * '"');
    b = x ^ (ones * '\\');
    return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) |
            ((b - ones) & ~b) | x) & high ? 0 : 1;
}

#define JSONW_DUMP_DEPTH 4096

/*
 * Exactly json_dumps(j, flags), for flags JSON_COMPACT with or without
 * JSON_ENCODE_ANY: the same bytes, or NULL where it gives NULL. Trees
 * with reals, or deeper than JSONW_DUMP_DEPTH, are handed to json_dumps.
 * `j` is borrowed. Returns: text the caller frees, or NULL.
 */
char *jsonw_dump(const json_t *j, size_t flags);

#endif
