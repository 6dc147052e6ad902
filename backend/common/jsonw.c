/*
 * jsonw: see jsonw.h.
 */
#include "common/jsonw.h"

#include "common/timefmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void
jsonw_quote(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;

    buf_append(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[6];

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_append(b, s + run, i - run);
        run = i + 1;
        esc[0] = '\\';
        switch (c) {
        case '"': esc[1] = '"'; buf_append(b, esc, 2); break;
        case '\\': esc[1] = '\\'; buf_append(b, esc, 2); break;
        case '\n': esc[1] = 'n'; buf_append(b, esc, 2); break;
        case '\r': esc[1] = 'r'; buf_append(b, esc, 2); break;
        case '\t': esc[1] = 't'; buf_append(b, esc, 2); break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            buf_append(b, esc, 6);
        }
    }
    buf_append(b, s + run, n - run);
    buf_append(b, "\"", 1);
}

static void
jsonw_key(struct jsonw *w, const char *key)
{
    if (w->n++)
        buf_append(&w->b, ",", 1);
    buf_append(&w->b, "\"", 1);
    buf_puts(&w->b, key);
    buf_append(&w->b, "\":", 2);
}

void
jsonw_begin(struct jsonw *w)
{
    buf_init(&w->b, 0);
    w->n = 0;
    buf_append(&w->b, "{", 1);
}

void
jsonw_strn(struct jsonw *w, const char *key, const char *value, size_t len)
{
    jsonw_key(w, key);
    jsonw_quote(&w->b, value, len);
}

void
jsonw_str(struct jsonw *w, const char *key, const char *value)
{
    jsonw_strn(w, key, value, strlen(value));
}

void
jsonw_int(struct jsonw *w, const char *key, int64_t value)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%" PRId64, value);

    jsonw_key(w, key);
    buf_append(&w->b, num, (size_t)n);
}

void
jsonw_time(struct jsonw *w, const char *key, int64_t ms)
{
    char ts[TIMEFMT_MAX];

    timefmt_rfc3339(ts, ms);
    jsonw_str(w, key, ts);
}

char *
jsonw_end(struct jsonw *w)
{
    buf_append(&w->b, "}", 1);
    return buf_take(&w->b);
}
