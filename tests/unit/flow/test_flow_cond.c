/*
 * Unit tests for flow/flow_cond: the spec's examples, precedence and
 * parentheses, the documented rules for types (numbers by value, strings
 * by bytes, mixed types never equal and never ordered, missing paths as
 * null), truth of bare values, literals and their escapes, and compile
 * errors with their column and offset.
 */
#include "ftest.h"

#define COND_INPUT                                                          \
    "{\"status\": \"ready\", \"n\": 5, \"x\": 2.5, \"s\": \"abc\","         \
    " \"t\": true, \"f\": false, \"z\": 0, \"e\": \"\", \"nul\": null,"     \
    " \"arr\": [1, 2], \"obj\": {\"a\": 1}, \"one\": 1, \"onef\": 1.0,"     \
    " \"empty\": [], \"count\": 4}"

static void
test_flow_cond_eval(void **state)
{
    static const struct {
        const char *cond;
        int want;
    } cases[] = {
        /* the spec's and the brief's examples */
        {"$.status == \"ready\"", 1},
        {"$.status == 'ready'", 1},
        {"$.status != \"ready\"", 0},
        {"$input.n > 3 && !($local.done)", 1},
        {"$.status == \"ready\" && $input.count > 3", 1},
        /* comparisons */
        {"$.n > 3 && $.n < 5", 0},
        {"$.n >= 5 && $.n <= 5", 1},
        {"$.n != 5", 0},
        {"$.x > 2", 1},
        {"$.x < 2.6", 1},
        {"$.one == $.onef", 1},
        {"1e3 == 1000", 1},
        {"-1 < 0", 1},
        {"2.5 == $.x", 1},
        {"9007199254740993 > 9007199254740992", 1},
        {"$.s < \"abd\"", 1},
        {"\"b\" > $.s", 1},
        {"\"abc\" < \"abcd\"", 1},
        {"\"Z\" < \"a\"", 1},
        {"\"\xC3\xA9\" > \"z\"", 1},
        {"$.arr == $.arr", 1},
        {"$.arr[*] == $.arr", 1},
        {"$.obj != $.obj", 0},
        {"$.obj == {}", -1}, /* not a literal: a compile error, below */
        /* missing paths are null: false, never an error */
        {"$.missing > 3", 0},
        {"$.missing < 3", 0},
        {"$.missing >= $.missing", 0},
        {"$.missing == null", 1},
        {"$.nul == null", 1},
        {"$.missing != 3", 1},
        {"$.missing == $.nul", 1},
        /* mixed types: never equal, never ordered */
        {"\"3\" == 3", 0},
        {"\"3\" != 3", 1},
        {"null == false", 0},
        {"$.z == false", 0},
        {"$.t == 1", 0},
        {"$.t > false", 0},
        {"$.s > 1", 0},
        {"$.s <= 1", 0},
        {"$.arr < $.arr", 0},
        /* truth of bare values */
        {"$.t", 1},
        {"$.f", 0},
        {"$.z", 0},
        {"$.n", 1},
        {"$.e", 0},
        {"$.s", 1},
        {"$.nul", 0},
        {"$.missing", 0},
        {"$.arr", 1},
        {"$.empty", 1},
        {"$.obj", 1},
        {"!$.missing", 1},
        {"!!$.s", 1},
        {"true", 1},
        {"false", 0},
        {"null", 0},
        {"0.0", 0},
        {"''", 0},
        /* precedence: ! > comparisons > && > || */
        {"true || false && false", 1},
        {"(true || false) && false", 0},
        {"false && true || true", 1},
        {"false && (true || true)", 0},
        {"!true || true", 1},
        {"!(true || true)", 0},
        {"!$.n == 7", 0},  /* (!5) == 7, not !(5 == 7) */
        {"!($.n == 7)", 1},
        {"(($.n))", 1},
        {"($.n == 5) == true", 1},
        {"$.n == 5 == true", -1}, /* comparisons do not chain */
        /* other roots */
        {"$local.done == false", 1},
        {"$context.step.name == \"ship\"", 1},
        {"$context.task.token == null", 1},
        /* literals and escapes */
        {"\"a\\\"b\" == 'a\"b'", 1},
        {"'it\\'s' == \"it's\"", 1},
        {"'back\\\\slash' == \"back\\\\slash\"", 1},
        {"\"\\u00e9\" == \"\xC3\xA9\"", 1},
        {"\"tab\\there\" != 'tab\\there'", -1},
        /* spacing */
        {"$.n>3&&$.n<6", 1},
        {"  $.n\n  >\t3  ", 1},
    };
    json_t *input = ft_json(COND_INPUT);
    json_t *local = ft_json("{\"done\": false}");
    json_t *ctx = flow_context_build("f", "e", "ship", NULL);

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct flow_cond *c = NULL;
        int rc = flow_cond_compile(&c, cases[i].cond, strlen(cases[i].cond),
                                   NULL);

        if (cases[i].want < 0) {
            if (rc != ENG_EINVAL)
                fail_msg("%s: compiled, want an error", cases[i].cond);
            assert_null(c);
            continue;
        }
        if (rc != 0)
            fail_msg("%s: %s", cases[i].cond, err_last());
        assert_string_equal(cases[i].cond, flow_cond_text(c));
        if (flow_cond_eval(c, input, local, ctx) != cases[i].want)
            fail_msg("%s: got %d, want %d", cases[i].cond, !cases[i].want,
                     cases[i].want);
        flow_cond_free(c);
    }
    json_decref(input);
    json_decref(local);
    json_decref(ctx);
}

/* && and || chains are flat: a long one compiles and evaluates. */
static void
test_flow_cond_long_chain(void **state)
{
    struct buf b = BUF_INIT(0);
    struct flow_cond *c = NULL;
    json_t *in = ft_json("{\"a\": 1}");

    (void)state;
    for (int i = 0; i < 5000; i++)
        buf_puts(&b, "$.a == 1 && ");
    buf_puts(&b, "true");
    assert_int_equal(0, flow_cond_compile(&c, b.data, b.len, NULL));
    assert_int_equal(1, flow_cond_eval(c, in, NULL, NULL));
    flow_cond_free(c);
    buf_puts(&b, " && $.a == 2");
    assert_int_equal(0, flow_cond_compile(&c, b.data, b.len, NULL));
    assert_int_equal(0, flow_cond_eval(c, in, NULL, NULL));
    /* nothing given: every path is missing */
    assert_int_equal(0, flow_cond_eval(c, NULL, NULL, NULL));
    flow_cond_free(c);
    flow_cond_free(NULL);
    buf_free(&b);
    json_decref(in);
}

static void
test_flow_cond_errors(void **state)
{
    static const char value[] = "(expected a path, a string, a number, "
                                "true, false, null, '!' or '(')";
    static const struct {
        const char *cond;
        const char *problem; /* message after "bad condition '<cond>': " */
        size_t pos;
    } cases[] = {
        {"", "unexpected end of text at column 1 %s", 0},
        {"$.a == )", "unexpected ')' at column 8 %s", 7},
        {"$.a ==", "unexpected end of text at column 7 %s", 6},
        {"&& $.a", "unexpected '&' at column 1 %s", 0},
        {"$.a = 1", "unexpected '=' at column 5 (expected '==' to compare)",
         4},
        {"$.a == 1 == 2", "unexpected '=' at column 10 (expected '&&', '||', "
                          "')' or the end; comparisons do not chain)", 9},
        {"$.a < 1 > 0", "unexpected '>' at column 9 (expected '&&', '||', "
                        "')' or the end; comparisons do not chain)", 8},
        {"($.a == 1", "unexpected end of text at column 10 (expected an "
                      "operator or ')')", 9},
        {"$.a == 1)", "unexpected ')' at column 9 (expected an operator or "
                      "the end)", 8},
        {"$.a & $.b", "unexpected '&' at column 5 (expected '&&')", 4},
        {"$.a | $.b", "unexpected '|' at column 5 (expected '||')", 4},
        {"1 2", "unexpected '2' at column 3 (expected an operator or the "
                "end)", 2},
        {"yes == true", "unknown word 'yes' at column 1 %s", 0},
        {"True", "unknown word 'True' at column 1 %s", 0},
        {"\"abc", "unterminated string at column 1 (expected a closing "
                  "'\"')", 0},
        {"'abc", "unterminated string at column 1 (expected a closing "
                 "\"'\")", 0},
        {"'a\\b'", "unexpected 'b' at column 4 (expected \\' or \\\\ after "
                   "'\\')", 3},
        {"\"\\x\" == 1", "bad string literal (invalid escape near "
                        "'\"\\x') at column 3", 2},
        {"$inptu == 1", "unknown root '$inptu' at column 1 (expected $input, "
                        "$local, $context or $)", 0},
        {"$.a == $.b.", "unexpected end of text at column 12 (expected a key "
                        "after '.')", 11},
        {"$.a == $context.x", "unknown context key 'x' at column 16 "
                              "(expected task, execution, flow or step)", 15},
        {"-x", "unexpected 'x' at column 2 (expected a digit after '-')", 1},
        /* JSON has no infinity (found by fuzz_cond) */
        {"$.a < 7E7777", "number out of range at column 7", 6},
        {"-1e999 == $.a", "number out of range at column 1", 0},
        {"1.", "unexpected end of text at column 3 (expected a digit after "
               "'.')", 2},
        {"3abc", "unexpected 'a' at column 2 (expected an operator or the "
                 "end)", 1},
        {"1e", "unexpected end of text at column 3 (expected a digit in the "
               "exponent)", 2},
        {"$.a == {}", "unexpected '{' at column 8 %s", 7},
        {"\xC3\xA9 == 1", "unexpected '\xC3\xA9' at column 1 %s", 0},
        {"$.a == 1 && \xC3\xA9", "unexpected '\xC3\xA9' at column 13 %s", 12},
        {"!", "unexpected end of text at column 2 %s", 1},
        {"!= 1", "unexpected '!' at column 1 %s", 0},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct flow_cond *c = (struct flow_cond *)1;
        char problem[256], want[512], ex[64];
        const char *hole;
        size_t pos = 999;

        hole = strstr(cases[i].problem, "%s");
        /* "%s" in a row stands for the long "expected a value" text */
        if (hole)
            snprintf(problem, sizeof(problem), "%.*s%s%s",
                     (int)(hole - cases[i].problem), cases[i].problem, value,
                     hole + 2);
        else
            snprintf(problem, sizeof(problem), "%s", cases[i].problem);
        flow_text_excerpt(ex, sizeof(ex), cases[i].cond,
                          strlen(cases[i].cond));
        snprintf(want, sizeof(want), "bad condition '%s': %s", ex, problem);
        assert_int_equal(ENG_EINVAL,
                         flow_cond_compile(&c, cases[i].cond,
                                           strlen(cases[i].cond), &pos));
        assert_null(c);
        if (strcmp(err_last(), want) != 0)
            fail_msg("%s:\n got: %s\nwant: %s", cases[i].cond, err_last(),
                     want);
        if (pos != cases[i].pos)
            fail_msg("%s: errpos %zu, want %zu", cases[i].cond, pos,
                     cases[i].pos);
    }
}

/* Nesting of ( and ! is capped at FLOW_COND_MAX_DEPTH. */
static void
test_flow_cond_depth(void **state)
{
    struct buf b = BUF_INIT(0);
    struct flow_cond *c = NULL;

    (void)state;
    for (int i = 0; i < FLOW_COND_MAX_DEPTH; i++)
        buf_puts(&b, "(");
    buf_puts(&b, "true");
    for (int i = 0; i < FLOW_COND_MAX_DEPTH; i++)
        buf_puts(&b, ")");
    assert_int_equal(0, flow_cond_compile(&c, b.data, b.len, NULL));
    assert_int_equal(1, flow_cond_eval(c, NULL, NULL, NULL));
    flow_cond_free(c);
    buf_reset(&b);

    for (int i = 0; i < 100000; i++)
        buf_puts(&b, "(");
    assert_int_equal(ENG_EINVAL, flow_cond_compile(&c, b.data, b.len, NULL));
    assert_non_null(strstr(err_last(), ": nesting deeper than 64 levels at "
                                       "column 65"));
    buf_reset(&b);

    for (int i = 0; i < 100000; i++)
        buf_puts(&b, "!");
    buf_puts(&b, "true");
    assert_int_equal(ENG_EINVAL, flow_cond_compile(&c, b.data, b.len, NULL));
    assert_non_null(strstr(err_last(), ": nesting deeper than 64 levels at "
                                       "column 65"));
    /* an even number of ! within the cap is the value's truth */
    assert_int_equal(0, flow_cond_compile(&c, b.data + b.len - 64 - 4,
                                          64 + 4, NULL));
    assert_int_equal(1, flow_cond_eval(c, NULL, NULL, NULL));
    flow_cond_free(c);
    buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flow_cond_eval),
        cmocka_unit_test(test_flow_cond_long_chain),
        cmocka_unit_test(test_flow_cond_errors),
        cmocka_unit_test(test_flow_cond_depth),
    };

    xalloc_init_json();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
