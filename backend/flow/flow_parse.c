/*
 * flow_parse: FDL text -> struct flow, in two passes. First libyaml's
 * event stream builds a small tree of nodes that keep their line and
 * column; this is where aliases are refused and size and nesting are
 * capped. Then the tree is read into the flow structures, checking every
 * mapping against a table of the fields it may hold, so each mistake is
 * reported at its node. flow_validate (flow_validate.c) runs last.
 *
 * Scalars resolve as YAML 1.2's JSON-like core: plain null, ~ and empty
 * are null; true/false (also True, TRUE ...) are bools; decimal integers
 * and floats are numbers; everything else, and every quoted or !!str
 * scalar, is a string. .inf and .nan stay strings (JSON has no such
 * numbers).
 *
 * Owns nothing between calls; any thread.
 */
#include "flow/flow.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "flow/flow_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define FP_MSG 448      /* a message before its position prefix */
#define FP_LABEL 96     /* "task step 'name'" */
#define FP_MAX_FIELDS 16
#define FP_TIMEOUT_MAX 31536000     /* a year */
#define FP_RETRY_INTERVAL_MAX 86400
#define FP_RETRY_ATTEMPTS_MAX 1000
#define FP_MULTIPLIER_MAX 1000.0
#define FP_PRIORITY_MIN 1
#define FP_PRIORITY_MAX 16
#define FP_DELAY_MAX 604800
#define FP_TAG_MAX 16

enum fp_kind { FP_SCALAR, FP_MAP, FP_SEQ };
enum fp_stype { FP_NULL, FP_BOOL, FP_INT, FP_REAL, FP_STR };

/* One YAML node. A mapping's kids are key, value, key, value ... */
struct fp_node {
    enum fp_kind kind;
    struct flow_pos pos;
    int end_line;
    int end_col;
    int plain;  /* plain and untagged: the type resolves from the text */
    int quoted; /* single- or double-quoted */
    char *s;    /* scalar text, NUL-terminated (may hold NULs) */
    size_t len;
    struct fp_node **kids;
    size_t n;
    size_t cap;
};

/* The parse in progress. */
struct fp {
    const char *src;
    const char *empty; /* the message for an empty text */
    json_t *where;     /* NULL, or JSON pointer -> [line, col] */
};

static int fp_steps(struct fp *p, const struct fp_node *n,
                    struct flow_steps *out);

/* ---- errors ---- */

int
flow_err_at(int code, const char *src, struct flow_pos pos, const char *fmt,
            ...)
{
    char msg[FP_MSG];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return err_set(code, "%s:%d:%d: %s", src, pos.line, pos.col, msg);
}

static int __attribute__((format(printf, 3, 0)))
fp_verr(struct fp *p, struct flow_pos pos, const char *fmt, va_list ap)
{
    char msg[FP_MSG];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    return flow_err_at(ENG_EINVAL, p->src, pos, "%s", msg);
}

static int fp_err(struct fp *p, const struct fp_node *n, const char *fmt,
                  ...) __attribute__((format(printf, 3, 4)));

static int
fp_err(struct fp *p, const struct fp_node *n, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = fp_verr(p, n->pos, fmt, ap);
    va_end(ap);
    return rc;
}

static int fp_err_off(struct fp *p, const struct fp_node *n, size_t off,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * An error at byte `off` of scalar n's text. The column is exact when the
 * scalar sits on one line and its text is written as is (no escapes, no
 * folding); otherwise the error points at the scalar.
 */
static int
fp_err_off(struct fp *p, const struct fp_node *n, size_t off,
           const char *fmt, ...)
{
    struct flow_pos pos = n->pos;
    size_t cols = flow_text_cols(n->s, n->len);
    size_t span = (size_t)(n->end_col - n->pos.col);
    va_list ap;
    int rc;

    if (n->end_line == n->pos.line) {
        if (!n->quoted && span == cols)
            pos.col += (int)flow_text_cols(n->s, off);
        else if (n->quoted && span == cols + 2)
            pos.col += 1 + (int)flow_text_cols(n->s, off);
    }
    va_start(ap, fmt);
    rc = fp_verr(p, pos, fmt, ap);
    va_end(ap);
    return rc;
}

/* For the static analyzer only (see err.h): these return their code,
 * never 0, which it does not see because it does not follow variadic
 * functions. */
#ifdef __clang_analyzer__
#define fp_err(...) err_code_of(ENG_EINVAL, fp_err(__VA_ARGS__))
#define fp_err_off(...) err_code_of(ENG_EINVAL, fp_err_off(__VA_ARGS__))
#define flow_err_at(code, ...)                                             \
    err_code_of((code), flow_err_at((code), __VA_ARGS__))
#endif

/* ---- scalars ---- */

static int
fp_is(const struct fp_node *n, const char *s)
{
    return n->kind == FP_SCALAR && n->len == strlen(s) &&
           memcmp(n->s, s, n->len) == 0;
}

static int
fp_digits(const char *s, size_t *i)
{
    size_t start = *i;

    while (s[*i] >= '0' && s[*i] <= '9')
        (*i)++;
    return *i > start;
}

static enum fp_stype
fp_stype(const struct fp_node *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    static const char *const bools[] = {"true", "True",  "TRUE",
                                        "false", "False", "FALSE"};
    const char *s = n->s;
    size_t i = 0, d;

    if (n->kind != FP_SCALAR || !n->plain)
        return FP_STR;
    for (size_t k = 0; k < sizeof(nulls) / sizeof(nulls[0]); k++)
        if (fp_is(n, nulls[k]))
            return FP_NULL;
    for (size_t k = 0; k < sizeof(bools) / sizeof(bools[0]); k++)
        if (fp_is(n, bools[k]))
            return FP_BOOL;
    if (memchr(s, '\0', n->len))
        return FP_STR;
    if (s[i] == '-' || s[i] == '+')
        i++;
    d = i;
    if (fp_digits(s, &i) && s[i] == '\0')
        return FP_INT;
    i = d;
    if (s[i] == '.') {
        i++;
        if (!fp_digits(s, &i))
            return FP_STR;
    } else {
        if (!fp_digits(s, &i))
            return FP_STR;
        if (s[i] == '.') {
            i++;
            fp_digits(s, &i);
        }
    }
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '-' || s[i] == '+')
            i++;
        if (!fp_digits(s, &i))
            return FP_STR;
    }
    return s[i] == '\0' ? FP_REAL : FP_STR;
}

static const char *
fp_desc(const struct fp_node *n)
{
    if (n->kind == FP_MAP)
        return "a mapping";
    if (n->kind == FP_SEQ)
        return "a list";
    switch (fp_stype(n)) {
    case FP_NULL: return "null";
    case FP_BOOL: return "a boolean";
    case FP_INT:
    case FP_REAL: return "a number";
    case FP_STR: break;
    }
    return "a string";
}

/* What was found, for a range error: a number as written, else its kind */
static const char *
fp_found(const struct fp_node *n, char *buf, size_t size)
{
    enum fp_stype t = fp_stype(n);

    if (n->kind == FP_SCALAR && (t == FP_INT || t == FP_REAL)) {
        flow_text_excerpt(buf, size, n->s, n->len);
        return buf;
    }
    return fp_desc(n);
}

/* Returns: new reference; the scalar as JSON (NULL: not valid UTF-8). */
static json_t *
fp_scalar_json(const struct fp_node *n)
{
    long long v;

    switch (fp_stype(n)) {
    case FP_NULL: return json_null();
    case FP_BOOL: return json_boolean(n->s[0] == 't' || n->s[0] == 'T');
    case FP_INT:
        errno = 0;
        v = strtoll(n->s, NULL, 10);
        if (errno == 0)
            return json_integer((json_int_t)v);
        return json_real(strtod(n->s, NULL));
    case FP_REAL: return json_real(strtod(n->s, NULL));
    case FP_STR: break;
    }
    return json_stringn(n->s, n->len);
}

static int fp_json_at(struct fp *p, const struct fp_node *n, json_t **out,
                      struct buf *ptr);

/* Any node as JSON: mappings become objects (keys unique), lists arrays. */
static int
fp_json(struct fp *p, const struct fp_node *n, json_t **out)
{
    return fp_json_at(p, n, out, NULL);
}

/* Append the JSON pointer token of a key ('~' and '/' escaped). */
static void
fp_ptr_key(struct buf *ptr, const char *key, size_t len)
{
    buf_append(ptr, "/", 1);
    for (size_t i = 0; i < len; i++) {
        if (key[i] == '~')
            buf_puts(ptr, "~0");
        else if (key[i] == '/')
            buf_puts(ptr, "~1");
        else
            buf_append(ptr, key + i, 1);
    }
}

/* As fp_json; with ptr (the node's JSON pointer so far), record each
 * node's position in p->where. */
static int
fp_json_at(struct fp *p, const struct fp_node *n, json_t **out,
           struct buf *ptr)
{
    json_t *j = NULL, *v = NULL;
    size_t mark = ptr ? ptr->len : 0;
    char ex[64];
    int rc = 0;

    *out = NULL;
    if (ptr && p->where)
        json_object_set_new(p->where, buf_str(ptr),
                            json_pack("[ii]", n->pos.line, n->pos.col));
    if (n->kind == FP_SCALAR) {
        j = fp_scalar_json(n);
        if (j == NULL)
            return fp_err(p, n, "text is not valid UTF-8");
        *out = j;
        return 0;
    }
    j = n->kind == FP_MAP ? json_object() : json_array();
    for (size_t i = 0; i < n->n; i++) {
        const struct fp_node *k = n->kids[i];

        if (n->kind == FP_SEQ) {
            if (ptr)
                buf_printf(ptr, "/%zu", i);
            rc = fp_json_at(p, k, &v, ptr);
            if (ptr)
                buf_truncate(ptr, mark);
            if (rc != 0)
                goto out;
            json_array_append_new(j, v);
            continue;
        }
        /* a mapping: k is the key, the next kid its value */
        flow_text_excerpt(ex, sizeof(ex), k->s, k->len);
        if (memchr(k->s, '\0', k->len)) {
            rc = fp_err(p, k, "key '%s' contains a NUL character", ex);
            goto out;
        }
        if (json_object_get(j, k->s) != NULL) {
            rc = fp_err(p, k, "duplicate key '%s'", ex);
            goto out;
        }
        if (ptr)
            fp_ptr_key(ptr, k->s, k->len);
        rc = fp_json_at(p, n->kids[++i], &v, ptr);
        if (ptr)
            buf_truncate(ptr, mark);
        if (rc != 0)
            goto out;
        if (json_object_set_new(j, k->s, v) != 0) {
            rc = fp_err(p, k, "key '%s' is not valid UTF-8", ex);
            goto out;
        }
    }
    *out = j;
    j = NULL;
out:
    json_decref(j);
    return rc;
}

/* ---- the YAML event pass ---- */

static void
fp_node_free(struct fp_node *n)
{
    if (n == NULL)
        return;
    for (size_t i = 0; i < n->n; i++)
        fp_node_free(n->kids[i]);
    free(n->kids);
    free(n->s);
    free(n);
}

static struct fp_node *
fp_node_create(enum fp_kind kind, const yaml_event_t *ev)
{
    struct fp_node *n = xcalloc(1, sizeof(*n));

    n->kind = kind;
    n->pos.line = (int)ev->start_mark.line + 1;
    n->pos.col = (int)ev->start_mark.column + 1;
    n->end_line = (int)ev->end_mark.line + 1;
    n->end_col = (int)ev->end_mark.column + 1;
    return n;
}

static struct flow_pos
fp_mark_pos(const yaml_mark_t *m)
{
    struct flow_pos pos = {(int)m->line + 1, (int)m->column + 1};

    return pos;
}

/* Line and column of a byte offset (for libyaml's reader errors). */
static struct flow_pos
fp_offset_pos(const char *text, size_t len, size_t off)
{
    struct flow_pos pos = {1, 1};
    size_t line_start = 0;

    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            pos.line++;
            line_start = i + 1;
        }
    }
    pos.col = 1 + (int)flow_text_cols(text + line_start, off - line_start);
    return pos;
}

static int
fp_yaml_error(struct fp *p, const yaml_parser_t *yp, const char *text,
              size_t len)
{
    const char *problem = yp->problem ? yp->problem : "unknown problem";
    struct flow_pos pos;

    if (yp->error == YAML_MEMORY_ERROR)
        return err_set(ENG_ERR, "%s: out of memory reading YAML", p->src);
    if (yp->error == YAML_READER_ERROR) {
        pos = fp_offset_pos(text, len, yp->problem_offset);
        if (yp->problem_value != -1)
            return flow_err_at(ENG_EINVAL, p->src, pos,
                               "unreadable text: %s (0x%02X)", problem,
                               (unsigned)yp->problem_value);
        return flow_err_at(ENG_EINVAL, p->src, pos, "unreadable text: %s",
                           problem);
    }
    pos = fp_mark_pos(&yp->problem_mark);
    if (yp->context)
        return flow_err_at(ENG_EINVAL, p->src, pos,
                           "YAML syntax error: %s (%s at %d:%d)", problem,
                           yp->context, (int)yp->context_mark.line + 1,
                           (int)yp->context_mark.column + 1);
    return flow_err_at(ENG_EINVAL, p->src, pos, "YAML syntax error: %s",
                       problem);
}

static int
fp_load_tag(struct fp *p, struct fp_node *n, const yaml_char_t *tag)
{
    const char *t = (const char *)tag;
    char ex[64];

    if (t == NULL)
        return 0;
    if (n->kind == FP_SCALAR &&
        (strcmp(t, "!") == 0 || strcmp(t, "tag:yaml.org,2002:str") == 0)) {
        n->plain = 0;
        return 0;
    }
    if ((n->kind == FP_MAP && strcmp(t, "tag:yaml.org,2002:map") == 0) ||
        (n->kind == FP_SEQ && strcmp(t, "tag:yaml.org,2002:seq") == 0) ||
        (n->kind != FP_SCALAR && strcmp(t, "!") == 0))
        return 0;
    flow_text_excerpt(ex, sizeof(ex), t, strlen(t));
    return fp_err(p, n, "unsupported YAML tag '%s' (only !!str, !!map and "
                  "!!seq are allowed)", ex);
}

/* Attach n under the open collection (or as the root); takes n. */
static int
fp_load_add(struct fp *p, struct fp_node **stack, int depth,
            struct fp_node **root, struct fp_node *n)
{
    struct fp_node *parent;
    int rc;

    if (depth == 0) {
        *root = n;
        return 0;
    }
    /* fp_load set stack[0 .. depth-1] at each collection's start; the
     * analyzer loses that through the event switch:
     * NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Assign) */
    parent = stack[depth - 1];
    if (parent->kind == FP_MAP && parent->n % 2 == 0 &&
        n->kind != FP_SCALAR) {
        rc = fp_err(p, n, "a mapping key must be a plain value, not %s",
                    fp_desc(n));
        fp_node_free(n);
        return rc;
    }
    if (parent->n == parent->cap) {
        parent->cap = parent->cap ? parent->cap * 2 : 4;
        parent->kids = xreallocarray(parent->kids, parent->cap,
                                     sizeof(*parent->kids));
    }
    parent->kids[parent->n++] = n;
    return 0;
}

static int
fp_load(struct fp_node **out, struct fp *p, const char *text, size_t len)
{
    struct fp_node *stack[FLOW_MAX_DEPTH];
    struct fp_node *root = NULL, *n;
    yaml_parser_t yp;
    yaml_event_t ev;
    int depth = 0, docs = 0, have_ev = 0, done = 0, rc = 0;
    char ex[64];

    *out = NULL;
    if (!yaml_parser_initialize(&yp))
        return err_set(ENG_ERR, "%s: cannot start the YAML parser", p->src);
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
    while (!done) {
        if (!yaml_parser_parse(&yp, &ev)) {
            rc = fp_yaml_error(p, &yp, text, len);
            goto out;
        }
        have_ev = 1;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                rc = flow_err_at(ENG_EINVAL, p->src,
                                 fp_mark_pos(&ev.start_mark),
                                 "a second YAML document (expected one "
                                 "flow definition)");
                goto out;
            }
            break;
        case YAML_ALIAS_EVENT:
            flow_text_excerpt(ex, sizeof(ex),
                              (const char *)ev.data.alias.anchor,
                              strlen((const char *)ev.data.alias.anchor));
            rc = flow_err_at(ENG_EINVAL, p->src, fp_mark_pos(&ev.start_mark),
                             "YAML aliases are not supported (*%s); write "
                             "the value out", ex);
            goto out;
        case YAML_SCALAR_EVENT:
            n = fp_node_create(FP_SCALAR, &ev);
            n->len = ev.data.scalar.length;
            n->s = xmalloc(n->len + 1);
            memcpy(n->s, ev.data.scalar.value, n->len);
            n->s[n->len] = '\0';
            n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            n->quoted =
                ev.data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                ev.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
            if ((rc = fp_load_tag(p, n, ev.data.scalar.tag)) != 0) {
                fp_node_free(n);
                goto out;
            }
            if ((rc = fp_load_add(p, stack, depth, &root, n)) != 0)
                goto out;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (depth == FLOW_MAX_DEPTH) {
                rc = flow_err_at(ENG_EINVAL, p->src,
                                 fp_mark_pos(&ev.start_mark),
                                 "nesting deeper than %d levels",
                                 FLOW_MAX_DEPTH);
                goto out;
            }
            n = fp_node_create(ev.type == YAML_MAPPING_START_EVENT ? FP_MAP
                                                                   : FP_SEQ,
                               &ev);
            rc = fp_load_tag(p, n, ev.type == YAML_MAPPING_START_EVENT
                                       ? ev.data.mapping_start.tag
                                       : ev.data.sequence_start.tag);
            if (rc != 0) {
                fp_node_free(n);
                goto out;
            }
            if ((rc = fp_load_add(p, stack, depth, &root, n)) != 0)
                goto out;
            stack[depth++] = n;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        have_ev = 0;
    }
    if (root == NULL) {
        struct flow_pos start = {1, 1};

        rc = flow_err_at(ENG_EINVAL, p->src, start, "%s",
                         p->empty ? p->empty
                                  : "empty definition (expected a mapping "
                                    "with version, type and steps)");
        goto out;
    }
    *out = root;
    root = NULL;
out:
    if (have_ev)
        yaml_event_delete(&ev);
    yaml_parser_delete(&yp);
    fp_node_free(root);
    return rc;
}

/* ---- fields ---- */

/* "a, b, c or d" */
static void
fp_join(char *out, size_t n, const char *const *list)
{
    size_t count = 0, o = 0;

    while (list[count])
        count++;
    out[0] = '\0';
    for (size_t i = 0; i < count && o < n; i++) {
        const char *sep = i == 0 ? "" : i + 1 == count ? " or " : ", ";
        int w = snprintf(out + o, n - o, "%s%s", sep, list[i]);

        if (w < 0)
            break;
        o += (size_t)w;
    }
}

static int
fp_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/*
 * Case-insensitive edit distance where swapping two neighbours counts as
 * one edit (so "tpye" is one from "type"), or 99 when either is long.
 */
static size_t
fp_distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b), d[33][33];

    if (la > 32 || lb > 32)
        return 99;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int ai = fp_lower((unsigned char)a[i - 1]);
            int bj = fp_lower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (ai != bj);

            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ai == fp_lower((unsigned char)b[j - 2]) &&
                fp_lower((unsigned char)a[i - 2]) == bj &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* Returns: the closest name of `list` to s when it is close, or NULL. */
static const char *
fp_suggest(const char *s, size_t len, const char *const *list)
{
    const char *best = NULL;
    size_t bestd = 99;

    for (const char *const *l = list; *l; l++) {
        size_t d = fp_distance(s, len, *l);
        size_t limit = strlen(*l) <= 4 ? 1 : 2;

        if (d <= limit && d < bestd) {
            best = *l;
            bestd = d;
        }
    }
    return best;
}

static int
fp_unknown(struct fp *p, const struct fp_node *n, const char *what,
           const char *where, const char *const *list)
{
    char ex[64], all[320];
    const char *near = fp_suggest(n->s, n->len, list);

    flow_text_excerpt(ex, sizeof(ex), n->s, n->len);
    if (near)
        return fp_err(p, n, "unknown %s '%s'%s%s (did you mean '%s'?)",
                      what, ex, where[0] ? " in " : "", where, near);
    fp_join(all, sizeof(all), list);
    return fp_err(p, n, "unknown %s '%s'%s%s (expected %s)", what, ex,
                  where[0] ? " in " : "", where, all);
}

/*
 * Read the keys of mapping n into vals[], in the order of `allowed`
 * (NULL-terminated, at most FP_MAX_FIELDS). Unknown and repeated keys are
 * errors; `what` names the mapping in messages ("task step 'a'").
 */
static int
fp_fields(struct fp *p, const struct fp_node *n, const char *what,
          const char *const *allowed, const struct fp_node **vals)
{
    const struct fp_node *keys[FP_MAX_FIELDS];

    for (size_t i = 0; i < FP_MAX_FIELDS; i++) {
        keys[i] = NULL;
        vals[i] = NULL;
    }
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct fp_node *k = n->kids[i];
        int idx = -1;

        for (int a = 0; allowed[a]; a++) {
            if (fp_is(k, allowed[a])) {
                idx = a;
                break;
            }
        }
        if (idx < 0)
            return fp_unknown(p, k, "field", what, allowed);
        if (keys[idx])
            return fp_err(p, k, "duplicate field '%s' in %s (first at "
                          "%d:%d)", allowed[idx], what, keys[idx]->pos.line,
                          keys[idx]->pos.col);
        keys[idx] = k;
        vals[idx] = n->kids[i + 1];
    }
    return 0;
}

static int
fp_missing(struct fp *p, const struct fp_node *n, const char *what,
           const char *field)
{
    return fp_err(p, n, "%s is missing field '%s'", what, field);
}

static int
fp_string(struct fp *p, const struct fp_node *n, const char *key,
          char **out)
{
    *out = NULL;
    if (fp_stype(n) != FP_STR || n->kind != FP_SCALAR)
        return fp_err(p, n, "'%s' must be a string, found %s", key,
                      fp_desc(n));
    if (memchr(n->s, '\0', n->len))
        return fp_err(p, n, "'%s' must not contain a NUL character", key);
    *out = xstrndup(n->s, n->len);
    return 0;
}

static int
fp_int(struct fp *p, const struct fp_node *n, const char *key,
       long long min, long long max, int *out)
{
    char buf[64];
    long long v;

    if (n->kind == FP_SCALAR && fp_stype(n) == FP_INT) {
        errno = 0;
        v = strtoll(n->s, NULL, 10);
        if (errno == 0 && v >= min && v <= max) {
            *out = (int)v;
            return 0;
        }
    }
    return fp_err(p, n, "'%s' must be an integer from %lld to %lld, found "
                  "%s", key, min, max, fp_found(n, buf, sizeof(buf)));
}

static int
fp_number(const struct fp_node *n, double *out)
{
    enum fp_stype t = fp_stype(n);

    if (n->kind != FP_SCALAR || (t != FP_INT && t != FP_REAL))
        return -1;
    *out = strtod(n->s, NULL);
    return 0;
}

static int
fp_bool(struct fp *p, const struct fp_node *n, const char *key, int *out)
{
    if (n->kind != FP_SCALAR || fp_stype(n) != FP_BOOL)
        return fp_err(p, n, "'%s' must be true or false, found %s", key,
                      fp_desc(n));
    *out = n->s[0] == 't' || n->s[0] == 'T';
    return 0;
}

/* A string that starts with '$': a path, by the rule of §1.3. */
static int
fp_is_path(const struct fp_node *n)
{
    return n->kind == FP_SCALAR && fp_stype(n) == FP_STR && n->len > 0 &&
           n->s[0] == '$';
}

static int
fp_path(struct fp *p, const struct fp_node *n, struct flow_path **out)
{
    size_t off = 0;

    if (memchr(n->s, '\0', n->len))
        return fp_err(p, n, "a path must not contain a NUL character");
    if (flow_path_compile(out, n->s, n->len, NULL, &off) != 0)
        return fp_err_off(p, n, off, "%s", err_last());
    return 0;
}

/* A mapping source or another "$"-or-constant value. */
static int
fp_value(struct fp *p, const struct fp_node *n, struct flow_value **out)
{
    json_t *j = NULL;
    size_t off = 0;
    int rc;

    *out = NULL;
    if ((rc = fp_json(p, n, &j)) != 0)
        return rc;
    rc = flow_value_create(out, j, &off);
    json_decref(j);
    if (rc != 0)
        return fp_err_off(p, n, off, "%s", err_last());
    return 0;
}

/* errors: [name, ...] of a retry or catch entry */
static int
fp_errors(struct fp *p, const struct fp_node *n, char ***out, size_t *nout)
{
    int rc;

    if (n->kind != FP_SEQ)
        return fp_err(p, n, "'errors' must be a list of error names, found "
                      "%s", fp_desc(n));
    if (n->n == 0)
        return fp_err(p, n, "'errors' must name at least one error (FnF.ALL "
                      "matches any)");
    *out = xcalloc(n->n, sizeof(**out));
    for (size_t i = 0; i < n->n; i++) {
        if ((rc = fp_string(p, n->kids[i], "errors", &(*out)[i])) != 0)
            return rc;
        (*nout)++;
        if ((*out)[i][0] == '\0')
            return fp_err(p, n->kids[i], "an error name must not be empty");
    }
    return 0;
}

/* ---- mappings ---- */

static const char *const fp_mapping_fields[] = {"target", "source", NULL};

static int
fp_mappings(struct fp *p, const struct fp_node *n, const char *key,
            struct flow_mapping **out)
{
    struct flow_mapping *m = NULL;
    json_t *seen = NULL;
    char what[FP_LABEL];
    int rc = 0;

    *out = NULL;
    if (n == NULL)
        return 0;
    if (n->kind != FP_SEQ)
        return fp_err(p, n, "'%s' must be a list of {target, source}, "
                      "found %s", key, fp_desc(n));
    snprintf(what, sizeof(what), "an %s entry", key);
    m = xcalloc(1, sizeof(*m));
    m->pos = n->pos;
    m->items = xcalloc(n->n ? n->n : 1, sizeof(*m->items));
    seen = json_object();
    for (size_t i = 0; i < n->n; i++) {
        const struct fp_node *it = n->kids[i], *vals[FP_MAX_FIELDS];
        struct flow_mapping_item *mi = &m->items[m->n];
        json_t *first;

        if (it->kind != FP_MAP) {
            rc = fp_err(p, it, "each %s entry must be a mapping with target "
                        "and source, found %s", key, fp_desc(it));
            goto out;
        }
        if ((rc = fp_fields(p, it, what, fp_mapping_fields, vals)) != 0)
            goto out;
        if (vals[0] == NULL || vals[1] == NULL) {
            rc = fp_missing(p, it, what, vals[0] ? "source" : "target");
            goto out;
        }
        m->n++;
        mi->pos = it->pos;
        if ((rc = fp_string(p, vals[0], "target", &mi->target)) != 0)
            goto out;
        if (mi->target[0] == '\0') {
            rc = fp_err(p, vals[0], "'target' must not be empty");
            goto out;
        }
        first = json_object_get(seen, mi->target);
        if (first) {
            const struct flow_mapping_item *f =
                &m->items[json_integer_value(first)];

            rc = fp_err(p, vals[0], "duplicate target '%s' in %s (first at "
                        "%d:%d)", f->target, key, f->pos.line, f->pos.col);
            goto out;
        }
        json_object_set_new(seen, mi->target,
                            json_integer((json_int_t)(m->n - 1)));
        if ((rc = fp_value(p, vals[1], &mi->source)) != 0)
            goto out;
    }
    *out = m;
    m = NULL;
out:
    json_decref(seen);
    flow_mapping_free(m);
    return rc;
}

/* ---- task steps ---- */

static const char *const fp_arn_forms[] = {
    "acs:mns:::/queues/{queue}/messages",
    "acs:mns:::/topics/{topic}/messages",
    "acs:fc:{region}:{uid}:services/{service}/functions/{function}",
    "acs:fnf:::flow/{flow}",
    "fn:{function}",
    NULL
};

/* A name inside an ARN: not empty, no '/', ':', spaces or controls. */
static int
fp_arn_name(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c <= 0x20 || c == 0x7F || c == '/' || c == ':')
            return 0;
    }
    return 1;
}

/* s = prefix NAME suffix (suffix may be ""); *name, *nlen: NAME. */
static int
fp_arn_match(const char *s, const char *prefix, const char *suffix,
             const char **name, size_t *nlen)
{
    size_t ls = strlen(s), lp = strlen(prefix), lx = strlen(suffix);

    if (ls < lp + lx || memcmp(s, prefix, lp) != 0 ||
        memcmp(s + ls - lx, suffix, lx) != 0)
        return 0;
    *name = s + lp;
    *nlen = ls - lp - lx;
    return fp_arn_name(*name, *nlen);
}

/* Classify an ARN into t. Returns: 0, or -1 for an unknown form. */
static int
fp_arn(struct flow_task *t, const char *arn)
{
    const char *part[4], *res, *name, *fn;
    size_t nlen, k = 0;

    if (fp_arn_match(arn, "fn:", "", &name, &nlen)) {
        t->resource = FLOW_RES_FUNCTION;
        t->resource_name = xstrndup(name, nlen);
        return 0;
    }
    /* acs:{service}:{region}:{account}:{resource} */
    part[k++] = arn;
    for (const char *c = arn; *c && k < 4; c++)
        if (*c == ':')
            part[k++] = c + 1;
    if (k < 4 || strncmp(arn, "acs:", 4) != 0)
        return -1;
    res = strchr(part[3], ':');
    if (res == NULL)
        return -1;
    res++;
    if (strncmp(part[1], "mns:", 4) == 0) {
        if (fp_arn_match(res, "/queues/", "/messages", &name, &nlen))
            t->resource = FLOW_RES_QUEUE;
        else if (fp_arn_match(res, "/topics/", "/messages", &name, &nlen))
            t->resource = FLOW_RES_TOPIC;
        else
            return -1;
        t->resource_name = xstrndup(name, nlen);
        return 0;
    }
    if (strncmp(part[1], "fc:", 3) == 0) {
        fn = strstr(res, "/functions/");
        if (fn == NULL || strncmp(res, "services/", 9) != 0 ||
            !fp_arn_name(res + 9, (size_t)(fn - res - 9)) ||
            !fp_arn_name(fn + 11, strlen(fn + 11)))
            return -1;
        t->resource = FLOW_RES_FUNCTION;
        t->resource_service = xstrndup(res + 9, (size_t)(fn - res - 9));
        t->resource_name = xstrdup(fn + 11);
        return 0;
    }
    if (strncmp(part[1], "fnf:", 4) == 0 &&
        fp_arn_match(res, "flow/", "", &name, &nlen)) {
        t->resource = FLOW_RES_FLOW;
        t->resource_name = xstrndup(name, nlen);
        return 0;
    }
    return -1;
}

static const char *const fp_mns_queue_params[] = {
    "MessageBody", "Priority", "DelaySeconds", NULL
};
static const char *const fp_mns_topic_params[] = {
    "MessageBody", "MessageTag", "MessageAttributes", NULL
};

/* serviceParams: a mapping; MNS targets have a known set of fields. */
static int
fp_params(struct fp *p, const struct fp_node *n, const char *label,
          struct flow_task *t)
{
    const struct fp_node *vals[FP_MAX_FIELDS];
    char what[FP_LABEL + 20];
    struct flow_path *path = NULL;
    int v, rc;

    memset(vals, 0, sizeof(vals));
    if (n->kind != FP_MAP)
        return fp_err(p, n, "'serviceParams' must be a mapping, found %s",
                      fp_desc(n));
    /* every "$..." value must be a good path */
    for (size_t i = 1; i < n->n; i += 2) {
        if (fp_is_path(n->kids[i])) {
            if ((rc = fp_path(p, n->kids[i], &path)) != 0)
                return rc;
            flow_path_free(path);
        }
    }
    snprintf(what, sizeof(what), "serviceParams of %s", label);
    if (t->resource == FLOW_RES_QUEUE) {
        if ((rc = fp_fields(p, n, what, fp_mns_queue_params, vals)) != 0)
            return rc;
        if (vals[1] && !fp_is_path(vals[1]) &&
            (rc = fp_int(p, vals[1], "Priority", FP_PRIORITY_MIN,
                         FP_PRIORITY_MAX, &v)) != 0)
            return rc;
        if (vals[2] && !fp_is_path(vals[2]) &&
            (rc = fp_int(p, vals[2], "DelaySeconds", 0, FP_DELAY_MAX,
                         &v)) != 0)
            return rc;
    } else if (t->resource == FLOW_RES_TOPIC) {
        if ((rc = fp_fields(p, n, what, fp_mns_topic_params, vals)) != 0)
            return rc;
        if (vals[1] && (vals[1]->kind != FP_SCALAR ||
                        fp_stype(vals[1]) != FP_STR ||
                        (!fp_is_path(vals[1]) && vals[1]->len > FP_TAG_MAX)))
            return fp_err(p, vals[1], "'MessageTag' must be a string of at "
                          "most %d characters or a path", FP_TAG_MAX);
        if (vals[2] && vals[2]->kind != FP_MAP && !fp_is_path(vals[2]))
            return fp_err(p, vals[2], "'MessageAttributes' must be a mapping "
                          "or a path, found %s", fp_desc(vals[2]));
    }
    if ((t->resource == FLOW_RES_QUEUE || t->resource == FLOW_RES_TOPIC) &&
        vals[0] == NULL)
        return fp_missing(p, n, what, "MessageBody");
    return fp_json(p, n, &t->service_params);
}

static const char *const fp_retry_fields[] = {
    "errors", "intervalSeconds", "maxAttempts", "multiplier",
    "maxIntervalSeconds", NULL
};

static int
fp_retry(struct fp *p, const struct fp_node *n, struct flow_retry *r)
{
    const struct fp_node *vals[FP_MAX_FIELDS];
    char buf[64];
    int rc;

    r->pos = n->pos;
    r->interval_s = 1;
    r->max_attempts = 3;
    r->multiplier = 2.0;
    if (n->kind != FP_MAP)
        return fp_err(p, n, "each retry entry must be a mapping, found %s",
                      fp_desc(n));
    if ((rc = fp_fields(p, n, "a retry entry", fp_retry_fields, vals)) != 0)
        return rc;
    if (vals[0] == NULL)
        return fp_missing(p, n, "a retry entry", "errors");
    if ((rc = fp_errors(p, vals[0], &r->errors, &r->nerrors)) != 0)
        return rc;
    if (vals[1] && (rc = fp_int(p, vals[1], "intervalSeconds", 1,
                                FP_RETRY_INTERVAL_MAX, &r->interval_s)) != 0)
        return rc;
    if (vals[2] && (rc = fp_int(p, vals[2], "maxAttempts", 0,
                                FP_RETRY_ATTEMPTS_MAX, &r->max_attempts)) != 0)
        return rc;
    if (vals[3] && (fp_number(vals[3], &r->multiplier) != 0 ||
                    !(r->multiplier >= 1.0 &&
                      r->multiplier <= FP_MULTIPLIER_MAX)))
        return fp_err(p, vals[3], "'multiplier' must be a number from 1 to "
                      "%g, found %s", FP_MULTIPLIER_MAX,
                      fp_found(vals[3], buf, sizeof(buf)));
    if (vals[4] && (rc = fp_int(p, vals[4], "maxIntervalSeconds", 1,
                                FP_RETRY_INTERVAL_MAX,
                                &r->max_interval_s)) != 0)
        return rc;
    return 0;
}

static const char *const fp_catch_fields[] = {
    "errors", "goto", "errorMappings", NULL
};

static int
fp_catch(struct fp *p, const struct fp_node *n, struct flow_catch *c)
{
    const struct fp_node *vals[FP_MAX_FIELDS];
    int rc;

    c->pos = n->pos;
    if (n->kind != FP_MAP)
        return fp_err(p, n, "each catch entry must be a mapping, found %s",
                      fp_desc(n));
    if ((rc = fp_fields(p, n, "a catch entry", fp_catch_fields, vals)) != 0)
        return rc;
    if (vals[0] == NULL || vals[1] == NULL)
        return fp_missing(p, n, "a catch entry",
                          vals[0] ? "goto" : "errors");
    if ((rc = fp_errors(p, vals[0], &c->errors, &c->nerrors)) != 0)
        return rc;
    if ((rc = fp_string(p, vals[1], "goto", &c->go_to)) != 0)
        return rc;
    c->goto_pos = vals[1]->pos;
    return fp_mappings(p, vals[2], "errorMappings", &c->error_mappings);
}

/* The fields every step has, then each type's own. */
#define FP_STEP_COMMON "type", "name", "end", "inputMappings", "outputMappings"
enum { FS_TYPE, FS_NAME, FS_END, FS_IN, FS_OUT, FS_X };

static const char *const fp_task_fields[] = {
    FP_STEP_COMMON, "resourceArn", "pattern", "serviceParams",
    "timeoutSeconds", "retry", "catch", "errorMappings", "heartbeatSeconds",
    NULL
};
enum { FT_ARN = FS_X, FT_PATTERN, FT_PARAMS, FT_TIMEOUT, FT_RETRY, FT_CATCH,
       FT_ERRMAP, FT_HEARTBEAT };
static const char *const fp_choice_fields[] = {
    FP_STEP_COMMON, "choices", "default", NULL
};
enum { FC_CHOICES = FS_X, FC_DEFAULT };
static const char *const fp_parallel_fields[] = {
    FP_STEP_COMMON, "branches", NULL
};
static const char *const fp_foreach_fields[] = {
    FP_STEP_COMMON, "iterationMapping", "steps", NULL
};
static const char *const fp_wait_fields[] = {
    FP_STEP_COMMON, "duration", "timestamp", NULL
};
static const char *const fp_fail_fields[] = {
    FP_STEP_COMMON, "error", "cause", NULL
};
static const char *const fp_plain_fields[] = {FP_STEP_COMMON, NULL};

static const struct {
    const char *name;
    const char *const *fields;
} fp_step_types[] = {
    [FLOW_STEP_TASK] = {"task", fp_task_fields},
    [FLOW_STEP_PASS] = {"pass", fp_plain_fields},
    [FLOW_STEP_CHOICE] = {"choice", fp_choice_fields},
    [FLOW_STEP_PARALLEL] = {"parallel", fp_parallel_fields},
    [FLOW_STEP_FOREACH] = {"foreach", fp_foreach_fields},
    [FLOW_STEP_WAIT] = {"wait", fp_wait_fields},
    [FLOW_STEP_SUCCEED] = {"succeed", fp_plain_fields},
    [FLOW_STEP_FAIL] = {"fail", fp_fail_fields},
};
#define FP_NTYPES (sizeof(fp_step_types) / sizeof(fp_step_types[0]))

static const char *const fp_type_names[] = {
    "task", "pass", "choice", "parallel", "foreach", "wait", "succeed",
    "fail", NULL
};

static const char *const fp_patterns[] = {
    [FLOW_PATTERN_REQUEST_RESPONSE] = "requestResponse",
    [FLOW_PATTERN_WAIT_FOR_CALLBACK] = "waitForCallback",
    [FLOW_PATTERN_SYNC] = "sync",
    NULL
};

const char *
flow_step_type_name(enum flow_step_type t)
{
    return (size_t)t < FP_NTYPES ? fp_step_types[t].name : "unknown";
}

const char *
flow_pattern_name(enum flow_pattern pat)
{
    return (size_t)pat <= FLOW_PATTERN_SYNC ? fp_patterns[pat] : "unknown";
}

const char *
flow_resource_name(enum flow_resource r)
{
    switch (r) {
    case FLOW_RES_QUEUE: return "queue";
    case FLOW_RES_TOPIC: return "topic";
    case FLOW_RES_FUNCTION: return "function";
    case FLOW_RES_FLOW: return "flow";
    }
    return "unknown";
}

static int
fp_task(struct fp *p, const struct fp_node *n, const struct fp_node **vals,
        const char *label, struct flow_step *s)
{
    struct flow_task *t = &s->task;
    const struct fp_node *l;
    char ex[64], forms[320];
    int rc, found = 0;

    if (vals[FT_ARN] == NULL)
        return fp_missing(p, n, label, "resourceArn");
    if ((rc = fp_string(p, vals[FT_ARN], "resourceArn",
                        &t->resource_arn)) != 0)
        return rc;
    t->arn_pos = vals[FT_ARN]->pos;
    if (fp_arn(t, t->resource_arn) != 0) {
        flow_text_excerpt(ex, sizeof(ex), t->resource_arn,
                          strlen(t->resource_arn));
        fp_join(forms, sizeof(forms), fp_arn_forms);
        return fp_err(p, vals[FT_ARN], "unknown resourceArn form '%s' "
                      "(expected %s)", ex, forms);
    }

    t->pattern = FLOW_PATTERN_REQUEST_RESPONSE;
    if ((l = vals[FT_PATTERN]) != NULL) {
        if (l->kind != FP_SCALAR || fp_stype(l) != FP_STR)
            return fp_err(p, l, "'pattern' must be a string, found %s",
                          fp_desc(l));
        for (int i = 0; fp_patterns[i]; i++) {
            if (fp_is(l, fp_patterns[i])) {
                t->pattern = (enum flow_pattern)i;
                found = 1;
            }
        }
        if (!found)
            return fp_unknown(p, l, "pattern", "", fp_patterns);
        if (t->pattern == FLOW_PATTERN_SYNC &&
            (t->resource == FLOW_RES_QUEUE || t->resource == FLOW_RES_TOPIC))
            return fp_err(p, l, "pattern 'sync' is not supported for MNS "
                          "%ss (expected requestResponse or "
                          "waitForCallback)",
                          flow_resource_name(t->resource));
    }

    if (vals[FT_PARAMS]) {
        if ((rc = fp_params(p, vals[FT_PARAMS], label, t)) != 0)
            return rc;
    } else if (t->resource == FLOW_RES_QUEUE ||
               t->resource == FLOW_RES_TOPIC) {
        return fp_err(p, n, "%s is missing field 'serviceParams' (an MNS "
                      "%s needs a MessageBody)", label,
                      flow_resource_name(t->resource));
    }

    if (vals[FT_TIMEOUT] &&
        (rc = fp_int(p, vals[FT_TIMEOUT], "timeoutSeconds", 1,
                     FP_TIMEOUT_MAX, &t->timeout_s)) != 0)
        return rc;
    if ((l = vals[FT_HEARTBEAT]) != NULL) {
        if (t->pattern != FLOW_PATTERN_WAIT_FOR_CALLBACK)
            return fp_err(p, l, "'heartbeatSeconds' needs pattern "
                          "waitForCallback (heartbeats come with "
                          "callbacks)");
        if ((rc = fp_int(p, l, "heartbeatSeconds", 1, FP_TIMEOUT_MAX,
                         &t->heartbeat_s)) != 0)
            return rc;
    }

    if ((l = vals[FT_RETRY]) != NULL) {
        if (l->kind != FP_SEQ)
            return fp_err(p, l, "'retry' must be a list, found %s",
                          fp_desc(l));
        t->retry = xcalloc(l->n ? l->n : 1, sizeof(*t->retry));
        for (size_t i = 0; i < l->n; i++) {
            t->nretry++;
            if ((rc = fp_retry(p, l->kids[i], &t->retry[i])) != 0)
                return rc;
        }
    }
    if ((l = vals[FT_CATCH]) != NULL) {
        if (l->kind != FP_SEQ)
            return fp_err(p, l, "'catch' must be a list, found %s",
                          fp_desc(l));
        t->catches = xcalloc(l->n ? l->n : 1, sizeof(*t->catches));
        for (size_t i = 0; i < l->n; i++) {
            t->ncatch++;
            if ((rc = fp_catch(p, l->kids[i], &t->catches[i])) != 0)
                return rc;
        }
    }
    return fp_mappings(p, vals[FT_ERRMAP], "errorMappings",
                       &t->error_mappings);
}

/* ---- the other step types ---- */

static const char *const fp_branch_fields[] = {
    "condition", "steps", "goto", NULL
};

/* A choices entry (with_cond) or the default (without). */
static int
fp_branch(struct fp *p, const struct fp_node *n, int with_cond,
          struct flow_choice *c)
{
    const struct fp_node *vals[FP_MAX_FIELDS];
    const char *what = with_cond ? "a choices entry" : "the default";
    size_t off = 0;
    int rc;

    c->pos = n->pos;
    if (n->kind != FP_MAP)
        return fp_err(p, n, "%s must be a mapping, found %s",
                      with_cond ? "each choices entry" : "'default'",
                      fp_desc(n));
    if ((rc = fp_fields(p, n, what, with_cond ? fp_branch_fields
                                              : fp_branch_fields + 1,
                        vals)) != 0)
        return rc;
    if (!with_cond) {
        /* the table had no condition: shift to its layout */
        vals[2] = vals[1];
        vals[1] = vals[0];
        vals[0] = NULL;
    }
    if (with_cond) {
        const struct fp_node *cn = vals[0];

        if (cn == NULL)
            return fp_missing(p, n, what, "condition");
        if (cn->kind != FP_SCALAR)
            return fp_err(p, cn, "'condition' must be text such as "
                          "$.status == \"ok\", found %s", fp_desc(cn));
        if (flow_cond_compile(&c->cond, cn->s, cn->len, &off) != 0)
            return fp_err_off(p, cn, off, "%s", err_last());
    }
    if (vals[1]) {
        c->has_steps = 1;
        if ((rc = fp_steps(p, vals[1], &c->steps)) != 0)
            return rc;
    }
    if (vals[2]) {
        if ((rc = fp_string(p, vals[2], "goto", &c->go_to)) != 0)
            return rc;
        c->goto_pos = vals[2]->pos;
    }
    return 0;
}

static int
fp_choice(struct fp *p, const struct fp_node *n, const struct fp_node **vals,
          const char *label, struct flow_step *s)
{
    const struct fp_node *l = vals[FC_CHOICES];
    int rc;

    if (l == NULL)
        return fp_missing(p, n, label, "choices");
    if (l->kind != FP_SEQ)
        return fp_err(p, l, "'choices' must be a list, found %s",
                      fp_desc(l));
    if (l->n == 0)
        return fp_err(p, l, "'choices' must not be empty");
    s->choices = xcalloc(l->n, sizeof(*s->choices));
    for (size_t i = 0; i < l->n; i++) {
        s->nchoices++;
        if ((rc = fp_branch(p, l->kids[i], 1, &s->choices[i])) != 0)
            return rc;
    }
    if (vals[FC_DEFAULT]) {
        s->deflt = xcalloc(1, sizeof(*s->deflt));
        return fp_branch(p, vals[FC_DEFAULT], 0, s->deflt);
    }
    return 0;
}

static const char *const fp_steps_only[] = {"steps", NULL};

static int
fp_parallel(struct fp *p, const struct fp_node *n,
            const struct fp_node **vals, const char *label,
            struct flow_step *s)
{
    const struct fp_node *l = vals[FS_X], *bv[FP_MAX_FIELDS];
    int rc;

    if (l == NULL)
        return fp_missing(p, n, label, "branches");
    if (l->kind != FP_SEQ)
        return fp_err(p, l, "'branches' must be a list, found %s",
                      fp_desc(l));
    if (l->n == 0 || l->n > FLOW_MAX_BRANCHES)
        return fp_err(p, l, "'branches' must hold 1 to %d branches, found "
                      "%zu", FLOW_MAX_BRANCHES, l->n);
    s->branches = xcalloc(l->n, sizeof(*s->branches));
    for (size_t i = 0; i < l->n; i++) {
        const struct fp_node *b = l->kids[i];

        s->nbranches++;
        if (b->kind != FP_MAP)
            return fp_err(p, b, "each branch must be a mapping with steps, "
                          "found %s", fp_desc(b));
        if ((rc = fp_fields(p, b, "a branch", fp_steps_only, bv)) != 0)
            return rc;
        if (bv[0] == NULL)
            return fp_missing(p, b, "a branch", "steps");
        if ((rc = fp_steps(p, bv[0], &s->branches[i])) != 0)
            return rc;
        s->branches[i].pos = b->pos;
    }
    return 0;
}

static const char *const fp_iter_fields[] = {
    "collection", "item", "index", NULL
};

static int
fp_foreach(struct fp *p, const struct fp_node *n,
           const struct fp_node **vals, const char *label,
           struct flow_step *s)
{
    const struct fp_node *im = vals[FS_X], *iv[FP_MAX_FIELDS];
    int rc;

    if (im == NULL)
        return fp_missing(p, n, label, "iterationMapping");
    if (vals[FS_X + 1] == NULL)
        return fp_missing(p, n, label, "steps");
    if (im->kind != FP_MAP)
        return fp_err(p, im, "'iterationMapping' must be a mapping, found "
                      "%s", fp_desc(im));
    if ((rc = fp_fields(p, im, "iterationMapping", fp_iter_fields, iv)) != 0)
        return rc;
    if (iv[0] == NULL || iv[1] == NULL)
        return fp_missing(p, im, "iterationMapping",
                          iv[0] ? "item" : "collection");
    if (!fp_is_path(iv[0]))
        return fp_err(p, iv[0], "'collection' must be a path such as "
                      "$.items, found %s", fp_desc(iv[0]));
    if ((rc = fp_path(p, iv[0], &s->collection)) != 0)
        return rc;
    if ((rc = fp_string(p, iv[1], "item", &s->item)) != 0)
        return rc;
    if (s->item[0] == '\0')
        return fp_err(p, iv[1], "'item' must not be empty");
    if (iv[2]) {
        if ((rc = fp_string(p, iv[2], "index", &s->index)) != 0)
            return rc;
        if (s->index[0] == '\0' || strcmp(s->index, s->item) == 0)
            return fp_err(p, iv[2], "'index' must be a key other than "
                          "'item' and not empty");
    }
    return fp_steps(p, vals[FS_X + 1], &s->steps);
}

static int
fp_wait(struct fp *p, const struct fp_node *n, const struct fp_node **vals,
        const char *label, struct flow_step *s)
{
    const struct fp_node *d = vals[FS_X], *ts = vals[FS_X + 1];
    char buf[64];
    int64_t ms;
    double secs;
    json_t *j;

    if (d && ts)
        return fp_err(p, ts, "%s has both duration and timestamp (expected "
                      "one of them)", label);
    if (d == NULL && ts == NULL)
        return fp_err(p, n, "%s needs a duration or a timestamp", label);
    if (d) {
        if (fp_is_path(d))
            return fp_value(p, d, &s->duration);
        if (fp_number(d, &secs) != 0 || !(secs >= 0 &&
                                          secs <= FLOW_WAIT_MAX_S))
            return fp_err(p, d, "'duration' must be a number of seconds "
                          "from 0 to %d or a path, found %s",
                          FLOW_WAIT_MAX_S, fp_found(d, buf, sizeof(buf)));
        return fp_value(p, d, &s->duration);
    }
    if (fp_is_path(ts))
        return fp_value(p, ts, &s->timestamp);
    if (ts->kind != FP_SCALAR || fp_stype(ts) != FP_STR)
        return fp_err(p, ts, "'timestamp' must be an RFC 3339 time such as "
                      "2019-05-02T15:04:05Z or a path, found %s",
                      fp_desc(ts));
    if (memchr(ts->s, '\0', ts->len) ||
        timefmt_parse_rfc3339(&ms, ts->s) != 0) {
        flow_text_excerpt(buf, sizeof(buf), ts->s, ts->len);
        return fp_err(p, ts, "'timestamp' must be an RFC 3339 time such as "
                      "2019-05-02T15:04:05Z or a path, found '%s'", buf);
    }
    j = json_string(ts->s);
    if (flow_value_create(&s->timestamp, j, NULL) != 0) {
        json_decref(j);
        return fp_err(p, ts, "%s", err_last());
    }
    json_decref(j);
    return 0;
}

static int
fp_fail(struct fp *p, const struct fp_node **vals, struct flow_step *s)
{
    int rc;

    if (vals[FS_X] && (rc = fp_string(p, vals[FS_X], "error",
                                      &s->error)) != 0)
        return rc;
    if (vals[FS_X + 1] && (rc = fp_string(p, vals[FS_X + 1], "cause",
                                          &s->cause)) != 0)
        return rc;
    return 0;
}

/* ---- steps ---- */

static const struct fp_node *
fp_lookup(const struct fp_node *map, const char *key)
{
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (fp_is(map->kids[i], key))
            return map->kids[i + 1];
    return NULL;
}

static int
fp_step(struct fp *p, const struct fp_node *n, struct flow_step *s)
{
    const struct fp_node *vals[FP_MAX_FIELDS], *tn, *nn;
    char label[FP_LABEL], ex[64];
    int t = -1, rc;

    s->pos = n->pos;
    if (n->kind != FP_MAP)
        return fp_err(p, n, "a step must be a mapping with type and name, "
                      "found %s", fp_desc(n));
    tn = fp_lookup(n, "type");
    nn = fp_lookup(n, "name");
    if (nn && nn->kind == FP_SCALAR && fp_stype(nn) == FP_STR) {
        flow_text_excerpt(ex, sizeof(ex), nn->s, nn->len);
        snprintf(label, sizeof(label), "step '%s'", ex);
    } else {
        snprintf(label, sizeof(label), "a step");
    }
    if (tn == NULL) {
        static const char *const type_only[] = {"type", NULL};

        /* "tpye: task" says more as a misspelling than as a gap */
        for (size_t i = 0; i + 1 < n->n; i += 2)
            if (fp_suggest(n->kids[i]->s, n->kids[i]->len, type_only))
                return fp_unknown(p, n->kids[i], "field", label, type_only);
        return fp_missing(p, n, label, "type");
    }
    if (tn->kind != FP_SCALAR || fp_stype(tn) != FP_STR)
        return fp_err(p, tn, "'type' must be a string, found %s",
                      fp_desc(tn));
    for (size_t i = 0; i < FP_NTYPES; i++)
        if (fp_is(tn, fp_step_types[i].name))
            t = (int)i;
    if (t < 0) {
        flow_text_excerpt(ex, sizeof(ex), tn->s, tn->len);
        fp_join(label, sizeof(label), fp_type_names);
        return fp_err(p, tn, "unknown step type '%s' (expected %s)", ex,
                      label);
    }
    s->type = (enum flow_step_type)t;
    if (nn && nn->kind == FP_SCALAR && fp_stype(nn) == FP_STR)
        snprintf(label, sizeof(label), "%s step '%s'", fp_step_types[t].name,
                 ex);
    else
        snprintf(label, sizeof(label), "%s step", fp_step_types[t].name);
    if ((rc = fp_fields(p, n, label, fp_step_types[t].fields, vals)) != 0)
        return rc;
    if (nn == NULL)
        return fp_missing(p, n, label, "name");
    if ((rc = fp_string(p, nn, "name", &s->name)) != 0)
        return rc;
    s->name_pos = nn->pos;
    if (s->name[0] == '\0')
        return fp_err(p, nn, "a step name must not be empty");
    if (strlen(s->name) > FLOW_MAX_NAME)
        return fp_err(p, nn, "step name is longer than %d bytes",
                      FLOW_MAX_NAME);
    if (vals[FS_END] && (rc = fp_bool(p, vals[FS_END], "end", &s->end)) != 0)
        return rc;
    if ((rc = fp_mappings(p, vals[FS_IN], "inputMappings",
                          &s->input_mappings)) != 0)
        return rc;
    if ((rc = fp_mappings(p, vals[FS_OUT], "outputMappings",
                          &s->output_mappings)) != 0)
        return rc;
    switch (s->type) {
    case FLOW_STEP_TASK: return fp_task(p, n, vals, label, s);
    case FLOW_STEP_CHOICE: return fp_choice(p, n, vals, label, s);
    case FLOW_STEP_PARALLEL: return fp_parallel(p, n, vals, label, s);
    case FLOW_STEP_FOREACH: return fp_foreach(p, n, vals, label, s);
    case FLOW_STEP_WAIT: return fp_wait(p, n, vals, label, s);
    case FLOW_STEP_FAIL: return fp_fail(p, vals, s);
    case FLOW_STEP_PASS:
    case FLOW_STEP_SUCCEED: break;
    }
    return 0;
}

static int
fp_steps(struct fp *p, const struct fp_node *n, struct flow_steps *out)
{
    int rc;

    out->pos = n->pos;
    if (n->kind != FP_SEQ)
        return fp_err(p, n, "'steps' must be a list of steps, found %s",
                      fp_desc(n));
    if (n->n == 0)
        return fp_err(p, n, "'steps' must not be empty");
    out->v = xcalloc(n->n, sizeof(*out->v));
    for (size_t i = 0; i < n->n; i++) {
        out->n++;
        if ((rc = fp_step(p, n->kids[i], &out->v[i])) != 0)
            return rc;
    }
    return 0;
}

/* ---- the flow ---- */

static const char *const fp_flow_fields[] = {
    "version", "type", "steps", "inputMappings", "outputMappings", NULL
};

static int
fp_flow(struct fp *p, const struct fp_node *n, struct flow *f)
{
    static const char *const cf2024[] = {"Type", "StartAt", "States",
                                         "SpecVersion", NULL};
    const struct fp_node *vals[FP_MAX_FIELDS];
    char ex[64];
    int rc;

    /* n is fp_load's root, never NULL when fp_load returned 0 (the
     * analyzer does not see fp_yaml_error's codes in a function this big):
     * NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
    f->pos = n->pos;
    if (n->kind != FP_MAP)
        return fp_err(p, n, "a flow definition must be a mapping with "
                      "version, type and steps, found %s", fp_desc(n));
    for (const char *const *k = cf2024; *k; k++) {
        for (size_t i = 0; i + 1 < n->n; i += 2) {
            if (fp_is(n->kids[i], *k))
                return fp_err(p, n->kids[i], "CloudFlow 2024 definitions "
                              "(Type: StateMachine) are not supported "
                              "(expected version: v1, type: flow and "
                              "steps)");
        }
    }
    if ((rc = fp_fields(p, n, "the flow", fp_flow_fields, vals)) != 0)
        return rc;
    if (vals[0] == NULL)
        return fp_missing(p, n, "the flow", "version");
    if ((rc = fp_string(p, vals[0], "version", &f->version)) != 0)
        return rc;
    if (strcmp(f->version, "v1") != 0 && strcmp(f->version, "v1beta1") != 0) {
        flow_text_excerpt(ex, sizeof(ex), f->version, strlen(f->version));
        return fp_err(p, vals[0], "unsupported version '%s' (expected v1)",
                      ex);
    }
    if (vals[1] == NULL)
        return fp_missing(p, n, "the flow", "type");
    if (vals[1]->kind != FP_SCALAR || fp_stype(vals[1]) != FP_STR)
        return fp_err(p, vals[1], "'type' must be a string, found %s",
                      fp_desc(vals[1]));
    if (!fp_is(vals[1], "flow")) {
        flow_text_excerpt(ex, sizeof(ex), vals[1]->s, vals[1]->len);
        return fp_err(p, vals[1], "unsupported flow type '%s' (expected "
                      "flow)", ex);
    }
    if (vals[2] == NULL)
        return fp_missing(p, n, "the flow", "steps");
    if ((rc = fp_mappings(p, vals[3], "inputMappings",
                          &f->input_mappings)) != 0)
        return rc;
    if ((rc = fp_mappings(p, vals[4], "outputMappings",
                          &f->output_mappings)) != 0)
        return rc;
    return fp_steps(p, vals[2], &f->steps);
}

int
flow_parse(struct flow **out, const char *text, size_t len,
           const char *name_for_errors)
{
    struct fp p = {0};
    struct fp_node *root = NULL;
    struct flow *f = NULL;
    int rc;

    *out = NULL;
    p.src = name_for_errors ? name_for_errors : "flow";
    if (text == NULL)
        text = ""; /* libyaml insists on a buffer */
    if (len > FLOW_MAX_BYTES)
        return err_set(ENG_ETOOBIG, "%s: definition is %zu bytes (at most "
                       "%d)", p.src, len, FLOW_MAX_BYTES);
    if ((rc = fp_load(&root, &p, text, len)) != 0)
        goto out;
    f = xcalloc(1, sizeof(*f));
    f->src = xstrdup(p.src);
    if ((rc = fp_flow(&p, root, f)) != 0)
        goto out;
    if ((rc = flow_validate(f)) != 0)
        goto out;
    *out = f;
    f = NULL;
out:
    fp_node_free(root);
    flow_free(f);
    return rc;
}

int
flow_yaml_load(json_t **out, json_t **where, const char *text, size_t len,
               const char *src, size_t max)
{
    struct fp p = {0};
    struct fp_node *root = NULL;
    struct buf ptr;
    int rc;

    *out = NULL;
    if (where)
        *where = NULL;
    p.src = src ? src : "yaml";
    p.empty = "empty document (expected a mapping)";
    if (text == NULL)
        text = "";
    if (len > max)
        return err_set(ENG_ETOOBIG, "%s: %zu bytes (at most %zu)", p.src,
                       len, max);
    if ((rc = fp_load(&root, &p, text, len)) != 0)
        return rc;
    buf_init(&ptr, 0);
    if (where)
        p.where = json_object();
    rc = fp_json_at(&p, root, out, where ? &ptr : NULL);
    buf_free(&ptr);
    fp_node_free(root);
    if (rc != 0 || where == NULL)
        json_decref(p.where);
    else
        *where = p.where;
    return rc;
}

/* ---- freeing ---- */

static void flow_steps_clear(struct flow_steps *l);

static void
flow_strings_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void
flow_choice_clear(struct flow_choice *c)
{
    flow_cond_free(c->cond);
    flow_steps_clear(&c->steps);
    free(c->go_to);
}

static void
flow_step_clear(struct flow_step *s)
{
    struct flow_task *t = &s->task;

    free(s->name);
    flow_mapping_free(s->input_mappings);
    flow_mapping_free(s->output_mappings);
    free(t->resource_arn);
    free(t->resource_name);
    free(t->resource_service);
    json_decref(t->service_params);
    for (size_t i = 0; i < t->nretry; i++)
        flow_strings_free(t->retry[i].errors, t->retry[i].nerrors);
    free(t->retry);
    for (size_t i = 0; i < t->ncatch; i++) {
        flow_strings_free(t->catches[i].errors, t->catches[i].nerrors);
        free(t->catches[i].go_to);
        flow_mapping_free(t->catches[i].error_mappings);
    }
    free(t->catches);
    flow_mapping_free(t->error_mappings);
    for (size_t i = 0; i < s->nchoices; i++)
        flow_choice_clear(&s->choices[i]);
    free(s->choices);
    if (s->deflt)
        flow_choice_clear(s->deflt);
    free(s->deflt);
    for (size_t i = 0; i < s->nbranches; i++)
        flow_steps_clear(&s->branches[i]);
    free(s->branches);
    flow_path_free(s->collection);
    free(s->item);
    free(s->index);
    flow_steps_clear(&s->steps);
    flow_value_free(s->duration);
    flow_value_free(s->timestamp);
    free(s->error);
    free(s->cause);
}

static void
flow_steps_clear(struct flow_steps *l)
{
    for (size_t i = 0; i < l->n; i++)
        flow_step_clear(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void
flow_free(struct flow *f)
{
    if (f == NULL)
        return;
    free(f->src);
    free(f->version);
    flow_mapping_free(f->input_mappings);
    flow_mapping_free(f->output_mappings);
    flow_steps_clear(&f->steps);
    free(f);
}
