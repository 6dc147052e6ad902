/*
 * Unit tests for common/clock: the engine clock over a real-time source
 * that the tests move by hand (struct hand), so every expectation is an
 * exact number of milliseconds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/timefmt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define T0 INT64_C(1795239000000) /* 2026-11-21T05:30:00Z */

struct fixture {
    struct clock c;
    int64_t hand; /* "real" time, in ms */
};

static int64_t
hand_now(void *arg)
{
    return *(const int64_t *)arg;
}

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    f->hand = T0;
    clock_init(&f->c);
    f->c.real_now = hand_now;
    f->c.real_arg = &f->hand;
    clock_init_keep_source(&f->c);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    free(*state);
    return 0;
}

static void
test_clock_init_system(void **state)
{
    struct clock c;
    int64_t before, now, after;

    (void)state;
    before = timefmt_real_now_ms();
    clock_init(&c);
    now = clock_now(&c);
    after = timefmt_real_now_ms();
    assert_true(now >= before && now <= after);
    assert_string_equal("real", clock_mode(&c));
}

static void
test_clock_keep_source_reanchors(void **state)
{
    struct fixture *f = *state;

    assert_ptr_equal(hand_now, f->c.real_now);
    assert_ptr_equal(&f->hand, f->c.real_arg);
    assert_int_equal(T0, clock_now(&f->c));
    /* a paused, scaled, advanced clock goes back to plain real time */
    clock_pause(&f->c);
    assert_int_equal(0, clock_set_scale(&f->c, 60));
    assert_int_equal(0, clock_advance(&f->c, 5000));
    f->hand = T0 + 777;
    clock_init_keep_source(&f->c);
    assert_ptr_equal(hand_now, f->c.real_now);
    assert_int_equal(T0 + 777, clock_now(&f->c));
    assert_string_equal("real", clock_mode(&f->c));
}

static void
test_clock_real_follows_hand(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(T0, clock_now(&f->c));
    assert_string_equal("real", clock_mode(&f->c));
    f->hand += 1234;
    assert_int_equal(T0 + 1234, clock_now(&f->c));
    f->hand += 86400000;
    assert_int_equal(T0 + 1234 + 86400000, clock_now(&f->c));
}

static void
test_clock_never_backwards(void **state)
{
    struct fixture *f = *state;

    f->hand += 5000;
    assert_int_equal(T0 + 5000, clock_now(&f->c));
    clock_pause(&f->c);
    clock_resume(&f->c); /* anchors at T0 + 5000 */
    f->hand -= 3000;     /* the system clock steps back */
    assert_int_equal(T0 + 5000, clock_now(&f->c));
    f->hand += 3000 + 10;
    assert_int_equal(T0 + 5010, clock_now(&f->c));
}

static void
test_clock_pause_freezes(void **state)
{
    struct fixture *f = *state;

    f->hand += 500;
    clock_pause(&f->c);
    assert_string_equal("paused", clock_mode(&f->c));
    assert_int_equal(T0 + 500, clock_now(&f->c));
    f->hand += 10000;
    assert_int_equal(T0 + 500, clock_now(&f->c));
    clock_pause(&f->c); /* pausing twice changes nothing */
    f->hand += 10000;
    assert_int_equal(T0 + 500, clock_now(&f->c));
}

static void
test_clock_resume_no_jump(void **state)
{
    struct fixture *f = *state;

    f->hand += 500;
    clock_pause(&f->c);
    f->hand += 60000; /* a minute passes while paused */
    clock_resume(&f->c);
    assert_string_equal("real", clock_mode(&f->c));
    assert_int_equal(T0 + 500, clock_now(&f->c));
    f->hand += 200;
    assert_int_equal(T0 + 700, clock_now(&f->c));
    clock_resume(&f->c); /* resuming a running clock changes nothing */
    f->hand += 100;
    assert_int_equal(T0 + 800, clock_now(&f->c));
}

static void
test_clock_scale_60(void **state)
{
    struct fixture *f = *state;

    f->hand += 1000;
    assert_int_equal(0, clock_set_scale(&f->c, 60));
    assert_string_equal("scaled", clock_mode(&f->c));
    /* changing the scale does not move the time already passed */
    assert_int_equal(T0 + 1000, clock_now(&f->c));
    f->hand += 1000;
    assert_int_equal(T0 + 1000 + 60000, clock_now(&f->c));
    f->hand += 500;
    assert_int_equal(T0 + 1000 + 90000, clock_now(&f->c));
    /* back to 1: continues from the scaled time, no jump back */
    assert_int_equal(0, clock_set_scale(&f->c, 1));
    assert_string_equal("real", clock_mode(&f->c));
    assert_int_equal(T0 + 91000, clock_now(&f->c));
    f->hand += 1;
    assert_int_equal(T0 + 91001, clock_now(&f->c));
}

static void
test_clock_scale_slow(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(0, clock_set_scale(&f->c, 0.5));
    assert_string_equal("scaled", clock_mode(&f->c));
    f->hand += 1000;
    assert_int_equal(T0 + 500, clock_now(&f->c));
}

static void
test_clock_scale_paused_stays_paused(void **state)
{
    struct fixture *f = *state;

    clock_pause(&f->c);
    assert_int_equal(0, clock_set_scale(&f->c, 10));
    assert_string_equal("paused", clock_mode(&f->c));
    f->hand += 1000;
    assert_int_equal(T0, clock_now(&f->c));
    clock_resume(&f->c);
    f->hand += 1000;
    assert_int_equal(T0 + 10000, clock_now(&f->c));
}

static void
test_clock_scale_bounds(void **state)
{
    static const struct {
        double scale;
        int rc;
    } cases[] = {
        {0.0, ENG_EINVAL},
        {-0.0, ENG_EINVAL},
        {-1.0, ENG_EINVAL},
        {-60.0, ENG_EINVAL},
        {CLOCK_SCALE_MAX * 1.5, ENG_EINVAL},
        {CLOCK_SCALE_MAX + 1.0, ENG_EINVAL},
        {CLOCK_SCALE_MAX, 0},
        {0.001, 0},
        {2.0, 0},
    };
    struct fixture *f = *state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double before;

        assert_int_equal(0, clock_set_scale(&f->c, 3.0));
        before = f->c.scale;
        err_clear();
        assert_int_equal(cases[i].rc, clock_set_scale(&f->c, cases[i].scale));
        if (cases[i].rc) {
            assert_true(f->c.scale == before); /* unchanged */
            assert_non_null(strstr(err_last(), "scale"));
        } else {
            assert_true(f->c.scale == cases[i].scale);
        }
    }
}

static void
test_clock_scale_not_finite(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(ENG_EINVAL, clock_set_scale(&f->c, NAN));
    assert_int_equal(ENG_EINVAL, clock_set_scale(&f->c, INFINITY));
    assert_int_equal(ENG_EINVAL, clock_set_scale(&f->c, -INFINITY));
    assert_true(f->c.scale == 1.0);
    f->hand += 1000;
    assert_int_equal(T0 + 1000, clock_now(&f->c));
}

static void
test_clock_advance(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(0, clock_advance(&f->c, 5000));
    assert_int_equal(T0 + 5000, clock_now(&f->c));
    assert_int_equal(0, clock_advance(&f->c, 0));
    assert_int_equal(T0 + 5000, clock_now(&f->c));
    f->hand += 10;
    assert_int_equal(T0 + 5010, clock_now(&f->c));
}

static void
test_clock_advance_negative(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(0, clock_advance(&f->c, 100));
    err_clear();
    assert_int_equal(ENG_EINVAL, clock_advance(&f->c, -1));
    assert_true(strlen(err_last()) > 0);
    assert_int_equal(ENG_EINVAL, clock_advance(&f->c, INT64_MIN));
    assert_int_equal(T0 + 100, clock_now(&f->c));
}

static void
test_clock_advance_paused_scaled(void **state)
{
    struct fixture *f = *state;

    clock_pause(&f->c);
    assert_int_equal(0, clock_advance(&f->c, 3600000));
    assert_string_equal("paused", clock_mode(&f->c));
    assert_int_equal(T0 + 3600000, clock_now(&f->c));
    f->hand += 1000;
    assert_int_equal(T0 + 3600000, clock_now(&f->c));
    clock_resume(&f->c);
    assert_int_equal(0, clock_set_scale(&f->c, 60));
    f->hand += 1000;
    assert_int_equal(0, clock_advance(&f->c, 1));
    assert_int_equal(T0 + 3600000 + 60000 + 1, clock_now(&f->c));
}

static void
test_clock_real_delay(void **state)
{
    static const struct {
        const char *what;
        double scale;
        int paused;
        int64_t due; /* relative to engine now */
        int64_t want;
    } cases[] = {
        {"due long passed", 1, 0, -60000, 0},
        {"due now", 1, 0, 0, 0},
        {"real, 250 ms", 1, 0, 250, 250},
        {"real, 1 ms", 1, 0, 1, 1},
        {"paused, future", 1, 1, 250, -1},
        {"paused, passed", 1, 1, -1, 0},
        {"paused, now", 1, 1, 0, 0},
        {"x60, one engine minute", 60, 0, 60000, 1000},
        {"x60, 1 ms rounds up", 60, 0, 1, 1},
        {"x60, 61 ms rounds up", 60, 0, 61, 2},
        {"x60, 120 ms exact", 60, 0, 120, 2},
        {"x60, passed", 60, 0, -5, 0},
        {"x0.5, slower", 0.5, 0, 100, 200},
        {"max scale", CLOCK_SCALE_MAX, 0, 1, 1},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fixture *f = *state;
        int64_t now;

        clock_init_keep_source(&f->c);
        f->hand += 12345; /* anchors differ from the hand */
        assert_int_equal(0, clock_set_scale(&f->c, cases[i].scale));
        if (cases[i].paused)
            clock_pause(&f->c);
        now = clock_now(&f->c);
        if (clock_real_delay(&f->c, now + cases[i].due) != cases[i].want)
            fail_msg("%s: delay %lld, want %lld", cases[i].what,
                     (long long)clock_real_delay(&f->c, now + cases[i].due),
                     (long long)cases[i].want);
    }
}

static void
test_clock_real_delay_reaches_due(void **state)
{
    struct fixture *f = *state;
    int64_t due, d;

    /* waiting the returned real delay always gets to the due time */
    assert_int_equal(0, clock_set_scale(&f->c, 7));
    due = clock_now(&f->c) + 1000;
    d = clock_real_delay(&f->c, due);
    assert_int_equal(143, d); /* ceil(1000 / 7) */
    f->hand += d - 1;
    assert_true(clock_now(&f->c) < due);
    f->hand += 1;
    assert_true(clock_now(&f->c) >= due);
    assert_int_equal(0, clock_real_delay(&f->c, due));
}

static void
test_clock_real_delay_property(void **state)
{
    static const double scales[] = {0.001, 0.1,  0.3,  1.0 / 3, 0.7, 1.1,
                                    2.5,   3,    7,    60,      1000,
                                    12345.678};
    struct fixture *f = *state;

    /* for any scale, phase and distance: the delay is never 0 before the
     * due time (no busy loop), and waiting it always reaches the due
     * time (no early wake-up that finds nothing due) */
    for (size_t i = 0; i < sizeof(scales) / sizeof(scales[0]); i++) {
        for (int phase = 0; phase < 10; phase++) {
            for (int64_t k = 1; k < 3000; k += 13) {
                int64_t due, d;

                f->hand = T0;
                clock_init_keep_source(&f->c);
                assert_int_equal(0, clock_set_scale(&f->c, scales[i]));
                f->hand += phase;
                due = clock_now(&f->c) + k;
                d = clock_real_delay(&f->c, due);
                if (d < 1)
                    fail_msg("scale %g: delay %lld for %lld ms ahead",
                             scales[i], (long long)d, (long long)k);
                f->hand += d;
                if (clock_now(&f->c) < due)
                    fail_msg("scale %g phase %d: %lld ms ahead, waited %lld "
                             "real ms, still %lld short", scales[i], phase,
                             (long long)k, (long long)d,
                             (long long)(due - clock_now(&f->c)));
            }
        }
    }
}

static void
test_clock_mode_strings(void **state)
{
    struct fixture *f = *state;

    assert_string_equal("real", clock_mode(&f->c));
    assert_int_equal(0, clock_set_scale(&f->c, 1.0001));
    assert_string_equal("scaled", clock_mode(&f->c));
    clock_pause(&f->c);
    assert_string_equal("paused", clock_mode(&f->c));
    clock_resume(&f->c);
    assert_string_equal("scaled", clock_mode(&f->c));
    assert_int_equal(0, clock_set_scale(&f->c, 1));
    assert_string_equal("real", clock_mode(&f->c));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_init_system),
        T(test_clock_keep_source_reanchors),
        T(test_clock_real_follows_hand),
        T(test_clock_never_backwards),
        T(test_clock_pause_freezes),
        T(test_clock_resume_no_jump),
        T(test_clock_scale_60),
        T(test_clock_scale_slow),
        T(test_clock_scale_paused_stays_paused),
        T(test_clock_scale_bounds),
        T(test_clock_scale_not_finite),
        T(test_clock_advance),
        T(test_clock_advance_negative),
        T(test_clock_advance_paused_scaled),
        T(test_clock_real_delay),
        T(test_clock_real_delay_reaches_due),
        T(test_clock_real_delay_property),
        T(test_clock_mode_strings),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
