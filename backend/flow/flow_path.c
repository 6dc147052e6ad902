/*
 * flow_path: compiles path expressions once into a list of segments and
 * evaluates them against jansson values; mapping sources (a path or a
 * constant), mapping lists and the shallow merge of the data-flow rules.
 * Pure functions over their arguments; any thread.
 */
#include "flow/flow_path.h"

#include "common/err.h"
#include "common/xalloc.h"
#include "flow/flow_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum flow_seg_kind { FLOW_SEG_KEY, FLOW_SEG_INDEX, FLOW_SEG_WILD };

struct flow_seg {
    enum flow_seg_kind kind;
    char *key;    /* FLOW_SEG_KEY: owned */
    size_t index; /* FLOW_SEG_INDEX */
};

struct flow_path {
    char *text;
    enum flow_root root;
    int has_wild;
    size_t n;
    struct flow_seg *segs;
};

struct flow_value {
    json_t *constant;       /* owned; NULL for a path */
    struct flow_path *path; /* owned; NULL for a constant */
};

static const char *const flow_path_context_keys[] = {
    "task", "execution", "flow", "step", NULL
};

/* ---- messages ---- */

void
flow_text_excerpt(char *out, size_t n, const char *text, size_t len)
{
    const size_t max = 48;
    size_t take = len, o = 0;
    int cut = 0;

    if (n == 0)
        return;
    if (take > max) {
        take = max;
        /* do not end inside a UTF-8 sequence */
        while (take > 0 && ((unsigned char)text[take] & 0xC0) == 0x80)
            take--;
        cut = 1;
    }
    for (size_t i = 0; i < take && o + 1 < n; i++) {
        unsigned char c = (unsigned char)text[i];

        out[o++] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
    }
    out[o] = '\0';
    if (cut && o + 4 <= n)
        memcpy(out + o, "...", 4);
}

size_t
flow_text_cols(const char *text, size_t off)
{
    size_t cols = 0;

    for (size_t i = 0; i < off; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            cols++;
    return cols;
}

void
flow_syntax_char(char *out, size_t n, const char *text, size_t len,
                 size_t off)
{
    unsigned char c;
    size_t k = 1;

    if (off >= len) {
        snprintf(out, n, "end of text");
        return;
    }
    c = (unsigned char)text[off];
    if (c < 0x20 || c == 0x7F) {
        snprintf(out, n, "byte 0x%02X", c);
        return;
    }
    if (c >= 0x80) {
        /* quote the whole sequence; libyaml already checked it is UTF-8 */
        while (off + k < len && k < 4 &&
               ((unsigned char)text[off + k] & 0xC0) == 0x80)
            k++;
    }
    snprintf(out, n, "'%.*s'", (int)k, text + off);
}

int
flow_syntax_fail(const char *kind, const char *text, size_t len,
                 const struct flow_syntax *e, size_t *errpos)
{
    char ex[64];

    flow_text_excerpt(ex, sizeof(ex), text, len);
    if (errpos)
        *errpos = e->off;
    return err_set(ENG_EINVAL, "bad %s '%s': %s at column %zu%s%s%s", kind,
                   ex, e->problem, flow_text_cols(text, e->off) + 1,
                   e->expected[0] ? " (expected " : "", e->expected,
                   e->expected[0] ? ")" : "");
}

/* ---- compiling ---- */

static int
flow_path_syntax(struct flow_syntax *e, const char *text, size_t len,
                 size_t off, const char *expected)
{
    char c[24];

    flow_syntax_char(c, sizeof(c), text, len, off);
    e->off = off;
    snprintf(e->problem, sizeof(e->problem), "unexpected %s", c);
    snprintf(e->expected, sizeof(e->expected), "%s", expected);
    return ENG_EINVAL;
}

static int
flow_path_is_keych(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-' || c >= 0x80;
}

static int
flow_path_is_rootch(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

void
flow_path_free(struct flow_path *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->segs[i].key);
    free(p->segs);
    free(p->text);
    free(p);
}

static struct flow_seg *
flow_path_add(struct flow_path *p, enum flow_seg_kind kind)
{
    struct flow_seg *s;

    p->segs = xreallocarray(p->segs, p->n + 1, sizeof(*p->segs));
    s = &p->segs[p->n++];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    if (kind == FLOW_SEG_WILD)
        p->has_wild = 1;
    return s;
}

/* A quoted key starting at text[*i] (the quote); *i ends past the quote. */
static int
flow_path_quoted(char **out, const char *text, size_t len, size_t *i,
                 struct flow_syntax *e)
{
    char q = text[*i];
    size_t start = *i, j = *i + 1, o = 0;
    char *key = xmalloc(len - start + 1);

    *out = NULL;
    for (;;) {
        if (j >= len) {
            free(key);
            e->off = start;
            snprintf(e->problem, sizeof(e->problem),
                     "unterminated quoted key");
            snprintf(e->expected, sizeof(e->expected), "a closing %s",
                     q == '"' ? "'\"'" : "\"'\"");
            return ENG_EINVAL;
        }
        if (text[j] == q)
            break;
        if (text[j] == '\0') {
            free(key);
            return flow_path_syntax(e, text, len, j, "");
        }
        if (text[j] == '\\') {
            char c = j + 1 < len ? text[j + 1] : '\0';

            if (c != '\'' && c != '"' && c != '\\') {
                free(key);
                return flow_path_syntax(e, text, len, j + 1,
                                        "\\', \\\" or \\\\ after '\\'");
            }
            key[o++] = c;
            j += 2;
            continue;
        }
        key[o++] = text[j++];
    }
    key[o] = '\0';
    *i = j + 1;
    *out = key;
    return 0;
}

int
flow_path_scan(struct flow_path **out, const char *text, size_t len,
               size_t *used, struct flow_syntax *e)
{
    struct flow_path *p = xcalloc(1, sizeof(*p));
    size_t i = 1, r;
    int rc = ENG_EINVAL;

    *out = NULL;
    if (len == 0 || text[0] != '$') {
        flow_path_syntax(e, text, len, 0, "'$'");
        goto out;
    }
    while (i < len && flow_path_is_rootch((unsigned char)text[i]))
        i++;
    r = i - 1;
    if (r == 0 || (r == 5 && memcmp(text + 1, "input", 5) == 0))
        p->root = FLOW_ROOT_INPUT;
    else if (r == 5 && memcmp(text + 1, "local", 5) == 0)
        p->root = FLOW_ROOT_LOCAL;
    else if (r == 7 && memcmp(text + 1, "context", 7) == 0)
        p->root = FLOW_ROOT_CONTEXT;
    else {
        e->off = 0;
        snprintf(e->problem, sizeof(e->problem), "unknown root '%.*s'",
                 (int)(r < 40 ? r + 1 : 41), text);
        snprintf(e->expected, sizeof(e->expected),
                 "$input, $local, $context or $");
        goto out;
    }

    while (i < len) {
        size_t segstart = i;
        struct flow_seg *s;

        if (text[i] == '.') {
            size_t k = ++i;

            while (i < len && flow_path_is_keych((unsigned char)text[i]))
                i++;
            if (i == k) {
                flow_path_syntax(e, text, len, i, "a key after '.'");
                goto out;
            }
            s = flow_path_add(p, FLOW_SEG_KEY);
            s->key = xstrndup(text + k, i - k);
        } else if (text[i] == '[') {
            i++;
            if (i < len && text[i] == '*') {
                i++;
                s = flow_path_add(p, FLOW_SEG_WILD);
            } else if (i < len && text[i] >= '0' && text[i] <= '9') {
                size_t v = 0;

                while (i < len && text[i] >= '0' && text[i] <= '9') {
                    if (v > (SIZE_MAX - 9) / 10 || v > INT32_MAX) {
                        e->off = segstart + 1;
                        snprintf(e->problem, sizeof(e->problem),
                                 "index too large");
                        e->expected[0] = '\0';
                        goto out;
                    }
                    v = v * 10 + (size_t)(text[i] - '0');
                    i++;
                }
                s = flow_path_add(p, FLOW_SEG_INDEX);
                s->index = v;
            } else if (i < len && (text[i] == '\'' || text[i] == '"')) {
                char *key;

                if (flow_path_quoted(&key, text, len, &i, e) != 0)
                    goto out;
                s = flow_path_add(p, FLOW_SEG_KEY);
                s->key = key;
            } else {
                flow_path_syntax(e, text, len, i,
                                 "an index, '*' or a quoted key after '['");
                goto out;
            }
            if (i >= len || text[i] != ']') {
                flow_path_syntax(e, text, len, i, "']'");
                goto out;
            }
            i++;
        } else if (used) {
            break;
        } else {
            flow_path_syntax(e, text, len, i, "'.', '[' or the end");
            goto out;
        }
        if (p->n > FLOW_PATH_MAX_SEGS) {
            e->off = segstart;
            snprintf(e->problem, sizeof(e->problem),
                     "more than %d segments", FLOW_PATH_MAX_SEGS);
            e->expected[0] = '\0';
            goto out;
        }
        if (p->root == FLOW_ROOT_CONTEXT && p->n == 1) {
            int ok = 0;

            for (const char *const *k = flow_path_context_keys; *k; k++)
                if (s->kind == FLOW_SEG_KEY && strcmp(s->key, *k) == 0)
                    ok = 1;
            if (!ok) {
                e->off = segstart;
                if (s->kind == FLOW_SEG_KEY)
                    snprintf(e->problem, sizeof(e->problem),
                             "unknown context key '%.40s'", s->key);
                else
                    snprintf(e->problem, sizeof(e->problem),
                             "$context is an object, not an array");
                snprintf(e->expected, sizeof(e->expected),
                         "task, execution, flow or step");
                goto out;
            }
        }
    }
    p->text = xstrndup(text, i);
    if (used)
        *used = i;
    *out = p;
    p = NULL;
    rc = 0;
out:
    flow_path_free(p);
    return rc;
}

int
flow_path_compile(struct flow_path **out, const char *text, size_t len,
                  size_t *used, size_t *errpos)
{
    struct flow_syntax e;
    int rc;

    rc = flow_path_scan(out, text, len, used, &e);
    if (rc != 0)
        return flow_syntax_fail("path", text, len, &e, errpos);
    return 0;
}

/* ---- evaluating ---- */

static json_t *
flow_path_start(const struct flow_path *p, json_t *input, json_t *local,
                json_t *context)
{
    switch (p->root) {
    case FLOW_ROOT_LOCAL: return local;
    case FLOW_ROOT_CONTEXT: return context;
    case FLOW_ROOT_INPUT: break;
    }
    return input;
}

static json_t *
flow_path_step(const struct flow_seg *s, json_t *v)
{
    if (v == NULL)
        return NULL;
    if (s->kind == FLOW_SEG_KEY)
        return json_is_object(v) ? json_object_get(v, s->key) : NULL;
    return json_is_array(v) ? json_array_get(v, s->index) : NULL;
}

/* Append a copy of everything the segments from i on reach from v. */
static void
flow_path_collect(const struct flow_path *p, size_t i, json_t *v,
                  json_t *acc)
{
    const char *key;
    json_t *item;
    size_t k;

    if (v == NULL)
        return;
    if (i == p->n) {
        json_array_append_new(acc, json_deep_copy(v));
        return;
    }
    if (p->segs[i].kind != FLOW_SEG_WILD) {
        flow_path_collect(p, i + 1, flow_path_step(&p->segs[i], v), acc);
        return;
    }
    if (json_is_array(v)) {
        json_array_foreach(v, k, item)
            flow_path_collect(p, i + 1, item, acc);
    } else if (json_is_object(v)) {
        json_object_foreach(v, key, item)
            flow_path_collect(p, i + 1, item, acc);
    }
}

json_t *
flow_path_eval(const struct flow_path *p, json_t *input, json_t *local,
               json_t *context)
{
    json_t *v = flow_path_start(p, input, local, context);
    json_t *acc;

    if (p->has_wild) {
        acc = json_array();
        flow_path_collect(p, 0, v, acc);
        return acc;
    }
    for (size_t i = 0; i < p->n && v; i++)
        v = flow_path_step(&p->segs[i], v);
    return v ? json_deep_copy(v) : json_null();
}

const char *
flow_path_text(const struct flow_path *p)
{
    return p->text;
}

enum flow_root
flow_path_root(const struct flow_path *p)
{
    return p->root;
}

int
flow_path_is_root(const struct flow_path *p)
{
    return p->n == 0;
}

/* ---- values ---- */

int
flow_value_create(struct flow_value **out, const json_t *v, size_t *errpos)
{
    struct flow_value *val = xcalloc(1, sizeof(*val));
    int rc = 0;

    *out = NULL;
    if (json_is_string(v) && json_string_length(v) > 0 &&
        json_string_value(v)[0] == '$') {
        rc = flow_path_compile(&val->path, json_string_value(v),
                               json_string_length(v), NULL, errpos);
        if (rc != 0)
            goto out;
    } else {
        val->constant = v ? json_deep_copy(v) : json_null();
    }
    *out = val;
    val = NULL;
out:
    flow_value_free(val);
    return rc;
}

json_t *
flow_value_eval(const struct flow_value *v, json_t *input, json_t *local,
                json_t *context)
{
    if (v->path)
        return flow_path_eval(v->path, input, local, context);
    return json_deep_copy(v->constant);
}

const struct flow_path *
flow_value_path(const struct flow_value *v)
{
    return v->path;
}

json_t *
flow_value_to_json(const struct flow_value *v)
{
    if (v->path)
        return json_string(v->path->text);
    return json_deep_copy(v->constant);
}

void
flow_value_free(struct flow_value *v)
{
    if (v == NULL)
        return;
    json_decref(v->constant);
    flow_path_free(v->path);
    free(v);
}

/* ---- mappings and merging ---- */

int
flow_mapping_apply(json_t **out, const struct flow_mapping *list,
                   json_t *input, json_t *local, json_t *context)
{
    json_t *obj = json_object();
    int rc = 0;

    *out = NULL;
    for (size_t i = 0; list && i < list->n; i++) {
        const struct flow_mapping_item *it = &list->items[i];
        json_t *v = flow_value_eval(it->source, input, local, context);

        /* set_new steals v even when it fails */
        if (json_object_set_new(obj, it->target, v) != 0) {
            rc = err_set(ENG_EINVAL, "mapping target '%.40s' is not a "
                         "valid key", it->target);
            goto out;
        }
    }
    *out = obj;
    obj = NULL;
out:
    json_decref(obj);
    return rc;
}

void
flow_mapping_free(struct flow_mapping *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].target);
        flow_value_free(m->items[i].source);
    }
    free(m->items);
    free(m);
}

json_t *
flow_data_merge(json_t *a, json_t *b)
{
    json_t *r = json_is_object(a) ? json_deep_copy(a) : json_object();

    if (json_is_object(b)) {
        json_t *copy = json_deep_copy(b);

        json_object_update(r, copy);
        json_decref(copy);
    }
    return r;
}

static void
flow_context_put(json_t *ctx, const char *member, const char *key,
                 const char *value)
{
    if (value == NULL)
        return;
    json_object_set_new(ctx, member, json_pack("{s:s}", key, value));
}

json_t *
flow_context_build(const char *flow, const char *execution,
                   const char *step, const char *task_token)
{
    json_t *ctx = json_object();

    flow_context_put(ctx, "flow", "name", flow);
    flow_context_put(ctx, "execution", "name", execution);
    flow_context_put(ctx, "step", "name", step);
    flow_context_put(ctx, "task", "token", task_token);
    return ctx;
}
