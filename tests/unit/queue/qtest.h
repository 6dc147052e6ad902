/*
 * qtest: the fixture every queue service test shares. It builds an engine
 * by hand, with no HTTP: a store (in memory, or a file in a temp dir for
 * the restart tests) and an engine clock that follows the test's hand, so
 * time moves only when a test moves it. The helpers turn results into
 * short strings ("a,b,c", "1/0/2/3") so that each expectation is one
 * comparison. Header only: each test_*.c is its own executable.
 */
#ifndef FLOWDECK_TEST_QTEST_H
#define FLOWDECK_TEST_QTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/clock.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/jsonw.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "core/journal.h"
#include "queue/queue.h"
#include "store/store.h"
#include "tmpdb.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define T0 INT64_C(1795239000000) /* 2026-11-21T05:30:00Z */
#define QT_ID 40                  /* a message id and its NUL */
#define QT_STR 1024               /* a list of bodies, types, counts */

/* What a waiting receive was answered with. */
struct qt_wait {
    int calls;
    json_t *msgs; /* the last answer: owned */
};

struct qtest {
    int64_t hand; /* "real" time in ms; the engine clock follows it 1:1 */
    struct engine *eng;
    struct queue_service *qs;
    char dir[64];   /* "" for an in-memory store */
    char path[128]; /* ":memory:" or dir/state.db */
    /* waits live here, not on a test's stack: a failed test leaves its
     * waiters parked, and the teardown answers them */
    struct qt_wait w[4];
};

static inline int64_t
qt_hand_now(void *arg)
{
    return *(const int64_t *)arg;
}

/* Build the engine and the service over f->path and load the index. */
static inline int
qt_engine_open(struct qtest *f)
{
    struct engine *eng = xcalloc(1, sizeof(*eng));

    if (store_open(&eng->store, f->path) != 0) {
        fprintf(stderr, "store_open %s: %s\n", f->path, err_last());
        free(eng);
        return -1;
    }
    clock_init(&eng->clock);
    eng->clock.real_now = qt_hand_now;
    eng->clock.real_arg = &f->hand;
    clock_init_keep_source(&eng->clock);
    eng->queues = queue_service_create(eng);
    if (queue_service_load(eng->queues) != 0) {
        fprintf(stderr, "queue_service_load: %s\n", err_last());
        queue_service_free(eng->queues);
        store_free(eng->store);
        free(eng);
        return -1;
    }
    f->eng = eng;
    f->qs = eng->queues;
    return 0;
}

static inline void
qt_engine_close(struct qtest *f)
{
    if (f->eng == NULL)
        return;
    queue_service_free(f->qs);
    store_free(f->eng->store);
    free(f->eng);
    f->eng = NULL;
    f->qs = NULL;
}

/* A restart: drop the service and the store, open both again. */
static inline void
qt_restart(struct qtest *f)
{
    qt_engine_close(f);
    assert_int_equal(0, qt_engine_open(f));
}

static inline int
qt_setup(void **state)
{
    struct qtest *f = xcalloc(1, sizeof(*f));

    f->hand = T0;
    snprintf(f->path, sizeof(f->path), ":memory:");
    if (qt_engine_open(f) != 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

/* A file database in a fresh temp dir, for the restart tests. */
static inline int
qt_setup_file(void **state)
{
    struct qtest *f = xcalloc(1, sizeof(*f));

    f->hand = T0;
    if (tmpdb_make(f->dir, sizeof(f->dir), f->path, sizeof(f->path)) != 0) {
        free(f);
        return -1;
    }
    if (qt_engine_open(f) != 0) {
        tmpdb_remove(f->dir, f->path);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static inline int
qt_teardown(void **state)
{
    struct qtest *f = *state;

    qt_engine_close(f);
    for (size_t i = 0; i < NELEM(f->w); i++)
        json_decref(f->w[i].msgs);
    tmpdb_remove(f->dir, f->path);
    free(f);
    return 0;
}

/* Move the hand to T0 + ms (no service run). */
static inline void
qt_at(struct qtest *f, int64_t ms)
{
    f->hand = T0 + ms;
    assert_int_equal(T0 + ms, engine_now(f->eng));
}

/* Move the hand to T0 + ms and let the service do what is due. */
static inline void
qt_tick(struct qtest *f, int64_t ms)
{
    qt_at(f, ms);
    queue_service_run(f->qs);
}

/* Returns: new reference to the JSON in text (a test bug if it is not). */
static inline json_t *
qt_json(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);

    if (j == NULL)
        fail_msg("bad JSON in the test: %s: %s", text, jerr.text);
    return j;
}

/* Create queue `name` with attributes given as JSON text (may be NULL). */
static inline void
qt_create(struct qtest *f, const char *name, const char *attrs)
{
    json_t *a = attrs ? qt_json(attrs) : NULL, *out = NULL;
    int created = 0;
    int rc = queue_create(&out, &created, f->qs, name, a);

    json_decref(a);
    if (rc != 0)
        fail_msg("queue_create %s %s: %d %s", name, attrs ? attrs : "", rc,
                 err_last());
    assert_int_equal(1, created);
    json_decref(out);
}

/* Send a message given as JSON text; its id into id (may be NULL).
 * Returns: new reference to the send result. */
static inline json_t *
qt_send_res(struct qtest *f, const char *q, const char *msg, char *id)
{
    json_t *m = qt_json(msg), *out = NULL;
    int rc = queue_send(&out, f->qs, q, m);

    json_decref(m);
    if (rc != 0)
        fail_msg("queue_send %s %s: %d %s", q, msg, rc, err_last());
    assert_non_null(out);
    if (id) {
        const char *s = json_string_value(json_object_get(out, "id"));

        assert_non_null(s);
        assert_true(strlen(s) < QT_ID);
        snprintf(id, QT_ID, "%s", s);
    }
    return out;
}

static inline void
qt_send(struct qtest *f, const char *q, const char *msg, char *id)
{
    json_decref(qt_send_res(f, q, msg, id));
}

/* Send {"body": body} and nothing else. */
static inline void
qt_send_body(struct qtest *f, const char *q, const char *body, char *id)
{
    json_t *m = json_pack("{s:s}", "body", body), *out = NULL;
    int rc = queue_send(&out, f->qs, q, m);

    json_decref(m);
    if (rc != 0)
        fail_msg("queue_send %s %s: %d %s", q, body, rc, err_last());
    if (id)
        snprintf(id, QT_ID, "%s",
                 json_string_value(json_object_get(out, "id")));
    json_decref(out);
}

/* Received messages as JSON, after checking that the text the engine
 * API writes for them is the tree's text, byte for byte. Frees got.
 * Returns: new reference to the message array. */
static inline json_t *
qt_msgs(struct queue_msgs *got)
{
    struct buf text = BUF_INIT(0);
    json_t *arr = queue_msgs_json(got);
    char *tree = jsonw_dump(arr, JSON_COMPACT);

    queue_msgs_write(&text, got);
    assert_non_null(tree);
    assert_string_equal(tree, buf_str(&text));
    free(tree);
    buf_free(&text);
    queue_msgs_free(got);
    return arr;
}

/* Receive without waiting. vis_ms < 0: the queue's visibility timeout.
 * Returns: new reference to the message array. */
static inline json_t *
qt_recv(struct qtest *f, const char *q, int max, int64_t vis_ms)
{
    struct queue_recv r = {max, vis_ms, 0};
    struct queue_msgs *got = NULL;
    int rc = queue_receive(&got, NULL, f->qs, q, &r, NULL, NULL);

    if (rc != 0)
        fail_msg("queue_receive %s: %d %s", q, rc, err_last());
    assert_non_null(got);
    return qt_msgs(got);
}

/* Receive exactly one message. Returns: new reference to it. */
static inline json_t *
qt_recv1(struct qtest *f, const char *q, int64_t vis_ms)
{
    json_t *arr = qt_recv(f, q, 1, vis_ms), *m;

    if (json_array_size(arr) != 1)
        fail_msg("receive from %s: %zu messages, want 1", q,
                 json_array_size(arr));
    m = json_incref(json_array_get(arr, 0));
    json_decref(arr);
    return m;
}

/* The string field `key` of each object of arr, as "a,b,c" ("" if none;
 * "?" for an object without it). */
static inline void
qt_list(char *out, size_t n, const json_t *arr, const char *key)
{
    size_t i, len = 0;
    json_t *it;

    out[0] = '\0';
    assert_true(json_is_array(arr));
    json_array_foreach(arr, i, it) {
        const char *s = json_string_value(json_object_get(it, key));

        len += (size_t)snprintf(out + len, n - len, "%s%s", i ? "," : "",
                                s ? s : "?");
        assert_true(len < n);
    }
}

/* Receive up to max messages now; their bodies as "a,b,c". */
static inline void
qt_recv_bodies(char *out, size_t n, struct qtest *f, const char *q, int max,
               int64_t vis_ms)
{
    json_t *arr = qt_recv(f, q, max, vis_ms);

    qt_list(out, n, arr, "body");
    json_decref(arr);
}

#define qt_assert_recv(f, q, max, want)                                      \
    do {                                                                     \
        char got_[QT_STR];                                                   \
        qt_recv_bodies(got_, sizeof(got_), (f), (q), (max), -1);             \
        if (strcmp(got_, (want)) != 0)                                       \
            fail_msg("receive from %s: '%s', want '%s'", (q), got_, (want)); \
    } while (0)

/* The queue's counts as "visible/in_flight/delayed/total". */
static inline void
qt_counts(char *out, size_t n, struct qtest *f, const char *q)
{
    json_t *j = NULL, *c;
    int rc = queue_get(&j, f->qs, q);

    if (rc != 0)
        fail_msg("queue_get %s: %d %s", q, rc, err_last());
    c = json_object_get(j, "counts");
    snprintf(out, n, "%lld/%lld/%lld/%lld",
             (long long)json_integer_value(json_object_get(c, "visible")),
             (long long)json_integer_value(json_object_get(c, "in_flight")),
             (long long)json_integer_value(json_object_get(c, "delayed")),
             (long long)json_integer_value(json_object_get(c, "total")));
    json_decref(j);
}

#define qt_assert_counts(f, q, want)                                         \
    do {                                                                     \
        char got_[64];                                                       \
        qt_counts(got_, sizeof(got_), (f), (q));                             \
        if (strcmp(got_, (want)) != 0)                                       \
            fail_msg("%s:%d: counts of %s are %s, want %s", __FILE__,        \
                     __LINE__, (q), got_, (want));                           \
    } while (0)

/* The service totals as "queues/messages/visible/in_flight/delayed/dead". */
static inline void
qt_totals(char *out, size_t n, struct qtest *f)
{
    json_t *c = queue_service_counts(f->qs);

    snprintf(out, n, "%lld/%lld/%lld/%lld/%lld/%lld",
             (long long)json_integer_value(json_object_get(c, "queues")),
             (long long)json_integer_value(json_object_get(c, "messages")),
             (long long)json_integer_value(json_object_get(c, "visible")),
             (long long)json_integer_value(json_object_get(c, "in_flight")),
             (long long)json_integer_value(json_object_get(c, "delayed")),
             (long long)json_integer_value(json_object_get(c, "dead_letter")));
    json_decref(c);
}

/* Peek (state may be NULL) the page after `after`, or before `before`
 * when it is > 0; the bodies as "a,b,c". Returns: new reference to the
 * whole result, for its cursors. */
static inline json_t *
qt_peek(char *out, size_t n, struct qtest *f, const char *q,
        const char *state, int64_t after, int64_t before, int limit)
{
    json_t *res = NULL;
    int rc = queue_peek(&res, f->qs, q, state, after, before, limit);

    if (rc != 0)
        fail_msg("queue_peek %s %s: %d %s", q, state ? state : "-", rc,
                 err_last());
    qt_list(out, n, json_object_get(res, "items"), "body");
    return res;
}

/* A cursor of a peek result as a number: -1 when absent. */
static inline int64_t
qt_cursor(const json_t *res, const char *key)
{
    const char *s = json_string_value(json_object_get(res, key));
    char *end;
    long long v;

    if (s == NULL)
        return -1;
    v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 0)
        fail_msg("cursor '%s' is '%s': not a number", key, s);
    return (int64_t)v;
}

/* Returns: new reference to message id of queue q (every field). */
static inline json_t *
qt_msg(struct qtest *f, const char *q, const char *id)
{
    json_t *out = NULL;
    int rc = queue_get_msg(&out, f->qs, q, id);

    if (rc != 0)
        fail_msg("queue_get_msg %s %s: %d %s", q, id, rc, err_last());
    return out;
}

static inline int64_t
qt_int(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);

    if (!json_is_integer(v))
        fail_msg("field '%s' is missing or not an integer", key);
    return (int64_t)json_integer_value(v);
}

static inline const char *
qt_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));

    if (s == NULL)
        fail_msg("field '%s' is missing or not a string", key);
    return s;
}

/* Returns: new reference to the journal records of one entity, oldest
 * first. */
static inline json_t *
qt_journal(struct qtest *f, const char *kind, const char *entity)
{
    struct journal_query qry = {kind, entity, NULL, 1, 0, 1000};
    json_t *res = NULL;

    assert_int_equal(0, journal_list(&res, f->eng->store, &qry));
    return res;
}

/* The types of an entity's journal records, as "sent,received". */
static inline void
qt_journal_types(char *out, size_t n, struct qtest *f, const char *kind,
                 const char *entity)
{
    json_t *res = qt_journal(f, kind, entity);

    qt_list(out, n, json_object_get(res, "items"), "type");
    json_decref(res);
}

/* Returns: new reference to the detail of the entity's last record of
 * `type`, or fails. */
static inline json_t *
qt_journal_detail(struct qtest *f, const char *entity, const char *type)
{
    json_t *res = qt_journal(f, "message", entity), *it, *d = NULL;
    size_t i;

    json_array_foreach(json_object_get(res, "items"), i, it)
        if (strcmp(qt_str(it, "type"), type) == 0) {
            json_decref(d);
            d = json_incref(json_object_get(it, "detail"));
        }
    json_decref(res);
    if (d == NULL)
        fail_msg("no '%s' record for message %s", type, entity);
    return d;
}

static inline int64_t
qt_rows(struct qtest *f, const char *table)
{
    return store_count(f->eng->store, table);
}

/* The callback of a waiting receive: keep what it was answered with. */
static inline void
qt_wait_done(struct queue_msgs *got, void *arg)
{
    struct qt_wait *w = arg;

    w->calls++;
    json_decref(w->msgs);
    w->msgs = qt_msgs(got);
}

/* Receive with a wait that must park. Returns: the waiter. */
static inline struct queue_waiter *
qt_park(struct qtest *f, const char *q, int max, int64_t wait_ms,
        struct qt_wait *w)
{
    struct queue_recv r = {max, -1, wait_ms};
    struct queue_waiter *wt = NULL;
    struct queue_msgs *out = NULL;
    int rc = queue_receive(&out, &wt, f->qs, q, &r, qt_wait_done, w);

    if (rc != QUEUE_PARKED)
        fail_msg("receive from %s did not park: %d %s", q, rc,
                 rc < 0 ? err_last() : "");
    assert_null(out);
    assert_non_null(wt);
    return wt;
}

#endif
