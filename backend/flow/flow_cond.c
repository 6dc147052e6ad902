/*
 * flow_cond: a recursive-descent compiler from condition text to a small
 * tree (&& and || are n-ary, so long chains stay shallow), and its
 * evaluator. The rules for types are in flow_cond.h. Pure; any thread.
 */
#include "flow/flow_cond.h"

#include "common/err.h"
#include "common/xalloc.h"
#include "flow/flow_int.h"
#include "flow/flow_path.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum flow_cond_op {
    FLOW_COND_LIT,
    FLOW_COND_PATH,
    FLOW_COND_NOT,
    FLOW_COND_AND,
    FLOW_COND_OR,
    FLOW_COND_EQ,
    FLOW_COND_NE,
    FLOW_COND_LT,
    FLOW_COND_LE,
    FLOW_COND_GT,
    FLOW_COND_GE
};

struct flow_cond_node {
    enum flow_cond_op op;
    json_t *lit;             /* FLOW_COND_LIT: owned */
    struct flow_path *path;  /* FLOW_COND_PATH: owned */
    struct flow_cond_node **kids;
    size_t n;
    size_t cap;
};

struct flow_cond {
    char *text;
    struct flow_cond_node *root;
};

/* The compiler's state: the text, where it is, and the first error. */
struct flow_cond_parser {
    const char *s;
    size_t len;
    size_t i;
    int depth;
    struct flow_syntax e;
};

#define FLOW_COND_VALUE_EXPECTED                                            \
    "a path, a string, a number, true, false, null, '!' or '('"

static struct flow_cond_node *flow_cond_parse_or(struct flow_cond_parser *p);

static void
flow_cond_node_free(struct flow_cond_node *n)
{
    if (n == NULL)
        return;
    for (size_t i = 0; i < n->n; i++)
        flow_cond_node_free(n->kids[i]);
    free(n->kids);
    json_decref(n->lit);
    flow_path_free(n->path);
    free(n);
}

static struct flow_cond_node *
flow_cond_node(enum flow_cond_op op)
{
    struct flow_cond_node *n = xcalloc(1, sizeof(*n));

    n->op = op;
    return n;
}

static void
flow_cond_node_add(struct flow_cond_node *n, struct flow_cond_node *kid)
{
    if (n->n == n->cap) {
        n->cap = n->cap ? n->cap * 2 : 2;
        n->kids = xreallocarray(n->kids, n->cap, sizeof(*n->kids));
    }
    n->kids[n->n++] = kid;
}

/* Record "unexpected <char at off>" and return NULL for the caller. */
static struct flow_cond_node *
flow_cond_fail(struct flow_cond_parser *p, size_t off, const char *expected)
{
    char c[24];

    flow_syntax_char(c, sizeof(c), p->s, p->len, off);
    p->e.off = off;
    snprintf(p->e.problem, sizeof(p->e.problem), "unexpected %s", c);
    snprintf(p->e.expected, sizeof(p->e.expected), "%s", expected);
    return NULL;
}

static void
flow_cond_skip(struct flow_cond_parser *p)
{
    while (p->i < p->len && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
                             p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static int
flow_cond_at(struct flow_cond_parser *p, const char *tok)
{
    size_t n = strlen(tok);

    return p->len - p->i >= n && memcmp(p->s + p->i, tok, n) == 0;
}

static int
flow_cond_is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
flow_cond_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static struct flow_cond_node *
flow_cond_lit(json_t *v)
{
    struct flow_cond_node *n = flow_cond_node(FLOW_COND_LIT);

    n->lit = v;
    return n;
}

/* "..." with JSON escapes: jansson decodes it. */
static struct flow_cond_node *
flow_cond_dquoted(struct flow_cond_parser *p)
{
    size_t start = p->i, j = p->i + 1;
    json_error_t jerr;
    json_t *v;

    while (j < p->len && p->s[j] != '"')
        j += p->s[j] == '\\' ? 2 : 1;
    if (j >= p->len) {
        p->e.off = start;
        snprintf(p->e.problem, sizeof(p->e.problem), "unterminated string");
        snprintf(p->e.expected, sizeof(p->e.expected), "a closing '\"'");
        return NULL;
    }
    v = json_loadb(p->s + start, j + 1 - start, JSON_DECODE_ANY, &jerr);
    if (v == NULL) {
        /* jansson's column is 1-based within the literal */
        p->e.off = start + (jerr.column > 1 ? (size_t)jerr.column - 1 : 0);
        snprintf(p->e.problem, sizeof(p->e.problem),
                 "bad string literal (%.60s)", jerr.text);
        p->e.expected[0] = '\0';
        return NULL;
    }
    p->i = j + 1;
    return flow_cond_lit(v);
}

/* '...' with \' and \\ escapes. */
static struct flow_cond_node *
flow_cond_squoted(struct flow_cond_parser *p)
{
    size_t start = p->i, j = p->i + 1, o = 0;
    char *buf = xmalloc(p->len - start + 1);
    json_t *v;

    for (;;) {
        if (j >= p->len) {
            free(buf);
            p->e.off = start;
            snprintf(p->e.problem, sizeof(p->e.problem),
                     "unterminated string");
            snprintf(p->e.expected, sizeof(p->e.expected),
                     "a closing \"'\"");
            return NULL;
        }
        if (p->s[j] == '\'')
            break;
        if (p->s[j] == '\\') {
            if (j + 1 >= p->len ||
                (p->s[j + 1] != '\'' && p->s[j + 1] != '\\')) {
                free(buf);
                return flow_cond_fail(p, j + 1, "\\' or \\\\ after '\\'");
            }
            j++;
        }
        buf[o++] = p->s[j++];
    }
    v = json_stringn(buf, o);
    free(buf);
    if (v == NULL) {
        p->e.off = start;
        snprintf(p->e.problem, sizeof(p->e.problem),
                 "string literal is not valid UTF-8");
        p->e.expected[0] = '\0';
        return NULL;
    }
    p->i = j + 1;
    return flow_cond_lit(v);
}

/* A JSON number: -?digits[.digits][(e|E)[+-]digits]. */
static struct flow_cond_node *
flow_cond_number(struct flow_cond_parser *p)
{
    size_t start = p->i, j = p->i;
    int real = 0;
    char tmp[64];
    char *end;
    double d;

    if (j < p->len && p->s[j] == '-')
        j++;
    if (j >= p->len || !flow_cond_is_digit(p->s[j]))
        return flow_cond_fail(p, j, "a digit after '-'");
    while (j < p->len && flow_cond_is_digit(p->s[j]))
        j++;
    if (j < p->len && p->s[j] == '.') {
        real = 1;
        if (++j >= p->len || !flow_cond_is_digit(p->s[j]))
            return flow_cond_fail(p, j, "a digit after '.'");
        while (j < p->len && flow_cond_is_digit(p->s[j]))
            j++;
    }
    if (j < p->len && (p->s[j] == 'e' || p->s[j] == 'E')) {
        real = 1;
        if (++j < p->len && (p->s[j] == '+' || p->s[j] == '-'))
            j++;
        if (j >= p->len || !flow_cond_is_digit(p->s[j]))
            return flow_cond_fail(p, j, "a digit in the exponent");
        while (j < p->len && flow_cond_is_digit(p->s[j]))
            j++;
    }
    if (j < p->len && (flow_cond_is_alpha(p->s[j]) || p->s[j] == '.'))
        return flow_cond_fail(p, j, "an operator or the end");
    if (j - start >= sizeof(tmp)) {
        p->e.off = start;
        snprintf(p->e.problem, sizeof(p->e.problem), "number too long");
        p->e.expected[0] = '\0';
        return NULL;
    }
    memcpy(tmp, p->s + start, j - start);
    tmp[j - start] = '\0';
    p->i = j;
    if (!real) {
        long long v;

        errno = 0;
        v = strtoll(tmp, &end, 10);
        if (errno == 0)
            return flow_cond_lit(json_integer((json_int_t)v));
    }
    errno = 0;
    d = strtod(tmp, &end);
    if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL)) {
        /* JSON has no infinity: jansson would give no value at all */
        p->e.off = start;
        snprintf(p->e.problem, sizeof(p->e.problem), "number out of range");
        p->e.expected[0] = '\0';
        return NULL;
    }
    return flow_cond_lit(json_real(d));
}

static struct flow_cond_node *
flow_cond_word(struct flow_cond_parser *p)
{
    size_t start = p->i, j = p->i;

    while (j < p->len && (flow_cond_is_alpha(p->s[j]) ||
                          flow_cond_is_digit(p->s[j])))
        j++;
    p->i = j;
    if (j - start == 4 && memcmp(p->s + start, "true", 4) == 0)
        return flow_cond_lit(json_true());
    if (j - start == 5 && memcmp(p->s + start, "false", 5) == 0)
        return flow_cond_lit(json_false());
    if (j - start == 4 && memcmp(p->s + start, "null", 4) == 0)
        return flow_cond_lit(json_null());
    p->e.off = start;
    snprintf(p->e.problem, sizeof(p->e.problem), "unknown word '%.*s'",
             (int)(j - start > 40 ? 40 : j - start), p->s + start);
    snprintf(p->e.expected, sizeof(p->e.expected), "%s",
             FLOW_COND_VALUE_EXPECTED);
    return NULL;
}

static int
flow_cond_enter(struct flow_cond_parser *p)
{
    if (++p->depth <= FLOW_COND_MAX_DEPTH)
        return 0;
    p->e.off = p->i;
    snprintf(p->e.problem, sizeof(p->e.problem),
             "nesting deeper than %d levels", FLOW_COND_MAX_DEPTH);
    p->e.expected[0] = '\0';
    return ENG_EINVAL;
}

static struct flow_cond_node *
flow_cond_primary(struct flow_cond_parser *p)
{
    struct flow_cond_node *n;
    char c;

    flow_cond_skip(p);
    if (p->i >= p->len)
        return flow_cond_fail(p, p->i, FLOW_COND_VALUE_EXPECTED);
    c = p->s[p->i];
    if (c == '(') {
        if (flow_cond_enter(p) != 0)
            return NULL;
        p->i++;
        n = flow_cond_parse_or(p);
        if (n == NULL)
            return NULL;
        flow_cond_skip(p);
        if (p->i >= p->len || p->s[p->i] != ')') {
            flow_cond_node_free(n);
            return flow_cond_fail(p, p->i, "an operator or ')'");
        }
        p->i++;
        p->depth--;
        return n;
    }
    if (c == '$') {
        struct flow_path *path;
        size_t used;

        if (flow_path_scan(&path, p->s + p->i, p->len - p->i, &used,
                           &p->e) != 0) {
            p->e.off += p->i;
            return NULL;
        }
        p->i += used;
        n = flow_cond_node(FLOW_COND_PATH);
        n->path = path;
        return n;
    }
    if (c == '"')
        return flow_cond_dquoted(p);
    if (c == '\'')
        return flow_cond_squoted(p);
    if (c == '-' || flow_cond_is_digit(c))
        return flow_cond_number(p);
    if (flow_cond_is_alpha(c))
        return flow_cond_word(p);
    return flow_cond_fail(p, p->i, FLOW_COND_VALUE_EXPECTED);
}

static struct flow_cond_node *
flow_cond_unary(struct flow_cond_parser *p)
{
    struct flow_cond_node *n, *kid;

    flow_cond_skip(p);
    if (p->i < p->len && p->s[p->i] == '!' && !flow_cond_at(p, "!=")) {
        if (flow_cond_enter(p) != 0)
            return NULL;
        p->i++;
        kid = flow_cond_unary(p);
        if (kid == NULL)
            return NULL;
        p->depth--;
        n = flow_cond_node(FLOW_COND_NOT);
        flow_cond_node_add(n, kid);
        return n;
    }
    return flow_cond_primary(p);
}

/* The comparison operator at the cursor, or -1; *n its length. */
static int
flow_cond_cmp_op(struct flow_cond_parser *p, size_t *n)
{
    static const struct {
        const char *tok;
        enum flow_cond_op op;
    } ops[] = {
        {"==", FLOW_COND_EQ}, {"!=", FLOW_COND_NE}, {"<=", FLOW_COND_LE},
        {">=", FLOW_COND_GE}, {"<", FLOW_COND_LT},  {">", FLOW_COND_GT},
    };

    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (flow_cond_at(p, ops[i].tok)) {
            *n = strlen(ops[i].tok);
            return (int)ops[i].op;
        }
    }
    return -1;
}

static struct flow_cond_node *
flow_cond_cmp(struct flow_cond_parser *p)
{
    struct flow_cond_node *left, *right, *n;
    size_t oplen;
    int op;

    left = flow_cond_unary(p);
    if (left == NULL)
        return NULL;
    flow_cond_skip(p);
    op = flow_cond_cmp_op(p, &oplen);
    if (op < 0) {
        if (flow_cond_at(p, "=")) {
            flow_cond_node_free(left);
            return flow_cond_fail(p, p->i, "'==' to compare");
        }
        return left;
    }
    p->i += oplen;
    right = flow_cond_unary(p);
    if (right == NULL) {
        flow_cond_node_free(left);
        return NULL;
    }
    n = flow_cond_node((enum flow_cond_op)op);
    flow_cond_node_add(n, left);
    flow_cond_node_add(n, right);
    flow_cond_skip(p);
    if (flow_cond_cmp_op(p, &oplen) >= 0) {
        flow_cond_node_free(n);
        return flow_cond_fail(p, p->i,
                              "'&&', '||', ')' or the end; comparisons do "
                              "not chain");
    }
    return n;
}

/* One level of && or ||: operands joined into one n-ary node. */
static struct flow_cond_node *
flow_cond_chain(struct flow_cond_parser *p, const char *tok,
                enum flow_cond_op op,
                struct flow_cond_node *(*operand)(struct flow_cond_parser *))
{
    struct flow_cond_node *first, *n = NULL, *kid;

    first = operand(p);
    if (first == NULL)
        return NULL;
    for (;;) {
        flow_cond_skip(p);
        if (!flow_cond_at(p, tok))
            break;
        p->i += 2;
        kid = operand(p);
        if (kid == NULL) {
            flow_cond_node_free(n ? n : first);
            return NULL;
        }
        if (n == NULL) {
            n = flow_cond_node(op);
            flow_cond_node_add(n, first);
        }
        flow_cond_node_add(n, kid);
    }
    if (p->i < p->len && (p->s[p->i] == '&' || p->s[p->i] == '|') &&
        !flow_cond_at(p, "&&") && !flow_cond_at(p, "||")) {
        flow_cond_node_free(n ? n : first);
        return flow_cond_fail(p, p->i,
                              p->s[p->i] == '&' ? "'&&'" : "'||'");
    }
    return n ? n : first;
}

static struct flow_cond_node *
flow_cond_parse_and(struct flow_cond_parser *p)
{
    return flow_cond_chain(p, "&&", FLOW_COND_AND, flow_cond_cmp);
}

static struct flow_cond_node *
flow_cond_parse_or(struct flow_cond_parser *p)
{
    return flow_cond_chain(p, "||", FLOW_COND_OR, flow_cond_parse_and);
}

void
flow_cond_free(struct flow_cond *c)
{
    if (c == NULL)
        return;
    flow_cond_node_free(c->root);
    free(c->text);
    free(c);
}

int
flow_cond_compile(struct flow_cond **out, const char *text, size_t len,
                  size_t *errpos)
{
    struct flow_cond_parser p;
    struct flow_cond_node *root;
    struct flow_cond *c;

    *out = NULL;
    memset(&p, 0, sizeof(p));
    p.s = text;
    p.len = len;
    if (memchr(text, '\0', len) != NULL) {
        flow_cond_fail(&p, (size_t)((const char *)memchr(text, '\0', len) -
                                    text), "");
        return flow_syntax_fail("condition", text, len, &p.e, errpos);
    }
    root = flow_cond_parse_or(&p);
    if (root != NULL) {
        flow_cond_skip(&p);
        if (p.i < len) {
            flow_cond_node_free(root);
            root = flow_cond_fail(&p, p.i, "an operator or the end");
        }
    }
    if (root == NULL)
        return flow_syntax_fail("condition", text, len, &p.e, errpos);
    c = xcalloc(1, sizeof(*c));
    c->text = xstrndup(text, len);
    c->root = root;
    *out = c;
    return 0;
}

const char *
flow_cond_text(const struct flow_cond *c)
{
    return c->text;
}

/* ---- evaluation ---- */

struct flow_cond_env {
    json_t *input;
    json_t *local;
    json_t *context;
};

static int flow_cond_truth(const struct flow_cond_node *n,
                           const struct flow_cond_env *env);

/*
 * Returns: the operand's value; borrowed for a literal (a compiled
 * condition is never written to, not even its reference counts, so
 * threads may share it), else a new reference also stored in *owned for
 * the caller to release.
 */
static json_t *
flow_cond_value(const struct flow_cond_node *n,
                const struct flow_cond_env *env, json_t **owned)
{
    *owned = NULL;
    if (n->op == FLOW_COND_LIT)
        return n->lit;
    if (n->op == FLOW_COND_PATH)
        *owned = flow_path_eval(n->path, env->input, env->local,
                                env->context);
    else
        *owned = json_boolean(flow_cond_truth(n, env));
    return *owned;
}

static int
flow_cond_truthy(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_FALSE: return 0;
    case JSON_TRUE: return 1;
    case JSON_INTEGER: return json_integer_value(v) != 0;
    case JSON_REAL: return json_real_value(v) != 0.0;
    case JSON_STRING: return json_string_length(v) != 0;
    default: return 1;
    }
}

/*
 * Order a and b: -1, 0 or 1; 2 when they cannot be ordered (mixed types
 * or types without an order); 3 when equal-typed but only comparable for
 * equality.
 */
static int
flow_cond_order(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        double x, y;

        if (json_is_integer(a) && json_is_integer(b)) {
            json_int_t i = json_integer_value(a), j = json_integer_value(b);

            return i < j ? -1 : i > j;
        }
        x = json_number_value(a);
        y = json_number_value(b);
        return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
    }
    if (json_is_string(a) && json_is_string(b)) {
        size_t la = json_string_length(a), lb = json_string_length(b);
        int c = memcmp(json_string_value(a), json_string_value(b),
                       la < lb ? la : lb);

        if (c == 0)
            return la < lb ? -1 : la > lb;
        return c < 0 ? -1 : 1;
    }
    return 2;
}

static int
flow_cond_compare(enum flow_cond_op op, const json_t *a, const json_t *b)
{
    int o = flow_cond_order(a, b);
    int eq;

    if (op == FLOW_COND_EQ || op == FLOW_COND_NE) {
        if (o != 2)
            eq = o == 0;
        else
            eq = json_typeof(a) == json_typeof(b) && json_equal(a, b);
        return op == FLOW_COND_EQ ? eq : !eq;
    }
    if (o == 2)
        return 0;
    switch (op) {
    case FLOW_COND_LT: return o < 0;
    case FLOW_COND_LE: return o <= 0;
    case FLOW_COND_GT: return o > 0;
    case FLOW_COND_GE: return o >= 0;
    default: return 0;
    }
}

static int
flow_cond_truth(const struct flow_cond_node *n,
                const struct flow_cond_env *env)
{
    json_t *a, *b, *oa, *ob;
    int r;

    switch (n->op) {
    case FLOW_COND_NOT: return !flow_cond_truth(n->kids[0], env);
    case FLOW_COND_AND:
        for (size_t i = 0; i < n->n; i++)
            if (!flow_cond_truth(n->kids[i], env))
                return 0;
        return 1;
    case FLOW_COND_OR:
        for (size_t i = 0; i < n->n; i++)
            if (flow_cond_truth(n->kids[i], env))
                return 1;
        return 0;
    case FLOW_COND_LIT:
    case FLOW_COND_PATH:
        a = flow_cond_value(n, env, &oa);
        r = flow_cond_truthy(a);
        json_decref(oa);
        return r;
    default:
        a = flow_cond_value(n->kids[0], env, &oa);
        b = flow_cond_value(n->kids[1], env, &ob);
        r = flow_cond_compare(n->op, a, b);
        json_decref(oa);
        json_decref(ob);
        return r;
    }
}

int
flow_cond_eval(const struct flow_cond *c, json_t *input, json_t *local,
               json_t *context)
{
    struct flow_cond_env env = {input, local, context};

    return flow_cond_truth(c->root, &env);
}
