/*
 * jsonw: see jsonw.h.
 */
#include "common/jsonw.h"

#include "common/timefmt.h"

#include <assert.h>
#include <string.h>

/* Length of the UTF-8 sequence at s (n bytes left), by jansson's rules
 * (no overlong forms, surrogates or code points past U+10FFFF). Returns:
 * 2 to 4, or 0 when the bytes are not UTF-8. */
static size_t
jsonw_utf8_len(const unsigned char *s, size_t n)
{
    uint32_t cp;
    size_t len;

    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
        cp = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        cp = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
        (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
        return 0;
    return len;
}

/* Quote s[0..n) as json_dumps does (no JSON_ENSURE_ASCII, no
 * JSON_ESCAPE_SLASH). With `check`, returns -1 on bytes that are not
 * UTF-8 (json_dumps fails on them too); without, passes them through. */
static int
jsonw_quote_text(struct buf *b, const char *s, size_t n, int check)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0, i = 0;

    buf_append(b, "\"", 1);
    while (i < n) {
        unsigned char c;
        char esc[6];
        size_t len;

        if (n - i >= 8 && jsonw_plain8(s + i)) {
            i += 8;
            continue;
        }
        c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            if (!check) {
                i++;
            } else if ((len = jsonw_utf8_len((const unsigned char *)s + i,
                                             n - i)) == 0) {
                return -1;
            } else {
                i += len;
            }
            continue;
        }
        buf_append(b, s + run, i - run);
        run = ++i;
        esc[0] = '\\';
        switch (c) {
        case '"': esc[1] = '"'; buf_append(b, esc, 2); break;
        case '\\': esc[1] = '\\'; buf_append(b, esc, 2); break;
        case '\b': esc[1] = 'b'; buf_append(b, esc, 2); break;
        case '\f': esc[1] = 'f'; buf_append(b, esc, 2); break;
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
    return 0;
}

void
jsonw_quote(struct buf *b, const char *s, size_t n)
{
    jsonw_quote_text(b, s, n, 0);
}

static void
jsonw_int_text(struct buf *b, int64_t v)
{
    char num[24], *p = num + sizeof(num);
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    buf_append(b, p, (size_t)(num + sizeof(num) - p));
}

/* Append j; returns -1 on what only json_dumps writes right. */
static int
jsonw_dump_value(struct buf *b, const json_t *j, int depth)
{
    json_t *o = (json_t *)j; /* jansson's iterators take non-const */
    void *it;
    size_t n;

    if (depth > JSONW_DUMP_DEPTH)
        return -1;
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        buf_append(b, "{", 1);
        n = 0;
        for (it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
            if (n++)
                buf_append(b, ",", 1);
            if (jsonw_quote_text(b, json_object_iter_key(it),
                                 json_object_iter_key_len(it), 1) != 0)
                return -1;
            buf_append(b, ":", 1);
            if (jsonw_dump_value(b, json_object_iter_value(it), depth + 1))
                return -1;
        }
        buf_append(b, "}", 1);
        return 0;
    case JSON_ARRAY:
        n = json_array_size(j);
        buf_append(b, "[", 1);
        for (size_t i = 0; i < n; i++) {
            if (i)
                buf_append(b, ",", 1);
            if (jsonw_dump_value(b, json_array_get(j, i), depth + 1))
                return -1;
        }
        buf_append(b, "]", 1);
        return 0;
    case JSON_STRING:
        return jsonw_quote_text(b, json_string_value(j), json_string_length(j),
                                1);
    case JSON_INTEGER:
        jsonw_int_text(b, (int64_t)json_integer_value(j));
        return 0;
    case JSON_TRUE: buf_append(b, "true", 4); return 0;
    case JSON_FALSE: buf_append(b, "false", 5); return 0;
    case JSON_NULL: buf_append(b, "null", 4); return 0;
    default: return -1; /* a real: jansson's %.17g and its fix-ups */
    }
}

char *
jsonw_dump(const json_t *j, size_t flags)
{
    struct buf b = BUF_INIT(0);

    assert((flags & ~(size_t)JSON_ENCODE_ANY) == JSON_COMPACT);
    if (j == NULL || (!(flags & JSON_ENCODE_ANY) && !json_is_object(j) &&
                      !json_is_array(j)))
        return NULL; /* as json_dumps */
    if (jsonw_dump_value(&b, j, 0) != 0) {
        buf_free(&b);
        return json_dumps(j, flags);
    }
    return buf_take(&b);
}

static void
jsonw_key(struct jsonw *w, const char *key)
{
    if (w->n++)
        buf_append(w->out, ",", 1);
    buf_append(w->out, "\"", 1);
    buf_puts(w->out, key);
    buf_append(w->out, "\":", 2);
}

void
jsonw_begin(struct jsonw *w)
{
    buf_init(&w->own, 0);
    jsonw_begin_in(w, &w->own);
}

void
jsonw_begin_in(struct jsonw *w, struct buf *b)
{
    w->out = b;
    w->n = 0;
    buf_append(b, "{", 1);
}

void
jsonw_close(struct jsonw *w)
{
    buf_append(w->out, "}", 1);
}

void
jsonw_strn(struct jsonw *w, const char *key, const char *value, size_t len)
{
    jsonw_key(w, key);
    jsonw_quote(w->out, value, len);
}

int
jsonw_strn_utf8(struct jsonw *w, const char *key, const char *value,
                size_t len)
{
    size_t mark = w->out->len;

    jsonw_key(w, key);
    if (jsonw_quote_text(w->out, value, len, 1) == 0)
        return 0;
    buf_truncate(w->out, mark);
    w->n--;
    return -1;
}

void
jsonw_str(struct jsonw *w, const char *key, const char *value)
{
    jsonw_strn(w, key, value, strlen(value));
}

void
jsonw_int(struct jsonw *w, const char *key, int64_t value)
{
    jsonw_key(w, key);
    jsonw_int_text(w->out, value);
}

void
jsonw_time(struct jsonw *w, const char *key, int64_t ms)
{
    char ts[TIMEFMT_MAX];

    timefmt_rfc3339(ts, ms);
    jsonw_str(w, key, ts);
}

void
jsonw_raw(struct jsonw *w, const char *key, const char *json)
{
    jsonw_key(w, key);
    buf_puts(w->out, json);
}

char *
jsonw_end(struct jsonw *w)
{
    jsonw_close(w);
    return buf_take(w->out);
}
