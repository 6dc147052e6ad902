/*
 * Unit tests for the queue service's dead-letter rules and redrive: the
 * receive that would exceed max_receives moves the message (same id,
 * body and attributes, its source and dequeue count kept); redrive moves
 * messages back to where each came from, or chosen ones to a named queue,
 * with their counts reset; and what redrive refuses.
 */
#include "qtest.h"

#define ATTRS                                                                \
    "{\"k\": {\"type\": \"String\", \"value\": \"v\"}, "                    \
    "\"n\": {\"type\": \"Number.int\", \"value\": \"7\"}}"

/* Receive msg from q `times` times, letting each visibility (vis_s) end.
 * Returns: the hand's offset after the last. */
static int64_t
dlq_receive_n(struct qtest *f, const char *q, const char *id, int times,
              int64_t at, int64_t vis_s)
{
    for (int i = 1; i <= times; i++) {
        json_t *m;

        qt_tick(f, at);
        m = qt_recv1(f, q, -1);
        assert_string_equal(id, qt_str(m, "id"));
        assert_int_equal(i, qt_int(m, "dequeue_count"));
        json_decref(m);
        at += vis_s * 1000;
    }
    qt_tick(f, at);
    return at;
}

static void
test_queue_dlq_moves_after_max_receives(void **state)
{
    struct qtest *f = *state;

    for (int n = 1; n <= 4; n++) {
        char src[16], dlq[16], id[QT_ID], later[QT_ID], totals[128];
        char attrs[256];
        json_t *arr, *m, *d, *want, *out = NULL;
        int64_t at = (int64_t)(n - 1) * 1000000;

        snprintf(src, sizeof(src), "src%d", n);
        snprintf(dlq, sizeof(dlq), "dlq%d", n);
        snprintf(attrs, sizeof(attrs),
                 "{\"visibility_timeout\": 5, \"dead_letter_queue\": "
                 "\"%s\", \"max_receives\": %d}",
                 dlq, n);
        qt_create(f, dlq, NULL);
        qt_create(f, src, attrs);
        qt_at(f, at);
        qt_send(f, src,
                "{\"body\": \"x\", \"priority\": 2, \"attributes\": " ATTRS
                ", \"system\": {\"trace\": \"t1\"}}",
                id);
        at = dlq_receive_n(f, src, id, n, at, 5);
        qt_assert_counts(f, src, "1/0/0/1");
        qt_send_body(f, src, "later", later);

        /* receive n + 1: x moves, the receive gives what else there is */
        arr = qt_recv(f, src, QUEUE_BATCH_MAX, -1);
        assert_int_equal(1, json_array_size(arr));
        assert_string_equal(later, qt_str(json_array_get(arr, 0), "id"));
        json_decref(arr);
        qt_assert_counts(f, src, "0/1/0/1");
        qt_assert_counts(f, dlq, "1/0/0/1");
        assert_int_equal(ENG_ENOTFOUND, queue_get_msg(&out, f->qs, src, id));

        m = qt_msg(f, dlq, id);
        assert_string_equal("x", qt_str(m, "body"));
        assert_string_equal(src, qt_str(m, "source"));
        assert_int_equal(n, qt_int(m, "dequeue_count"));
        assert_int_equal(2, qt_int(m, "priority"));
        assert_string_equal("visible", qt_str(m, "state"));
        want = qt_json(ATTRS);
        assert_true(json_equal(want, json_object_get(m, "attributes")));
        json_decref(want);
        want = qt_json("{\"trace\": \"t1\"}");
        assert_true(json_equal(want, json_object_get(m, "system")));
        json_decref(want);
        json_decref(m);

        d = qt_journal_detail(f, id, "dead_lettered");
        assert_string_equal(src, qt_str(d, "from"));
        assert_string_equal(dlq, qt_str(d, "to"));
        assert_int_equal(n, qt_int(d, "dequeue_count"));
        json_decref(d);

        /* the count goes on in the dead-letter queue; the first receive
         * time is the source's */
        m = qt_recv1(f, dlq, -1);
        assert_string_equal(id, qt_str(m, "id"));
        assert_int_equal(n + 1, qt_int(m, "dequeue_count"));
        assert_int_equal(T0 + (int64_t)(n - 1) * 1000000,
                         qt_int(m, "first_dequeue_ms"));
        json_decref(m);

        assert_int_equal(0, queue_get(&out, f->qs, dlq));
        want = qt_json("[]");
        json_array_append_new(want, json_string(src));
        assert_true(
            json_equal(want, json_object_get(out, "dead_letter_sources")));
        json_decref(want);
        json_decref(out);
        /* totals: this round's two messages, in flight, one dead letter
         * (earlier rounds were purged) */
        qt_totals(totals, sizeof(totals), f);
        snprintf(attrs, sizeof(attrs), "%d/2/0/2/0/1", 2 * n);
        assert_string_equal(attrs, totals);
        {
            int64_t purged;

            assert_int_equal(0, queue_purge(&purged, f->qs, src));
            assert_int_equal(1, purged);
            assert_int_equal(0, queue_purge(&purged, f->qs, dlq));
            assert_int_equal(1, purged);
        }
    }
}

/* The receipt the source gave is of no use once the message moved. */
static void
test_queue_dlq_source_receipt_stale(void **state)
{
    struct qtest *f = *state;
    char id[QT_ID], r[64];
    json_t *m, *out = NULL;

    qt_create(f, "dlq", NULL);
    qt_create(f, "src", "{\"visibility_timeout\": 5, "
                        "\"dead_letter_queue\": \"dlq\", "
                        "\"max_receives\": 1}");
    qt_send_body(f, "src", "x", id);
    m = qt_recv1(f, "src", -1);
    snprintf(r, sizeof(r), "%s", qt_str(m, "receipt"));
    json_decref(m);
    qt_tick(f, 5000);
    qt_assert_recv(f, "src", 1, "");
    qt_assert_counts(f, "dlq", "1/0/0/1");
    assert_int_equal(ENG_EGONE, queue_delete_msg(f->qs, "src", r));
    assert_string_equal("ReceiptHandleStale", err_last_name());
    assert_int_equal(ENG_EGONE, queue_delete_msg(f->qs, "dlq", r));
    assert_string_equal("ReceiptHandleStale", err_last_name());
    assert_int_equal(ENG_EGONE,
                     queue_change_visibility(&out, f->qs, "dlq", r, 0));
    qt_assert_counts(f, "dlq", "1/0/0/1");
}

/* A message that never exceeds the rule never moves. */
static void
test_queue_dlq_not_before_max(void **state)
{
    struct qtest *f = *state;
    char id[QT_ID];
    json_t *m;

    qt_create(f, "dlq", NULL);
    qt_create(f, "src", "{\"visibility_timeout\": 5, "
                        "\"dead_letter_queue\": \"dlq\", "
                        "\"max_receives\": 3}");
    qt_send_body(f, "src", "x", id);
    dlq_receive_n(f, "src", id, 3, 0, 5);
    qt_assert_counts(f, "dlq", "0/0/0/0");
    qt_assert_counts(f, "src", "1/0/0/1");
    /* raising the limit lets it be received again */
    {
        json_t *a = qt_json("{\"max_receives\": 4}"), *out = NULL;

        assert_int_equal(0, queue_set(&out, f->qs, "src", a));
        json_decref(a);
        json_decref(out);
    }
    m = qt_recv1(f, "src", -1);
    assert_int_equal(4, qt_int(m, "dequeue_count"));
    json_decref(m);
    qt_assert_counts(f, "dlq", "0/0/0/0");
}

/* Dead-letter one message of each source into dlq (max_receives 1). */
static void
redrive_fill(struct qtest *f, char *ida, char *idb, char *orphan)
{
    qt_create(f, "dlq", NULL);
    qt_create(f, "a", "{\"visibility_timeout\": 5, "
                      "\"dead_letter_queue\": \"dlq\", \"max_receives\": 1}");
    qt_create(f, "b", "{\"visibility_timeout\": 5, "
                      "\"dead_letter_queue\": \"dlq\", \"max_receives\": 1}");
    qt_create(f, "other", NULL);
    qt_send(f, "a", "{\"body\": \"from-a\", \"attributes\": " ATTRS "}",
            ida);
    qt_send_body(f, "b", "from-b", idb);
    qt_send_body(f, "dlq", "orphan", orphan); /* sent there: no source */
    qt_assert_recv(f, "a", 1, "from-a");
    qt_assert_recv(f, "b", 1, "from-b");
    qt_tick(f, 5000);
    qt_assert_recv(f, "a", 1, "");
    qt_assert_recv(f, "b", 1, "");
    qt_assert_counts(f, "dlq", "3/0/0/3");
}

static void
test_queue_redrive_all_to_sources(void **state)
{
    struct qtest *f = *state;
    char ida[QT_ID], idb[QT_ID], orphan[QT_ID], ids[QT_STR];
    json_t *out = NULL, *m, *want, *d;

    redrive_fill(f, ida, idb, orphan);
    qt_at(f, 6000);
    assert_int_equal(0, queue_redrive(&out, f->qs, "dlq", NULL, NULL));
    assert_int_equal(2, qt_int(out, "moved"));
    qt_list(ids, sizeof(ids), json_object_get(out, "failed"), "id");
    assert_string_equal(orphan, ids);
    qt_list(ids, sizeof(ids), json_object_get(out, "failed"), "code");
    assert_string_equal("NoTarget", ids);
    json_decref(out);

    qt_assert_counts(f, "dlq", "1/0/0/1");
    qt_assert_counts(f, "a", "1/0/0/1");
    qt_assert_counts(f, "b", "1/0/0/1");
    qt_assert_counts(f, "other", "0/0/0/0");

    m = qt_msg(f, "a", ida);
    assert_string_equal("from-a", qt_str(m, "body"));
    assert_int_equal(0, qt_int(m, "dequeue_count"));
    assert_null(json_object_get(m, "source"));
    assert_null(json_object_get(m, "first_dequeue_ms"));
    assert_string_equal("visible", qt_str(m, "state"));
    want = qt_json(ATTRS);
    assert_true(json_equal(want, json_object_get(m, "attributes")));
    json_decref(want);
    json_decref(m);
    m = qt_msg(f, "b", idb);
    assert_int_equal(0, qt_int(m, "dequeue_count"));
    json_decref(m);
    d = qt_journal_detail(f, ida, "redriven");
    assert_string_equal("dlq", qt_str(d, "from"));
    assert_string_equal("a", qt_str(d, "to"));
    json_decref(d);

    /* the count starts again: one receive is allowed before it moves */
    m = qt_recv1(f, "a", -1);
    assert_string_equal(ida, qt_str(m, "id"));
    assert_int_equal(1, qt_int(m, "dequeue_count"));
    assert_int_equal(T0 + 6000, qt_int(m, "first_dequeue_ms"));
    json_decref(m);
    qt_tick(f, 11000);
    qt_assert_recv(f, "a", 1, "");
    qt_assert_counts(f, "dlq", "2/0/0/2");
}

static void
test_queue_redrive_chosen_to_named(void **state)
{
    struct qtest *f = *state;
    char ida[QT_ID], idb[QT_ID], orphan[QT_ID], got[QT_STR];
    json_t *out = NULL, *ids, *m;

    redrive_fill(f, ida, idb, orphan);
    /* the orphan has no source, but a named queue takes it */
    ids = json_pack("[s, s, s, s]", orphan, ida, "junk",
                    "0000000000000001-0000000000000000");
    assert_int_equal(0, queue_redrive(&out, f->qs, "dlq", ids, "other"));
    json_decref(ids);
    assert_int_equal(2, qt_int(out, "moved"));
    qt_list(got, sizeof(got), json_object_get(out, "failed"), "id");
    assert_string_equal("junk,0000000000000001-0000000000000000", got);
    qt_list(got, sizeof(got), json_object_get(out, "failed"), "code");
    assert_string_equal("MessageNotFound,MessageNotFound", got);
    json_decref(out);

    qt_assert_counts(f, "dlq", "1/0/0/1");
    qt_assert_counts(f, "other", "2/0/0/2");
    qt_assert_counts(f, "a", "0/0/0/0");
    m = qt_msg(f, "other", ida);
    assert_int_equal(0, qt_int(m, "dequeue_count"));
    assert_null(json_object_get(m, "source"));
    json_decref(m);
    m = qt_msg(f, "dlq", idb);
    assert_string_equal("b", qt_str(m, "source"));
    json_decref(m);
    /* in the named queue they go by enqueue order like any message */
    qt_assert_recv(f, "other", QUEUE_BATCH_MAX, "from-a,orphan");

    /* the rest, named ids, back to its own source */
    ids = json_pack("[s]", idb);
    assert_int_equal(0, queue_redrive(&out, f->qs, "dlq", ids, NULL));
    json_decref(ids);
    assert_int_equal(1, qt_int(out, "moved"));
    assert_int_equal(0, json_array_size(json_object_get(out, "failed")));
    json_decref(out);
    qt_assert_counts(f, "dlq", "0/0/0/0");
    qt_assert_counts(f, "b", "1/0/0/1");
}

/* An in-flight message in the dead-letter queue can be redriven: its
 * handle dies with the move. */
static void
test_queue_redrive_in_flight(void **state)
{
    struct qtest *f = *state;
    char ida[QT_ID], idb[QT_ID], orphan[QT_ID], r[64];
    json_t *out = NULL, *m, *ids;

    redrive_fill(f, ida, idb, orphan);
    m = qt_recv1(f, "dlq", -1);
    snprintf(r, sizeof(r), "%s", qt_str(m, "receipt"));
    ids = json_pack("[O]", json_object_get(m, "id"));
    json_decref(m);
    assert_int_equal(0, queue_redrive(&out, f->qs, "dlq", ids, "other"));
    json_decref(ids);
    assert_int_equal(1, qt_int(out, "moved"));
    json_decref(out);
    qt_assert_counts(f, "other", "1/0/0/1");
    qt_assert_counts(f, "dlq", "2/0/0/2");
    assert_int_equal(ENG_EGONE, queue_delete_msg(f->qs, "dlq", r));
    assert_int_equal(ENG_EGONE, queue_delete_msg(f->qs, "other", r));
}

static const struct {
    const char *queue;
    const char *ids; /* JSON; NULL: all */
    const char *to;
    int rc;
    const char *needle;
} redrive_refusals[] = {
    {"dlq", NULL, "dlq", ENG_EINVAL, "'to'"},
    {"dlq", NULL, "nope", ENG_ENOTFOUND, "nope"},
    {"dlq", NULL, "f.fifo", ENG_EINVAL, "f.fifo"},
    {"dlq", "{}", NULL, ENG_EINVAL, "'ids'"},
    {"dlq", "\"x\"", "other", ENG_EINVAL, "'ids'"},
    {"nope", NULL, NULL, ENG_ENOTFOUND, "nope"},
};

static void
test_queue_redrive_refusals(void **state)
{
    struct qtest *f = *state;
    char ida[QT_ID], idb[QT_ID], orphan[QT_ID], failed[QT_STR];
    json_t *out, *ids;
    int64_t journal;

    redrive_fill(f, ida, idb, orphan);
    qt_create(f, "f.fifo", "{\"fifo\": true}");
    journal = journal_count(f->eng->store);
    for (size_t i = 0; i < NELEM(redrive_refusals); i++) {
        json_t *j = redrive_refusals[i].ids ? qt_json(redrive_refusals[i].ids)
                                            : NULL;
        int rc;

        out = (json_t *)1;
        rc = queue_redrive(&out, f->qs, redrive_refusals[i].queue, j,
                           redrive_refusals[i].to);
        json_decref(j);
        if (rc != redrive_refusals[i].rc ||
            strstr(err_last(), redrive_refusals[i].needle) == NULL)
            fail_msg("case %zu: %d '%s', want %d naming %s", i, rc,
                     err_last(), redrive_refusals[i].rc,
                     redrive_refusals[i].needle);
        assert_null(out);
        qt_assert_counts(f, "dlq", "3/0/0/3");
        qt_assert_counts(f, "a", "0/0/0/0");
        qt_assert_counts(f, "b", "0/0/0/0");
        qt_assert_counts(f, "other", "0/0/0/0");
        assert_int_equal(journal, journal_count(f->eng->store));
    }

    /* ids that are all refused move nothing */
    ids = json_pack("[s, i]", orphan, 5);
    assert_int_equal(0, queue_redrive(&out, f->qs, "dlq", ids, NULL));
    json_decref(ids);
    assert_int_equal(0, qt_int(out, "moved"));
    qt_list(failed, sizeof(failed), json_object_get(out, "failed"), "code");
    assert_string_equal("MessageNotFound,NoTarget", failed);
    json_decref(out);
    qt_assert_counts(f, "dlq", "3/0/0/3");
    assert_int_equal(journal, journal_count(f->eng->store));

    /* a source that is gone is no target */
    assert_int_equal(0, queue_delete(f->qs, "a"));
    assert_int_equal(0, queue_redrive(&out, f->qs, "dlq", NULL, NULL));
    assert_int_equal(1, qt_int(out, "moved")); /* b's */
    qt_list(failed, sizeof(failed), json_object_get(out, "failed"), "code");
    assert_string_equal("NoTarget,NoTarget", failed);
    json_decref(out);
    qt_assert_counts(f, "dlq", "2/0/0/2");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, qt_setup, qt_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_queue_dlq_moves_after_max_receives),
        T(test_queue_dlq_source_receipt_stale),
        T(test_queue_dlq_not_before_max),
        T(test_queue_redrive_all_to_sources),
        T(test_queue_redrive_chosen_to_named),
        T(test_queue_redrive_in_flight),
        T(test_queue_redrive_refusals),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
