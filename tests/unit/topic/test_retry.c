/*
 * Unit tests for topic_retry_delay: the documented MNS notify strategies.
 * EXPONENTIAL_DECAY_RETRY: 176 retries at 1, 2, 4 .. 256 s, then 512 s;
 * BACKOFF_RETRY: 3 retries, each after a random 10 to 20 s.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "topic/topic.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
test_retry_exponential_decay(void **state)
{
    static const struct {
        int retry;
        int64_t ms;
    } cases[] = {
        {0, -1},       {1, 1000},     {2, 2000},     {3, 4000},
        {4, 8000},     {5, 16000},    {6, 32000},    {7, 64000},
        {8, 128000},   {9, 256000},   {10, 512000},  {100, 512000},
        {176, 512000}, {177, -1},
    };
    int64_t total = 0;

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++)
        assert_int_equal(cases[i].ms,
                         topic_retry_delay("EXPONENTIAL_DECAY_RETRY",
                                           cases[i].retry));
    /* 9 doublings and 167 times 512 s: about a day */
    for (int r = 1; r <= TOPIC_DECAY_RETRIES; r++)
        total += topic_retry_delay("EXPONENTIAL_DECAY_RETRY", r);
    assert_int_equal(total, INT64_C(511000) + INT64_C(167) * 512000);
}

static void
test_retry_backoff(void **state)
{
    (void)state;
    for (int n = 0; n < 200; n++)
        for (int r = 1; r <= TOPIC_BACKOFF_RETRIES; r++) {
            int64_t d = topic_retry_delay("BACKOFF_RETRY", r);

            assert_in_range(d, 10000, 20000);
        }
    assert_int_equal(-1, topic_retry_delay("BACKOFF_RETRY", 0));
    assert_int_equal(-1, topic_retry_delay("BACKOFF_RETRY", 4));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_exponential_decay),
        cmocka_unit_test(test_retry_backoff),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
