/*
 * test_lazylib: libraries opened at their first use (common/lazylib.c,
 * common/lazycurl.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/err.h"
#include "common/lazycurl.h"
#include "common/lazylib.h"

#include <math.h>
#include <string.h>

double flowdeck_no_such_function(double);

LAZYLIB_DEFINE(cos)
LAZYLIB_DEFINE(sqrt)
LAZYLIB_DEFINE(flowdeck_no_such_function)

static int inits;

static int
count_init(void)
{
    inits++;
    return 0;
}

static int
failing_init(void)
{
    return err_set(ENG_ERR, "no entropy today");
}

static void
test_lazylib_missing_library(void **state)
{
    static const struct lazylib_sym syms[] = {LAZYLIB_SYM(cos)};
    static struct lazylib l = LAZYLIB_INIT("libflowdeck-missing.so.0",
                                           "the test feature", syms, NULL);

    (void)state;
    for (int i = 0; i < 2; i++) { /* the second call answers the same */
        assert_int_equal(ENG_EUNAVAIL, lazylib_load(&l));
        assert_non_null(strstr(err_last(), "the test feature needs "
                                           "libflowdeck-missing.so.0, which "
                                           "would not load: "));
    }
    assert_false(lazylib_loaded(&l));
}

static void
test_lazylib_missing_function(void **state)
{
    static const struct lazylib_sym syms[] = {
        LAZYLIB_SYM(cos) LAZYLIB_SYM(flowdeck_no_such_function)};
    static struct lazylib l =
        LAZYLIB_INIT("libm.so.6", "trigonometry", syms, NULL);

    (void)state;
    assert_int_equal(ENG_EUNAVAIL, lazylib_load(&l));
    assert_string_equal("trigonometry needs libm.so.6, which lacks "
                        "flowdeck_no_such_function",
                        err_last());
    assert_null(sym_cos); /* nothing half found is left to call */
    assert_false(lazylib_loaded(&l));
}

static void
test_lazylib_loads_once(void **state)
{
    static const struct lazylib_sym syms[] = {LAZYLIB_SYM(cos)
                                                  LAZYLIB_SYM(sqrt)};
    static struct lazylib l =
        LAZYLIB_INIT("libm.so.6", "trigonometry", syms, count_init);

    (void)state;
    inits = 0;
    assert_false(lazylib_loaded(&l));
    assert_int_equal(0, lazylib_load(&l));
    assert_int_equal(0, lazylib_load(&l));
    assert_int_equal(1, inits);
    assert_true(lazylib_loaded(&l));
    assert_true(sym_cos(0.0) == 1.0);
    assert_true(sym_sqrt(16.0) == 4.0);
}

static void
test_lazylib_init_fails(void **state)
{
    static const struct lazylib_sym syms[] = {LAZYLIB_SYM(sqrt)};
    static struct lazylib l =
        LAZYLIB_INIT("libm.so.6", "roots", syms, failing_init);

    (void)state;
    assert_int_equal(ENG_EUNAVAIL, lazylib_load(&l));
    assert_string_equal("roots needs libm.so.6, which would not start: no "
                        "entropy today",
                        err_last());
    err_clear();
    assert_int_equal(ENG_EUNAVAIL, lazylib_load(&l));
    assert_non_null(strstr(err_last(), "would not start"));
}

/* The real one: the engine's libcurl, found by the SONAME of the build. */
static void
test_lazycurl_loads(void **state)
{
    CURL *easy;

    (void)state;
    assert_int_equal(0, lazycurl_load());
    assert_true(lazylib_loaded(&lazycurl));
    easy = sym_curl_easy_init();
    assert_non_null(easy);
    assert_int_equal(CURLE_OK, sym_curl_easy_setopt(easy, CURLOPT_URL,
                                                    "http://127.0.0.1:1/"));
    sym_curl_easy_cleanup(easy);
    assert_string_equal("No error", sym_curl_easy_strerror(CURLE_OK));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lazylib_missing_library),
        cmocka_unit_test(test_lazylib_missing_function),
        cmocka_unit_test(test_lazylib_loads_once),
        cmocka_unit_test(test_lazylib_init_fails),
        cmocka_unit_test(test_lazycurl_loads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
