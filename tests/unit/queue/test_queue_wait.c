/*
 * Unit tests for long polling in the queue service: a receive with a wait
 * and nothing to give parks (QUEUE_PARKED), and its `done` is called once,
 * from queue_service_run, when a message is sent or a delay or visibility
 * ends; or with nothing at shutdown, on a reload, when the queue goes or
 * the wait (real time) runs out. A cancelled waiter is never called.
 */
#include "qtest.h"

#include "common/timefmt.h"

#define WAIT_MS 20000

static void
assert_answer(const struct qt_wait *w, const char *want)
{
    char got[QT_STR];

    if (w->calls != 1)
        fail_msg("done called %d times, want 1", w->calls);
    qt_list(got, sizeof(got), w->msgs, "body");
    if (strcmp(got, want) != 0)
        fail_msg("answered '%s', want '%s'", got, want);
}

static void
test_queue_wait_parks_when_empty(void **state)
{
    struct qtest *f = *state;
    struct qt_wait *w = &f->w[0];
    int64_t journal;

    qt_create(f, "q", NULL);
    journal = journal_count(f->eng->store);
    qt_park(f, "q", 1, WAIT_MS, w);
    queue_service_run(f->qs);
    qt_tick(f, 10000);
    assert_int_equal(0, w->calls);
    qt_assert_counts(f, "q", "0/0/0/0");
    assert_int_equal(journal, journal_count(f->eng->store));
    /* engine time does not time out a wait: only real time does */
    assert_true(queue_service_next_wait(f->qs) > timefmt_mono_ms());
    assert_true(queue_service_next_wait(f->qs) <=
                timefmt_mono_ms() + WAIT_MS);
    queue_service_shutdown(f->qs);
    assert_answer(w, "");
}

static void
test_queue_wait_served_on_send(void **state)
{
    struct qtest *f = *state;
    struct qt_wait *w = &f->w[0];
    json_t *m;

    qt_create(f, "q", "{\"visibility_timeout\": 40}");
    qt_park(f, "q", 5, WAIT_MS, w);
    qt_at(f, 1000);
    qt_send_body(f, "q", "a", NULL);
    qt_send_body(f, "q", "b", NULL);
    queue_service_run(f->qs);
    assert_answer(w, "a,b");
    /* received for real: in flight, with handles, counted */
    m = json_array_get(w->msgs, 0);
    assert_int_equal(1, qt_int(m, "dequeue_count"));
    assert_int_equal(T0 + 41000, qt_int(m, "next_visible_ms"));
    assert_int_equal(0, queue_delete_msg(f->qs, "q", qt_str(m, "receipt")));
    qt_assert_counts(f, "q", "0/1/0/1");

    /* once only */
    qt_send_body(f, "q", "c", NULL);
    queue_service_run(f->qs);
    queue_service_shutdown(f->qs);
    assert_int_equal(1, w->calls);
    qt_assert_counts(f, "q", "1/1/0/2");
}

static void
test_queue_wait_served_when_delay_ends(void **state)
{
    struct qtest *f = *state;
    struct qt_wait *w = &f->w[0];

    qt_create(f, "q", NULL);
    qt_send(f, "q", "{\"body\": \"late\", \"delay_seconds\": 10}", NULL);
    qt_park(f, "q", 1, WAIT_MS, w);
    qt_tick(f, 9999);
    assert_int_equal(0, w->calls);
    qt_tick(f, 10000);
    assert_answer(w, "late");
    qt_assert_counts(f, "q", "0/1/0/1");
}

static void
test_queue_wait_served_when_visibility_ends(void **state)
{
    struct qtest *f = *state;
    struct qt_wait *w = &f->w[0];
    json_t *m;

    qt_create(f, "q", "{\"visibility_timeout\": 5}");
    qt_send_body(f, "q", "a", NULL);
    json_decref(qt_recv(f, "q", 1, -1));
    qt_park(f, "q", 1, WAIT_MS, w);
    qt_tick(f, 4999);
    assert_int_equal(0, w->calls);
    qt_tick(f, 5000);
    assert_answer(w, "a");
    m = json_array_get(w->msgs, 0);
    assert_int_equal(2, qt_int(m, "dequeue_count"));
    assert_int_equal(T0 + 10000, qt_int(m, "next_visible_ms"));
}

/* A waiter's own visibility timeout holds for what it is served. */
static void
test_queue_wait_own_visibility(void **state)
{
    struct qtest *f = *state;
    struct qt_wait *w = &f->w[0];
    struct queue_recv r = {1, 7000, WAIT_MS};
    struct queue_waiter *wt = NULL;
    struct queue_msgs *out = NULL;

    qt_create(f, "q", "{\"visibility_timeout\": 30}");
    assert_int_equal(QUEUE_PARKED, queue_receive(&out, &wt, f->qs, "q", &r,
                                                 qt_wait_done, w));
    qt_at(f, 1000);
    qt_send_body(f, "q", "a", NULL);
    queue_service_run(f->qs);
    assert_answer(w, "a");
    assert_int_equal(T0 + 8000,
                     qt_int(json_array_get(w->msgs, 0), "next_visible_ms"));
    qt_tick(f, 7999);
    qt_assert_counts(f, "q", "0/1/0/1");
    qt_tick(f, 8000);
    qt_assert_counts(f, "q", "1/0/0/1");
}

/* Messages that arrive by dead-lettering or redrive wake waiters too. */
static void
test_queue_wait_served_by_moves(void **state)
{
    struct qtest *f = *state;
    struct qt_wait *dw = &f->w[0], *sw = &f->w[1];
    json_t *out = NULL;

    qt_create(f, "dlq", NULL);
    qt_create(f, "src", "{\"visibility_timeout\": 5, "
                        "\"dead_letter_queue\": \"dlq\", "
                        "\"max_receives\": 1}");
    qt_send_body(f, "src", "x", NULL);
    qt_assert_recv(f, "src", 1, "x");
    qt_park(f, "dlq", 1, WAIT_MS, dw);
    qt_tick(f, 5000);
    assert_int_equal(0, dw->calls);
    qt_assert_recv(f, "src", 1, ""); /* x moves to dlq */
    queue_service_run(f->qs);
    assert_answer(dw, "x");
    qt_assert_counts(f, "dlq", "0/1/0/1");

    qt_park(f, "src", 1, WAIT_MS, sw);
    assert_int_equal(0, queue_redrive(&out, f->qs, "dlq", NULL, NULL));
    assert_int_equal(1, qt_int(out, "moved"));
    json_decref(out);
    queue_service_run(f->qs);
    assert_answer(sw, "x");
    assert_int_equal(1, qt_int(json_array_get(sw->msgs, 0), "dequeue_count"));
}

/* Waiters are served oldest first, each with at most its max. */
static void
test_queue_wait_served_in_order(void **state)
{
    struct qtest *f = *state;
    struct qt_wait *w = f->w;

    qt_create(f, "q", NULL);
    for (int i = 0; i < 3; i++)
        qt_park(f, "q", 1, WAIT_MS, &w[i]);
    qt_send_body(f, "q", "a", NULL);
    qt_send_body(f, "q", "b", NULL);
    queue_service_run(f->qs);
    assert_answer(&w[0], "a");
    assert_answer(&w[1], "b");
    assert_int_equal(0, w[2].calls);
    qt_assert_counts(f, "q", "0/2/0/2");
    qt_send_body(f, "q", "c", NULL);
    queue_service_run(f->qs);
    assert_answer(&w[2], "c");
}

static void
test_queue_wait_cancel(void **state)
{
    struct qtest *f = *state;
    struct qt_wait *a = &f->w[0], *b = &f->w[1];
    struct queue_waiter *wa;

    qt_create(f, "q", NULL);
    wa = qt_park(f, "q", 1, WAIT_MS, a);
    qt_park(f, "q", 1, WAIT_MS, b);
    queue_waiter_cancel(wa);
    queue_waiter_cancel(NULL); /* a no-op */
    qt_send_body(f, "q", "x", NULL);
    queue_service_run(f->qs);
    /* the cancelled one took nothing; the next one got it */
    assert_int_equal(0, a->calls);
    assert_answer(b, "x");

    /* alone: the message stays for a later receive */
    wa = qt_park(f, "q", 1, WAIT_MS, a);
    queue_waiter_cancel(wa);
    qt_send_body(f, "q", "y", NULL);
    queue_service_run(f->qs);
    queue_service_shutdown(f->qs);
    assert_int_equal(0, a->calls);
    qt_assert_counts(f, "q", "1/1/0/2");
    qt_assert_recv(f, "q", 1, "y");
}

static void
test_queue_wait_shutdown_answers_empty(void **state)
{
    struct qtest *f = *state;
    struct qt_wait *w = f->w;

    qt_create(f, "q", NULL);
    qt_create(f, "p", NULL);
    qt_park(f, "q", 1, WAIT_MS, &w[0]);
    qt_park(f, "q", 3, WAIT_MS, &w[1]);
    qt_park(f, "p", 1, WAIT_MS, &w[2]);
    queue_service_shutdown(f->qs);
    for (int i = 0; i < 3; i++) {
        assert_answer(&w[i], "");
        assert_true(json_is_array(w[i].msgs));
    }
    assert_int_equal(INT64_MAX, queue_service_next_wait(f->qs));
    /* and never again */
    qt_send_body(f, "q", "a", NULL);
    queue_service_run(f->qs);
    queue_service_shutdown(f->qs);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(1, w[i].calls);
    }
    qt_assert_counts(f, "q", "1/0/0/1");
}

/* A reload and a deleted queue answer their waiters with nothing. */
static void
test_queue_wait_reload_and_delete(void **state)
{
    struct qtest *f = *state;
    struct qt_wait *a = &f->w[0], *b = &f->w[1];

    qt_create(f, "q", NULL);
    qt_create(f, "p", NULL);
    qt_park(f, "q", 1, WAIT_MS, a);
    assert_int_equal(0, queue_delete(f->qs, "q"));
    assert_answer(a, "");

    qt_park(f, "p", 1, WAIT_MS, b);
    assert_int_equal(0, queue_service_load(f->qs));
    assert_answer(b, "");
    qt_send_body(f, "p", "x", NULL);
    queue_service_run(f->qs);
    assert_int_equal(1, b->calls);
}

/* The queue's wait_seconds applies when the receive gives none. */
static void
test_queue_wait_queue_default(void **state)
{
    struct qtest *f = *state;
    struct qt_wait *w = &f->w[0];
    struct queue_recv r = {1, -1, -1};
    struct queue_waiter *wt = (struct queue_waiter *)1;
    struct queue_msgs *out = NULL;

    qt_create(f, "nowait", NULL);
    qt_create(f, "waits", "{\"wait_seconds\": 20}");
    assert_int_equal(0, queue_receive(&out, &wt, f->qs, "nowait", &r,
                                      qt_wait_done, w));
    assert_int_equal(0, out->n);
    assert_null(wt);
    queue_msgs_free(out);
    out = NULL;
    assert_int_equal(QUEUE_PARKED, queue_receive(&out, &wt, f->qs, "waits",
                                                 &r, qt_wait_done, w));
    assert_null(out);
    assert_non_null(wt);
    /* a receive's own 0 wins over the queue's 20 s */
    r.wait_ms = 0;
    assert_int_equal(0, queue_receive(&out, NULL, f->qs, "waits", &r,
                                      qt_wait_done, w));
    queue_msgs_free(out);
    qt_send_body(f, "waits", "x", NULL);
    queue_service_run(f->qs);
    assert_answer(w, "x");
}

/* A message there already is given at once, wait or no wait. */
static void
test_queue_wait_not_parked_when_available(void **state)
{
    struct qtest *f = *state;
    struct qt_wait *w = &f->w[0];
    struct queue_recv r = {2, -1, WAIT_MS};
    struct queue_waiter *wt = (struct queue_waiter *)1;
    struct queue_msgs *out = NULL;
    json_t *arr;
    char got[QT_STR];

    qt_create(f, "q", NULL);
    qt_send_body(f, "q", "a", NULL);
    assert_int_equal(0, queue_receive(&out, &wt, f->qs, "q", &r, qt_wait_done,
                                      w));
    assert_null(wt);
    arr = qt_msgs(out);
    qt_list(got, sizeof(got), arr, "body");
    assert_string_equal("a", got);
    json_decref(arr);
    queue_service_run(f->qs);
    assert_int_equal(0, w->calls);
}

/* A FIFO waiter waits through a locked group and is served when the
 * group's head is deleted. */
static void
test_queue_wait_fifo_unlock(void **state)
{
    struct qtest *f = *state;
    struct qt_wait *w = &f->w[0];
    json_t *m;
    char r[64];

    qt_create(f, "q.fifo", "{\"fifo\": true}");
    qt_send(f, "q.fifo", "{\"body\": \"a1\", \"group_id\": \"A\", "
                         "\"dedup_id\": \"1\"}", NULL);
    qt_send(f, "q.fifo", "{\"body\": \"a2\", \"group_id\": \"A\", "
                         "\"dedup_id\": \"2\"}", NULL);
    m = qt_recv1(f, "q.fifo", -1);
    snprintf(r, sizeof(r), "%s", qt_str(m, "receipt"));
    json_decref(m);
    qt_park(f, "q.fifo", 10, WAIT_MS, w); /* a2 is visible, but locked */
    queue_service_run(f->qs);
    assert_int_equal(0, w->calls);
    assert_int_equal(0, queue_delete_msg(f->qs, "q.fifo", r));
    queue_service_run(f->qs);
    assert_answer(w, "a2");
}

/* The wait itself runs on real (monotonic) time. */
static void
test_queue_wait_times_out(void **state)
{
    struct qtest *f = *state;
    struct qt_wait *w = &f->w[0];
    int64_t start = timefmt_mono_ms(), next;

    qt_create(f, "q", NULL);
    qt_park(f, "q", 1, 40, w);
    next = queue_service_next_wait(f->qs);
    assert_true(next >= start + 40);
    assert_true(next <= timefmt_mono_ms() + 40);
    while (timefmt_mono_ms() < next)
        usleep(5000);
    queue_service_run(f->qs);
    assert_answer(w, "");
    assert_int_equal(INT64_MAX, queue_service_next_wait(f->qs));
    qt_send_body(f, "q", "x", NULL);
    queue_service_run(f->qs);
    assert_int_equal(1, w->calls);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, qt_setup, qt_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_queue_wait_parks_when_empty),
        T(test_queue_wait_served_on_send),
        T(test_queue_wait_served_when_delay_ends),
        T(test_queue_wait_served_when_visibility_ends),
        T(test_queue_wait_own_visibility),
        T(test_queue_wait_served_by_moves),
        T(test_queue_wait_served_in_order),
        T(test_queue_wait_cancel),
        T(test_queue_wait_shutdown_answers_empty),
        T(test_queue_wait_reload_and_delete),
        T(test_queue_wait_queue_default),
        T(test_queue_wait_not_parked_when_available),
        T(test_queue_wait_fifo_unlock),
        T(test_queue_wait_times_out),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
