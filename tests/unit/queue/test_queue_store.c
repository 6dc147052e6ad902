/*
 * Unit tests for what the queue service keeps: retention (messages
 * removed when it ends, visible or in flight, with an "expired" record),
 * the journal of a message's life, and the index rebuilt from the store
 * after a restart (counts, deadlines, receipt handles, FIFO locks,
 * sequence and de-duplication all as they were).
 */
#include "qtest.h"
#include "queue/queue_int.h"

/* A message's journal as "type@ms,..." with ms from T0, by SQL. */
static void
store_journal_at(char *out, size_t n, struct qtest *f, const char *id)
{
    sqlite3_stmt *q = NULL;
    size_t len = 0;

    assert_int_equal(SQLITE_OK,
                     sqlite3_prepare_v2(store_db(f->eng->store),
                                        "SELECT type, ts_ms FROM journal_msg "
                                        "WHERE "
                                        "entity = ? ORDER BY seq",
                                        -1, &q, NULL));
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    out[0] = '\0';
    while (sqlite3_step(q) == SQLITE_ROW) {
        len += (size_t)snprintf(out + len, n - len, "%s%s@%lld",
                                len ? "," : "",
                                (const char *)sqlite3_column_text(q, 0),
                                (long long)(sqlite3_column_int64(q, 1) - T0));
        assert_true(len < n);
    }
    sqlite3_finalize(q);
}

#define assert_journal(f, id, want)                                          \
    do {                                                                     \
        char got_[QT_STR];                                                   \
        store_journal_at(got_, sizeof(got_), (f), (id));                     \
        if (strcmp(got_, (want)) != 0)                                       \
            fail_msg("journal of %s:\n  got  %s\n  want %s", (id), got_,     \
                     (want));                                                \
    } while (0)

/* ---- retention ---- */

static void
test_queue_retention_expires(void **state)
{
    struct qtest *f = *state;
    char v[QT_ID], fl[QT_ID], d[QT_ID], later[QT_ID], r[64];
    json_t *m, *det, *out = NULL;

    qt_create(f, "r", "{\"retention_seconds\": 60, "
                      "\"visibility_timeout\": 120}");
    qt_send_body(f, "r", "v", v);
    qt_send(f, "r", "{\"body\": \"f\", \"priority\": 1}", fl);
    qt_send(f, "r", "{\"body\": \"d\", \"delay_seconds\": 120}", d);
    qt_at(f, 10000);
    qt_send_body(f, "r", "later", later);
    qt_at(f, 30000);
    m = qt_recv1(f, "r", -1);
    assert_string_equal("f", qt_str(m, "body"));
    snprintf(r, sizeof(r), "%s", qt_str(m, "receipt"));
    json_decref(m);
    /* the next deadline is retention's end, not f's visibility (150 s) or
     * d's delay (120 s) */
    assert_int_equal(T0 + 60000, queue_service_next_due(f->qs));

    qt_tick(f, 59999);
    qt_assert_counts(f, "r", "2/1/1/4");
    qt_tick(f, 60000);
    qt_assert_counts(f, "r", "1/0/0/1");
    assert_int_equal(1, qt_rows(f, "messages"));
    assert_int_equal(T0 + 70000, queue_service_next_due(f->qs));
    assert_int_equal(ENG_EGONE, queue_delete_msg(f->qs, "r", r));
    assert_string_equal("ReceiptHandleStale", err_last_name());
    assert_int_equal(ENG_ENOTFOUND, queue_get_msg(&out, f->qs, "r", v));
    assert_journal(f, v, "sent@0,expired@60000");
    assert_journal(f, fl, "sent@0,received@30000,expired@60000");
    assert_journal(f, d, "sent@0,delayed@0,expired@60000");
    det = qt_journal_detail(f, fl, "expired");
    assert_string_equal("r", qt_str(det, "queue"));
    assert_int_equal(60, qt_int(det, "retention_seconds"));
    json_decref(det);

    /* retention runs from each message's own enqueue time */
    qt_tick(f, 69999);
    qt_assert_recv(f, "r", 1, "later");
    qt_tick(f, 70000);
    qt_assert_counts(f, "r", "0/0/0/0");
    assert_int_equal(0, qt_rows(f, "messages"));
    assert_journal(f, later, "sent@10000,received@69999,expired@70000");
}

/* Changing retention moves the deadlines of the messages already there. */
static void
test_queue_retention_change(void **state)
{
    struct qtest *f = *state;
    json_t *a, *out = NULL;

    qt_create(f, "short", "{\"retention_seconds\": 600}");
    qt_create(f, "long", "{\"retention_seconds\": 60}");
    qt_send_body(f, "short", "s", NULL);
    qt_send_body(f, "long", "l", NULL);

    qt_at(f, 100000);
    a = qt_json("{\"retention_seconds\": 60}");
    assert_int_equal(0, queue_set(&out, f->qs, "short", a));
    json_decref(a);
    json_decref(out);
    qt_tick(f, 100000);
    qt_assert_counts(f, "short", "0/0/0/0");

    /* long was due at 60 s, but the hand is past it only now: it went too;
     * a new one, then a longer retention */
    qt_assert_counts(f, "long", "0/0/0/0");
    qt_send_body(f, "long", "l2", NULL);
    a = qt_json("{\"retention_seconds\": 120}");
    assert_int_equal(0, queue_set(&out, f->qs, "long", a));
    json_decref(a);
    json_decref(out);
    qt_tick(f, 160000);
    qt_assert_counts(f, "long", "1/0/0/1");
    qt_tick(f, 219999);
    qt_assert_counts(f, "long", "1/0/0/1");
    qt_tick(f, 220000);
    qt_assert_counts(f, "long", "0/0/0/0");
}

/* ---- the journal ---- */

static void
test_queue_journal_lifecycle(void **state)
{
    struct qtest *f = *state;
    char id[QT_ID], id2[QT_ID], r[64], types[QT_STR];
    json_t *m, *out = NULL, *d;

    qt_create(f, "dlq", NULL);
    qt_create(f, "src", "{\"visibility_timeout\": 10, "
                        "\"dead_letter_queue\": \"dlq\", "
                        "\"max_receives\": 2}");
    qt_send_body(f, "src", "m", id);
    qt_assert_recv(f, "src", 1, "m");
    qt_tick(f, 10000);
    qt_assert_recv(f, "src", 1, "m");
    qt_tick(f, 20000);
    qt_assert_recv(f, "src", 1, "");
    qt_at(f, 25000);
    assert_int_equal(0, queue_redrive(&out, f->qs, "dlq", NULL, NULL));
    json_decref(out);
    m = qt_recv1(f, "src", -1);
    qt_at(f, 26000);
    assert_int_equal(0, queue_delete_msg(f->qs, "src", qt_str(m, "receipt")));
    json_decref(m);
    assert_journal(f, id,
                   "sent@0,received@0,returned@10000,received@10000,"
                   "returned@20000,dead_lettered@20000,redriven@25000,"
                   "received@25000,deleted@26000");
    /* the same through journal_list */
    qt_journal_types(types, sizeof(types), f, "message", id);
    assert_string_equal("sent,received,returned,received,returned,"
                        "dead_lettered,redriven,received,deleted",
                        types);
    d = qt_journal_detail(f, id, "returned");
    assert_int_equal(2, qt_int(d, "dequeue_count"));
    json_decref(d);
    d = qt_journal_detail(f, id, "deleted");
    assert_string_equal("receipt", qt_str(d, "by"));
    json_decref(d);

    /* delayed, received, visibility changed, removed by id */
    qt_at(f, 30000);
    qt_send(f, "src", "{\"body\": \"n\", \"delay_seconds\": 5}", id2);
    qt_tick(f, 35000); /* first visible: nothing "returned" */
    m = qt_recv1(f, "src", -1);
    snprintf(r, sizeof(r), "%s", qt_str(m, "receipt"));
    json_decref(m);
    assert_int_equal(0, queue_change_visibility(&out, f->qs, "src", r, 100));
    json_decref(out);
    qt_at(f, 36000);
    assert_int_equal(0, queue_remove_msg(f->qs, "src", id2));
    assert_journal(f, id2,
                   "sent@30000,delayed@30000,received@35000,"
                   "visibility_changed@35000,deleted@36000");
    d = qt_journal_detail(f, id2, "deleted");
    assert_string_equal("id", qt_str(d, "by"));
    json_decref(d);

    /* the queue's own records */
    {
        int64_t n;
        json_t *a = qt_json("{\"visibility_timeout\": 20}");

        assert_int_equal(0, queue_set(&out, f->qs, "src", a));
        json_decref(a);
        json_decref(out);
        assert_int_equal(0, queue_purge(&n, f->qs, "src"));
        assert_int_equal(0, queue_delete(f->qs, "src"));
    }
    qt_journal_types(types, sizeof(types), f, "queue", "src");
    assert_string_equal("created,changed,purged,deleted", types);
}

/* Receive n messages of q, all there; their receipts into r. */
static void
recv_receipts(struct qtest *f, const char *q, size_t n, char (*r)[64])
{
    json_t *arr = qt_recv(f, q, (int)n, -1);

    assert_int_equal(n, json_array_size(arr));
    for (size_t i = 0; i < n; i++)
        snprintf(r[i], sizeof(r[i]), "%s",
                 qt_str(json_array_get(arr, i), "receipt"));
    json_decref(arr);
}

/* Append to out the id of each message record of `type`, oldest first,
 * each followed by ','. */
static void
journal_ids(char *out, size_t size, struct qtest *f, const char *type)
{
    struct journal_query jq = {"message", NULL, type, 1, 0, 100};
    size_t len = strlen(out), i;
    json_t *res = NULL, *it;

    assert_int_equal(0, journal_list(&res, f->eng->store, &jq));
    json_array_foreach(json_object_get(res, "items"), i, it)
        len += (size_t)snprintf(out + len, size - len, "%s,",
                                qt_str(it, "id"));
    json_decref(res);
}

/* Queue "q" with n messages "m", all received: their ids and receipts. */
static void
sent_and_received(struct qtest *f, size_t n, char (*id)[QT_ID],
                  char (*r)[64])
{
    qt_create(f, "q", NULL);
    for (size_t i = 0; i < n; i++)
        qt_send_body(f, "q", "m", id[i]);
    recv_receipts(f, "q", n, r);
}

/* Batch delete the receipts rs (taken), which deletes `deleted`. */
static void
delete_receipts(struct qtest *f, json_t *rs, int deleted)
{
    json_t *out = NULL;

    assert_int_equal(0, queue_delete_batch(&out, f->qs, "q", rs));
    json_decref(rs);
    assert_int_equal(deleted, qt_int(out, "deleted"));
    json_decref(out);
}

/* The two messages left in "q" are whole: two rows a table, and once
 * their visibility ends they are received, with their bodies. */
static void
assert_two_left(struct qtest *f, const char *first, const char *second)
{
    json_t *arr;

    assert_int_equal(2, store_count(f->eng->store, "messages"));
    assert_int_equal(2, store_count(f->eng->store, "bodies"));
    arr = qt_recv(f, "q", 16, 0);
    assert_int_equal(0, json_array_size(arr));
    json_decref(arr);
    qt_tick(f, 60000);
    arr = qt_recv(f, "q", 16, -1);
    assert_int_equal(2, json_array_size(arr));
    assert_string_equal(first, qt_str(json_array_get(arr, 0), "id"));
    assert_string_equal(second, qt_str(json_array_get(arr, 1), "id"));
    assert_string_equal("m", qt_str(json_array_get(arr, 1), "body"));
    json_decref(arr);
}

/* A batch delete takes each found message's two rows, and journals them
 * in the order of the receipts. */
static void
test_queue_delete_batch_rows(void **state)
{
    struct qtest *f = *state;
    char id[5][QT_ID], r[5][64], want[5 * QT_ID], got[5 * QT_ID] = "";

    sent_and_received(f, 5, id, r);
    delete_receipts(f, json_pack("[s, s, s, s]", r[3], r[0], "junk", r[4]),
                    3);
    journal_ids(got, sizeof(got), f, "deleted");
    snprintf(want, sizeof(want), "%s,%s,%s,", id[3], id[0], id[4]);
    assert_string_equal(want, got);
    assert_two_left(f, id[1], id[2]);
}

/* A batch delete takes its ids a run at a time, one statement a table:
 * two ids with a gap between them are two runs, and the message in the
 * gap stays whole; a run given out of order is one. */
static void
test_queue_delete_batch_runs(void **state)
{
    struct qtest *f = *state;
    char id[7][QT_ID], r[7][64], want[6 * QT_ID], got[6 * QT_ID] = "";

    sent_and_received(f, 7, id, r);
    delete_receipts(f, json_pack("[s, s]", r[6], r[4]), 2);
    delete_receipts(f, json_pack("[s, s, s]", r[3], r[1], r[2]), 3);
    journal_ids(got, sizeof(got), f, "deleted");
    snprintf(want, sizeof(want), "%s,%s,%s,%s,%s,", id[6], id[4], id[3],
             id[1], id[2]);
    assert_string_equal(want, got);
    assert_two_left(f, id[0], id[5]);
}

/* The records of a delete and an expiry name each message by its id,
 * also after a restart, when the id is read from the row. */
static void
test_queue_restart_records_name_ids(void **state)
{
    struct qtest *f = *state;
    char id[3][QT_ID], r[2][64], want[4 * QT_ID], got[4 * QT_ID] = "";
    json_t *rs, *out = NULL;

    qt_create(f, "q", "{\"retention_seconds\": 60}");
    for (size_t i = 0; i < 3; i++)
        qt_send_body(f, "q", "m", id[i]);
    recv_receipts(f, "q", 2, r);
    qt_restart(f);
    rs = json_pack("[s, s]", r[1], r[0]);
    assert_int_equal(0, queue_delete_batch(&out, f->qs, "q", rs));
    json_decref(rs);
    assert_int_equal(2, qt_int(out, "deleted"));
    json_decref(out);
    qt_tick(f, 60000); /* id[2] expires */
    qt_assert_counts(f, "q", "0/0/0/0");
    journal_ids(got, sizeof(got), f, "deleted");
    journal_ids(got, sizeof(got), f, "expired");
    snprintf(want, sizeof(want), "%s,%s,%s,", id[1], id[0], id[2]);
    assert_string_equal(want, got);
}

/* A refused operation leaves no record. */
static void
test_queue_journal_nothing_on_refusal(void **state)
{
    struct qtest *f = *state;
    json_t *m, *out = NULL;
    int64_t n;

    qt_create(f, "q", NULL);
    qt_send_body(f, "q", "a", NULL);
    n = journal_count(f->eng->store);
    m = qt_json("{\"body\": \"\"}");
    assert_int_equal(ENG_EINVAL, queue_send(&out, f->qs, "q", m));
    json_decref(m);
    assert_int_equal(ENG_EINVAL, queue_delete_msg(f->qs, "q", "x"));
    assert_int_equal(ENG_EGONE,
                     queue_delete_msg(f->qs, "q",
                                      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    assert_int_equal(ENG_ENOTFOUND, queue_remove_msg(f->qs, "q", "x"));
    assert_int_equal(n, journal_count(f->eng->store));
}

/* ---- restart ---- */

/* Checks the subtree at m is a red-black tree in `cmp` order, below
 * `parent`: no red node with a red child, parent links right. Returns: its
 * black height; its size goes to *n. */
#define TREE_CHECK(fn, field, cmp)                                          \
    static int fn(struct qmsg *m, struct qmsg *parent, size_t *n)          \
    {                                                                       \
        int lh, rh;                                                         \
                                                                            \
        if (m == NULL)                                                      \
            return 1;                                                       \
        assert_ptr_equal(parent, RB_PARENT(m, field));                      \
        if (RB_COLOR(m, field) == RB_RED && parent)                         \
            assert_int_equal(RB_BLACK, RB_COLOR(parent, field));            \
        if (RB_LEFT(m, field))                                              \
            assert_true(cmp(RB_LEFT(m, field), m) < 0);                     \
        if (RB_RIGHT(m, field))                                             \
            assert_true(cmp(m, RB_RIGHT(m, field)) < 0);                    \
        lh = fn(RB_LEFT(m, field), m, n);                                   \
        rh = fn(RB_RIGHT(m, field), m, n);                                  \
        assert_int_equal(lh, rh);                                           \
        ++*n;                                                               \
        return lh + (RB_COLOR(m, field) == RB_BLACK);                       \
    }

TREE_CHECK(tree_check_ids, by_id, qmsg_id_cmp)
TREE_CHECK(tree_check_ranks, by_rank, qmsg_rank_cmp)

/* Both trees of queue `name` are sound and hold `all` and `ready`. */
static void
assert_trees(struct qtest *f, const char *name, size_t all, size_t ready)
{
    struct queue *q = queue_find(f->qs, name);
    size_t n = 0;

    assert_non_null(q);
    assert_true(RB_ROOT(&q->all) == NULL ||
                RB_COLOR(RB_ROOT(&q->all), by_id) == RB_BLACK);
    tree_check_ids(RB_ROOT(&q->all), NULL, &n);
    assert_int_equal(all, n);
    n = 0;
    tree_check_ranks(RB_ROOT(&q->ready), NULL, &n);
    assert_int_equal(ready, n);
}

/* The index a restart builds is a sound pair of trees: when every message
 * is visible at one priority (both trees built in one walk) and when some
 * are not, for every size up to a few full levels; and the trees stay
 * sound as receives, sends and deletes change them. */
static void
test_queue_restart_builds_sound_trees(void **state)
{
    struct qtest *f = *state;
    char id[QT_ID], want[QT_STR] = "";
    json_t *m;

    qt_create(f, "one", NULL);
    qt_create(f, "mixed", NULL);
    for (size_t n = 0; n < 40; n++) {
        qt_restart(f);
        assert_trees(f, "one", n, n);
        assert_trees(f, "mixed", n, n - n / 3);
        qt_send_body(f, "one", "m", id);
        qt_send(f, "mixed",
                n % 3 == 2 ? "{\"body\": \"d\", \"delay_seconds\": 60}"
                           : "{\"body\": \"m\", \"priority\": 4}",
                NULL);
    }
    for (int i = 0; i < 16; i++)
        strcat(want, i ? ",m" : "m");
    qt_restart(f);
    qt_assert_recv(f, "one", QUEUE_BATCH_MAX, want);
    qt_send(f, "one", "{\"body\": \"first\", \"priority\": 1}", NULL);
    assert_trees(f, "one", 41, 25);
    m = qt_recv1(f, "one", -1);
    assert_string_equal("first", qt_str(m, "body"));
    assert_trees(f, "one", 41, 24);
    assert_int_equal(0,
                     queue_delete_msg(f->qs, "one", qt_str(m, "receipt")));
    json_decref(m);
    assert_trees(f, "one", 40, 24);
}

/* The function the load reads the rows through answers only a load: a
 * statement of its own gets an error, and the index is untouched. */
static void
test_queue_load_function_only_in_a_load(void **state)
{
    struct qtest *f = *state;
    sqlite3_stmt *q;
    char id[QT_ID];

    qt_create(f, "q", NULL);
    qt_send_body(f, "q", "m", id);
    qt_restart(f);
    q = store_stmt(f->eng->store,
                   "SELECT flowdeck_queue_load(id, queue_id, priority, "
                   "enqueued_ms, visible_ms, dequeue_count, receipt, "
                   "group_id, seq) FROM messages");
    assert_non_null(q);
    assert_int_equal(SQLITE_ERROR, sqlite3_step(q));
    assert_string_equal("queues are not being loaded",
                        sqlite3_errmsg(store_db(f->eng->store)));
    store_done(q);
    qt_assert_counts(f, "q", "1/0/0/1");
}

struct snapshot {
    json_t *queues[3];
    json_t *peeks[3];
    json_t *totals;
    int64_t next_due;
    int64_t journal;
};

static const char *const restart_queues[3] = {"std", "dlq", "f.fifo"};

static void
snapshot_take(struct snapshot *s, struct qtest *f)
{
    for (int i = 0; i < 3; i++) {
        assert_int_equal(0, queue_get(&s->queues[i], f->qs,
                                      restart_queues[i]));
        assert_int_equal(0, queue_peek(&s->peeks[i], f->qs,
                                       restart_queues[i], "all", 0, 0, 1000));
    }
    s->totals = queue_service_counts(f->qs);
    /* no pending "new" flag may stand in for the next deadline */
    queue_service_run(f->qs);
    s->next_due = queue_service_next_due(f->qs);
    s->journal = journal_count(f->eng->store);
}

static void
snapshot_free(struct snapshot *s)
{
    for (int i = 0; i < 3; i++) {
        json_decref(s->queues[i]);
        json_decref(s->peeks[i]);
    }
    json_decref(s->totals);
}

static void
snapshot_assert_equal(const struct snapshot *a, const struct snapshot *b)
{
    for (int i = 0; i < 3; i++) {
        if (!json_equal(a->queues[i], b->queues[i])) {
            char *x = json_dumps(a->queues[i], JSON_SORT_KEYS);
            char *y = json_dumps(b->queues[i], JSON_SORT_KEYS);

            fprintf(stderr, "before: %s\nafter:  %s\n", x, y);
            free(x);
            free(y);
            fail_msg("queue %s differs after the restart",
                     restart_queues[i]);
        }
        if (!json_equal(a->peeks[i], b->peeks[i]))
            fail_msg("messages of %s differ after the restart",
                     restart_queues[i]);
    }
    assert_true(json_equal(a->totals, b->totals));
    assert_int_equal(a->next_due, b->next_due);
    assert_int_equal(a->journal, b->journal);
}

static void
test_queue_restart_rebuilds_index(void **state)
{
    struct qtest *f = *state;
    struct snapshot before, after;
    char ids[8][QT_ID], rcpt[8][64], a1[QT_ID], got[QT_STR];
    json_t *arr, *m, *res;

    /* the queues before any message (test_queue_restart_interleaved_creates
     * is about the other way round) */
    qt_create(f, "dlq", NULL);
    qt_create(f, "std", "{\"visibility_timeout\": 30, "
                        "\"dead_letter_queue\": \"dlq\", "
                        "\"max_receives\": 1}");
    qt_create(f, "f.fifo", "{\"fifo\": true, \"visibility_timeout\": 30}");

    qt_send_body(f, "std", "m0-visible", ids[0]);
    qt_send(f, "std", "{\"body\": \"m1-delayed\", \"delay_seconds\": 60}",
            ids[1]);
    qt_send(f, "std", "{\"body\": \"m2\", \"priority\": 1}", ids[2]);
    qt_send(f, "std", "{\"body\": \"m3\", \"priority\": 1}", ids[3]);
    qt_send(f, "std", "{\"body\": \"m4-long\", \"priority\": 2}", ids[4]);
    /* visible, ahead of m0 by priority, behind it by id */
    qt_send(f, "std", "{\"body\": \"m6-urgent\", \"priority\": 3}",
            ids[6]);
    qt_send(f, "f.fifo", "{\"body\": \"a1\", \"group_id\": \"A\", "
                         "\"dedup_id\": \"a1\"}", a1);
    qt_send(f, "f.fifo", "{\"body\": \"a2\", \"group_id\": \"A\", "
                         "\"dedup_id\": \"a2\"}", NULL);
    qt_send(f, "f.fifo", "{\"body\": \"b1\", \"group_id\": \"B\", "
                         "\"dedup_id\": \"b1\"}", NULL);

    qt_at(f, 1000);
    arr = qt_recv(f, "std", 2, -1); /* m2, m3 until 31 s */
    for (int i = 0; i < 2; i++)
        snprintf(rcpt[2 + i], sizeof(rcpt[0]), "%s",
                 qt_str(json_array_get(arr, (size_t)i), "receipt"));
    qt_list(got, sizeof(got), arr, "body");
    assert_string_equal("m2,m3", got);
    json_decref(arr);
    qt_at(f, 2000);
    m = qt_recv1(f, "std", 100000); /* m4 until 102 s */
    snprintf(rcpt[4], sizeof(rcpt[0]), "%s", qt_str(m, "receipt"));
    json_decref(m);
    m = qt_recv1(f, "f.fifo", -1); /* a1 until 32 s */
    assert_string_equal("a1", qt_str(m, "body"));
    snprintf(rcpt[5], sizeof(rcpt[0]), "%s", qt_str(m, "receipt"));
    json_decref(m);
    qt_assert_counts(f, "std", "2/3/1/6");
    qt_assert_counts(f, "f.fifo", "2/1/0/3");

    snapshot_take(&before, f);
    qt_restart(f);
    snapshot_take(&after, f);
    snapshot_assert_equal(&before, &after);
    snapshot_free(&before);
    snapshot_free(&after);
    assert_int_equal(T0 + 31000, queue_service_next_due(f->qs));

    /* FIFO: group A is still locked by a1, whose handle still deletes;
     * the sequence and the de-duplication memory go on */
    qt_assert_recv(f, "f.fifo", QUEUE_BATCH_MAX, "b1");
    qt_assert_recv(f, "f.fifo", QUEUE_BATCH_MAX, "");
    assert_int_equal(0, queue_delete_msg(f->qs, "f.fifo", rcpt[5]));
    qt_assert_recv(f, "f.fifo", QUEUE_BATCH_MAX, "a2");
    res = qt_send_res(f, "f.fifo",
                      "{\"body\": \"c1\", \"group_id\": \"C\", "
                      "\"dedup_id\": \"c1\"}",
                      NULL);
    assert_int_equal(4, qt_int(res, "sequence"));
    json_decref(res);
    res = qt_send_res(f, "f.fifo",
                      "{\"body\": \"a1\", \"group_id\": \"A\", "
                      "\"dedup_id\": \"a1\"}",
                      NULL);
    assert_true(json_is_true(json_object_get(res, "duplicate")));
    assert_string_equal(a1, qt_str(res, "id"));
    json_decref(res);

    /* an old receipt deletes; a new message gets an id of its own */
    assert_int_equal(0, queue_delete_msg(f->qs, "std", rcpt[2]));
    qt_send(f, "std", "{\"body\": \"m5-new\", \"priority\": 16}", ids[5]);
    for (int i = 0; i < 7; i++)
        if (i != 5)
            assert_string_not_equal(ids[i], ids[5]);
    m = qt_msg(f, "std", ids[5]);
    assert_string_equal("m5-new", qt_str(m, "body"));
    json_decref(m);

    /* deadlines as they were: m3 at 31 s (received once, the most: its
     * next receive moves it), m1 at 60 s, m4 at 102 s */
    qt_tick(f, 30999);
    qt_assert_counts(f, "std", "3/2/1/6");
    qt_tick(f, 31000);
    qt_assert_counts(f, "std", "4/1/1/6");
    qt_assert_recv(f, "std", QUEUE_BATCH_MAX,
                   "m6-urgent,m0-visible,m5-new");
    qt_assert_counts(f, "std", "0/4/1/5");
    m = qt_msg(f, "dlq", ids[3]);
    assert_int_equal(1, qt_int(m, "dequeue_count"));
    assert_string_equal("std", qt_str(m, "source"));
    json_decref(m);
    assert_int_equal(ENG_EGONE, queue_delete_msg(f->qs, "std", rcpt[3]));
    qt_tick(f, 59999);
    qt_assert_counts(f, "std", "0/4/1/5");
    qt_tick(f, 60000);
    qt_assert_counts(f, "std", "1/4/0/5");
    qt_tick(f, 101999);
    m = qt_msg(f, "std", ids[4]);
    assert_string_equal("in_flight", qt_str(m, "state"));
    assert_int_equal(T0 + 102000, qt_int(m, "next_visible_ms"));
    json_decref(m);
    qt_tick(f, 102000);
    m = qt_msg(f, "std", ids[4]);
    assert_string_equal("visible", qt_str(m, "state"));
    json_decref(m);
    /* not received since: its handle still deletes */
    assert_int_equal(0, queue_delete_msg(f->qs, "std", rcpt[4]));

    /* and all of it survives a second restart */
    snapshot_take(&before, f);
    qt_restart(f);
    snapshot_take(&after, f);
    snapshot_assert_equal(&before, &after);
    snapshot_free(&before);
    snapshot_free(&after);
}

/*
 * Queues created between sends (as anyone would) keep their own messages
 * over a restart, and deleting one queue touches no other.
 */
static void
test_queue_restart_interleaved_creates(void **state)
{
    struct qtest *f = *state;
    char ida[QT_ID], idb[QT_ID], idc[QT_ID], got[QT_STR];
    json_t *res, *out = NULL;

    qt_create(f, "a", NULL);
    qt_send_body(f, "a", "for-a", ida);
    qt_create(f, "b", NULL);
    qt_send_body(f, "b", "for-b", idb);
    qt_create(f, "c.fifo", "{\"fifo\": true}");
    res = qt_send_res(f, "c.fifo",
                      "{\"body\": \"for-c\", \"group_id\": \"g\", "
                      "\"dedup_id\": \"c1\"}",
                      idc);
    json_decref(res);
    qt_create(f, "d", NULL);

    qt_restart(f);
    qt_assert_counts(f, "a", "1/0/0/1");
    qt_assert_counts(f, "b", "1/0/0/1");
    qt_assert_counts(f, "c.fifo", "1/0/0/1");
    qt_assert_counts(f, "d", "0/0/0/0");
    res = qt_msg(f, "b", idb);
    assert_string_equal("for-b", qt_str(res, "body"));
    json_decref(res);
    /* the FIFO queue's sequence and de-duplication are its own */
    res = qt_send_res(f, "c.fifo",
                      "{\"body\": \"for-c\", \"group_id\": \"g\", "
                      "\"dedup_id\": \"c1\"}",
                      NULL);
    assert_true(json_is_true(json_object_get(res, "duplicate")));
    json_decref(res);
    res = qt_send_res(f, "c.fifo",
                      "{\"body\": \"c2\", \"group_id\": \"g\", "
                      "\"dedup_id\": \"c2\"}",
                      NULL);
    assert_int_equal(2, qt_int(res, "sequence"));
    json_decref(res);

    /* deleting b leaves every other queue and message where it was */
    assert_int_equal(0, queue_delete(f->qs, "b"));
    qt_restart(f);
    assert_int_equal(ENG_ENOTFOUND, queue_get(&out, f->qs, "b"));
    qt_assert_counts(f, "a", "1/0/0/1");
    qt_assert_counts(f, "c.fifo", "2/0/0/2");
    assert_int_equal(0, queue_get(&out, f->qs, "d"));
    json_decref(out);
    qt_recv_bodies(got, sizeof(got), f, "a", 10, -1);
    assert_string_equal("for-a", got);
    assert_int_equal(3, qt_rows(f, "messages"));
}

/*
 * The index loaded at start-up must take every change after it: queues of
 * many sizes (the trees are built whole at load), then receives in order,
 * new sends, and every message deleted in a scrambled order.
 */
static void
test_queue_restart_then_churn(void **state)
{
    static const int sizes[] = {1,  2,  3,  4,  5,  6,  7,   8,   9,  15,
                                16, 17, 31, 32, 33, 64, 100, 255, 256, 257};
    struct qtest *f = *state;
    char q[16], body[32];

    /* every queue first: see test_queue_restart_interleaved_creates */
    for (size_t s = 0; s < NELEM(sizes); s++) {
        snprintf(q, sizeof(q), "q%d", sizes[s]);
        qt_create(f, q, NULL);
    }
    for (size_t s = 0; s < NELEM(sizes); s++) {
        snprintf(q, sizeof(q), "q%d", sizes[s]);
        for (int i = 0; i < sizes[s]; i++) {
            json_t *m = json_pack("{s:s, s:i}", "body", "x", "priority",
                                  1 + (i * 7) % 16),
                   *out = NULL;

            snprintf(body, sizeof(body), "%d", i);
            json_object_set_new(m, "body", json_string(body));
            if (i % 3 == 2)
                json_object_set_new(m, "delay_seconds", json_integer(100));
            assert_int_equal(0, queue_send(&out, f->qs, q, m));
            json_decref(out);
            json_decref(m);
        }
        json_decref(qt_recv(f, q, 3, 1000000)); /* some in flight */
    }
    qt_restart(f);

    for (size_t s = 0; s < NELEM(sizes); s++) {
        int n = sizes[s], left = n, prio = 0, total;
        char last[QT_ID] = "", counts[64], all[8192];
        json_t *page, *it;
        size_t i;

        snprintf(q, sizeof(q), "q%d", sizes[s]);
        /* everything visible comes in (priority, enqueue) order */
        for (;;) {
            json_t *arr = qt_recv(f, q, QUEUE_BATCH_MAX, 43200000);

            if (json_array_size(arr) == 0) {
                json_decref(arr);
                break;
            }
            json_array_foreach(arr, i, it) {
                int p = (int)qt_int(it, "priority");
                const char *id = qt_str(it, "id");

                if (p < prio || (p == prio && strcmp(id, last) <= 0))
                    fail_msg("%s: %s (priority %d) after %s (priority %d)",
                             q, id, p, last, prio);
                prio = p;
                snprintf(last, sizeof(last), "%s", id);
            }
            json_decref(arr);
        }
        /* new messages land in the loaded trees */
        for (int k = 0; k < 5; k++)
            qt_send(f, q, "{\"body\": \"new\", \"priority\": 4}", NULL);
        left += 5;
        /* delete all by id, every other one first, then the rest from the
         * end */
        page = qt_peek(all, sizeof(all), f, q, NULL, 0, 0, 1000);
        for (int pass = 0; pass < 2; pass++) {
            json_array_foreach(json_object_get(page, "items"), i, it) {
                size_t j = pass ? json_array_size(json_object_get(
                                      page, "items")) - 1 - i
                                : i;
                json_t *e = json_array_get(json_object_get(page, "items"), j);

                if ((j % 2 == 0) != (pass == 0))
                    continue;
                assert_int_equal(0,
                                 queue_remove_msg(f->qs, q, qt_str(e, "id")));
                left--;
                qt_counts(counts, sizeof(counts), f, q);
                if (sscanf(counts, "%*d/%*d/%*d/%d", &total) != 1 ||
                    total != left)
                    fail_msg("%s: counts %s with %d left", q, counts, left);
            }
        }
        json_decref(page);
        qt_assert_counts(f, q, "0/0/0/0");
    }
    assert_int_equal(0, qt_rows(f, "messages"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, qt_setup, qt_teardown)
#define TF(fn) cmocka_unit_test_setup_teardown(fn, qt_setup_file, qt_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_queue_retention_expires),
        T(test_queue_retention_change),
        T(test_queue_journal_lifecycle),
        T(test_queue_journal_nothing_on_refusal),
        T(test_queue_delete_batch_rows),
        T(test_queue_delete_batch_runs),
        TF(test_queue_load_function_only_in_a_load),
        TF(test_queue_restart_builds_sound_trees),
        TF(test_queue_restart_records_name_ids),
        TF(test_queue_restart_rebuilds_index),
        TF(test_queue_restart_interleaved_creates),
        TF(test_queue_restart_then_churn),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
