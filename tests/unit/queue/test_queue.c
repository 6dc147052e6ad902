/*
 * Unit tests for the queue service (backend/queue): receive order by
 * priority, delays, visibility and receipt handles, counts through every
 * transition, peek, and input that is refused without changing anything.
 * The engine clock follows the test's hand (qtest.h), so every deadline is
 * checked one millisecond before and at the moment it falls due.
 */
#include "qtest.h"

#include "common/digest.h"

/* ---- receive order ---- */

/* Messages as "priority:body" ("-" for no priority field), the order a
 * receive must give them in. */
static const struct {
    const char *sends[8];
    const char *want;
} order_cases[] = {
    {{"8:p8a", "1:p1a", "16:p16", "1:p1b", "8:p8b", "3:p3", NULL},
     "p1a,p1b,p3,p8a,p8b,p16"},
    /* no priority is 8: after 7, among the 8s by enqueue order, before 9 */
    {{"-:d1", "9:n9", "8:e8", "7:s7", "-:d2", NULL}, "s7,d1,e8,d2,n9"},
    /* one priority: first in, first out */
    {{"4:a", "4:b", "4:c", "4:d", "4:e", NULL}, "a,b,c,d,e"},
    {{"16:last", "15:mid", "1:first", NULL}, "first,mid,last"},
};

static void
order_send_all(struct qtest *f, const char *q, size_t c)
{
    for (size_t i = 0; order_cases[c].sends[i]; i++) {
        const char *s = order_cases[c].sends[i], *colon = strchr(s, ':');
        json_t *m = json_pack("{s:s}", "body", colon + 1), *out = NULL;

        if (s[0] != '-')
            json_object_set_new(m, "priority",
                                json_integer(strtol(s, NULL, 10)));
        assert_int_equal(0, queue_send(&out, f->qs, q, m));
        json_decref(out);
        json_decref(m);
    }
}

static void
test_queue_priority_order(void **state)
{
    struct qtest *f = *state;

    for (size_t c = 0; c < NELEM(order_cases); c++) {
        char batch[32], one[32], got[QT_STR], part[QT_STR];
        size_t len = 0;

        snprintf(batch, sizeof(batch), "batch-%zu", c);
        snprintf(one, sizeof(one), "one-%zu", c);
        qt_create(f, batch, NULL);
        qt_create(f, one, NULL);
        order_send_all(f, batch, c);
        order_send_all(f, one, c);

        /* all at once */
        qt_recv_bodies(got, sizeof(got), f, batch, QUEUE_BATCH_MAX, -1);
        if (strcmp(got, order_cases[c].want) != 0)
            fail_msg("case %zu, one receive: '%s', want '%s'", c, got,
                     order_cases[c].want);

        /* one at a time */
        got[0] = '\0';
        for (;;) {
            qt_recv_bodies(part, sizeof(part), f, one, 1, -1);
            if (part[0] == '\0')
                break;
            len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s",
                                    len ? "," : "", part);
        }
        if (strcmp(got, order_cases[c].want) != 0)
            fail_msg("case %zu, one by one: '%s', want '%s'", c, got,
                     order_cases[c].want);
    }
}

/* A message that comes back keeps its place: before later messages of
 * its priority, after higher-priority ones. */
static void
test_queue_returned_message_keeps_its_place(void **state)
{
    struct qtest *f = *state;

    qt_create(f, "q", "{\"visibility_timeout\": 10}");
    qt_send(f, "q", "{\"body\": \"a\", \"priority\": 5}", NULL);
    qt_send(f, "q", "{\"body\": \"b\", \"priority\": 5}", NULL);
    qt_send(f, "q", "{\"body\": \"c\", \"priority\": 2}", NULL);
    qt_assert_recv(f, "q", 2, "c,a");
    qt_tick(f, 10000);
    qt_assert_recv(f, "q", 3, "c,a,b");
}

static void
test_queue_receive_fields(void **state)
{
    struct qtest *f = *state;
    char id[QT_ID], md5[DIGEST_MD5_HEX];
    json_t *sent, *m, *want_attrs;

    qt_create(f, "q", NULL);
    sent = qt_send_res(f, "q",
                       "{\"body\": \"hello\", \"priority\": 3, "
                       "\"attributes\": {\"k\": {\"type\": \"String\", "
                       "\"value\": \"v\"}, \"n\": {\"type\": \"Number\", "
                       "\"value\": \"42\"}}}",
                       id);
    digest_md5_hex(md5, "hello", 5);
    assert_string_equal(md5, qt_str(sent, "body_md5"));
    json_decref(sent);

    /* the row (the first) and 64 random bits, in upper-case hex */
    assert_int_equal(33, strlen(id));
    assert_memory_equal("0000000000000001-", id, 17);
    assert_int_equal(16, strspn(id + 17, "0123456789ABCDEF"));

    qt_at(f, 1500);
    m = qt_recv1(f, "q", -1);
    assert_string_equal(id, qt_str(m, "id"));
    assert_string_equal("hello", qt_str(m, "body"));
    assert_string_equal(md5, qt_str(m, "body_md5"));
    assert_int_equal(3, qt_int(m, "priority"));
    assert_int_equal(1, qt_int(m, "dequeue_count"));
    assert_int_equal(T0, qt_int(m, "enqueued_ms"));
    assert_int_equal(T0 + 1500, qt_int(m, "first_dequeue_ms"));
    /* the default visibility timeout is 30 s */
    assert_int_equal(T0 + 1500 + 30000, qt_int(m, "next_visible_ms"));
    assert_int_equal(32, strlen(qt_str(m, "receipt")));
    want_attrs = qt_json("{\"k\": {\"type\": \"String\", \"value\": \"v\"}, "
                         "\"n\": {\"type\": \"Number\", \"value\": \"42\"}}");
    assert_true(json_equal(want_attrs, json_object_get(m, "attributes")));
    json_decref(want_attrs);
    json_decref(m);
}

/*
 * The engine API answers a receive with text written from the rows, not
 * from the JSON tree the other protocols get; qt_recv checks the two
 * are the same bytes on every receive of these tests. These are the
 * rows no send stores: escapes and other scripts, a body that is not
 * UTF-8, attributes with a real in them, attributes that do not parse.
 */
static void
test_queue_receive_text_odd_rows(void **state)
{
    struct qtest *f = *state;
    const char *text = "tab\t \"q\" \\ \x01\x1f caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
    json_t *arr, *attrs;

    qt_create(f, "q", NULL);
    qt_send_body(f, "q", text, NULL);
    qt_send_body(f, "q", "bad", NULL);
    qt_send_body(f, "q", "real", NULL);
    qt_send_body(f, "q", "broken", NULL);
    assert_int_equal(0, store_exec(f->eng->store,
                                   "UPDATE bodies SET body = "
                                   "CAST(X'62C3' AS TEXT) WHERE body = 'bad'"));
    assert_int_equal(0, store_exec(f->eng->store,
                                   "UPDATE bodies SET attrs = '{\"x\": 1.5, "
                                   "\"y\": [true, null, -2]}' "
                                   "WHERE body = 'real'"));
    assert_int_equal(0, store_exec(f->eng->store,
                                   "UPDATE bodies SET attrs = '{not json' "
                                   "WHERE body = 'broken'"));
    arr = qt_recv(f, "q", 4, -1);
    assert_int_equal(4, json_array_size(arr));
    assert_string_equal(text, qt_str(json_array_get(arr, 0), "body"));
    /* not UTF-8: nothing but the receipt */
    assert_int_equal(1, json_object_size(json_array_get(arr, 1)));
    assert_non_null(json_object_get(json_array_get(arr, 1), "receipt"));
    attrs = json_object_get(json_array_get(arr, 2), "attributes");
    assert_true(json_is_real(json_object_get(attrs, "x")));
    assert_null(json_object_get(json_array_get(arr, 3), "attributes"));
    assert_string_equal("broken", qt_str(json_array_get(arr, 3), "body"));
    json_decref(arr);
}

/* ---- delay ---- */

/* One queue with a 10 s default delay; each step moves the hand, runs the
 * service and receives everything receivable (visibility 12 h, so nothing
 * comes back). */
static const struct {
    int64_t at;
    const char *want;   /* bodies received */
    const char *counts; /* after the receive */
    int64_t next_due;   /* queue_service_next_due after it, from T0 */
} delay_steps[] = {
    {0, "zero", "0/1/3/4", 5000},
    {4999, "", "0/1/3/4", 5000},
    {5000, "five", "0/2/2/4", 10000},
    {9999, "", "0/2/2/4", 10000},
    {10000, "dflt", "0/3/1/4", 30000},
    {29999, "", "0/3/1/4", 30000},
    {30000, "thirty", "0/4/0/4", 43200000},
};

static void
test_queue_delay(void **state)
{
    struct qtest *f = *state;

    qt_create(f, "q", "{\"delay_seconds\": 10, "
                      "\"visibility_timeout\": 43200}");
    qt_send(f, "q", "{\"body\": \"dflt\"}", NULL);
    qt_send(f, "q", "{\"body\": \"zero\", \"delay_seconds\": 0}", NULL);
    qt_send(f, "q", "{\"body\": \"five\", \"delay_seconds\": 5}", NULL);
    qt_send(f, "q", "{\"body\": \"thirty\", \"delay_seconds\": 30}", NULL);
    qt_assert_counts(f, "q", "1/0/3/4");

    for (size_t i = 0; i < NELEM(delay_steps); i++) {
        char got[QT_STR], counts[64];

        qt_tick(f, delay_steps[i].at);
        qt_recv_bodies(got, sizeof(got), f, "q", QUEUE_BATCH_MAX, -1);
        qt_counts(counts, sizeof(counts), f, "q");
        if (strcmp(got, delay_steps[i].want) != 0 ||
            strcmp(counts, delay_steps[i].counts) != 0)
            fail_msg("at +%lld ms: received '%s' (counts %s), want '%s' "
                     "(%s)",
                     (long long)delay_steps[i].at, got, counts,
                     delay_steps[i].want, delay_steps[i].counts);
        if (queue_service_next_due(f->qs) != T0 + delay_steps[i].next_due)
            fail_msg("at +%lld ms: next due +%lld, want +%lld",
                     (long long)delay_steps[i].at,
                     (long long)(queue_service_next_due(f->qs) - T0),
                     (long long)delay_steps[i].next_due);
    }
}

/* Many deadlines at once, with messages taken out of the middle of the
 * deadline heap and receives moving others on: each message becomes
 * visible exactly when it is due, and the next due time is always the
 * earliest left. */
static void
test_queue_many_deadlines(void **state)
{
    enum { N = 300, MAXD = 97, VIS = 50 };
    struct qtest *f = *state;
    static char ids[N][QT_ID];
    int64_t due[N]; /* seconds after T0; 0: removed */
    int taken[N];   /* received at least once */

    qt_create(f, "q", "{\"visibility_timeout\": 43200}");
    for (int i = 0; i < N; i++) {
        char msg[96];

        due[i] = (int64_t)((unsigned)i * 7919u % MAXD) + 1;
        taken[i] = 0;
        snprintf(msg, sizeof(msg), "{\"body\": \"m%d\", \"delay_seconds\": %d}",
                 i, (int)due[i]);
        qt_send(f, "q", msg, ids[i]);
    }
    for (int i = 0; i < N; i += 3) {
        assert_int_equal(0, queue_remove_msg(f->qs, "q", ids[i]));
        due[i] = 0;
    }
    for (int t = 1; t <= MAXD + VIS; t++) {
        int64_t next = INT64_MAX;
        int inflight = 0, delayed = 0;
        char want[64];

        qt_tick(f, t * INT64_C(1000));
        /* what became visible is received at once, for VIS seconds */
        for (size_t n = QUEUE_BATCH_MAX; n == QUEUE_BATCH_MAX;) {
            json_t *got = qt_recv(f, "q", QUEUE_BATCH_MAX, VIS * 1000);
            n = json_array_size(got);
            for (size_t k = 0; k < n; k++) {
                int i = atoi(qt_str(json_array_get(got, k), "body") + 1);

                if (due[i] != t)
                    fail_msg("at %d s: received m%d, due at %lld s", t, i,
                             (long long)due[i]);
                due[i] = t + VIS;
                taken[i] = 1;
            }
            json_decref(got);
        }
        for (int i = 0; i < N; i++) {
            if (due[i] == 0)
                continue;
            if (due[i] <= t)
                fail_msg("at %d s: m%d, due at %lld s, was not received", t, i,
                         (long long)due[i]);
            if (taken[i])
                inflight++;
            else
                delayed++;
            if (T0 + due[i] * 1000 < next)
                next = T0 + due[i] * 1000;
        }
        snprintf(want, sizeof(want), "0/%d/%d/%d", inflight, delayed,
                 inflight + delayed);
        qt_assert_counts(f, "q", want);
        if (queue_service_next_due(f->qs) != next)
            fail_msg("at %d s: next due +%lld ms, want +%lld ms", t,
                     (long long)(queue_service_next_due(f->qs) - T0),
                     (long long)(next - T0));
    }
}

/* ---- visibility and receipt handles ---- */

static void
test_queue_visibility_returns_message(void **state)
{
    struct qtest *f = *state;
    char id[QT_ID], r1[64], r2[64];
    json_t *m;

    qt_create(f, "q", "{\"visibility_timeout\": 30}");
    qt_send_body(f, "q", "a", id);

    qt_at(f, 1000);
    m = qt_recv1(f, "q", -1);
    assert_int_equal(1, qt_int(m, "dequeue_count"));
    assert_int_equal(T0 + 1000, qt_int(m, "first_dequeue_ms"));
    assert_int_equal(T0 + 31000, qt_int(m, "next_visible_ms"));
    snprintf(r1, sizeof(r1), "%s", qt_str(m, "receipt"));
    json_decref(m);
    qt_assert_counts(f, "q", "0/1/0/1");

    qt_tick(f, 30999);
    qt_assert_recv(f, "q", 1, "");
    qt_assert_counts(f, "q", "0/1/0/1");

    qt_tick(f, 31000);
    qt_assert_counts(f, "q", "1/0/0/1");
    m = qt_recv1(f, "q", -1);
    assert_string_equal(id, qt_str(m, "id"));
    assert_int_equal(2, qt_int(m, "dequeue_count"));
    assert_int_equal(T0 + 1000, qt_int(m, "first_dequeue_ms")); /* once */
    assert_int_equal(T0 + 61000, qt_int(m, "next_visible_ms"));
    snprintf(r2, sizeof(r2), "%s", qt_str(m, "receipt"));
    assert_string_not_equal(r1, r2);
    json_decref(m);

    /* a receive's own visibility timeout wins over the queue's */
    qt_tick(f, 61000);
    m = qt_recv1(f, "q", 5000);
    assert_int_equal(3, qt_int(m, "dequeue_count"));
    assert_int_equal(T0 + 66000, qt_int(m, "next_visible_ms"));
    json_decref(m);
    qt_tick(f, 65999);
    qt_assert_counts(f, "q", "0/1/0/1");
    qt_tick(f, 66000);
    qt_assert_counts(f, "q", "1/0/0/1");
}

static void
test_queue_receipt_stale(void **state)
{
    struct qtest *f = *state;
    char r1[64], r2[64];
    json_t *m, *out = NULL;

    qt_create(f, "q", "{\"visibility_timeout\": 30}");
    qt_send_body(f, "q", "a", NULL);
    m = qt_recv1(f, "q", -1);
    snprintf(r1, sizeof(r1), "%s", qt_str(m, "receipt"));
    json_decref(m);
    qt_tick(f, 30000);
    m = qt_recv1(f, "q", -1);
    snprintf(r2, sizeof(r2), "%s", qt_str(m, "receipt"));
    json_decref(m);

    /* a later receive made r1 stale: refused, and nothing changes */
    assert_int_equal(ENG_EGONE, queue_delete_msg(f->qs, "q", r1));
    assert_string_equal("ReceiptHandleStale", err_last_name());
    assert_int_equal(ENG_EGONE,
                     queue_change_visibility(&out, f->qs, "q", r1, 0));
    assert_string_equal("ReceiptHandleStale", err_last_name());
    assert_null(out);
    qt_assert_counts(f, "q", "0/1/0/1");

    assert_int_equal(0, queue_delete_msg(f->qs, "q", r2));
    qt_assert_counts(f, "q", "0/0/0/0");
    /* deleted: its handle is stale too */
    assert_int_equal(ENG_EGONE, queue_delete_msg(f->qs, "q", r2));
    assert_string_equal("ReceiptHandleStale", err_last_name());
}

static const struct {
    const char *receipt;
    int rc;
    const char *name;
} bad_receipts[] = {
    {"", ENG_EINVAL, "ReceiptHandleInvalid"},
    {"abc", ENG_EINVAL, "ReceiptHandleInvalid"},
    {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ENG_EINVAL, /* 31 */
     "ReceiptHandleInvalid"},
    {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ENG_EINVAL, /* 33 */
     "ReceiptHandleInvalid"},
    {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*=", ENG_EINVAL, "ReceiptHandleInvalid"},
    {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+/", ENG_EINVAL, "ReceiptHandleInvalid"},
    /* well formed, but no message of this queue has it */
    {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ENG_EGONE, "ReceiptHandleStale"},
    {"AAAAAAABAAAAAAAAAAAAAAAAAAAAAAAA", ENG_EGONE, "ReceiptHandleStale"},
};

static void
test_queue_receipt_malformed(void **state)
{
    struct qtest *f = *state;
    char other[64];
    json_t *m, *out;

    qt_create(f, "q", NULL);
    qt_create(f, "other", NULL);
    qt_send_body(f, "q", "a", NULL);
    qt_send_body(f, "other", "b", NULL);
    json_decref(qt_recv(f, "q", 1, -1));
    m = qt_recv1(f, "other", -1);
    snprintf(other, sizeof(other), "%s", qt_str(m, "receipt"));
    json_decref(m);

    for (size_t i = 0; i < NELEM(bad_receipts); i++) {
        int rc = queue_delete_msg(f->qs, "q", bad_receipts[i].receipt);

        if (rc != bad_receipts[i].rc ||
            strcmp(err_last_name(), bad_receipts[i].name) != 0)
            fail_msg("receipt '%s': %d %s, want %d %s",
                     bad_receipts[i].receipt, rc, err_last_name(),
                     bad_receipts[i].rc, bad_receipts[i].name);
        out = NULL;
        rc = queue_change_visibility(&out, f->qs, "q",
                                     bad_receipts[i].receipt, 0);
        assert_int_equal(bad_receipts[i].rc, rc);
        assert_null(out);
    }
    assert_int_equal(ENG_EINVAL, queue_delete_msg(f->qs, "q", NULL));
    assert_string_equal("ReceiptHandleInvalid", err_last_name());
    /* a handle of another queue's message is not one of this queue's */
    assert_int_equal(ENG_EGONE, queue_delete_msg(f->qs, "q", other));
    assert_string_equal("ReceiptHandleStale", err_last_name());
    qt_assert_counts(f, "q", "0/1/0/1");
    qt_assert_counts(f, "other", "0/1/0/1");
    assert_int_equal(0, queue_delete_msg(f->qs, "other", other));
}

static void
test_queue_change_visibility(void **state)
{
    struct qtest *f = *state;
    char r[64], r2[64], x[64];
    json_t *m, *out = NULL;

    qt_create(f, "q", "{\"visibility_timeout\": 30}");
    qt_send_body(f, "q", "a", NULL);
    m = qt_recv1(f, "q", -1);
    snprintf(r, sizeof(r), "%s", qt_str(m, "receipt"));
    json_decref(m);

    /* 0: visible at once, with no deadline to wait for */
    qt_at(f, 2000);
    assert_int_equal(0, queue_change_visibility(&out, f->qs, "q", r, 0));
    assert_int_equal(T0 + 2000, qt_int(out, "next_visible_ms"));
    json_decref(out);
    qt_assert_counts(f, "q", "1/0/0/1");
    m = qt_recv1(f, "q", -1);
    assert_int_equal(2, qt_int(m, "dequeue_count"));
    snprintf(r2, sizeof(r2), "%s", qt_str(m, "receipt"));
    json_decref(m);

    /* 60 s from now, whatever the queue's timeout */
    qt_at(f, 3000);
    assert_int_equal(0, queue_change_visibility(&out, f->qs, "q", r2, 60));
    assert_int_equal(T0 + 63000, qt_int(out, "next_visible_ms"));
    snprintf(x, sizeof(x), "%s", qt_str(out, "receipt"));
    json_decref(out);
    qt_tick(f, 32000); /* the receive's own 30 s deadline: no longer */
    qt_assert_counts(f, "q", "0/1/0/1");
    qt_tick(f, 62999);
    qt_assert_recv(f, "q", 1, "");

    /* the handle it answered is valid, and so is the one it was given */
    assert_int_equal(0, queue_change_visibility(&out, f->qs, "q", x, 10));
    assert_int_equal(T0 + 72999, qt_int(out, "next_visible_ms"));
    json_decref(out);
    qt_tick(f, 63000);
    qt_assert_counts(f, "q", "0/1/0/1");

    /* out of range: refused, the deadline stays */
    assert_int_equal(ENG_EINVAL,
                     queue_change_visibility(&out, f->qs, "q", r2, -1));
    assert_int_equal(ENG_EINVAL,
                     queue_change_visibility(&out, f->qs, "q", r2, 43201));
    assert_non_null(strstr(err_last(), "visibility_timeout"));
    assert_null(out);
    qt_tick(f, 72998);
    qt_assert_counts(f, "q", "0/1/0/1");
    qt_tick(f, 72999);
    qt_assert_counts(f, "q", "1/0/0/1");

    /* its handle still deletes (no later receive) */
    assert_int_equal(0, queue_delete_msg(f->qs, "q", r2));
    qt_assert_counts(f, "q", "0/0/0/0");
}

/* ---- counts ---- */

static void
test_queue_counts_through_transitions(void **state)
{
    struct qtest *f = *state;
    char totals[128], rb[64], ra[64];
    json_t *m, *out = NULL;
    int64_t n;

    qt_create(f, "c-dlq", NULL);
    qt_create(f, "c", "{\"visibility_timeout\": 30, "
                      "\"dead_letter_queue\": \"c-dlq\", \"max_receives\": 1}");
    qt_assert_counts(f, "c", "0/0/0/0");

    qt_send_body(f, "c", "a", NULL);
    qt_send(f, "c", "{\"body\": \"b\", \"delay_seconds\": 10}", NULL);
    qt_assert_counts(f, "c", "1/0/1/2");
    qt_totals(totals, sizeof(totals), f);
    assert_string_equal("2/2/1/0/1/0", totals);

    json_decref(qt_recv(f, "c", 1, -1)); /* a */
    qt_assert_counts(f, "c", "0/1/1/2");
    qt_tick(f, 10000); /* b's delay ends */
    qt_assert_counts(f, "c", "1/1/0/2");
    qt_tick(f, 30000); /* a comes back */
    qt_assert_counts(f, "c", "2/0/0/2");

    /* a was received once, the most: it goes to the dead-letter queue,
     * b is received */
    m = qt_recv(f, "c", QUEUE_BATCH_MAX, -1);
    assert_int_equal(1, json_array_size(m));
    assert_string_equal("b", qt_str(json_array_get(m, 0), "body"));
    snprintf(rb, sizeof(rb), "%s",
             qt_str(json_array_get(m, 0), "receipt"));
    json_decref(m);
    qt_assert_counts(f, "c", "0/1/0/1");
    qt_assert_counts(f, "c-dlq", "1/0/0/1");
    qt_totals(totals, sizeof(totals), f);
    assert_string_equal("2/2/1/1/0/1", totals);

    assert_int_equal(0, queue_delete_msg(f->qs, "c", rb));
    qt_assert_counts(f, "c", "0/0/0/0");

    assert_int_equal(0, queue_redrive(&out, f->qs, "c-dlq", NULL, NULL));
    assert_int_equal(1, qt_int(out, "moved"));
    json_decref(out);
    qt_assert_counts(f, "c", "1/0/0/1");
    qt_assert_counts(f, "c-dlq", "0/0/0/0");
    qt_totals(totals, sizeof(totals), f);
    assert_string_equal("2/1/1/0/0/0", totals);

    m = qt_recv1(f, "c", -1);
    snprintf(ra, sizeof(ra), "%s", qt_str(m, "receipt"));
    json_decref(m);
    qt_assert_counts(f, "c", "0/1/0/1");
    assert_int_equal(0, queue_change_visibility(&out, f->qs, "c", ra, 0));
    json_decref(out);
    qt_assert_counts(f, "c", "1/0/0/1");

    qt_send(f, "c", "{\"body\": \"d\", \"delay_seconds\": 100}", NULL);
    qt_assert_counts(f, "c", "1/0/1/2");
    assert_int_equal(0, queue_purge(&n, f->qs, "c"));
    assert_int_equal(2, n);
    qt_assert_counts(f, "c", "0/0/0/0");
    assert_int_equal(0, qt_rows(f, "messages"));
    /* nothing was left behind to fire */
    qt_tick(f, 30001);
    assert_true(queue_service_next_due(f->qs) > T0 + 1000000000);
    qt_totals(totals, sizeof(totals), f);
    assert_string_equal("2/0/0/0/0/0", totals);
}

/* ---- peek ---- */

static const struct {
    const char *state;
    const char *want;
} peek_filters[] = {
    {NULL, "m1,m2,m3,m4,m5"},   {"", "m1,m2,m3,m4,m5"},
    {"all", "m1,m2,m3,m4,m5"},  {"visible", "m1,m3,m5"},
    {"in_flight", "m4"},        {"delayed", "m2"},
};

/* m1 m3 m5 visible, m2 delayed, m4 (priority 1) in flight. */
static void
peek_fill(struct qtest *f)
{
    qt_create(f, "q", NULL);
    qt_send_body(f, "q", "m1", NULL);
    qt_send(f, "q", "{\"body\": \"m2\", \"delay_seconds\": 60}", NULL);
    qt_send_body(f, "q", "m3", NULL);
    qt_send(f, "q", "{\"body\": \"m4\", \"priority\": 1}", NULL);
    qt_send_body(f, "q", "m5", NULL);
    qt_assert_recv(f, "q", 1, "m4");
}

static void
test_queue_peek_filters(void **state)
{
    struct qtest *f = *state;
    json_t *res, *it;
    size_t i;

    peek_fill(f);
    for (i = 0; i < NELEM(peek_filters); i++) {
        char got[QT_STR];

        res = qt_peek(got, sizeof(got), f, "q", peek_filters[i].state, 0, 0,
                      100);
        if (strcmp(got, peek_filters[i].want) != 0 ||
            qt_cursor(res, "next") != -1 || qt_cursor(res, "prev") != -1 ||
            qt_cursor(res, "self") != 0)
            fail_msg("state '%s': '%s', want '%s', and one page",
                     peek_filters[i].state ? peek_filters[i].state : "(null)",
                     got, peek_filters[i].want);
        json_decref(res);
    }
    /* each item says its state and gives no receipt handle */
    assert_int_equal(0, queue_peek(&res, f->qs, "q", "all", 0, 0, 100));
    json_array_foreach(json_object_get(res, "items"), i, it) {
        static const char *const states[] = {"visible", "delayed", "visible",
                                             "in_flight", "visible"};

        assert_string_equal(states[i], qt_str(it, "state"));
        assert_null(json_object_get(it, "receipt"));
        assert_int_equal(i == 3 ? 1 : 0, qt_int(it, "dequeue_count"));
    }
    json_decref(res);
}

static void
test_queue_peek_changes_nothing(void **state)
{
    struct qtest *f = *state;
    json_t *a = NULL, *b = NULL;
    int64_t journal;

    peek_fill(f);
    journal = journal_count(f->eng->store);
    assert_int_equal(0, queue_peek(&a, f->qs, "q", "all", 0, 0, 100));
    assert_int_equal(0, queue_peek(&b, f->qs, "q", "visible", 0, 0, 100));
    json_decref(b);
    assert_int_equal(0, queue_peek(&b, f->qs, "q", "in_flight", 0,
                                   INT64_MAX, 1));
    json_decref(b);
    assert_int_equal(0, queue_peek(&b, f->qs, "q", "all", 0, 0, 100));
    assert_true(json_equal(a, b)); /* no dequeue count or deadline moved */
    json_decref(a);
    json_decref(b);
    assert_int_equal(journal, journal_count(f->eng->store));
    qt_assert_counts(f, "q", "3/1/1/5");
    /* and a receive still sees every visible message, in order */
    qt_assert_recv(f, "q", QUEUE_BATCH_MAX, "m1,m3,m5");
}

/* Pages forward from the start (following "next"), and back from the end
 * (before INT64_MAX, following "prev"). "*": a short page where going back
 * reaches the start, whose content test_queue_peek_self_short_page is
 * about. */
static const struct {
    const char *state;
    int limit;
    const char *fwd[4]; /* bodies of each page, then NULL */
    const char *back[4];
} peek_pages[] = {
    {"all", 2, {"m1,m2", "m3,m4", "m5", NULL}, {"m4,m5", "m2,m3", "*", NULL}},
    {"all", 5, {"m1,m2,m3,m4,m5", NULL}, {"m1,m2,m3,m4,m5", NULL}},
    {"all", 4, {"m1,m2,m3,m4", "m5", NULL}, {"m2,m3,m4,m5", "*", NULL}},
    {"all", 9, {"m1,m2,m3,m4,m5", NULL}, {"m1,m2,m3,m4,m5", NULL}},
    {"visible", 2, {"m1,m3", "m5", NULL}, {"m3,m5", "*", NULL}},
    {"visible", 1, {"m1", "m3", "m5", NULL}, {"m5", "m3", "m1", NULL}},
    {"delayed", 1, {"m2", NULL}, {"m2", NULL}},
    {"in_flight", 3, {"m4", NULL}, {"m4", NULL}},
};

static void
peek_walk(struct qtest *f, size_t c, int back)
{
    const char *const *pages = back ? peek_pages[c].back : peek_pages[c].fwd;
    int64_t cursor = back ? INT64_MAX : 0;

    for (size_t p = 0; pages[p]; p++) {
        char got[QT_STR], again[QT_STR];
        int more = pages[p + 1] != NULL;
        json_t *res = qt_peek(got, sizeof(got), f, "q", peek_pages[c].state,
                              back ? 0 : cursor, back ? cursor : 0,
                              peek_pages[c].limit),
               *self;

        if (strcmp(pages[p], "*") != 0 && strcmp(got, pages[p]) != 0)
            fail_msg("case %zu %s page %zu: '%s', want '%s'", c,
                     back ? "back" : "fwd", p, got, pages[p]);
        /* a cursor onward exactly when another page follows that way,
         * and one the other way exactly when this is not the first page
         * that way */
        if ((qt_cursor(res, back ? "prev" : "next") >= 0) != more ||
            (qt_cursor(res, back ? "next" : "prev") >= 0) != (p > 0))
            fail_msg("case %zu %s page %zu: next %lld prev %lld", c,
                     back ? "back" : "fwd", p,
                     (long long)qt_cursor(res, "next"),
                     (long long)qt_cursor(res, "prev"));
        /* "self" fetches the same page again, forward (a short first
         * page reached going back: test_queue_peek_self_short_page) */
        self = qt_peek(again, sizeof(again), f, "q", peek_pages[c].state,
                       qt_cursor(res, "self"), 0, peek_pages[c].limit);
        if (strcmp(again, got) != 0 && strcmp(pages[p], "*") != 0)
            fail_msg("case %zu %s page %zu: self gives '%s'", c,
                     back ? "back" : "fwd", p, again);
        json_decref(self);
        cursor = qt_cursor(res, back ? "prev" : "next");
        json_decref(res);
    }
}

static void
test_queue_peek_paging(void **state)
{
    struct qtest *f = *state;

    peek_fill(f);
    for (size_t c = 0; c < NELEM(peek_pages); c++) {
        peek_walk(f, c, 0);
        peek_walk(f, c, 1);
    }
}

/*
 * Paging back by two from the last page [m2, m3] reaches the start with
 * one message: the page just before m2 is [m1]. Its "self" must fetch
 * that page again, as queue.h says, not [m1, m2].
 */
static void
test_queue_peek_self_short_page(void **state)
{
    struct qtest *f = *state;
    char got[QT_STR], again[QT_STR];
    json_t *res, *self;
    int64_t prev;

    qt_create(f, "q", NULL);
    qt_send_body(f, "q", "m1", NULL);
    qt_send_body(f, "q", "m2", NULL);
    qt_send_body(f, "q", "m3", NULL);
    res = qt_peek(got, sizeof(got), f, "q", NULL, 0, INT64_MAX, 2);
    assert_string_equal("m2,m3", got);
    prev = qt_cursor(res, "prev");
    json_decref(res);
    res = qt_peek(got, sizeof(got), f, "q", NULL, 0, prev, 2);
    self = qt_peek(again, sizeof(again), f, "q", NULL, qt_cursor(res, "self"),
                   0, 2);
    json_decref(res);
    json_decref(self);
    if (strcmp(got, again) != 0)
        fail_msg("the page before m2 is '%s', but its self cursor fetches "
                 "'%s'",
                 got, again);
}

/* A cursor outlives the message it names. */
static void
test_queue_peek_cursor_after_delete(void **state)
{
    struct qtest *f = *state;
    char got[QT_STR], ids[5][QT_ID];
    json_t *res;
    int64_t next, prev;

    qt_create(f, "q", NULL);
    for (int i = 0; i < 5; i++) {
        char body[8];

        snprintf(body, sizeof(body), "m%d", i + 1);
        qt_send_body(f, "q", body, ids[i]);
    }
    res = qt_peek(got, sizeof(got), f, "q", NULL, 0, 0, 2);
    assert_string_equal("m1,m2", got);
    next = qt_cursor(res, "next");
    json_decref(res);
    res = qt_peek(got, sizeof(got), f, "q", NULL, next, 0, 2);
    assert_string_equal("m3,m4", got);
    prev = qt_cursor(res, "prev");
    json_decref(res);

    assert_int_equal(0, queue_remove_msg(f->qs, "q", ids[1])); /* m2 */
    assert_int_equal(0, queue_remove_msg(f->qs, "q", ids[2])); /* m3 */
    res = qt_peek(got, sizeof(got), f, "q", NULL, next, 0, 2);
    assert_string_equal("m4,m5", got);
    json_decref(res);
    res = qt_peek(got, sizeof(got), f, "q", NULL, 0, prev, 1);
    json_decref(res);
    assert_string_equal("m1", got);
}

static void
test_queue_peek_empty_and_bad_input(void **state)
{
    struct qtest *f = *state;
    json_t *out = (json_t *)1;
    char got[QT_STR];

    qt_create(f, "empty", NULL);
    out = qt_peek(got, sizeof(got), f, "empty", NULL, 0, 0, 10);
    assert_string_equal("", got);
    assert_int_equal(-1, qt_cursor(out, "next"));
    assert_int_equal(-1, qt_cursor(out, "prev"));
    json_decref(out);
    out = qt_peek(got, sizeof(got), f, "empty", NULL, 0, INT64_MAX, 10);
    assert_string_equal("", got);
    json_decref(out);

    peek_fill(f);
    out = (json_t *)1;
    assert_int_equal(ENG_EINVAL,
                     queue_peek(&out, f->qs, "q", "bogus", 0, 0, 10));
    assert_null(out);
    assert_non_null(strstr(err_last(), "state"));
    assert_int_equal(ENG_EINVAL,
                     queue_peek(&out, f->qs, "q", "VISIBLE", 0, 0, 10));
    assert_int_equal(ENG_ENOTFOUND,
                     queue_peek(&out, f->qs, "nope", NULL, 0, 0, 10));
    assert_string_equal("QueueNotFound", err_last_name());
    assert_null(out);
    /* past the end: an empty page */
    out = qt_peek(got, sizeof(got), f, "q", NULL, INT64_MAX - 1, 0, 10);
    assert_string_equal("", got);
    json_decref(out);
}

/* ---- one message by id ---- */

static void
test_queue_get_and_remove_by_id(void **state)
{
    struct qtest *f = *state;
    char id[QT_ID], other[QT_ID], wrong[QT_ID];
    json_t *m, *out = (json_t *)1;

    qt_create(f, "q", NULL);
    qt_create(f, "p", NULL);
    qt_send_body(f, "q", "a", id);
    qt_send_body(f, "p", "b", other);

    m = qt_msg(f, "q", id);
    assert_string_equal("a", qt_str(m, "body"));
    assert_string_equal("visible", qt_str(m, "state"));
    json_decref(m);

    /* the right row with another random part is not the message */
    snprintf(wrong, sizeof(wrong), "%s", id);
    wrong[20] = wrong[20] == '0' ? '1' : '0';
    assert_int_equal(ENG_ENOTFOUND, queue_get_msg(&out, f->qs, "q", wrong));
    assert_string_equal("MessageNotFound", err_last_name());
    assert_null(out);
    assert_int_equal(ENG_ENOTFOUND, queue_get_msg(&out, f->qs, "q", other));
    assert_int_equal(ENG_ENOTFOUND, queue_remove_msg(f->qs, "q", other));
    assert_int_equal(ENG_ENOTFOUND, queue_remove_msg(f->qs, "q", wrong));
    assert_int_equal(ENG_ENOTFOUND, queue_remove_msg(f->qs, "q", "junk"));
    qt_assert_counts(f, "q", "1/0/0/1");
    qt_assert_counts(f, "p", "1/0/0/1");

    assert_int_equal(0, queue_remove_msg(f->qs, "q", id));
    qt_assert_counts(f, "q", "0/0/0/0");
    assert_int_equal(ENG_ENOTFOUND, queue_get_msg(&out, f->qs, "q", id));
    qt_assert_recv(f, "q", 1, "");
}

/* ---- bad input changes nothing ---- */

static const struct {
    const char *queue;
    const char *msg;
    const char *needle; /* in the message */
    const char *name;   /* the code name; NULL: the default */
} bad_sends[] = {
    {"s", "[]", "object", NULL},
    {"s", "{}", "'body'", "MissingParameter"},
    {"s", "{\"body\": 5}", "'body'", "MissingParameter"},
    {"s", "{\"body\": \"\"}", "'body'", NULL},
    {"s", "{\"body\": \"x\", \"colour\": \"red\"}", "colour", NULL},
    {"s", "{\"body\": \"x\", \"priority\": 0}", "priority", NULL},
    {"s", "{\"body\": \"x\", \"priority\": 17}", "priority", NULL},
    {"s", "{\"body\": \"x\", \"priority\": \"1\"}", "priority", NULL},
    {"s", "{\"body\": \"x\", \"delay_seconds\": -1}", "delay_seconds", NULL},
    {"s", "{\"body\": \"x\", \"delay_seconds\": 604801}", "delay_seconds",
     NULL},
    {"s", "{\"body\": \"x\", \"attributes\": []}", "attributes", NULL},
    {"s",
     "{\"body\": \"x\", \"attributes\": {\"AWS.x\": "
     "{\"type\": \"String\", \"value\": \"v\"}}}",
     "AWS.x", NULL},
    {"s",
     "{\"body\": \"x\", \"attributes\": {\"a..b\": "
     "{\"type\": \"String\", \"value\": \"v\"}}}",
     "a..b", NULL},
    {"s",
     "{\"body\": \"x\", \"attributes\": {\"k\": "
     "{\"type\": \"Float\", \"value\": \"1\"}}}",
     "Float", NULL},
    {"s",
     "{\"body\": \"x\", \"attributes\": {\"k\": "
     "{\"type\": \"Number\", \"value\": \"abc\"}}}",
     "Number", NULL},
    {"s",
     "{\"body\": \"x\", \"attributes\": {\"k\": "
     "{\"type\": \"String\", \"value\": \"\"}}}",
     "non-empty", NULL},
    {"s",
     "{\"body\": \"x\", \"attributes\": {\"k\": "
     "{\"type\": \"Binary\", \"value\": \"no spaces\"}}}",
     "base64", NULL},
    {"s", "{\"body\": \"x\", \"attributes\": {\"k\": \"v\"}}", "'k'", NULL},
    {"s", "{\"body\": \"x\", \"system\": 5}", "system", NULL},
    {"s", "{\"body\": \"x\", \"system\": {\"a\": 1}}", "'a'", NULL},
    {"s", "{\"body\": \"x\", \"group_id\": \"\"}", "group_id", NULL},
    {"s", "{\"body\": \"x\", \"group_id\": \"a b\"}", "group_id", NULL},
    {"f.fifo", "{\"body\": \"x\", \"dedup_id\": \"d\"}", "group_id",
     "MissingParameter"},
    {"f.fifo", "{\"body\": \"x\", \"group_id\": \"g\"}", "dedup_id",
     "MissingParameter"},
    {"f.fifo",
     "{\"body\": \"x\", \"group_id\": \"g\", \"dedup_id\": \"d\", "
     "\"delay_seconds\": 5}",
     "delay_seconds", NULL},
};

static void
test_queue_bad_send_changes_nothing(void **state)
{
    struct qtest *f = *state;
    int64_t rows, journal;
    json_t *res;
    char big[1100];

    qt_create(f, "s", "{\"max_message_size\": 1024}");
    qt_create(f, "f.fifo", "{\"fifo\": true}");
    qt_send_body(f, "s", "before", NULL);
    rows = qt_rows(f, "messages");
    journal = journal_count(f->eng->store);

    for (size_t i = 0; i < NELEM(bad_sends) + 2; i++) {
        const char *q = i < NELEM(bad_sends) ? bad_sends[i].queue : "s";
        json_t *m, *out = (json_t *)1;
        int rc;

        if (i < NELEM(bad_sends)) {
            m = qt_json(bad_sends[i].msg);
        } else if (i == NELEM(bad_sends)) {
            /* 1025 bytes of body: one over the queue's limit */
            memset(big, 'x', 1025);
            big[1025] = '\0';
            m = json_pack("{s:s}", "body", big);
        } else {
            /* 1000 bytes of body and 26 of attribute: over it too */
            memset(big, 'x', 1000);
            big[1000] = '\0';
            m = json_pack("{s:s, s:{s:{s:s, s:s}}}", "body", big,
                          "attributes", "abcdefghijklm", "type", "String",
                          "value", "abcdefg");
        }
        rc = queue_send(&out, f->qs, q, m);
        json_decref(m);
        if (rc != ENG_EINVAL)
            fail_msg("case %zu: rc %d, want ENG_EINVAL", i, rc);
        assert_null(out);
        if (i < NELEM(bad_sends)) {
            if (strstr(err_last(), bad_sends[i].needle) == NULL)
                fail_msg("case %zu: '%s' does not name '%s'", i, err_last(),
                         bad_sends[i].needle);
            if (bad_sends[i].name &&
                strcmp(err_last_name(), bad_sends[i].name) != 0)
                fail_msg("case %zu: code %s, want %s", i, err_last_name(),
                         bad_sends[i].name);
        } else {
            assert_string_equal("MessageTooLarge", err_last_name());
        }
        qt_assert_counts(f, "s", "1/0/0/1");
        qt_assert_counts(f, "f.fifo", "0/0/0/0");
        assert_int_equal(rows, qt_rows(f, "messages"));
        assert_int_equal(journal, journal_count(f->eng->store));
        assert_int_equal(0, qt_rows(f, "dedup"));
    }

    /* a missing queue is not found, not invalid */
    res = json_pack("{s:s}", "body", "x");
    {
        json_t *out = (json_t *)1;

        assert_int_equal(ENG_ENOTFOUND, queue_send(&out, f->qs, "nope", res));
        assert_string_equal("QueueNotFound", err_last_name());
        assert_null(out);
    }
    json_decref(res);

    /* refusals used up nothing: the FIFO queue's first sequence is 1 and
     * the first message after them is exactly at the limit */
    res = qt_send_res(f, "f.fifo",
                      "{\"body\": \"x\", \"group_id\": \"g\", "
                      "\"dedup_id\": \"d\"}",
                      NULL);
    assert_int_equal(1, qt_int(res, "sequence"));
    json_decref(res);
    memset(big, 'y', 1024);
    big[1024] = '\0';
    qt_send_body(f, "s", big, NULL);
    qt_assert_recv(f, "s", 1, "before");
}

static const struct {
    const char *entries;
    const char *name;
} bad_batches[] = {
    {"[]", "EmptyBatchRequest"},
    {"{}", NULL},
    {"[{\"id\": \"a\", \"body\": \"x\"}, {\"id\": \"a\", \"body\": \"y\"}]",
     "BatchEntryIdsNotDistinct"},
    {"[{\"id\": \"a\", \"body\": \"x\"}, {\"id\": \"b\", \"body\": \"y\"},"
     " {\"id\": \"c\", \"body\": \"z\"}, {\"id\": \"b\", \"body\": \"w\"}]",
     "BatchEntryIdsNotDistinct"},
    {"[{\"id\": \"a\", \"body\": \"x\"}, {\"body\": \"y\"}]",
     "InvalidBatchEntryId"},
    {"[{\"id\": \"a b\", \"body\": \"x\"}]", "InvalidBatchEntryId"},
    {"[{\"id\": \"\", \"body\": \"x\"}]", "InvalidBatchEntryId"},
    {"[{\"id\": 1, \"body\": \"x\"}]", "InvalidBatchEntryId"},
    {"[\"x\"]", "InvalidBatchEntryId"},
};

static void
test_queue_batch_whole_refusals(void **state)
{
    struct qtest *f = *state;
    json_t *many = json_array(), *out;

    qt_create(f, "q", NULL);
    for (size_t i = 0; i < NELEM(bad_batches); i++) {
        json_t *e = qt_json(bad_batches[i].entries);
        int rc;

        out = (json_t *)1;
        rc = queue_send_batch(&out, f->qs, "q", e);
        json_decref(e);
        if (rc != ENG_EINVAL ||
            (bad_batches[i].name &&
             strcmp(err_last_name(), bad_batches[i].name) != 0))
            fail_msg("batch %s: %d %s, want %s", bad_batches[i].entries, rc,
                     err_last_name(), bad_batches[i].name);
        assert_null(out);
    }
    for (int i = 0; i <= QUEUE_BATCH_MAX; i++) {
        char id[8];

        snprintf(id, sizeof(id), "e%d", i);
        json_array_append_new(many, json_pack("{s:s, s:s}", "id", id, "body",
                                              "x"));
    }
    assert_int_equal(ENG_EINVAL, queue_send_batch(&out, f->qs, "q", many));
    assert_string_equal("TooManyEntriesInBatchRequest", err_last_name());
    json_array_remove(many, 0);
    /* 16 is allowed */
    assert_int_equal(0, queue_send_batch(&out, f->qs, "q", many));
    assert_int_equal(QUEUE_BATCH_MAX,
                     json_array_size(json_object_get(out, "successful")));
    json_decref(out);
    json_decref(many);
    qt_assert_counts(f, "q", "16/0/0/16");
}

/* A batch on a standard queue stores each entry with one statement per
 * table: what it stores, answers and journals must be what sending the
 * same messages one by one gives (but for ids and the queue's name). */
static void
test_queue_batch_same_as_one_by_one(void **state)
{
    static const char *const msgs[] = {
        "{\"body\": \"one\"}",
        "{\"body\": \"two\", \"priority\": 3, \"delay_seconds\": 7}",
        "{\"body\": \"th\\\"ree\\n\", \"group_id\": \"g\", "
        "\"dedup_id\": \"d\", \"attributes\": {\"k\": {\"type\": "
        "\"Number\", \"value\": \"1.5\"}}, \"system\": "
        "{\"AWSTraceHeader\": \"t\"}}",
        "{\"body\": \"four\", \"delay_seconds\": 0}",
    };
    struct qtest *f = *state;
    char one[NELEM(msgs)][QT_ID], types[2][QT_STR];
    json_t *batch = json_array(), *out = NULL, *ok;

    qt_create(f, "a", "{\"delay_seconds\": 2}");
    qt_create(f, "b", "{\"delay_seconds\": 2}");
    qt_at(f, 5000);
    for (size_t i = 0; i < NELEM(msgs); i++) {
        json_t *e = qt_json(msgs[i]);
        char eid[8];

        qt_send(f, "a", msgs[i], one[i]);
        snprintf(eid, sizeof(eid), "e%zu", i);
        json_object_set_new(e, "id", json_string(eid));
        json_array_append_new(batch, e);
        if (i == 1) /* a bad entry between good ones */
            json_array_append_new(batch, qt_json("{\"id\": \"x\", "
                                                 "\"priority\": 99}"));
    }
    assert_int_equal(0, queue_send_batch(&out, f->qs, "b", batch));
    json_decref(batch);
    ok = json_object_get(out, "successful");
    assert_int_equal(NELEM(msgs), json_array_size(ok));
    assert_int_equal(1, json_array_size(json_object_get(out, "failed")));
    for (size_t i = 0; i < NELEM(msgs); i++) {
        json_t *res = json_array_get(ok, i);
        const char *bid = qt_str(res, "id");
        json_t *ma = qt_msg(f, "a", one[i]), *mb = qt_msg(f, "b", bid);
        json_t *ja = qt_journal(f, "message", one[i]);
        json_t *jb = qt_journal(f, "message", bid);
        json_t *ia = json_object_get(ja, "items");
        json_t *ib = json_object_get(jb, "items");

        assert_int_equal(3, json_object_size(res));
        assert_string_equal(qt_str(ma, "body_md5"), qt_str(res, "body_md5"));
        json_object_del(ma, "id");
        json_object_del(mb, "id");
        if (!json_equal(ma, mb))
            fail_msg("message %zu differs: %s vs %s", i,
                     json_dumps(ma, JSON_SORT_KEYS),
                     json_dumps(mb, JSON_SORT_KEYS));
        qt_list(types[0], sizeof(types[0]), ia, "type");
        qt_list(types[1], sizeof(types[1]), ib, "type");
        assert_string_equal(types[0], types[1]);
        for (size_t k = 0; k < json_array_size(ia); k++) {
            json_t *da = json_object_get(json_array_get(ia, k), "detail");
            json_t *db = json_object_get(json_array_get(ib, k), "detail");

            json_object_del(da, "queue");
            json_object_del(db, "queue");
            assert_true(json_equal(da, db));
            assert_string_equal(
                qt_str(json_array_get(ia, k), "time"),
                qt_str(json_array_get(ib, k), "time"));
        }
        json_decref(ma);
        json_decref(mb);
        json_decref(ja);
        json_decref(jb);
    }
    json_decref(out);
    qt_assert_counts(f, "a", "1/0/3/4");
    qt_assert_counts(f, "b", "1/0/3/4");
}

static void
test_queue_batch_bad_entry_stores_others(void **state)
{
    struct qtest *f = *state;
    json_t *e, *out = NULL, *it;
    char ok[QT_STR], bad[QT_STR];
    size_t i;

    qt_create(f, "q", NULL);
    e = qt_json("[{\"id\": \"e1\", \"body\": \"one\", \"priority\": 2},"
                " {\"id\": \"e2\", \"body\": \"two\", \"priority\": 0},"
                " {\"id\": \"e3\", \"body\": \"three\"},"
                " {\"id\": \"e4\"},"
                " {\"id\": \"e5\", \"body\": \"five\", \"delay_seconds\": 5}]");
    assert_int_equal(0, queue_send_batch(&out, f->qs, "q", e));
    json_decref(e);
    qt_list(ok, sizeof(ok), json_object_get(out, "successful"), "entry_id");
    qt_list(bad, sizeof(bad), json_object_get(out, "failed"), "id");
    assert_string_equal("e1,e3,e5", ok);
    assert_string_equal("e2,e4", bad);
    json_array_foreach(json_object_get(out, "failed"), i, it) {
        assert_string_equal(i ? "MissingParameter" : "InvalidArgument",
                            qt_str(it, "code"));
        assert_non_null(strstr(qt_str(it, "message"),
                               i ? "body" : "priority"));
    }
    /* each success carries its message id */
    json_array_foreach(json_object_get(out, "successful"), i, it)
        assert_int_equal(33, strlen(qt_str(it, "id")));
    json_decref(out);

    qt_assert_counts(f, "q", "2/0/1/3");
    assert_int_equal(3, qt_rows(f, "messages"));
    qt_tick(f, 5000);
    qt_assert_recv(f, "q", QUEUE_BATCH_MAX, "one,three,five");
}

static void
test_queue_bad_receive_changes_nothing(void **state)
{
    struct qtest *f = *state;
    static const struct queue_recv bad[] = {
        {0, -1, 0},
        {QUEUE_BATCH_MAX + 1, -1, 0},
        {-1, -1, 0},
        {1, 43200001, 0},
        {1, -1, QUEUE_WAIT_MAX_S * 1000 + 1},
    };
    int64_t journal;

    qt_create(f, "q", NULL);
    qt_send_body(f, "q", "a", NULL);
    journal = journal_count(f->eng->store);
    for (size_t i = 0; i < NELEM(bad); i++) {
        struct queue_waiter *w = (struct queue_waiter *)1;
        struct qt_wait cb = {0, NULL};
        struct queue_msgs *out = (struct queue_msgs *)1;
        int rc = queue_receive(&out, &w, f->qs, "q", &bad[i], qt_wait_done,
                               &cb);

        if (rc != ENG_EINVAL)
            fail_msg("case %zu: rc %d, want ENG_EINVAL", i, rc);
        assert_null(out);
        assert_null(w);
        assert_int_equal(0, cb.calls);
    }
    assert_int_equal(journal, journal_count(f->eng->store));
    qt_assert_counts(f, "q", "1/0/0/1");
    {
        struct queue_msgs *out = (struct queue_msgs *)1;
        struct queue_recv r = {1, -1, 0};

        assert_int_equal(ENG_ENOTFOUND, queue_receive(&out, NULL, f->qs,
                                                      "nope", &r, NULL, NULL));
        assert_null(out);
    }
    /* the message was never received */
    {
        json_t *m = qt_recv1(f, "q", -1);

        assert_int_equal(1, qt_int(m, "dequeue_count"));
        json_decref(m);
    }
}

static void
test_queue_delete_batch(void **state)
{
    struct qtest *f = *state;
    char r[3][64], stale[64];
    json_t *arr, *out = NULL, *rs;
    char codes[QT_STR];

    qt_create(f, "q", "{\"visibility_timeout\": 10}");
    qt_send_body(f, "q", "a", NULL);
    qt_send_body(f, "q", "b", NULL);
    qt_send_body(f, "q", "c", NULL);
    arr = qt_recv(f, "q", 3, -1);
    for (int i = 0; i < 3; i++)
        snprintf(r[i], sizeof(r[i]), "%s",
                 qt_str(json_array_get(arr, (size_t)i), "receipt"));
    json_decref(arr);
    /* c comes back and is received again: its first handle is stale */
    snprintf(stale, sizeof(stale), "%s", r[2]);
    qt_tick(f, 10000);
    {
        json_t *m;

        assert_int_equal(0, queue_delete_msg(f->qs, "q", r[0]));
        assert_int_equal(0, queue_delete_msg(f->qs, "q", r[1]));
        m = qt_recv1(f, "q", -1);
        assert_string_equal("c", qt_str(m, "body"));
        snprintf(r[2], sizeof(r[2]), "%s", qt_str(m, "receipt"));
        json_decref(m);
    }
    qt_send_body(f, "q", "d", NULL);
    arr = qt_recv(f, "q", 1, -1);
    snprintf(r[0], sizeof(r[0]), "%s",
             qt_str(json_array_get(arr, 0), "receipt"));
    json_decref(arr);
    qt_assert_counts(f, "q", "0/2/0/2");

    /* a repeated handle refuses the whole batch */
    rs = json_pack("[s, s]", r[0], r[0]);
    assert_int_equal(ENG_EINVAL, queue_delete_batch(&out, f->qs, "q", rs));
    assert_string_equal("BatchEntryIdsNotDistinct", err_last_name());
    json_decref(rs);
    rs = json_pack("[s, i]", r[0], 5);
    assert_int_equal(ENG_EINVAL, queue_delete_batch(&out, f->qs, "q", rs));
    json_decref(rs);
    rs = json_array();
    assert_int_equal(ENG_EINVAL, queue_delete_batch(&out, f->qs, "q", rs));
    json_decref(rs);
    qt_assert_counts(f, "q", "0/2/0/2");

    /* bad entries fail alone */
    rs = json_pack("[s, s, s, s]", r[0], "junk", stale, r[2]);
    assert_int_equal(0, queue_delete_batch(&out, f->qs, "q", rs));
    json_decref(rs);
    assert_int_equal(2, qt_int(out, "deleted"));
    qt_list(codes, sizeof(codes), json_object_get(out, "failed"), "code");
    assert_string_equal("ReceiptHandleInvalid,ReceiptHandleStale", codes);
    qt_list(codes, sizeof(codes), json_object_get(out, "failed"), "receipt");
    assert_non_null(strstr(codes, "junk,"));
    json_decref(out);
    qt_assert_counts(f, "q", "0/0/0/0");
}

/* ---- queues ---- */

static const struct {
    const char *name;
    const char *attrs;
    int rc;
    const char *needle;
} bad_creates[] = {
    {"", NULL, ENG_EINVAL, "name"},
    {"-x", NULL, ENG_EINVAL, "name"},
    {"a b", NULL, ENG_EINVAL, "name"},
    {"plain.fifo", NULL, ENG_EINVAL, "fifo"},
    {"nofifo", "{\"fifo\": true}", ENG_EINVAL, ".fifo"},
    {"x", "{\"visibility_timeout\": 43201}", ENG_EINVAL,
     "visibility_timeout"},
    {"x", "{\"retention_seconds\": 59}", ENG_EINVAL, "retention_seconds"},
    {"x", "{\"delay_seconds\": -1}", ENG_EINVAL, "delay_seconds"},
    {"x", "{\"wait_seconds\": 31}", ENG_EINVAL, "wait_seconds"},
    {"x", "{\"max_message_size\": 1023}", ENG_EINVAL, "max_message_size"},
    {"x", "{\"colour\": 1}", ENG_EINVAL, "colour"},
    {"x", "{\"content_dedup\": true}", ENG_EINVAL, "content_dedup"},
    {"x", "{\"dead_letter_queue\": \"nope\", \"max_receives\": 3}",
     ENG_EINVAL, "nope"},
    {"x", "{\"dead_letter_queue\": \"dlq\"}", ENG_EINVAL, "max_receives"},
    {"x", "{\"max_receives\": 3}", ENG_EINVAL, "dead_letter_queue"},
    {"x", "{\"dead_letter_queue\": \"x\", \"max_receives\": 3}", ENG_EINVAL,
     "own"},
    {"x", "{\"dead_letter_queue\": \"d.fifo\", \"max_receives\": 3}",
     ENG_EINVAL, "d.fifo"},
    {"dlq", "{\"visibility_timeout\": 5}", ENG_EEXISTS,
     "visibility_timeout"},
};

static void
test_queue_create_refusals(void **state)
{
    struct qtest *f = *state;
    json_t *out;
    int created;

    qt_create(f, "dlq", NULL);
    qt_create(f, "d.fifo", "{\"fifo\": true}");
    for (size_t i = 0; i < NELEM(bad_creates); i++) {
        json_t *a = bad_creates[i].attrs ? qt_json(bad_creates[i].attrs)
                                         : NULL;
        int rc;

        out = (json_t *)1;
        created = -1;
        rc = queue_create(&out, &created, f->qs, bad_creates[i].name, a);
        json_decref(a);
        if (rc != bad_creates[i].rc ||
            strstr(err_last(), bad_creates[i].needle) == NULL)
            fail_msg("case %zu: %d '%s', want %d naming '%s'", i, rc,
                     err_last(), bad_creates[i].rc, bad_creates[i].needle);
        assert_null(out);
        assert_int_equal(0, created);
    }
    {
        char totals[128];

        qt_totals(totals, sizeof(totals), f);
        assert_string_equal("2/0/0/0/0/0", totals);
    }
    assert_int_equal(ENG_ENOTFOUND, queue_get(&out, f->qs, "x"));
    /* the same attributes again: no change, not an error */
    assert_int_equal(0, queue_create(&out, &created, f->qs, "dlq", NULL));
    assert_int_equal(0, created);
    json_decref(out);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, qt_setup, qt_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_queue_priority_order),
        T(test_queue_returned_message_keeps_its_place),
        T(test_queue_receive_fields),
        T(test_queue_receive_text_odd_rows),
        T(test_queue_delay),
        T(test_queue_many_deadlines),
        T(test_queue_visibility_returns_message),
        T(test_queue_receipt_stale),
        T(test_queue_receipt_malformed),
        T(test_queue_change_visibility),
        T(test_queue_counts_through_transitions),
        T(test_queue_peek_filters),
        T(test_queue_peek_changes_nothing),
        T(test_queue_peek_paging),
        T(test_queue_peek_self_short_page),
        T(test_queue_peek_cursor_after_delete),
        T(test_queue_peek_empty_and_bad_input),
        T(test_queue_get_and_remove_by_id),
        T(test_queue_bad_send_changes_nothing),
        T(test_queue_batch_whole_refusals),
        T(test_queue_batch_same_as_one_by_one),
        T(test_queue_batch_bad_entry_stores_others),
        T(test_queue_bad_receive_changes_nothing),
        T(test_queue_delete_batch),
        T(test_queue_create_refusals),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
