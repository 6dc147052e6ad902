/*
 * Unit tests for fn/fn_trigger: how a queue trigger reads a function's
 * answer (batchItemFailures), table-driven: full success, partial
 * failure, and the malformed answers that fail the whole batch.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fn/fn_int.h"

#include <jansson.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static json_t *
tft_load(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &e);

    if (j == NULL)
        fail_msg("bad test JSON %s: %s", text, e.text);
    return j;
}

static void
test_fn_trigger_parse_failures(void **state)
{
    static const struct {
        const char *result; /* NULL: no result */
        int verdict;
        const char *keep;
    } cases[] = {
        {NULL, 0, "[]"},
        {"null", 0, "[]"},
        {"{}", 0, "[]"},
        {"\"done\"", 0, "[]"},
        {"[1, 2]", 0, "[]"},
        {"{\"batchItemFailures\": null}", 0, "[]"},
        {"{\"batchItemFailures\": []}", 0, "[]"},
        {"{\"batchItemFailures\": [{\"itemIdentifier\": \"m2\"}]}", 1,
         "[\"m2\"]"},
        {"{\"batchItemFailures\": [{\"itemIdentifier\": \"m1\"}, "
         "{\"itemIdentifier\": \"m3\"}]}",
         1, "[\"m1\", \"m3\"]"},
        {"{\"batchItemFailures\": [{\"foo\": \"notvalid\"}]}", -1, NULL},
        {"{\"batchItemFailures\": [{\"itemIdentifier\": \"\"}]}", -1, NULL},
        {"{\"batchItemFailures\": [{\"itemIdentifier\": null}]}", -1, NULL},
        {"{\"batchItemFailures\": [{\"itemIdentifier\": \"m9\"}]}", -1, NULL},
        {"{\"batchItemFailures\": \"m1\"}", -1, NULL},
    };
    json_t *msgs = tft_load("[{\"id\": \"m1\", \"receipt\": \"r1\"}, "
                            "{\"id\": \"m2\", \"receipt\": \"r2\"}, "
                            "{\"id\": \"m3\", \"receipt\": \"r3\"}]");

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        json_t *result = cases[i].result ? tft_load(cases[i].result) : NULL;
        json_t *keep = json_array();
        int v = fn_trigger_parse_failures(keep, result, msgs);

        if (v != cases[i].verdict)
            fail_msg("case %zu (%s): verdict %d, expected %d", i,
                     cases[i].result ? cases[i].result : "none", v,
                     cases[i].verdict);
        if (cases[i].keep) {
            json_t *want = tft_load(cases[i].keep);

            if (!json_equal(want, keep))
                fail_msg("case %zu: kept the wrong messages", i);
            json_decref(want);
        }
        json_decref(keep);
        json_decref(result);
    }
    json_decref(msgs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fn_trigger_parse_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
