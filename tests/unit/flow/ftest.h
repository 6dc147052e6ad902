/*
 * ftest: what the flow tests share. Fixture files are found from this
 * source file's own path (tests/unit/flow -> tests/fixtures/flows), and
 * a parsed flow is summarised as one line of text so that each good
 * definition is checked with one comparison. Header only: each test_*.c
 * is its own executable.
 *
 * The summary of a step list is "{step; step; ...}", each step
 *   name:type[!end] [task|choice|... details] [in(...)] [out(...)]
 * with mapping sources written as paths (bare) or constants (as JSON).
 */
#ifndef FLOWDECK_TEST_FTEST_H
#define FLOWDECK_TEST_FTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "flow/flow.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Returns: the fixture's text (caller frees) and its length in *len. */
static inline char *
ft_fixture(const char *name, size_t *len)
{
    const char *self = __FILE__;
    const char *cut = strstr(self, "tests/unit/flow/");
    char *path, *text;
    FILE *fp;
    long n;

    assert_non_null(cut);
    path = xasprintf("%.*stests/fixtures/flows/%s", (int)(cut - self), self,
                     name);
    fp = fopen(path, "rb");
    if (fp == NULL)
        fail_msg("cannot open fixture %s", path);
    free(path);
    assert_int_equal(0, fseek(fp, 0, SEEK_END));
    n = ftell(fp);
    assert_true(n >= 0);
    rewind(fp);
    text = xmalloc((size_t)n + 1);
    assert_int_equal((size_t)n, fread(text, 1, (size_t)n, fp));
    text[n] = '\0';
    fclose(fp);
    *len = (size_t)n;
    return text;
}

/* Compact JSON text of v with sorted keys; caller frees. */
static inline char *
ft_dump(const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

    assert_non_null(s);
    return s;
}

/* Assert that v dumps to exactly `want`; takes v (a new reference). */
static inline void
ft_expect_json_new(json_t *v, const char *want, const char *what)
{
    char *got;

    assert_non_null(v);
    got = ft_dump(v);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got %s, want %s", what, got, want);
    free(got);
    json_decref(v);
}

/* Parse JSON test data (must be valid). Returns: new reference. */
static inline json_t *
ft_json(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);

    if (v == NULL)
        fail_msg("bad test JSON '%s': %s", text, e.text);
    return v;
}

static inline void
ft_put_value(struct buf *b, const struct flow_value *v)
{
    json_t *j;
    char *s;

    if (flow_value_path(v)) {
        buf_puts(b, flow_path_text(flow_value_path(v)));
        return;
    }
    j = flow_value_to_json(v);
    s = ft_dump(j);
    buf_puts(b, s);
    free(s);
    json_decref(j);
}

static inline void
ft_put_mapping(struct buf *b, const char *tag, const struct flow_mapping *m)
{
    if (m == NULL)
        return;
    buf_printf(b, " %s(", tag);
    for (size_t i = 0; i < m->n; i++) {
        buf_printf(b, "%s%s=", i ? "," : "", m->items[i].target);
        ft_put_value(b, m->items[i].source);
    }
    buf_puts(b, ")");
}

static inline void
ft_put_strings(struct buf *b, char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_printf(b, "%s%s", i ? "|" : "", v[i]);
}

static inline void ft_put_steps(struct buf *b, const struct flow_steps *l);

static inline void
ft_put_task(struct buf *b, const struct flow_task *t)
{
    buf_printf(b, " [%s %s%s%s %s]", flow_resource_name(t->resource),
               t->resource_service ? t->resource_service : "",
               t->resource_service ? "/" : "", t->resource_name,
               flow_pattern_name(t->pattern));
    if (t->service_params) {
        char *s = ft_dump(t->service_params);

        buf_printf(b, " params=%s", s);
        free(s);
    }
    if (t->timeout_s)
        buf_printf(b, " timeout=%d", t->timeout_s);
    for (size_t i = 0; i < t->nretry; i++) {
        const struct flow_retry *r = &t->retry[i];

        buf_puts(b, " retry(");
        ft_put_strings(b, r->errors, r->nerrors);
        buf_printf(b, " %d %d %g %d)", r->interval_s, r->max_attempts,
                   r->multiplier, r->max_interval_s);
    }
    for (size_t i = 0; i < t->ncatch; i++) {
        buf_puts(b, " catch(");
        ft_put_strings(b, t->catches[i].errors, t->catches[i].nerrors);
        buf_printf(b, "->%s", t->catches[i].go_to);
        ft_put_mapping(b, "err", t->catches[i].error_mappings);
        buf_puts(b, ")");
    }
    ft_put_mapping(b, "err", t->error_mappings);
}

static inline void
ft_put_choice(struct buf *b, const struct flow_choice *c)
{
    if (c->cond)
        buf_printf(b, "%s =>", flow_cond_text(c->cond));
    if (c->has_steps) {
        buf_puts(b, " ");
        ft_put_steps(b, &c->steps);
    }
    if (c->go_to)
        buf_printf(b, " goto %s", c->go_to);
}

static inline void
ft_put_step(struct buf *b, const struct flow_step *s)
{
    buf_printf(b, "%s:%s%s", s->name, flow_step_type_name(s->type),
               s->end ? "!" : "");
    switch (s->type) {
    case FLOW_STEP_TASK:
        ft_put_task(b, &s->task);
        break;
    case FLOW_STEP_CHOICE:
        for (size_t i = 0; i < s->nchoices; i++) {
            buf_puts(b, " when(");
            ft_put_choice(b, &s->choices[i]);
            buf_puts(b, ")");
        }
        if (s->deflt) {
            buf_puts(b, " default(");
            ft_put_choice(b, s->deflt);
            buf_puts(b, ")");
        }
        break;
    case FLOW_STEP_PARALLEL:
        for (size_t i = 0; i < s->nbranches; i++) {
            buf_puts(b, " branch");
            ft_put_steps(b, &s->branches[i]);
        }
        break;
    case FLOW_STEP_FOREACH:
        buf_printf(b, " each(%s %s %s) ", flow_path_text(s->collection),
                   s->item, s->index ? s->index : "-");
        ft_put_steps(b, &s->steps);
        break;
    case FLOW_STEP_WAIT:
        buf_puts(b, s->duration ? " duration=" : " timestamp=");
        ft_put_value(b, s->duration ? s->duration : s->timestamp);
        break;
    case FLOW_STEP_FAIL:
        buf_printf(b, " error=%s cause=%s", s->error ? s->error : "-",
                   s->cause ? s->cause : "-");
        break;
    case FLOW_STEP_PASS:
    case FLOW_STEP_SUCCEED:
        break;
    }
    ft_put_mapping(b, "in", s->input_mappings);
    ft_put_mapping(b, "out", s->output_mappings);
}

static inline void
ft_put_steps(struct buf *b, const struct flow_steps *l)
{
    buf_puts(b, "{");
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            buf_puts(b, "; ");
        ft_put_step(b, &l->v[i]);
    }
    buf_puts(b, "}");
}

/* Returns: the summary of a flow; caller frees. */
static inline char *
ft_describe(const struct flow *f)
{
    struct buf b = BUF_INIT(0);

    buf_printf(&b, "%s", f->version);
    ft_put_mapping(&b, "in", f->input_mappings);
    ft_put_mapping(&b, "out", f->output_mappings);
    buf_puts(&b, " ");
    ft_put_steps(&b, &f->steps);
    return buf_take(&b);
}

/* Parse text that must parse. Returns: the flow (caller frees). */
static inline struct flow *
ft_parse_ok(const char *text, size_t len, const char *what)
{
    struct flow *f = NULL;

    if (flow_parse(&f, text, len, "flow.yaml") != 0)
        fail_msg("%s: %s", what, err_last());
    assert_non_null(f);
    return f;
}

#endif
