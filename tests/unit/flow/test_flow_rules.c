/*
 * Unit tests for flow/flow_rules: default step input (parent input merged
 * with parent local, local winning) and output ($local, or {} for
 * parallel and foreach), mappings replacing both; error-name matching
 * with FnF.ALL and the timeout pair; retry and catch selection in list
 * order; retry back-off with its caps.
 */
#include "ftest.h"

static const char rules_flow[] =
    "version: v1\ntype: flow\nsteps:\n"
    "  - type: pass\n    name: plain\n"
    "  - type: pass\n    name: mapped\n"
    "    inputMappings:\n      - {target: only, source: $input.a}\n"
    "      - {target: fromLocal, source: $local.b}\n"
    "    outputMappings:\n      - {target: out, source: $local.x}\n"
    "      - {target: in, source: $input.only}\n"
    "  - type: parallel\n    name: par\n"
    "    branches:\n      - steps: [{type: pass, name: b1}]\n"
    "  - type: parallel\n    name: par2\n"
    "    branches:\n      - steps: [{type: pass, name: b2}]\n"
    "    outputMappings:\n      - {target: results, source: \"$local[*].r\"}\n"
    "  - type: foreach\n    name: each\n"
    "    iterationMapping: {collection: $.xs, item: x}\n"
    "    steps: [{type: pass, name: it}]\n"
    "  - type: task\n    name: t\n    resourceArn: fn:work\n"
    "    retry:\n"
    "      - {errors: [FC.ResourceThrottled], intervalSeconds: 10,"
    " maxAttempts: 3, multiplier: 2}\n"
    "      - {errors: [FnF.TaskTimeout], intervalSeconds: 10,"
    " maxAttempts: 5, multiplier: 3, maxIntervalSeconds: 60}\n"
    "      - {errors: [FnF.ALL], maxAttempts: 1, multiplier: 1}\n"
    "    catch:\n"
    "      - {errors: [Custom.Error], goto: plain}\n"
    "      - {errors: [FnF.ALL], goto: mapped}\n";

static void
test_flow_step_input(void **state)
{
    struct flow *f = ft_parse_ok(rules_flow, sizeof(rules_flow) - 1,
                                 "rules");
    json_t *in = ft_json("{\"a\": 1, \"b\": 1, \"nested\": {\"k\": 1}}");
    json_t *local = ft_json("{\"b\": 2, \"c\": 3, \"nested\": {\"j\": 2}}");
    json_t *out = NULL;

    (void)state;
    /* no inputMappings: input merged with local, local winning, shallow */
    assert_int_equal(0, flow_step_input(&out, &f->steps.v[0], in, local,
                                        NULL));
    ft_expect_json_new(out, "{\"a\":1,\"b\":2,\"c\":3,\"nested\":{\"j\":2}}",
                       "default input");
    assert_int_equal(0, flow_step_input(&out, &f->steps.v[0], NULL, NULL,
                                        NULL));
    ft_expect_json_new(out, "{}", "default input of nothing");
    /* with inputMappings: only the targets, over parent input and local */
    assert_int_equal(0, flow_step_input(&out, &f->steps.v[1], in, local,
                                        NULL));
    ft_expect_json_new(out, "{\"fromLocal\":2,\"only\":1}", "mapped input");
    json_decref(in);
    json_decref(local);
    flow_free(f);
}

static void
test_flow_step_output(void **state)
{
    static const struct {
        size_t step;
        const char *input;
        const char *local;
        const char *want;
    } cases[] = {
        {0, "{\"i\": 1}", "{\"x\": 1}", "{\"x\":1}"},       /* $local */
        {0, "{\"i\": 1}", "\"text\"", "{}"},                /* not an object */
        {0, "{\"i\": 1}", "null", "{}"},
        {1, "{\"only\": 7}", "{\"x\": 9, \"y\": 0}",
         "{\"in\":7,\"out\":9}"},                           /* mappings */
        {2, "{}", "[{\"r\": 1}, {\"r\": 2}]", "{}"},        /* parallel */
        {3, "{}", "[{\"r\": 1}, {}, {\"r\": 2}]", "{\"results\":[1,2]}"},
        {4, "{}", "[{\"r\": 1}]", "{}"},                    /* foreach */
        /* {} for these two even when handed an object as local */
        {2, "{}", "{\"x\": 1}", "{}"},
        {4, "{}", "{\"x\": 1}", "{}"},
        {5, "{}", "{\"MessageId\": \"m\"}", "{\"MessageId\":\"m\"}"},
    };
    struct flow *f = ft_parse_ok(rules_flow, sizeof(rules_flow) - 1,
                                 "rules");

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        json_t *in = ft_json(cases[i].input), *local = ft_json(cases[i].local);
        json_t *out = NULL;

        assert_int_equal(0, flow_step_output(&out, &f->steps.v[cases[i].step],
                                             in, local, NULL));
        ft_expect_json_new(out, cases[i].want, cases[i].local);
        json_decref(in);
        json_decref(local);
    }
    flow_free(f);
}

static void
test_flow_errors_match(void **state)
{
    static char *const all[] = {"FnF.ALL"};
    static char *const some[] = {"FC.Unknown", "MNS.QueueNotExist"};
    static char *const timeout[] = {"FnF.Timeout"};
    static char *const task_timeout[] = {"FnF.TaskTimeout"};
    static const struct {
        char *const *errors;
        size_t n;
        const char *name;
        int want;
    } cases[] = {
        {all, 1, "anything", 1},
        {all, 1, "FnF.Timeout", 1},
        {some, 2, "MNS.QueueNotExist", 1},
        {some, 2, "FC.Unknown", 1},
        {some, 2, "fc.unknown", 0}, /* exact text */
        {some, 2, "FC", 0},
        {some, 0, "FC.Unknown", 0},
        {timeout, 1, "FnF.Timeout", 1},
        {timeout, 1, "FnF.TaskTimeout", 1},
        {task_timeout, 1, "FnF.Timeout", 1},
        {task_timeout, 1, "FnF.TaskTimeout", 1},
        {task_timeout, 1, "FnF.ALL", 0},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++)
        if (flow_errors_match(cases[i].errors, cases[i].n, cases[i].name) !=
            cases[i].want)
            fail_msg("case %zu (%s): want %d", i, cases[i].name,
                     cases[i].want);
}

static void
test_flow_task_find(void **state)
{
    static const struct {
        const char *error;
        int retry;       /* index of the policy, -1 none */
        const char *go_to; /* catch target, NULL none */
    } cases[] = {
        {"FC.ResourceThrottled", 0, "mapped"},
        {"FnF.Timeout", 1, "mapped"},
        {"FnF.TaskTimeout", 1, "mapped"},
        {"Custom.Error", 2, "plain"},
        {"Other", 2, "mapped"},
    };
    struct flow *f = ft_parse_ok(rules_flow, sizeof(rules_flow) - 1,
                                 "rules");
    const struct flow_step *t = &f->steps.v[5];

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        const struct flow_retry *r = flow_task_find_retry(t, cases[i].error);
        const struct flow_catch *c = flow_task_find_catch(t, cases[i].error);

        assert_non_null(r);
        assert_int_equal(cases[i].retry, r - t->task.retry);
        assert_non_null(c);
        assert_string_equal(cases[i].go_to, c->go_to);
    }
    /* a step without policies */
    assert_null(flow_task_find_retry(&f->steps.v[0], "FnF.ALL"));
    assert_null(flow_task_find_catch(&f->steps.v[0], "x"));
    flow_free(f);
}

static void
test_flow_retry_delay(void **state)
{
    static const struct {
        int interval, mult10, max_interval, k;
        int64_t want_ms;
    } cases[] = {
        /* the docs' example: 10 s, x2 -> 10, 20, 40 */
        {10, 20, 0, 1, 10000},
        {10, 20, 0, 2, 20000},
        {10, 20, 0, 3, 40000},
        /* capped by maxIntervalSeconds */
        {10, 30, 60, 2, 30000},
        {10, 30, 60, 3, 60000},
        {10, 30, 60, 9, 60000},
        /* multiplier 1: constant; 1.5: fractions kept in ms */
        {5, 10, 0, 7, 5000},
        {1, 15, 0, 2, 1500},
        /* never past FLOW_RETRY_DELAY_MAX_S, even when pow overflows */
        {86400, 20, 0, 2, INT64_C(86400000)},
        {1, 10000, 0, 1000, INT64_C(86400000)},
        /* k below 1 is the first retry */
        {3, 20, 0, 0, 3000},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct flow_retry r;

        memset(&r, 0, sizeof(r));
        r.interval_s = cases[i].interval;
        r.multiplier = cases[i].mult10 / 10.0;
        r.max_interval_s = cases[i].max_interval;
        if (flow_retry_delay_ms(&r, cases[i].k) != cases[i].want_ms)
            fail_msg("case %zu: got %lld, want %lld", i,
                     (long long)flow_retry_delay_ms(&r, cases[i].k),
                     (long long)cases[i].want_ms);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flow_step_input),
        cmocka_unit_test(test_flow_step_output),
        cmocka_unit_test(test_flow_errors_match),
        cmocka_unit_test(test_flow_task_find),
        cmocka_unit_test(test_flow_retry_delay),
    };

    xalloc_init_json();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
