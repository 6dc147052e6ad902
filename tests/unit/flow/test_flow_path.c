/*
 * Unit tests for flow/flow_path: every path form against one document,
 * missing keys and wrong types giving null, [*] giving flat arrays,
 * compile errors with their column and offset, mapping sources (paths and
 * constants), mapping lists building a new object, the shallow merge, and
 * the context object.
 */
#include "ftest.h"

#define DOC_INPUT                                                           \
    "{\"a\": {\"b\": [10, {\"c\": \"x\"}], \"k y\": 1, \"q'\": 2,"          \
    " \"q\\\"\": 3},"                                                       \
    " \"list\": [{\"r\": 1}, {}, {\"r\": 3}],"                              \
    " \"obj\": {\"x\": 1, \"y\": 2},"                                       \
    " \"grid\": [[1, 2], [3], []],"                                         \
    " \"n\": null, \"my-key_1\": \"dash\", \"\\u043a\\u043b\\u044e\\u0447\":" \
    " \"utf8\", \"0\": \"zero\"}"
#define DOC_LOCAL "{\"done\": true, \"items\": [1, 2]}"

struct roots {
    json_t *input;
    json_t *local;
    json_t *context;
};

static int
setup(void **state)
{
    struct roots *r = xcalloc(1, sizeof(*r));

    r->input = ft_json(DOC_INPUT);
    r->local = ft_json(DOC_LOCAL);
    r->context = flow_context_build("orders", "exec-1", "ship", "tok-1");
    *state = r;
    return 0;
}

static int
teardown(void **state)
{
    struct roots *r = *state;

    json_decref(r->input);
    json_decref(r->local);
    json_decref(r->context);
    free(r);
    return 0;
}

static void
test_flow_path_eval(void **state)
{
    static const struct {
        const char *path;
        const char *want;
    } cases[] = {
        /* roots */
        {"$local", "{\"done\":true,\"items\":[1,2]}"},
        {"$context", "{\"execution\":{\"name\":\"exec-1\"},\"flow\":"
                     "{\"name\":\"orders\"},\"step\":{\"name\":\"ship\"},"
                     "\"task\":{\"token\":\"tok-1\"}}"},
        /* members, indexes, quoted keys */
        {"$.a.b[0]", "10"},
        {"$input.a.b[1].c", "\"x\""},
        {"$input['a']['k y']", "1"},
        {"$input[\"a\"][\"q'\"]", "2"},
        {"$input['a']['q\\'']", "2"},
        {"$input['a'][\"q\\\"\"]", "3"},
        {"$.my-key_1", "\"dash\""},
        {"$.\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87", "\"utf8\""},
        {"$.0", "\"zero\""},
        {"$['0']", "\"zero\""},
        {"$local.items[1]", "2"},
        {"$local.done", "true"},
        /* $context keys of §1.7 */
        {"$context.task.token", "\"tok-1\""},
        {"$context.execution.name", "\"exec-1\""},
        {"$context.flow.name", "\"orders\""},
        {"$context.step.name", "\"ship\""},
        /* missing or of the wrong type: null */
        {"$.missing", "null"},
        {"$.missing.deeper[3]", "null"},
        {"$.a.b[5]", "null"},
        {"$.a.b.c", "null"},
        {"$.a[0]", "null"},
        {"$.n", "null"},
        {"$.n.x", "null"},
        {"$local.items[0].x", "null"},
        /* [*]: always an array, flattened, skipping what is missing */
        {"$.list[*].r", "[1,3]"},
        {"$.list[*]", "[{\"r\":1},{},{\"r\":3}]"},
        {"$.obj[*]", "[1,2]"},
        {"$.grid[*][*]", "[1,2,3]"},
        {"$.grid[*]", "[[1,2],[3],[]]"},
        {"$.a.b[*].c", "[\"x\"]"},
        {"$.missing[*].x", "[]"},
        {"$.list[*].nothing", "[]"},
        {"$.n[*]", "[]"},
        {"$local.items[*]", "[1,2]"},
    };
    struct roots *r = *state;

    for (size_t i = 0; i < NELEM(cases); i++) {
        struct flow_path *p = NULL;

        if (flow_path_compile(&p, cases[i].path, strlen(cases[i].path), NULL,
                              NULL) != 0)
            fail_msg("%s: %s", cases[i].path, err_last());
        assert_string_equal(cases[i].path, flow_path_text(p));
        ft_expect_json_new(flow_path_eval(p, r->input, r->local, r->context),
                           cases[i].want, cases[i].path);
        flow_path_free(p);
    }
}

/* "$" is the input; roots that are NULL read as missing. */
static void
test_flow_path_roots(void **state)
{
    struct roots *r = *state;
    struct flow_path *p = NULL;
    json_t *v;

    assert_int_equal(0, flow_path_compile(&p, "$", 1, NULL, NULL));
    assert_int_equal(FLOW_ROOT_INPUT, flow_path_root(p));
    assert_true(flow_path_is_root(p));
    v = flow_path_eval(p, r->input, r->local, r->context);
    assert_true(json_equal(v, r->input));
    assert_true(v != r->input); /* a copy, not the caller's object */
    json_decref(v);
    ft_expect_json_new(flow_path_eval(p, NULL, NULL, NULL), "null",
                       "$ of nothing");
    flow_path_free(p);

    assert_int_equal(0, flow_path_compile(&p, "$local.items", 12, NULL,
                                          NULL));
    assert_int_equal(FLOW_ROOT_LOCAL, flow_path_root(p));
    assert_false(flow_path_is_root(p));
    /* changing the result leaves the document alone */
    v = flow_path_eval(p, r->input, r->local, r->context);
    json_array_append_new(v, json_integer(3));
    json_decref(v);
    ft_expect_json_new(json_incref(r->local),
                       "{\"done\":true,\"items\":[1,2]}", "local unchanged");
    flow_path_free(p);

    assert_int_equal(0, flow_path_compile(&p, "$context.task", 13, NULL,
                                          NULL));
    assert_int_equal(FLOW_ROOT_CONTEXT, flow_path_root(p));
    ft_expect_json_new(flow_path_eval(p, r->input, r->local, NULL), "null",
                       "no context");
    flow_path_free(p);
    flow_path_free(NULL);
}

static void
test_flow_path_errors(void **state)
{
    static const struct {
        const char *path;
        const char *want;
        size_t pos;
    } cases[] = {
        {"input.x", "bad path 'input.x': unexpected 'i' at column 1 "
                    "(expected '$')", 0},
        {"", "bad path '': unexpected end of text at column 1 (expected "
             "'$')", 0},
        {"$inputx.a", "bad path '$inputx.a': unknown root '$inputx' at "
                      "column 1 (expected $input, $local, $context or $)", 0},
        {"$Input", "bad path '$Input': unknown root '$Input' at column 1 "
                   "(expected $input, $local, $context or $)", 0},
        {"$input.", "bad path '$input.': unexpected end of text at column 8 "
                    "(expected a key after '.')", 7},
        {"$input..a", "bad path '$input..a': unexpected '.' at column 8 "
                      "(expected a key after '.')", 7},
        {"$input.a b", "bad path '$input.a b': unexpected ' ' at column 9 "
                       "(expected '.', '[' or the end)", 8},
        {"$input[", "bad path '$input[': unexpected end of text at column 8 "
                    "(expected an index, '*' or a quoted key after '[')", 7},
        {"$input[1", "bad path '$input[1': unexpected end of text at column "
                     "9 (expected ']')", 8},
        {"$input[-1]", "bad path '$input[-1]': unexpected '-' at column 8 "
                       "(expected an index, '*' or a quoted key after '[')",
         7},
        {"$input[*", "bad path '$input[*': unexpected end of text at column "
                     "9 (expected ']')", 8},
        {"$input['a", "bad path '$input['a': unterminated quoted key at "
                      "column 8 (expected a closing \"'\")", 7},
        {"$input[\"a", "bad path '$input[\"a': unterminated quoted key at "
                       "column 8 (expected a closing '\"')", 7},
        {"$input['a\\n']", "bad path '$input['a\\n']': unexpected 'n' at "
                           "column 11 (expected \\', \\\" or \\\\ after "
                           "'\\')", 10},
        {"$input['a'x", "bad path '$input['a'x': unexpected 'x' at column "
                        "11 (expected ']')", 10},
        {"$input[99999999999]", "bad path '$input[99999999999]': index too "
                                "large at column 8", 7},
        {"$context.foo", "bad path '$context.foo': unknown context key 'foo' "
                         "at column 9 (expected task, execution, flow or "
                         "step)", 8},
        {"$context[0]", "bad path '$context[0]': $context is an object, not "
                        "an array at column 9 (expected task, execution, "
                        "flow or step)", 8},
        /* columns count characters, not bytes */
        {"$.\xC3\xA9%", "bad path '$.\xC3\xA9%': unexpected '%' at column 4 "
                        "(expected '.', '[' or the end)", 4},
        {"$.a\x01", "bad path '$.a?': unexpected byte 0x01 at column 4 "
                    "(expected '.', '[' or the end)", 3},
        /* long text is cut in the message */
        {"$.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
         "bad path '$.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...': "
         "unexpected '!' at column 56 (expected '.', '[' or the end)", 55},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct flow_path *p = (struct flow_path *)1;
        size_t pos = 999;

        assert_int_equal(ENG_EINVAL,
                         flow_path_compile(&p, cases[i].path,
                                           strlen(cases[i].path), NULL,
                                           &pos));
        assert_null(p);
        if (strcmp(err_last(), cases[i].want) != 0)
            fail_msg("%s:\n got: %s\nwant: %s", cases[i].path, err_last(),
                     cases[i].want);
        if (pos != cases[i].pos)
            fail_msg("%s: errpos %zu, want %zu", cases[i].path, pos,
                     cases[i].pos);
    }
}

static void
test_flow_path_limits(void **state)
{
    struct buf b = BUF_INIT(0);
    struct flow_path *p = NULL;
    size_t used = 0;

    (void)state;
    buf_puts(&b, "$");
    for (int i = 0; i < FLOW_PATH_MAX_SEGS; i++)
        buf_puts(&b, ".a");
    assert_int_equal(0, flow_path_compile(&p, b.data, b.len, NULL, NULL));
    flow_path_free(p);
    buf_puts(&b, ".a");
    assert_int_equal(ENG_EINVAL,
                     flow_path_compile(&p, b.data, b.len, NULL, NULL));
    assert_non_null(strstr(err_last(), "more than 128 segments at column "
                                       "258"));
    buf_free(&b);

    /* with `used`, the path stops where it cannot go on */
    assert_int_equal(0, flow_path_compile(&p, "$.a.b == 3", 10, &used,
                                          NULL));
    assert_int_equal(5, used);
    assert_string_equal("$.a.b", flow_path_text(p));
    flow_path_free(p);
    assert_int_equal(0, flow_path_compile(&p, "$local[*])", 10, &used,
                                          NULL));
    assert_int_equal(9, used);
    flow_path_free(p);
    /* only len bytes are read */
    assert_int_equal(0, flow_path_compile(&p, "$.ab", 3, NULL, NULL));
    assert_string_equal("$.a", flow_path_text(p));
    flow_path_free(p);
}

static void
test_flow_value(void **state)
{
    static const struct {
        const char *json;
        int is_path;
        const char *want;
    } cases[] = {
        {"\"$input.a.b[0]\"", 1, "10"},
        {"\"$\"", 1, NULL}, /* the whole input: checked below */
        {"\"value\"", 0, "\"value\""},
        {"\"\"", 0, "\"\""},
        {"\"a $input\"", 0, "\"a $input\""},
        {"12", 0, "12"},
        {"1.5", 0, "1.5"},
        {"true", 0, "true"},
        {"null", 0, "null"},
        /* strings inside constants are not evaluated */
        {"{\"x\": \"$input.a\"}", 0, "{\"x\":\"$input.a\"}"},
        {"[\"$local\", 1]", 0, "[\"$local\",1]"},
    };
    struct roots *r = *state;

    for (size_t i = 0; i < NELEM(cases); i++) {
        json_t *src = ft_json(cases[i].json);
        struct flow_value *v = NULL;
        json_t *got;

        assert_int_equal(0, flow_value_create(&v, src, NULL));
        assert_int_equal(cases[i].is_path, flow_value_path(v) != NULL);
        /* the source is copied: dropping it changes nothing */
        json_decref(src);
        got = flow_value_eval(v, r->input, r->local, r->context);
        if (cases[i].want)
            ft_expect_json_new(got, cases[i].want, cases[i].json);
        else {
            assert_true(json_equal(got, r->input));
            json_decref(got);
        }
        src = ft_json(cases[i].json);
        got = flow_value_to_json(v);
        assert_true(json_equal(got, src));
        json_decref(got);
        json_decref(src);
        flow_value_free(v);
    }
    flow_value_free(NULL);
}

/* A hand-built mapping list over the same roots. */
static struct flow_mapping *
build_mapping(const char *const *pairs, size_t n)
{
    struct flow_mapping *m = xcalloc(1, sizeof(*m));

    m->items = xcalloc(n, sizeof(*m->items));
    for (size_t i = 0; i < n; i++) {
        json_t *src = ft_json(pairs[2 * i + 1]);

        m->items[i].target = xstrdup(pairs[2 * i]);
        assert_int_equal(0, flow_value_create(&m->items[i].source, src,
                                              NULL));
        json_decref(src);
        m->n++;
    }
    return m;
}

static void
test_flow_mapping_apply(void **state)
{
    static const char *const pairs[] = {
        "orderId", "\"$input.a.b[1].c\"",
        "token", "\"$context.task.token\"",
        "done", "\"$local.done\"",
        "kind", "\"fixed-string\"",
        "n", "7",
        "rs", "\"$.list[*].r\"",
        "missing", "\"$.nope\"",
        "obj", "{\"k\": [1]}",
        "dotted.key", "\"$.obj.x\"",
        "n", "8", /* a later item with the same target wins */
    };
    struct roots *r = *state;
    struct flow_mapping *m = build_mapping(pairs, NELEM(pairs) / 2);
    json_t *out = (json_t *)1;

    assert_int_equal(0, flow_mapping_apply(&out, m, r->input, r->local,
                                           r->context));
    ft_expect_json_new(out,
                       "{\"done\":true,\"dotted.key\":1,"
                       "\"kind\":\"fixed-string\",\"missing\":null,\"n\":8,"
                       "\"obj\":{\"k\":[1]},\"orderId\":\"x\",\"rs\":[1,3],"
                       "\"token\":\"tok-1\"}",
                       "mapping result");
    /* nothing is merged in: the result has only the targets */
    assert_int_equal(0, flow_mapping_apply(&out, m, NULL, NULL, NULL));
    ft_expect_json_new(out,
                       "{\"done\":null,\"dotted.key\":null,"
                       "\"kind\":\"fixed-string\",\"missing\":null,\"n\":8,"
                       "\"obj\":{\"k\":[1]},\"orderId\":null,\"rs\":[],"
                       "\"token\":null}",
                       "mapping over nothing");
    flow_mapping_free(m);

    /* no list, or an empty one: {} */
    assert_int_equal(0, flow_mapping_apply(&out, NULL, r->input, NULL,
                                           NULL));
    ft_expect_json_new(out, "{}", "NULL list");
    m = build_mapping(NULL, 0);
    assert_int_equal(0, flow_mapping_apply(&out, m, r->input, NULL, NULL));
    ft_expect_json_new(out, "{}", "empty list");
    flow_mapping_free(m);
    flow_mapping_free(NULL);
}

/* The docs' example (§1.3, seed 000): {"key":"value_1"} is mapped to
 * {"key_1":"value_1","key_2":"value"}; the seeds' token mapping. */
static void
test_flow_mapping_seeds(void **state)
{
    static const struct {
        const char *file;
        const char *input;
        const char *want;
    } cases[] = {
        {"seed000_common.yaml", "{\"key\": \"value_1\"}",
         "{\"key_1\":\"value_1\",\"key_2\":\"value\"}"},
        {"seed000_request_response.yaml", "{\"key\": \"value_1\"}",
         "{\"key_3\":\"value\"}"},
        {"seed000_wait_for_callback.yaml", "{}",
         "{\"key\":\"value\",\"task_token\":\"my-token-1\"}"},
        {"seed001_topic_callback.yaml", "{\"messageBody\": \"hello world\"}",
         "{\"messageBody\":\"hello world\",\"taskToken\":\"my-token-1\"}"},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        size_t len;
        char *text = ft_fixture(cases[i].file, &len);
        struct flow *f = ft_parse_ok(text, len, cases[i].file);
        json_t *in = ft_json(cases[i].input), *out = NULL;
        json_t *ctx = json_pack("{s:{s:s}}", "task", "token", "my-token-1");

        assert_int_equal(0, flow_mapping_apply(&out,
                                               f->steps.v[0].input_mappings,
                                               in, NULL, ctx));
        ft_expect_json_new(out, cases[i].want, cases[i].file);
        json_decref(in);
        json_decref(ctx);
        flow_free(f);
        free(text);
    }
}

static void
test_flow_data_merge(void **state)
{
    static const struct {
        const char *a;
        const char *b;
        const char *want;
    } cases[] = {
        {"{\"a\":1,\"b\":1}", "{\"b\":2,\"c\":3}", "{\"a\":1,\"b\":2,\"c\":3}"},
        {"{\"a\":{\"x\":1}}", "{\"a\":{\"y\":2}}", "{\"a\":{\"y\":2}}"},
        {"{\"a\":1}", "[1,2]", "{\"a\":1}"},
        {"\"s\"", "{\"b\":2}", "{\"b\":2}"},
        {"{}", "{}", "{}"},
    };
    json_t *x, *y, *again;

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        x = ft_json(cases[i].a);
        y = ft_json(cases[i].b);
        ft_expect_json_new(flow_data_merge(x, y), cases[i].want,
                           cases[i].a);
        /* the arguments are left as they were */
        again = ft_json(cases[i].a);
        assert_true(json_equal(x, again));
        json_decref(again);
        again = ft_json(cases[i].b);
        assert_true(json_equal(y, again));
        json_decref(again);
        json_decref(x);
        json_decref(y);
    }
    ft_expect_json_new(flow_data_merge(NULL, NULL), "{}", "NULL, NULL");
}

static void
test_flow_context_build(void **state)
{
    (void)state;
    ft_expect_json_new(flow_context_build(NULL, "e", NULL, NULL),
                       "{\"execution\":{\"name\":\"e\"}}", "execution only");
    ft_expect_json_new(flow_context_build(NULL, NULL, NULL, NULL), "{}",
                       "nothing");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_flow_path_eval, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_flow_path_roots, setup,
                                        teardown),
        cmocka_unit_test(test_flow_path_errors),
        cmocka_unit_test(test_flow_path_limits),
        cmocka_unit_test_setup_teardown(test_flow_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow_mapping_apply, setup,
                                        teardown),
        cmocka_unit_test(test_flow_mapping_seeds),
        cmocka_unit_test(test_flow_data_merge),
        cmocka_unit_test(test_flow_context_build),
    };

    xalloc_init_json();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
