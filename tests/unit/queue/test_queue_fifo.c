/*
 * Unit tests for FIFO queues in the queue service: strict order within a
 * message group, a group locked while its head is in flight, one receive
 * returning each group's messages together, and de-duplication for five
 * minutes by dedup_id or by the SHA-256 of the body (content_dedup).
 */
#include "qtest.h"

#include "common/digest.h"

/* Send body to group g of q with dedup id body (unique per body). */
static void
fifo_send(struct qtest *f, const char *q, const char *g, const char *body,
          char *id)
{
    json_t *m = json_pack("{s:s, s:s, s:s}", "body", body, "group_id", g,
                          "dedup_id", body),
           *out = NULL;
    int rc = queue_send(&out, f->qs, q, m);

    json_decref(m);
    if (rc != 0)
        fail_msg("send %s/%s: %d %s", g, body, rc, err_last());
    assert_null(json_object_get(out, "duplicate"));
    if (id)
        snprintf(id, QT_ID, "%s", qt_str(out, "id"));
    json_decref(out);
}

static void
test_queue_fifo_sequence_and_fields(void **state)
{
    struct qtest *f = *state;
    json_t *res, *m;

    qt_create(f, "q.fifo", "{\"fifo\": true}");
    for (int i = 1; i <= 3; i++) {
        char msg[128];

        snprintf(msg, sizeof(msg),
                 "{\"body\": \"b%d\", \"group_id\": \"g\", "
                 "\"dedup_id\": \"d%d\"}",
                 i, i);
        res = qt_send_res(f, "q.fifo", msg, NULL);
        assert_int_equal(i, qt_int(res, "sequence"));
        json_decref(res);
    }
    m = qt_recv1(f, "q.fifo", -1);
    assert_string_equal("b1", qt_str(m, "body"));
    assert_string_equal("g", qt_str(m, "group_id"));
    assert_string_equal("d1", qt_str(m, "dedup_id"));
    assert_int_equal(1, qt_int(m, "sequence"));
    json_decref(m);
}

/* Each step receives one message and keeps it in flight, or first
 * deletes every message in flight ("del"): one message of a group at a
 * time, each group in send order. */
static void
test_queue_fifo_group_order(void **state)
{
    struct qtest *f = *state;
    static const struct {
        int del;
        const char *want;
    } steps[] = {
        {0, "a1"}, {0, "b1"}, {0, "c1"}, {0, ""}, {1, "a2"}, {0, "b2"},
        {0, ""},   {1, "a3"}, {0, ""},   {1, "a4"}, {1, ""},
    };
    char held[8][64];
    int nheld = 0;

    qt_create(f, "q.fifo", "{\"fifo\": true}");
    fifo_send(f, "q.fifo", "A", "a1", NULL);
    fifo_send(f, "q.fifo", "B", "b1", NULL);
    fifo_send(f, "q.fifo", "A", "a2", NULL);
    fifo_send(f, "q.fifo", "C", "c1", NULL);
    fifo_send(f, "q.fifo", "A", "a3", NULL);
    fifo_send(f, "q.fifo", "B", "b2", NULL);
    fifo_send(f, "q.fifo", "A", "a4", NULL);
    for (size_t i = 0; i < NELEM(steps); i++) {
        json_t *arr;
        char got[QT_STR];

        if (steps[i].del) {
            for (int k = 0; k < nheld; k++)
                assert_int_equal(0,
                                 queue_delete_msg(f->qs, "q.fifo", held[k]));
            nheld = 0;
        }
        arr = qt_recv(f, "q.fifo", 1, -1);
        qt_list(got, sizeof(got), arr, "body");
        if (json_array_size(arr)) {
            assert_true(nheld < (int)NELEM(held));
            snprintf(held[nheld++], sizeof(held[0]), "%s",
                     qt_str(json_array_get(arr, 0), "receipt"));
        }
        json_decref(arr);
        if (strcmp(got, steps[i].want) != 0)
            fail_msg("step %zu: '%s', want '%s'", i, got, steps[i].want);
    }
    qt_assert_counts(f, "q.fifo", "0/0/0/0");
}

/* A priority does not reorder a FIFO queue. */
static void
test_queue_fifo_ignores_priority(void **state)
{
    struct qtest *f = *state;

    qt_create(f, "q.fifo", "{\"fifo\": true}");
    qt_send(f, "q.fifo", "{\"body\": \"x\", \"group_id\": \"g1\", "
                         "\"dedup_id\": \"x\", \"priority\": 16}", NULL);
    qt_send(f, "q.fifo", "{\"body\": \"y\", \"group_id\": \"g2\", "
                         "\"dedup_id\": \"y\", \"priority\": 1}", NULL);
    qt_assert_recv(f, "q.fifo", QUEUE_BATCH_MAX, "x,y");
}

static void
test_queue_fifo_locked_group(void **state)
{
    struct qtest *f = *state;
    char got[QT_STR], r[64];
    json_t *m;

    qt_create(f, "q.fifo", "{\"fifo\": true, \"visibility_timeout\": 10}");
    fifo_send(f, "q.fifo", "A", "a1", NULL);
    fifo_send(f, "q.fifo", "A", "a2", NULL);
    fifo_send(f, "q.fifo", "B", "b1", NULL);

    m = qt_recv1(f, "q.fifo", -1);
    assert_string_equal("a1", qt_str(m, "body"));
    snprintf(r, sizeof(r), "%s", qt_str(m, "receipt"));
    json_decref(m);
    /* a2 is visible but waits behind a1 */
    qt_assert_counts(f, "q.fifo", "2/1/0/3");
    qt_recv_bodies(got, sizeof(got), f, "q.fifo", QUEUE_BATCH_MAX, 60000);
    assert_string_equal("b1", got);
    qt_assert_recv(f, "q.fifo", QUEUE_BATCH_MAX, "");

    /* a1 comes back first, and a2 only after it in the same receive */
    qt_tick(f, 9999);
    qt_assert_recv(f, "q.fifo", QUEUE_BATCH_MAX, "");
    qt_tick(f, 10000);
    qt_assert_recv(f, "q.fifo", 1, "a1");
    qt_assert_recv(f, "q.fifo", QUEUE_BATCH_MAX, "");
    assert_int_equal(ENG_EGONE, queue_delete_msg(f->qs, "q.fifo", r));

    /* a1 back again; with room for more, a1 then a2 */
    qt_tick(f, 20000);
    qt_recv_bodies(got, sizeof(got), f, "q.fifo", QUEUE_BATCH_MAX, -1);
    assert_string_equal("a1,a2", got); /* b1 is in flight for 60 s */
}

/* Deleting the head, or making it visible, unlocks the group. */
static void
test_queue_fifo_unlock(void **state)
{
    struct qtest *f = *state;
    char r[64];
    json_t *m, *out = NULL;

    qt_create(f, "q.fifo", "{\"fifo\": true}");
    fifo_send(f, "q.fifo", "A", "a1", NULL);
    fifo_send(f, "q.fifo", "A", "a2", NULL);
    fifo_send(f, "q.fifo", "A", "a3", NULL);
    m = qt_recv1(f, "q.fifo", -1);
    snprintf(r, sizeof(r), "%s", qt_str(m, "receipt"));
    json_decref(m);
    qt_assert_recv(f, "q.fifo", 1, "");
    assert_int_equal(0, queue_delete_msg(f->qs, "q.fifo", r));
    m = qt_recv1(f, "q.fifo", -1);
    assert_string_equal("a2", qt_str(m, "body"));
    snprintf(r, sizeof(r), "%s", qt_str(m, "receipt"));
    json_decref(m);
    qt_assert_recv(f, "q.fifo", 1, "");
    assert_int_equal(0, queue_change_visibility(&out, f->qs, "q.fifo", r, 0));
    json_decref(out);
    qt_assert_recv(f, "q.fifo", 3, "a2,a3");
}

static const struct {
    const char *sends[8]; /* "group:body", in order */
    int max;
    const char *want;
} contiguous_cases[] = {
    {{"A:a1", "B:b1", "A:a2", "C:c1", "B:b2", "A:a3", NULL}, 10,
     "a1,a2,a3,b1,b2,c1"},
    {{"A:a1", "B:b1", "A:a2", NULL}, 10, "a1,a2,b1"},
    {{"B:b1", "A:a1", "B:b2", "A:a2", NULL}, 10, "b1,b2,a1,a2"},
    /* max cuts by receive order first, then groups are put together */
    {{"A:a1", "B:b1", "A:a2", "C:c1", "A:a3", NULL}, 3, "a1,a2,b1"},
    {{"A:a1", "B:b1", "C:c1", NULL}, 10, "a1,b1,c1"},
};

static void
test_queue_fifo_contiguous_groups(void **state)
{
    struct qtest *f = *state;

    for (size_t c = 0; c < NELEM(contiguous_cases); c++) {
        char q[32], got[QT_STR];

        snprintf(q, sizeof(q), "q%zu.fifo", c);
        qt_create(f, q, "{\"fifo\": true}");
        for (size_t i = 0; contiguous_cases[c].sends[i]; i++) {
            char g[8];
            const char *s = contiguous_cases[c].sends[i];

            snprintf(g, sizeof(g), "%.*s", (int)(strchr(s, ':') - s), s);
            fifo_send(f, q, g, strchr(s, ':') + 1, NULL);
        }
        qt_recv_bodies(got, sizeof(got), f, q, contiguous_cases[c].max, -1);
        if (strcmp(got, contiguous_cases[c].want) != 0)
            fail_msg("case %zu: '%s', want '%s'", c, got,
                     contiguous_cases[c].want);
    }
}

/* A FIFO queue's delay holds every group back in order. */
static void
test_queue_fifo_queue_delay(void **state)
{
    struct qtest *f = *state;

    qt_create(f, "q.fifo", "{\"fifo\": true, \"delay_seconds\": 5}");
    fifo_send(f, "q.fifo", "A", "a1", NULL);
    qt_at(f, 1000);
    fifo_send(f, "q.fifo", "A", "a2", NULL);
    qt_assert_counts(f, "q.fifo", "0/0/2/2");
    qt_tick(f, 4999);
    qt_assert_recv(f, "q.fifo", 10, "");
    qt_tick(f, 5000);
    qt_assert_recv(f, "q.fifo", 10, "a1");
    qt_tick(f, 6000);
    qt_assert_recv(f, "q.fifo", 10, ""); /* a2 visible, behind a1 */
}

/* ---- de-duplication ---- */

struct dedup_step {
    int64_t at;       /* ms from T0 */
    const char *body;
    const char *dedup; /* NULL: none */
    int dup_of;       /* -1: new; else the step whose id comes back */
};

static const struct {
    const char *attrs;
    struct dedup_step steps[6];
    int nsteps;
} dedup_cases[] = {
    /* by dedup_id: the window is five minutes from the first send */
    {"{\"fifo\": true}",
     {{0, "x", "k", -1},
      {299000, "x", "k", 0},  /* +4:59 */
      {299999, "x", "k", 0},
      {301000, "x", "k", -1}, /* +5:01 */
      {302000, "x", "k", 3}},
     5},
    /* exactly five minutes: a duplicate to the last millisecond of them,
     * new at the first after */
    {"{\"fifo\": true}",
     {{0, "x", "k", -1}, {299999, "x", "k", 0}, {300000, "x", "k", -1}},
     3},
    /* the key is the dedup_id, whatever the body */
    {"{\"fifo\": true}",
     {{0, "x", "k", -1}, {1000, "y", "k", 0}, {2000, "x", "k2", -1}},
     3},
    /* a duplicate does not extend the window */
    {"{\"fifo\": true}",
     {{0, "x", "k", -1}, {200000, "x", "k", 0}, {301000, "x", "k", -1}},
     3},
    /* content_dedup: the SHA-256 of the body */
    {"{\"fifo\": true, \"content_dedup\": true}",
     {{0, "x", NULL, -1},
      {299000, "x", NULL, 0},
      {299500, "y", NULL, -1},
      {301000, "x", NULL, -1},
      {302000, "y", NULL, 2}},
     5},
    /* with content_dedup, a dedup_id still wins */
    {"{\"fifo\": true, \"content_dedup\": true}",
     {{0, "x", NULL, -1},
      {1000, "x", "k", -1},
      {2000, "y", "k", 1},
      {3000, "x", NULL, 0}},
     4},
};

static void
test_queue_fifo_dedup_window(void **state)
{
    struct qtest *f = *state;

    for (size_t c = 0; c < NELEM(dedup_cases); c++) {
        char q[32], ids[6][QT_ID];
        int nnew = 0;

        snprintf(q, sizeof(q), "d%zu.fifo", c);
        qt_at(f, (int64_t)c * 1000000);
        qt_create(f, q, dedup_cases[c].attrs);
        for (int i = 0; i < dedup_cases[c].nsteps; i++) {
            const struct dedup_step *s = &dedup_cases[c].steps[i];
            json_t *m = json_pack("{s:s, s:s}", "body", s->body, "group_id",
                                  "g"),
                   *out = NULL;
            int64_t journal = journal_count(f->eng->store);
            char counts[32];

            if (s->dedup)
                json_object_set_new(m, "dedup_id", json_string(s->dedup));
            qt_at(f, (int64_t)c * 1000000 + s->at);
            assert_int_equal(0, queue_send(&out, f->qs, q, m));
            json_decref(m);
            snprintf(ids[i], QT_ID, "%s", qt_str(out, "id"));
            if (s->dup_of < 0) {
                nnew++;
                if (json_object_get(out, "duplicate"))
                    fail_msg("case %zu step %d: a duplicate, want new", c,
                             i);
                for (int k = 0; k < i; k++)
                    assert_string_not_equal(ids[k], ids[i]);
                assert_int_equal(nnew, qt_int(out, "sequence"));
            } else {
                if (!json_is_true(json_object_get(out, "duplicate")))
                    fail_msg("case %zu step %d: new, want a duplicate", c, i);
                if (strcmp(ids[i], ids[s->dup_of]) != 0)
                    fail_msg("case %zu step %d: id %s, want step %d's %s", c,
                             i, ids[i], s->dup_of, ids[s->dup_of]);
                assert_null(json_object_get(out, "sequence"));
                /* journalled against the original, and nothing stored */
                assert_int_equal(journal + 1, journal_count(f->eng->store));
            }
            json_decref(out);
            snprintf(counts, sizeof(counts), "%d/0/0/%d", nnew, nnew);
            qt_assert_counts(f, q, counts);
        }
    }
}

/* The content key is exactly the SHA-256 of the body. */
static void
test_queue_fifo_content_dedup_key(void **state)
{
    struct qtest *f = *state;
    char id[QT_ID], sha[DIGEST_SHA256_HEX];
    json_t *d;

    qt_create(f, "c.fifo", "{\"fifo\": true, \"content_dedup\": true}");
    qt_send(f, "c.fifo", "{\"body\": \"hello\", \"group_id\": \"g\"}", id);
    qt_send(f, "c.fifo", "{\"body\": \"hello\", \"group_id\": \"h\"}", NULL);
    digest_sha256_hex(sha, "hello", 5);
    d = qt_journal_detail(f, id, "deduplicated");
    assert_string_equal(sha, qt_str(d, "dedup_key"));
    assert_string_equal("c.fifo", qt_str(d, "queue"));
    json_decref(d);
    qt_assert_counts(f, "c.fifo", "1/0/0/1");
}

/* De-duplication outlives the message, and is per queue. */
static void
test_queue_fifo_dedup_after_delete(void **state)
{
    struct qtest *f = *state;
    char id[QT_ID], again[QT_ID], other[QT_ID];
    json_t *m;

    qt_create(f, "a.fifo", "{\"fifo\": true}");
    qt_create(f, "b.fifo", "{\"fifo\": true}");
    fifo_send(f, "a.fifo", "g", "x", id);
    m = qt_recv1(f, "a.fifo", -1);
    assert_int_equal(0, queue_delete_msg(f->qs, "a.fifo",
                                         qt_str(m, "receipt")));
    json_decref(m);
    qt_at(f, 60000);
    qt_send(f, "a.fifo",
            "{\"body\": \"x\", \"group_id\": \"g\", \"dedup_id\": \"x\"}",
            again);
    assert_string_equal(id, again);
    qt_assert_counts(f, "a.fifo", "0/0/0/0");
    fifo_send(f, "b.fifo", "g", "x", other); /* another queue: new */
    assert_string_not_equal(id, other);
    qt_assert_counts(f, "b.fifo", "1/0/0/1");
}

/* dedup_id may be 128 characters; ids that differ only at the end are
 * different ids. */
static void
test_queue_fifo_dedup_long_ids(void **state)
{
    struct qtest *f = *state;
    char k1[129], k2[129], id1[QT_ID], id2[QT_ID];
    json_t *m, *out = NULL;
    int dup;

    qt_create(f, "q.fifo", "{\"fifo\": true}");
    memset(k1, 'k', 128);
    k1[128] = '\0';
    memcpy(k2, k1, sizeof(k2));
    k1[127] = '1';
    k2[127] = '2';

    m = json_pack("{s:s, s:s, s:s}", "body", "one", "group_id", "g",
                  "dedup_id", k1);
    assert_int_equal(0, queue_send(&out, f->qs, "q.fifo", m));
    snprintf(id1, sizeof(id1), "%s", qt_str(out, "id"));
    json_decref(out);
    json_decref(m);
    m = json_pack("{s:s, s:s, s:s}", "body", "two", "group_id", "g",
                  "dedup_id", k2);
    assert_int_equal(0, queue_send(&out, f->qs, "q.fifo", m));
    snprintf(id2, sizeof(id2), "%s", qt_str(out, "id"));
    dup = json_object_get(out, "duplicate") != NULL;
    json_decref(out);
    json_decref(m);
    if (dup)
        fail_msg("dedup_id ...%s was taken for a duplicate of ...%s "
                 "(message %s)",
                 k2 + 120, k1 + 120, id1);
    assert_string_not_equal(id1, id2);
    qt_assert_recv(f, "q.fifo", 10, "one,two");
}

/* ---- FIFO and dead letters ---- */

/* The head going to the dead-letter queue lets the next of its group go,
 * in the same receive. */
static void
test_queue_fifo_dead_letter_unblocks(void **state)
{
    struct qtest *f = *state;
    char id[QT_ID];
    json_t *m;

    qt_create(f, "d.fifo", "{\"fifo\": true}");
    qt_create(f, "q.fifo", "{\"fifo\": true, \"visibility_timeout\": 5, "
                           "\"dead_letter_queue\": \"d.fifo\", "
                           "\"max_receives\": 1}");
    fifo_send(f, "q.fifo", "A", "a1", id);
    fifo_send(f, "q.fifo", "A", "a2", NULL);
    qt_assert_recv(f, "q.fifo", 1, "a1");
    qt_tick(f, 5000);
    qt_assert_recv(f, "q.fifo", 1, "a2");
    m = qt_msg(f, "d.fifo", id);
    assert_string_equal("A", qt_str(m, "group_id"));
    assert_string_equal("q.fifo", qt_str(m, "source"));
    json_decref(m);
    qt_assert_recv(f, "d.fifo", 10, "a1");
}

/*
 * A redriven message rejoins its group; while a later message of that
 * group is in flight, the group is locked for it too: one message of a
 * group in flight at a time.
 */
static void
test_queue_fifo_redrive_keeps_group_lock(void **state)
{
    struct qtest *f = *state;
    char a1[QT_ID], got[QT_STR];
    json_t *out = NULL;

    qt_create(f, "d.fifo", "{\"fifo\": true}");
    qt_create(f, "q.fifo", "{\"fifo\": true, \"visibility_timeout\": 30, "
                           "\"dead_letter_queue\": \"d.fifo\", "
                           "\"max_receives\": 1}");
    fifo_send(f, "q.fifo", "A", "a1", a1);
    qt_assert_recv(f, "q.fifo", 1, "a1");
    qt_tick(f, 30000);
    qt_assert_recv(f, "q.fifo", 1, ""); /* a1 moves */
    qt_assert_counts(f, "d.fifo", "1/0/0/1");

    fifo_send(f, "q.fifo", "A", "a2", NULL);
    qt_assert_recv(f, "q.fifo", 1, "a2"); /* group A: a2 in flight */

    assert_int_equal(0, queue_redrive(&out, f->qs, "d.fifo", NULL, NULL));
    assert_int_equal(1, qt_int(out, "moved"));
    json_decref(out);
    qt_assert_counts(f, "q.fifo", "1/1/0/2");
    qt_recv_bodies(got, sizeof(got), f, "q.fifo", 10, -1);
    if (got[0] != '\0')
        fail_msg("received '%s' while a2 of the same group is in flight",
                 got);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, qt_setup, qt_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_queue_fifo_sequence_and_fields),
        T(test_queue_fifo_group_order),
        T(test_queue_fifo_ignores_priority),
        T(test_queue_fifo_locked_group),
        T(test_queue_fifo_unlock),
        T(test_queue_fifo_contiguous_groups),
        T(test_queue_fifo_queue_delay),
        T(test_queue_fifo_dedup_window),
        T(test_queue_fifo_content_dedup_key),
        T(test_queue_fifo_dedup_after_delete),
        T(test_queue_fifo_dedup_long_ids),
        T(test_queue_fifo_dead_letter_unblocks),
        T(test_queue_fifo_redrive_keeps_group_lock),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
