/*
 * test_err: the thread-local last error (common/err.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/err.h"

#include <string.h>

static void
test_err_codes_and_names(void **state)
{
    (void)state;
    assert_int_equal(ENG_EINVAL, err_set(ENG_EINVAL, "bad %d", 7));
    assert_string_equal("bad 7", err_last());
    assert_string_equal("InvalidArgument", err_last_name());
    assert_int_equal(ENG_ENOTFOUND,
                     err_setn(ENG_ENOTFOUND, "QueueNotFound", "no queue"));
    assert_string_equal("QueueNotFound", err_last_name());
    err_clear();
    assert_string_equal("", err_last());
}

/* A message built from the one before it: the arguments alias the
 * thread's buffer. */
static void
test_err_message_from_the_last_one(void **state)
{
    (void)state;
    err_set(ENG_EINVAL, "'soon' is not a duration");
    err_set(ENG_EINVAL, "field 'by': %s", err_last());
    assert_string_equal("field 'by': 'soon' is not a duration", err_last());
    err_setn(ENG_EINVAL, "InvalidDefinition", "%s", err_last());
    assert_string_equal("field 'by': 'soon' is not a duration", err_last());
    assert_string_equal("InvalidDefinition", err_last_name());
    err_wrap(ENG_EINVAL, "flow %s", "x");
    assert_string_equal("flow x: field 'by': 'soon' is not a duration",
                        err_last());
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_codes_and_names),
        cmocka_unit_test(test_err_message_from_the_last_one),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
