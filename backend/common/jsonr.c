/*
 * jsonr: see jsonr.h. Recursive descent over a byte range; any byte it is
 * not sure of ends the attempt (NULL), never guessing at jansson's answer.
 * Thread-safe: no state outside the call.
 */
#include "common/jsonr.h"

#include "common/buf.h"
#include "common/jsonw.h"

#include <stdint.h>
#include <string.h>

struct jsonr {
    const char *p, *end;
    int depth;
    struct buf esc; /* a string with escapes, unescaped */
};

static json_t *jsonr_value(struct jsonr *r);

static void
jsonr_ws(struct jsonr *r)
{
    while (r->p < r->end &&
           (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
        r->p++;
}

/*
 * Read a string at r->p (past its opening quote) into *s and *n: in
 * place when it has no escapes, else unescaped into r->esc. Returns: 0,
 * or -1 (a control character, a \u escape, an unknown escape, no closing
 * quote). No NUL can come out: raw control bytes and \u are refused.
 * *ascii is 1 when every byte is below 0x80: such text is UTF-8 already.
 * Other bytes are not checked as UTF-8 here: json_stringn and
 * json_object_setn_new check them with jansson's own checker.
 */
static int
jsonr_string(struct jsonr *r, const char **s, size_t *n, int *ascii)
{
    const char *start = r->p;
    int escaped = 0;
    unsigned char high = 0;

    for (;;) {
        const char *run = r->p;
        unsigned char c;

        while (r->end - r->p >= 8 && jsonw_plain8(r->p))
            r->p += 8;
        while (r->p < r->end) {
            c = (unsigned char)*r->p;
            if (c < 0x20 || c == '"' || c == '\\')
                break;
            high |= c; /* the 8-byte steps above pass ASCII only */
            r->p++;
        }
        if (r->p == r->end || (unsigned char)*r->p < 0x20)
            return -1;
        if (*r->p == '"') {
            if (escaped) {
                buf_append(&r->esc, run, (size_t)(r->p - run));
                *s = buf_str(&r->esc);
                *n = r->esc.len;
            } else {
                *s = start;
                *n = (size_t)(r->p - start);
            }
            *ascii = !(high & 0x80);
            r->p++;
            return 0;
        }
        /* a backslash */
        if (!escaped) {
            buf_reset(&r->esc);
            escaped = 1;
        }
        buf_append(&r->esc, run, (size_t)(r->p - run));
        if (r->end - r->p < 2)
            return -1;
        switch (r->p[1]) {
        case '"': c = '"'; break;
        case '\\': c = '\\'; break;
        case '/': c = '/'; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        default: return -1; /* \u, or not an escape at all */
        }
        buf_append(&r->esc, &c, 1);
        r->p += 2;
    }
}

/* Set key (klen bytes, no NUL) to v in obj, stealing v; an ASCII key
 * skips jansson's UTF-8 check. Returns: 0, or -1 (not UTF-8). */
static int
jsonr_set(json_t *obj, const char *key, size_t klen, json_t *v, int ascii)
{
    return ascii ? json_object_setn_new_nocheck(obj, key, klen, v)
                 : json_object_setn_new(obj, key, klen, v);
}

/* An integer: -?(0|[1-9][0-9]{0,17}), not followed by a fraction or an
 * exponent (reals and longer integers are jansson's). */
static json_t *
jsonr_integer(struct jsonr *r)
{
    int neg = 0, digits = 0;
    int64_t v = 0;

    if (*r->p == '-') {
        neg = 1;
        r->p++;
    }
    if (r->p == r->end || *r->p < '0' || *r->p > '9')
        return NULL;
    if (*r->p == '0') {
        r->p++;
    } else {
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
            if (++digits > 18)
                return NULL;
            v = v * 10 + (*r->p++ - '0');
        }
    }
    if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E' ||
                          (*r->p >= '0' && *r->p <= '9')))
        return NULL;
    return json_integer(neg ? -v : v);
}

static json_t *
jsonr_literal(struct jsonr *r, const char *word, json_t *value)
{
    size_t n = strlen(word);

    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return NULL;
    r->p += n;
    return value;
}

static json_t *
jsonr_object(struct jsonr *r)
{
    json_t *obj = json_object();

    r->p++; /* '{' */
    jsonr_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        return obj;
    }
    for (;;) {
        const char *key;
        size_t klen;
        int ascii;
        json_t *v;

        if (r->p == r->end || *r->p != '"')
            goto fail;
        r->p++;
        if (jsonr_string(r, &key, &klen, &ascii) != 0 ||
            json_object_getn(obj, key, klen) != NULL) /* a duplicate */
            goto fail;
        jsonr_ws(r);
        if (r->p == r->end || *r->p != ':')
            goto fail;
        r->p++;
        jsonr_ws(r);
        /* the key may be in r->esc, which the value may overwrite */
        if (key == buf_str(&r->esc)) {
            char small[128];
            char *copy = klen < sizeof(small) ? small : NULL;
            int rc;

            if (copy == NULL)
                goto fail; /* long escaped keys: jansson's */
            memcpy(copy, key, klen);
            if ((v = jsonr_value(r)) == NULL)
                goto fail;
            rc = jsonr_set(obj, copy, klen, v, ascii); /* steals v */
            if (rc != 0)
                goto fail;
        } else {
            if ((v = jsonr_value(r)) == NULL ||
                jsonr_set(obj, key, klen, v, ascii) != 0)
                goto fail;
        }
        jsonr_ws(r);
        if (r->p == r->end)
            goto fail;
        if (*r->p == '}') {
            r->p++;
            return obj;
        }
        if (*r->p != ',')
            goto fail;
        r->p++;
        jsonr_ws(r);
    }
fail:
    json_decref(obj);
    return NULL;
}

static json_t *
jsonr_array(struct jsonr *r)
{
    json_t *arr = json_array();

    r->p++; /* '[' */
    jsonr_ws(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        return arr;
    }
    for (;;) {
        json_t *v = jsonr_value(r);

        if (v == NULL || json_array_append_new(arr, v) != 0)
            goto fail;
        jsonr_ws(r);
        if (r->p == r->end)
            goto fail;
        if (*r->p == ']') {
            r->p++;
            return arr;
        }
        if (*r->p != ',')
            goto fail;
        r->p++;
        jsonr_ws(r);
    }
fail:
    json_decref(arr);
    return NULL;
}

static json_t *
jsonr_value(struct jsonr *r)
{
    json_t *v = NULL;

    if (r->p == r->end)
        return NULL;
    switch (*r->p) {
    case '{':
    case '[':
        if (r->depth == JSONR_DEPTH_MAX)
            return NULL;
        r->depth++;
        v = *r->p == '{' ? jsonr_object(r) : jsonr_array(r);
        r->depth--;
        return v;
    case '"': {
        const char *s;
        size_t n;
        int ascii;

        r->p++;
        if (jsonr_string(r, &s, &n, &ascii) != 0)
            return NULL;
        /* jansson's checker walks a character at a time: skip it for
         * ASCII, which is UTF-8 (and has no NUL, see jsonr_string) */
        return ascii ? json_stringn_nocheck(s, n)
                     : json_stringn(s, n); /* NULL if not UTF-8 */
    }
    case 't': return jsonr_literal(r, "true", json_true());
    case 'f': return jsonr_literal(r, "false", json_false());
    case 'n': return jsonr_literal(r, "null", json_null());
    default:
        if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
            return jsonr_integer(r);
        return NULL;
    }
}

json_t *
jsonr_parse(const char *text, size_t len)
{
    struct jsonr r;
    json_t *v = NULL;

    r.p = text;
    r.end = text + len;
    r.depth = 0;
    buf_init(&r.esc, 0);
    jsonr_ws(&r);
    /* jansson takes only an object or an array at the top */
    if (r.p < r.end && (*r.p == '{' || *r.p == '[')) {
        v = jsonr_value(&r);
        jsonr_ws(&r);
        if (v && r.p != r.end) {
            json_decref(v);
            v = NULL;
        }
    }
    buf_free(&r.esc);
    return v;
}
