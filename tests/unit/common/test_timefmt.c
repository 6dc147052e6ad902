/*
 * Unit tests for common/timefmt: durations and RFC 3339 times, in and
 * out. Table-driven: each test is an array of cases and one loop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/err.h"
#include "common/timefmt.h"

#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
test_timefmt_parse_duration_good(void **state)
{
    static const struct {
        const char *in;
        int64_t ms;
    } cases[] = {
        {"250ms", 250},
        {"0ms", 0},
        {"90s", 90000},
        {"10m", 600000},
        {"1h30m", 5400000},
        {"1m30s", 90000},
        {"1h1m1s1ms", 3661001},
        {"2d", 172800000},
        {"45", 45000},
        {"0", 0},
        {"0.5", 500},
        {"1.5h", 5400000},
        {".5s", 500},
        {"0.25s", 250},
        {"1.5ms", 2}, /* rounds to the nearest ms */
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        int64_t ms = -1;
        int rc = timefmt_parse_duration(&ms, cases[i].in);

        if (rc != 0 || ms != cases[i].ms)
            fail_msg("'%s': rc %d, %lld ms; want %lld ms (%s)", cases[i].in,
                     rc, (long long)ms, (long long)cases[i].ms, err_last());
    }
}

static void
test_timefmt_parse_duration_bad(void **state)
{
    static const char *const cases[] = {
        "",   "10x", "-5s", "m",     "1h-3m", "ms",  "s",   "h30m",
        " 5s", "5s ", "5 s", "1h30", "5S",   "nan", "inf", "1..5s",
        ".",  "+5s", "5sm", "200000000d", /* over the range */
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        int64_t ms = 12345;
        int rc;

        err_clear();
        rc = timefmt_parse_duration(&ms, cases[i]);
        if (rc != ENG_EINVAL)
            fail_msg("'%s': rc %d (%lld ms), want ENG_EINVAL", cases[i], rc,
                     (long long)ms);
        assert_int_equal(0, ms); /* *out cleared on failure */
        assert_non_null(strstr(err_last(), "duration"));
        if (cases[i][0] != '\0')
            assert_non_null(strstr(err_last(), cases[i]));
    }
}

static const struct {
    int64_t ms;
    const char *text;
} rfc3339_cases[] = {
    {0, "1970-01-01T00:00:00.000Z"},
    {1, "1970-01-01T00:00:00.001Z"},
    {1234, "1970-01-01T00:00:01.234Z"},
    {-1, "1969-12-31T23:59:59.999Z"},
    {INT64_C(-14182940000), "1969-07-20T20:17:40.000Z"},
    {INT64_C(951825600000), "2000-02-29T12:00:00.000Z"},
    {INT64_C(1704067200000), "2024-01-01T00:00:00.000Z"},
    {INT64_C(1709164800000), "2024-02-29T00:00:00.000Z"},
    {INT64_C(1709251199999), "2024-02-29T23:59:59.999Z"},
    {INT64_C(1709251200000), "2024-03-01T00:00:00.000Z"},
    {INT64_C(1795239000123), "2026-11-21T05:30:00.123Z"},
    {INT64_C(1795239000050), "2026-11-21T05:30:00.050Z"},
    {INT64_C(4102444800000), "2100-01-01T00:00:00.000Z"},
    /* the ends of the four-digit years, which are written by hand */
    {INT64_C(253402300799999), "9999-12-31T23:59:59.999Z"},
    {INT64_C(-62167219200000), "0000-01-01T00:00:00.000Z"},
};

/* past them: rendered, though the parser takes four-digit years only */
static const struct {
    int64_t ms;
    const char *text;
} rfc3339_wide_cases[] = {
    {INT64_C(253402300800000), "10000-01-01T00:00:00.000Z"},
    {INT64_C(-62167219200001), "-001-12-31T23:59:59.999Z"},
};

static void
test_timefmt_rfc3339_render(void **state)
{
    (void)state;
    for (size_t i = 0; i < NELEM(rfc3339_cases); i++) {
        char out[TIMEFMT_MAX];

        memset(out, 'x', sizeof(out));
        timefmt_rfc3339(out, rfc3339_cases[i].ms);
        if (strcmp(out, rfc3339_cases[i].text) != 0)
            fail_msg("%lld: '%s', want '%s'", (long long)rfc3339_cases[i].ms,
                     out, rfc3339_cases[i].text);
    }
    for (size_t i = 0; i < NELEM(rfc3339_wide_cases); i++) {
        char out[TIMEFMT_MAX];

        timefmt_rfc3339(out, rfc3339_wide_cases[i].ms);
        if (strcmp(out, rfc3339_wide_cases[i].text) != 0)
            fail_msg("%lld: '%s', want '%s'",
                     (long long)rfc3339_wide_cases[i].ms, out,
                     rfc3339_wide_cases[i].text);
    }
}

static void
test_timefmt_rfc3339_round_trip(void **state)
{
    (void)state;
    for (size_t i = 0; i < NELEM(rfc3339_cases); i++) {
        char out[TIMEFMT_MAX];
        int64_t back = 42;

        timefmt_rfc3339(out, rfc3339_cases[i].ms);
        assert_int_equal(0, timefmt_parse_rfc3339(&back, out));
        if (back != rfc3339_cases[i].ms)
            fail_msg("'%s' parsed back as %lld, want %lld", out,
                     (long long)back, (long long)rfc3339_cases[i].ms);
    }
}

static void
test_timefmt_parse_rfc3339_good(void **state)
{
    static const struct {
        const char *in;
        int64_t ms;
    } cases[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"2024-01-01T00:00:00Z", INT64_C(1704067200000)},
        {"2024-01-01t00:00:00z", INT64_C(1704067200000)},
        {"2024-01-01 00:00:00Z", INT64_C(1704067200000)},
        {"2024-02-29T00:00:00Z", INT64_C(1709164800000)},
        /* offsets: the local time minus the offset */
        {"2024-01-01T12:00:00+02:00", INT64_C(1704103200000)},
        {"2024-01-01T12:00:00-05:30", INT64_C(1704130200000)},
        {"2024-01-01T10:00:00+00:00", INT64_C(1704103200000)},
        {"2024-01-01T10:00:00-00:00", INT64_C(1704103200000)},
        {"2023-12-31T23:00:00-01:00", INT64_C(1704067200000)},
        {"2024-01-01T01:30:00+01:30", INT64_C(1704067200000)},
        /* fractions: any number of digits, ms kept */
        {"2024-01-01T00:00:00.5Z", INT64_C(1704067200500)},
        {"2024-01-01T00:00:00.05Z", INT64_C(1704067200050)},
        {"2024-01-01T00:00:00.123Z", INT64_C(1704067200123)},
        {"2024-01-01T00:00:00.123999Z", INT64_C(1704067200123)},
        {"2024-01-01T12:00:00.250+02:00", INT64_C(1704103200250)},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        int64_t ms = -1;
        int rc = timefmt_parse_rfc3339(&ms, cases[i].in);

        if (rc != 0 || ms != cases[i].ms)
            fail_msg("'%s': rc %d, %lld; want %lld (%s)", cases[i].in, rc,
                     (long long)ms, (long long)cases[i].ms, err_last());
    }
}

static void
test_timefmt_parse_rfc3339_bad(void **state)
{
    static const char *const cases[] = {
        "",
        "now",
        "2024-01-01",
        "2024-01-01T00:00:00",     /* no zone */
        "2024-01-01T00:00Z",       /* no seconds */
        "2024-01-01T00:00:00+02",  /* half an offset */
        "2024-01-01T00:00:00+0200",
        "2024-01-01T00:00:00.Z",   /* a dot without digits */
        "2024-01-01T00:00:00ZZ",
        "2024-01-01T00:00:00Z ",
        "2024-01-01X00:00:00Z",
        "2024/01/01T00:00:00Z",
        "24-01-01T00:00:00Z",
        "2024-1-01T00:00:00Z",
        "2024-00-01T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-01-00T00:00:00Z",
        "2024-01-32T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T00:60:00Z",
        "2024-01-01T00:00:61Z",
        "2024-01-01T00:00:00+24:00",
        "2024-01-01T00:00:00+02:60",
        "-024-01-01T00:00:00Z",
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        int64_t ms = 12345;
        int rc;

        err_clear();
        rc = timefmt_parse_rfc3339(&ms, cases[i]);
        if (rc != ENG_EINVAL)
            fail_msg("'%s': rc %d (%lld), want ENG_EINVAL", cases[i], rc,
                     (long long)ms);
        assert_int_equal(0, ms);
        assert_non_null(strstr(err_last(), "RFC 3339"));
        assert_non_null(strstr(err_last(), cases[i]));
    }
}

/* Dates that have the right shape but do not exist on the calendar. */
static void
test_timefmt_parse_rfc3339_impossible_date(void **state)
{
    static const char *const cases[] = {
        "2023-02-29T00:00:00Z", /* 2023 is not a leap year */
        "2100-02-29T00:00:00Z", /* nor is 2100 */
        "2024-02-30T00:00:00Z",
        "2024-04-31T00:00:00Z",
        "2024-06-31T12:00:00Z",
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        int64_t ms = 12345;
        int rc = timefmt_parse_rfc3339(&ms, cases[i]);

        if (rc != ENG_EINVAL) {
            char back[TIMEFMT_MAX];

            timefmt_rfc3339(back, ms);
            fail_msg("'%s' accepted as %s, want ENG_EINVAL", cases[i], back);
        }
    }
}

static void
test_timefmt_duration_short(void **state)
{
    static const struct {
        int64_t ms;
        const char *text;
    } cases[] = {
        {0, "0ms"},
        {2, "2ms"},
        {999, "999ms"},
        {1000, "1.0s"},
        {9400, "9.4s"},
        {10000, "10s"},
        {59999, "59s"},
        {60000, "1m00s"},
        {14 * 60000, "14m00s"},
        {14 * 60000 + 5000, "14m05s"},
        {3600000 - 1, "59m59s"},
        {3600000, "1h00m"},
        {2 * 3600000 + 13 * 60000 + 59000, "2h13m"},
        {86400000, "1d00h"},
        {3 * 86400000 + 5 * 3600000, "3d05h"},
        {-1500, "-1.5s"},
        {-2 * 3600000, "-2h00m"},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        char out[32];

        timefmt_duration(out, sizeof(out), cases[i].ms);
        if (strcmp(out, cases[i].text) != 0)
            fail_msg("%lld: '%s', want '%s'", (long long)cases[i].ms, out,
                     cases[i].text);
    }
}

static void
test_timefmt_duration_truncates(void **state)
{
    char out[8];

    (void)state;
    memset(out, 'x', sizeof(out));
    timefmt_duration(out, 4, 2 * 3600000 + 13 * 60000);
    assert_string_equal("2h1", out);
    assert_int_equal('x', out[4]); /* nothing past n written */
}

static void
test_timefmt_clocks(void **state)
{
    int64_t a, b;

    (void)state;
    /* after 2020-01-01 and monotonic never goes back */
    assert_true(timefmt_real_now_ms() > INT64_C(1577836800000));
    a = timefmt_mono_ms();
    b = timefmt_mono_ms();
    assert_true(b >= a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timefmt_parse_duration_good),
        cmocka_unit_test(test_timefmt_parse_duration_bad),
        cmocka_unit_test(test_timefmt_rfc3339_render),
        cmocka_unit_test(test_timefmt_rfc3339_round_trip),
        cmocka_unit_test(test_timefmt_parse_rfc3339_good),
        cmocka_unit_test(test_timefmt_parse_rfc3339_bad),
        cmocka_unit_test(test_timefmt_parse_rfc3339_impossible_date),
        cmocka_unit_test(test_timefmt_duration_short),
        cmocka_unit_test(test_timefmt_duration_truncates),
        cmocka_unit_test(test_timefmt_clocks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
