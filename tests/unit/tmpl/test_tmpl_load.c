/*
 * Unit tests for tmpl/tmpl_load: YAML positions, finding a template,
 * paths that must stay in the folder, parameters and their types,
 * substitution, and the dependency order of resources. Templates are
 * written into a temp dir; no engine runs (the service only reads
 * eng->repos, left NULL).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "flow/flow.h"
#include "tmpl/tmpl_int.h"

#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct lt {
    char dir[64];
    struct engine eng;
    struct tmpl_service *ts;
};

static void
lt_write(struct lt *f, const char *rel, const char *text)
{
    char *path = xasprintf("%s/%s", f->dir, rel), *slash;
    FILE *fp;

    slash = strrchr(path, '/');
    *slash = '\0';
    mkdir(path, 0755);
    *slash = '/';
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    free(path);
}

static int
lt_setup(void **state)
{
    struct lt *f = xcalloc(1, sizeof(*f));

    snprintf(f->dir, sizeof(f->dir), "/tmp/flowdeck-tl-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(tmpl_service_create(&f->ts, &f->eng, f->dir), 0);
    *state = f;
    return 0;
}

static int
lt_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int
lt_teardown(void **state)
{
    struct lt *f = *state;

    nftw(f->dir, lt_rm, 16, FTW_DEPTH | FTW_PHYS);
    tmpl_service_free(f->ts);
    free(f);
    return 0;
}

/* ---- flow_yaml_load ---- */

/* A template whose one parameter q (default "x") has pattern `re`, parsed
 * from text. Returns: 1 when the pattern is refused (err_last() says why),
 * 0 when it is taken (whether "x" matches it or not). */
static int
lt_pattern_refused(const char *re)
{
    struct tmpl *t = xcalloc(1, sizeof(*t));
    struct buf q = BUF_INIT(0);
    char *text;
    int rc;

    for (const char *p = re; *p; p++) {
        buf_append(&q, p, 1);
        if (*p == '\'') /* '' is a quote in single quotes */
            buf_append(&q, "'", 1);
    }
    text = xasprintf("name: p\nparameters:\n  q: {default: x, pattern: '%s'}\n"
                     "resources:\n  - {type: queue, name: q}\n",
                     buf_str(&q));
    t->source = xstrdup("bundled");
    t->dir = xstrdup("/nonexistent/p");
    t->label = xstrdup("p/template.yaml");
    rc = tmpl_parse(t, text, strlen(text), NULL);
    if (rc == 0) { /* parameters are checked with their values */
        json_t *vars = NULL;

        rc = tmpl_vars(&vars, t, NULL, "s", "http://127.0.0.1:9460");
        json_decref(vars);
    }
    free(text);
    buf_free(&q);
    tmpl_free(t);
    return rc != 0 && strstr(err_last(), "does not match") == NULL;
}

/* A parameter's pattern must be cheap to compile: glibc's regcomp takes
 * exponential time on stacked repetition (found by fuzz_template). */
static void
test_pattern_cost_is_bounded(void **state)
{
    static const char *const good[] = {
        "^[a-z][a-z0-9-]*$", "^([1-9]|1[0-6])$", "^[0-9]{1,6}$",
        "^(ab){2}$", "[+*]+", "\\++", "[]+]+", "(a|b)*c{2,3}",
        "[[:alpha:]]+x?", "(a{2})*", "^(x{1,3}y)+$"};
    static const struct {
        const char *re, *why;
    } bad[] = {
        {"^[a-z]++$", "repeats a repetition"},
        /* what fuzz_template found: regcomp alone takes minutes on it */
        {"^[a-z]+++++++++++++++++++++++++++++++[a-z1-9-]*$",
         "repeats a repetition"},
        {"[a-z]+++++++++++++++++++++[a-z1-9-]*", "repeats a repetition"},
        {"a*?", "repeats a repetition"},
        {"a{2}{3}", "repeats a repetition"},
        {"((a{1,9}){1,9}){1,9}", "group that holds a counted"},
        {"a{1,500}", "more than 100"},
        {"(ab){200}", "more than 100"},
    };
    char long_re[TMPL_PATTERN_MAX + 8];

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (lt_pattern_refused(good[i]))
            fail_msg("%s: %s", good[i], err_last());
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_true(lt_pattern_refused(bad[i].re));
        assert_non_null(strstr(err_last(), bad[i].why));
        assert_non_null(strstr(err_last(), "parameter 'q': pattern"));
    }
    memset(long_re, 'a', sizeof(long_re) - 1);
    long_re[sizeof(long_re) - 1] = '\0';
    assert_true(lt_pattern_refused(long_re));
    assert_non_null(strstr(err_last(), "longer than 256"));
}

static void
test_yaml_positions(void **state)
{
    const char *text = "a:\n  b: [1, two]\n  'c/d': {e: x}\n";
    json_t *doc, *where;

    (void)state;
    assert_int_equal(flow_yaml_load(&doc, &where, text, strlen(text), "t.yaml",
                                    1024),
                     0);
    assert_string_equal(
        json_string_value(json_array_get(
            json_object_get(json_object_get(doc, "a"), "b"), 1)),
        "two");
    /* [line, col] of each node, by JSON pointer ('/' escaped as ~1) */
    assert_int_equal(json_integer_value(json_array_get(
                         json_object_get(where, "/a/b/1"), 0)),
                     2);
    assert_int_equal(json_integer_value(json_array_get(
                         json_object_get(where, "/a/b/1"), 1)),
                     10);
    assert_int_equal(json_integer_value(json_array_get(
                         json_object_get(where, "/a/c~1d/e"), 0)),
                     3);
    json_decref(doc);
    json_decref(where);

    assert_int_equal(flow_yaml_load(&doc, NULL, "a: *x", 5, "t.yaml", 1024),
                     ENG_EINVAL);
    assert_non_null(strstr(err_last(), "t.yaml:1:4"));
    assert_int_equal(flow_yaml_load(&doc, NULL, "", 0, "t.yaml", 1024),
                     ENG_EINVAL);
    assert_non_null(strstr(err_last(), "empty document"));
    assert_int_equal(flow_yaml_load(&doc, NULL, "a: 1", 4, "t.yaml", 3),
                     ENG_ETOOBIG);
}

/* ---- finding and paths ---- */

#define LT_MIN "resources:\n  - type: queue\n    name: q\n"

static void
test_find_by_folder_name(void **state)
{
    struct lt *f = *state;
    struct tmpl *t;

    lt_write(f, "one/template.yaml", "name: one\n" LT_MIN);
    lt_write(f, "two/template.yaml", "name: other\n" LT_MIN);
    assert_int_equal(tmpl_find(&t, f->ts, "one"), 0);
    assert_string_equal(t->name, "one");
    assert_string_equal(t->source, "bundled");
    tmpl_free(t);
    /* a template is named by its folder */
    assert_int_equal(tmpl_find(&t, f->ts, "two"), ENG_EINVAL);
    assert_non_null(strstr(err_last(), "differs from its folder's name"));
    assert_int_equal(tmpl_find(&t, f->ts, "other"), ENG_ENOTFOUND);
    assert_string_equal(err_last_name(), "TemplateNotFound");
    assert_int_equal(tmpl_find(&t, f->ts, "repo:x/one"), ENG_ENOTFOUND);
}

static void
test_paths_stay_in_the_folder(void **state)
{
    struct lt *f = *state;
    struct tmpl *t;
    char *p, *link;

    lt_write(f, "p/template.yaml", "name: p\n" LT_MIN);
    lt_write(f, "p/sub/ok.txt", "fine\n");
    lt_write(f, "secret.txt", "outside\n");
    link = xasprintf("%s/p/out.txt", f->dir);
    assert_int_equal(symlink("../secret.txt", link), 0);
    free(link);
    link = xasprintf("%s/p/in.txt", f->dir);
    assert_int_equal(symlink("sub/ok.txt", link), 0);
    free(link);
    assert_int_equal(tmpl_find(&t, f->ts, "p"), 0);

    assert_int_equal(tmpl_path(&p, t, "sub/ok.txt", ""), 0);
    assert_non_null(strstr(p, "/p/sub/ok.txt"));
    free(p);
    assert_int_equal(tmpl_path(&p, t, "in.txt", ""), 0); /* stays inside */
    free(p);
    assert_int_equal(tmpl_path(&p, t, "out.txt", ""), ENG_EINVAL);
    assert_non_null(strstr(err_last(), "leads out of the template folder"));
    assert_int_equal(tmpl_path(&p, t, "../secret.txt", ""), ENG_EINVAL);
    assert_int_equal(tmpl_path(&p, t, "/etc/passwd", ""), ENG_EINVAL);
    assert_int_equal(tmpl_path(&p, t, "sub/./ok.txt", ""), ENG_EINVAL);
    assert_int_equal(tmpl_path(&p, t, "sub", ""), ENG_EINVAL);
    assert_non_null(strstr(err_last(), "not a regular file"));
    assert_int_equal(tmpl_path(&p, t, "nope.txt", ""), ENG_EINVAL);
    assert_non_null(strstr(err_last(), "not found"));
    tmpl_free(t);
}

/* ---- parameters, substitution, order ---- */

static const char lt_params[] =
    "name: v\n"
    "parameters:\n"
    "  q: {default: jobs, pattern: '^[a-z]+$'}\n"
    "  n: {default: 30}\n"
    "  mode: {default: a, allowed: [a, b]}\n"
    "resources:\n"
    "  - type: queue\n"
    "    name: ${q}\n"
    "    visibility_timeout: \"${n}\"\n"
    "    dead_letter_queue: ${q}-dlq\n"
    "  - type: flow\n"
    "    name: f\n"
    "    definition: flow.yaml\n"
    "  - type: queue\n"
    "    name: ${q}-dlq\n"
    "    dead_letter_queue: ${q}-last\n"
    "  - type: function\n"
    "    name: w\n"
    "    runtime: sh\n"
    "    handler: w.sh\n"
    "    env: {LITERAL: \"$${q}\", MIXED: \"n=${n}\"}\n"
    "  - type: queue\n"
    "    name: ${q}-last\n";

static void
test_vars_render_and_order(void **state)
{
    struct lt *f = *state;
    json_t *vars, *given, *list;
    struct tmpl *t;

    lt_write(f, "v/template.yaml", lt_params);
    assert_int_equal(tmpl_find(&t, f->ts, "v"), 0);

    given = json_pack("{s:s, s:s}", "q", "mail", "n", "45");
    assert_int_equal(tmpl_vars(&vars, t, given, "st", "http://h:1"), 0);
    assert_true(json_is_integer(json_object_get(vars, "n")));
    assert_string_equal(json_string_value(json_object_get(vars,
                                                          "flowdeck.stack")),
                        "st");
    assert_int_equal(tmpl_render(&list, t, vars), 0);
    /* queues by their dead-letter targets, then the function, the flow */
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(list, 0), "key")),
                        "mail-last");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(list, 1), "key")),
                        "mail-dlq");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(list, 2), "key")),
                        "mail");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(list, 3), "type")),
                        "function");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(list, 4), "type")),
                        "flow");
    /* a whole reference keeps the number; $${ is a literal */
    {
        const json_t *q = json_object_get(json_array_get(list, 2), "spec");
        const json_t *env = json_object_get(
            json_object_get(json_array_get(list, 3), "spec"), "env");

        assert_int_equal(
            json_integer_value(json_object_get(q, "visibility_timeout")), 45);
        assert_string_equal(json_string_value(json_object_get(env, "LITERAL")),
                            "${q}");
        assert_string_equal(json_string_value(json_object_get(env, "MIXED")),
                            "n=45");
    }
    json_decref(list);
    json_decref(vars);
    json_decref(given);

    given = json_pack("{s:s}", "n", "soon");
    assert_int_equal(tmpl_vars(&vars, t, given, "st", "x"), ENG_EINVAL);
    assert_non_null(strstr(err_last(), "must be a whole number"));
    json_decref(given);
    given = json_pack("{s:s}", "q", "Mail");
    assert_int_equal(tmpl_vars(&vars, t, given, "st", "x"), ENG_EINVAL);
    assert_non_null(strstr(err_last(), "does not match ^[a-z]+$"));
    json_decref(given);
    given = json_pack("{s:s}", "mode", "c");
    assert_int_equal(tmpl_vars(&vars, t, given, "st", "x"), ENG_EINVAL);
    assert_non_null(strstr(err_last(), "'c' is not one of a, b"));
    json_decref(given);
    given = json_pack("{s:s}", "zz", "1");
    assert_int_equal(tmpl_vars(&vars, t, given, "st", "x"), ENG_EINVAL);
    assert_non_null(strstr(err_last(), "it has: q, n, mode"));
    json_decref(given);
    tmpl_free(t);
}

static void
test_render_errors_are_positioned(void **state)
{
    struct lt *f = *state;
    json_t *vars, *list;
    struct tmpl *t;

    lt_write(f, "c/template.yaml",
             "name: c\nresources:\n"
             "  - type: queue\n    name: a\n    dead_letter_queue: b\n"
             "  - type: queue\n    name: b\n    dead_letter_queue: a\n");
    lt_write(f, "u/template.yaml",
             "name: u\nresources:\n  - type: queue\n    name: ${who}\n");
    lt_write(f, "d/template.yaml",
             "name: d\nresources:\n  - type: queue\n    name: a\n"
             "  - type: queue\n    name: a\n");
    lt_write(f, "x/template.yaml",
             "name: x\nresources:\n  - type: function\n    name: a\n"
             "    runtime: bash\n    handler: h\n");

    assert_int_equal(tmpl_find(&t, f->ts, "c"), 0);
    assert_int_equal(tmpl_vars(&vars, t, NULL, "c", "x"), 0);
    assert_int_equal(tmpl_render(&list, t, vars), ENG_EINVAL);
    assert_non_null(strstr(err_last(), "form a cycle"));
    json_decref(vars);
    tmpl_free(t);

    assert_int_equal(tmpl_find(&t, f->ts, "u"), 0);
    assert_int_equal(tmpl_vars(&vars, t, NULL, "u", "x"), 0);
    assert_int_equal(tmpl_render(&list, t, vars), ENG_EINVAL);
    assert_string_equal(err_last(), "u/template.yaml:4:11: unknown "
                                    "parameter 'who'");
    json_decref(vars);
    tmpl_free(t);

    assert_int_equal(tmpl_find(&t, f->ts, "d"), 0);
    assert_int_equal(tmpl_vars(&vars, t, NULL, "d", "x"), 0);
    assert_int_equal(tmpl_render(&list, t, vars), ENG_EINVAL);
    assert_non_null(strstr(err_last(), "d/template.yaml:5:5: queue 'a' is "
                                       "listed twice"));
    json_decref(vars);
    tmpl_free(t);

    assert_int_equal(tmpl_find(&t, f->ts, "x"), 0);
    assert_int_equal(tmpl_vars(&vars, t, NULL, "x", "x"), 0);
    assert_int_equal(tmpl_render(&list, t, vars), ENG_EINVAL);
    assert_non_null(strstr(err_last(), "x/template.yaml:5:14: function: "
                                       "runtime must be python3 or sh"));
    json_decref(vars);
    tmpl_free(t);
}

static void
test_flow_text_takes_only_plain_values(void **state)
{
    struct lt *f = *state;
    json_t *vars, *given;
    struct tmpl *t;
    char *text;
    size_t len;

    lt_write(f, "v/template.yaml", lt_params);
    lt_write(f, "v/flow.yaml",
             "version: v1\ntype: flow\nsteps:\n  - type: pass\n"
             "    name: ${q}-step\n");
    assert_int_equal(tmpl_find(&t, f->ts, "v"), 0);
    assert_int_equal(tmpl_vars(&vars, t, NULL, "st", "x"), 0);
    assert_int_equal(tmpl_flow_text(&text, &len, t, "flow.yaml", "", vars),
                     0);
    assert_non_null(strstr(text, "name: jobs-step"));
    free(text);
    json_decref(vars);

    /* a value that would add YAML to the flow never reaches it */
    json_decref(t->doc);
    t->doc = json_pack("{s:s, s:{s:{s:s}}, s:[]}", "name", "v", "parameters",
                       "q", "default", "x", "resources");
    given = json_pack("{s:s}", "q", "a\n  - type: fail");
    assert_int_equal(tmpl_vars(&vars, t, given, "st", "x"), 0);
    assert_int_equal(tmpl_flow_text(&text, &len, t, "flow.yaml", "", vars),
                     ENG_EINVAL);
    assert_non_null(strstr(err_last(), "v/flow.yaml:5:11: parameter 'q' "
                                       "holds byte 0x0A"));
    json_decref(vars);
    json_decref(given);
    tmpl_free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yaml_positions),
        cmocka_unit_test(test_pattern_cost_is_bounded),
        cmocka_unit_test_setup_teardown(test_find_by_folder_name, lt_setup,
                                        lt_teardown),
        cmocka_unit_test_setup_teardown(test_paths_stay_in_the_folder,
                                        lt_setup, lt_teardown),
        cmocka_unit_test_setup_teardown(test_vars_render_and_order, lt_setup,
                                        lt_teardown),
        cmocka_unit_test_setup_teardown(test_render_errors_are_positioned,
                                        lt_setup, lt_teardown),
        cmocka_unit_test_setup_teardown(
            test_flow_text_takes_only_plain_values, lt_setup, lt_teardown),
    };

    xalloc_init_json();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
