/*
 * Unit tests for the queue index's entries (queue.c: qmsg_new,
 * qmsg_free): zeroed, distinct and aligned across slabs; freed ones are
 * used again before a new slab is taken; and, under ASan, a freed entry
 * is poisoned so that a use after free is still reported.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "queue/queue_int.h"

#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 30000 /* more than two slabs of entries */

static int
slabs(const struct queue_service *qs)
{
    int n = 0;

    for (const struct qslab *s = qs->slabs; s; s = s->next)
        n++;
    return n;
}

static int
cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (void *const *)a;
    uintptr_t y = (uintptr_t) * (void *const *)b;

    return x < y ? -1 : x > y;
}

static void
test_qslab_entries(void **state)
{
    struct queue_service *qs = xcalloc(1, sizeof(*qs));
    struct qmsg **m = xcalloc(N, sizeof(*m)), **again;
    int taken;

    (void)state;
    for (int i = 0; i < N; i++) {
        m[i] = qmsg_new(qs);
        assert_int_equal(0, (uintptr_t)m[i] % _Alignof(struct qmsg));
        assert_int_equal(0, m[i]->id);
        assert_null(m[i]->q);
        assert_int_equal(0, m[i]->has_receipt);
        memset(m[i], 0xa5, sizeof(*m[i])); /* dirty it for the reuse */
    }
    taken = slabs(qs);
    assert_true(taken >= 3);
    again = xcalloc(N, sizeof(*again));
    memcpy(again, m, N * sizeof(*m));
    qsort(again, N, sizeof(*again), cmp_ptr);
    for (int i = 1; i < N; i++) /* no two overlap */
        assert_true((uintptr_t)again[i] - (uintptr_t)again[i - 1] >=
                    sizeof(struct qmsg));
    for (int i = 0; i < N; i++)
        qmsg_free(qs, m[i]);
    for (int i = 0; i < N; i++) { /* the freed ones, zeroed, no new slab */
        struct qmsg *x = qmsg_new(qs);
        struct qmsg **hit = bsearch(&x, again, N, sizeof(*again), cmp_ptr);

        assert_non_null(hit);
        assert_int_equal(0, x->id);
        assert_int_equal(0, x->dequeue_count);
    }
    assert_int_equal(taken, slabs(qs));
    free(again);
    free(m);
    queue_service_free(qs); /* frees the slabs; LSan checks */
}

static void
test_qslab_use_after_free_is_reported(void **state)
{
#ifdef QUEUE_ASAN
    struct queue_service *qs = xcalloc(1, sizeof(*qs));
    struct qmsg *a = qmsg_new(qs), *b = qmsg_new(qs);
    pid_t pid;
    int status;

    (void)state;
    qmsg_free(qs, a);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        volatile int64_t *id = &a->id;

        (void)freopen("/dev/null", "w", stderr); /* the expected report */
        *id = 7;
        _exit(0); /* not reached under ASan */
    }
    assert_int_equal(pid, waitpid(pid, &status, 0));
    assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    b->id = 1; /* a live entry is fine */
    qmsg_free(qs, b);
    queue_service_free(qs);
#else
    (void)state;
    skip();
#endif
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qslab_entries),
        cmocka_unit_test(test_qslab_use_after_free_is_reported),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
