/*
 * fn_trigger: queue triggers. A poller per enabled trigger, driven from
 * the fn hook (never blocking), receives batches from the queue service
 * and invokes the function with {"Records": [...]}; what succeeded is
 * deleted, a {"batchItemFailures": [...]} answer keeps the listed
 * messages, and a failed invocation keeps them all: they come back after
 * the visibility timeout and the queue's dead-letter rule moves them
 * after its max receives. Definitions are rows of `fn_triggers`; the
 * in-flight counts live here. Engine thread only.
 */
#include "fn/fn_int.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/rand.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "queue/queue.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FN_POLL_MS 100       /* between polls while a trigger is enabled */
#define FN_POLL_IDLE_MS 1000 /* while none is */

struct fn_trig_rt {
    char id[40];
    int inflight;
    int64_t window_start; /* engine time the window opened; 0: none */
    struct fn_trig_rt *next;
};

struct fn_batch {
    struct fn_service *fs;
    char trig[40];
    char *queue;
    json_t *msgs; /* [{"id", "receipt"}] */
};

static struct fn_trig_rt *
fn_trigger_rt(struct fn_service *fs, const char *id)
{
    struct fn_trig_rt *t;

    for (t = fs->trigs; t; t = t->next)
        if (strcmp(t->id, id) == 0)
            return t;
    t = xcalloc(1, sizeof(*t));
    snprintf(t->id, sizeof(t->id), "%s", id);
    t->next = fs->trigs;
    fs->trigs = t;
    return t;
}

void
fn_trigger_free_all(struct fn_service *fs)
{
    while (fs->trigs) {
        struct fn_trig_rt *t = fs->trigs;

        fs->trigs = t->next;
        free(t);
    }
}

#define FN_TRIG_COLS                                                         \
    "id, function, queue, batch_size, window_ms, max_concurrency, "          \
    "enabled, created_ms"

static json_t *
fn_trigger_row(struct fn_service *fs, sqlite3_stmt *q)
{
    const char *id = (const char *)sqlite3_column_text(q, 0);
    struct fn_trig_rt *rt = fn_trigger_rt(fs, id);

    return json_pack("{s:s, s:s, s:s, s:i, s:I, s:i, s:b, s:s, s:o, s:i}",
                     "id", id, "function", sqlite3_column_text(q, 1),
                     "queue", sqlite3_column_text(q, 2), "batch_size",
                     sqlite3_column_int(q, 3), "batching_window_seconds",
                     (json_int_t)(sqlite3_column_int64(q, 4) / 1000),
                     "max_concurrency", sqlite3_column_int(q, 5), "enabled",
                     sqlite3_column_int(q, 6), "state",
                     sqlite3_column_int(q, 6) ? "enabled" : "paused",
                     "created", jsonx_time(sqlite3_column_int64(q, 7)),
                     "in_flight", rt->inflight);
}

int
fn_trigger_create(json_t **out, struct fn_service *fs, const char *fname,
                  const json_t *spec)
{
    static const char *const keys[] = {"queue", "batch_size",
                                       "batching_window_seconds",
                                       "max_concurrency", "enabled", NULL};
    struct store *st = fs->eng->store;
    const char *queue = NULL;
    int64_t batch = 10, window = 0, conc = 2;
    int enabled = 1, rc;
    json_t *f = NULL, *qj = NULL;
    char id[40];
    sqlite3_stmt *q;

    *out = NULL;
    if ((rc = jsonx_check_keys(spec, keys)) ||
        (rc = jsonx_get_str(&queue, spec, "queue", 1)) ||
        (rc = jsonx_get_int(&batch, spec, "batch_size", 0, 1, 10)) ||
        (rc = jsonx_get_int(&window, spec, "batching_window_seconds", 0, 0,
                            300)) ||
        (rc = jsonx_get_int(&conc, spec, "max_concurrency", 0, 1, 100)) ||
        (rc = jsonx_get_bool(&enabled, spec, "enabled", 0)))
        return rc;
    if ((rc = fn_get(&f, fs, fname)))
        return rc;
    json_decref(f);
    if ((rc = queue_get(&qj, fs->eng->queues, queue)))
        return rc;
    json_decref(qj);
    rand_uuid(id);
    q = store_stmt(st, "INSERT INTO fn_triggers (" FN_TRIG_COLS ") VALUES "
                       "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, fname, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, queue, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 4, (int)batch);
    sqlite3_bind_int64(q, 5, window * 1000);
    sqlite3_bind_int(q, 6, (int)conc);
    sqlite3_bind_int(q, 7, enabled);
    sqlite3_bind_int64(q, 8, engine_now(fs->eng));
    rc = store_step_done(st, q);
    store_done(q);
    if (rc == 0)
        rc = fn_trigger_get(out, fs, fname, id);
    if (rc == 0)
        rc = engine_journal(fs->eng, "trigger", id, "created", *out);
    fs->have_triggers = 1;
    fs->poll_at = 0;
    return rc;
}

int
fn_trigger_list(json_t **out, struct fn_service *fs, const char *fname)
{
    sqlite3_stmt *q = store_stmt(fs->eng->store,
                                 "SELECT " FN_TRIG_COLS " FROM fn_triggers "
                                 "WHERE function = ?1 ORDER BY created_ms, "
                                 "id");
    json_t *items = json_array(), *f = NULL;
    int rc;

    *out = NULL;
    if ((rc = fn_get(&f, fs, fname))) {
        json_decref(items);
        return rc;
    }
    json_decref(f);
    sqlite3_bind_text(q, 1, fname, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        json_array_append_new(items, fn_trigger_row(fs, q));
    store_done(q);
    if (rc != SQLITE_DONE) {
        json_decref(items);
        return store_error(fs->eng->store);
    }
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int
fn_trigger_get(json_t **out, struct fn_service *fs, const char *fname,
               const char *id)
{
    sqlite3_stmt *q = store_stmt(fs->eng->store,
                                 "SELECT " FN_TRIG_COLS " FROM fn_triggers "
                                 "WHERE id = ?1 AND function = ?2");
    int rc;

    *out = NULL;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, fname, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *out = fn_trigger_row(fs, q);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_setn(ENG_ENOTFOUND, "TriggerNotFound",
                      "function '%s' has no trigger '%s'", fname, id);
    } else {
        rc = store_error(fs->eng->store);
    }
    store_done(q);
    return rc;
}

int
fn_trigger_enable(json_t **out, struct fn_service *fs, const char *fname,
                  const char *id, int enabled)
{
    struct store *st = fs->eng->store;
    sqlite3_stmt *q;
    json_t *t = NULL;
    int rc;

    *out = NULL;
    if ((rc = fn_trigger_get(&t, fs, fname, id)))
        return rc;
    json_decref(t);
    q = store_stmt(st, "UPDATE fn_triggers SET enabled = ?2 WHERE id = ?1");
    sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, enabled);
    rc = store_step_done(st, q);
    store_done(q);
    if (rc == 0)
        rc = engine_journal(fs->eng, "trigger", id,
                            enabled ? "resumed" : "paused", NULL);
    if (rc == 0)
        rc = fn_trigger_get(out, fs, fname, id);
    fs->have_triggers = 1;
    fs->poll_at = 0;
    return rc;
}

int
fn_trigger_delete(struct fn_service *fs, const char *fname, const char *id)
{
    struct store *st = fs->eng->store;
    sqlite3_stmt *q;
    json_t *t = NULL;
    int rc;

    if ((rc = fn_trigger_get(&t, fs, fname, id)))
        return rc;
    json_decref(t);
    q = store_stmt(st, "DELETE FROM fn_triggers WHERE id = ?1");
    sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
    rc = store_step_done(st, q);
    store_done(q);
    if (rc == 0)
        rc = engine_journal(fs->eng, "trigger", id, "deleted", NULL);
    return rc;
}

/* ---- polling ---- */

int
fn_trigger_parse_failures(json_t *keep, const json_t *result,
                          const json_t *msgs)
{
    const json_t *f = json_object_get(result, "batchItemFailures"), *item;
    size_t i, k;

    if (!json_is_object(result) || f == NULL || json_is_null(f) ||
        (json_is_array(f) && json_array_size(f) == 0))
        return 0;
    if (!json_is_array(f))
        return -1;
    json_array_foreach(f, i, item) {
        const char *id =
            json_string_value(json_object_get(item, "itemIdentifier"));
        int found = 0;
        json_t *m;

        if (id == NULL || *id == '\0')
            return -1;
        json_array_foreach(msgs, k, m)
            if (strcmp(json_string_value(json_object_get(m, "id")), id) == 0)
                found = 1;
        if (!found)
            return -1;
        json_array_append_new(keep, json_string(id));
    }
    return 1;
}

static void
fn_trigger_done(const json_t *inv, void *arg)
{
    struct fn_batch *b = arg;
    struct fn_trig_rt *rt = fn_trigger_rt(b->fs, b->trig);
    const char *status = json_string_value(json_object_get(inv, "status"));
    json_t *keep = json_array(), *m, *detail;
    int deleted = 0, kept = 0, verdict = -1;
    size_t i, k;

    if (rt->inflight > 0)
        rt->inflight--;
    if (strcmp(status, "succeeded") == 0)
        verdict = fn_trigger_parse_failures(
            keep, json_object_get(inv, "result"), b->msgs);
    json_array_foreach(b->msgs, i, m) {
        const char *id = json_string_value(json_object_get(m, "id"));
        int fail = verdict < 0;
        json_t *x;

        json_array_foreach(keep, k, x)
            if (strcmp(json_string_value(x), id) == 0)
                fail = 1;
        if (fail) {
            kept++;
            continue;
        }
        if (queue_delete_msg(b->fs->eng->queues, b->queue,
                             json_string_value(json_object_get(m, "receipt")))
            == 0)
            deleted++;
    }
    detail = json_pack("{s:s, s:s, s:i, s:i, s:s}", "queue", b->queue,
                       "invocation",
                       json_string_value(json_object_get(inv, "id")),
                       "deleted", deleted, "kept", kept, "status", status);
    engine_journal(b->fs->eng, "trigger", b->trig, "batch", detail);
    json_decref(detail);
    json_decref(keep);
    json_decref(b->msgs);
    free(b->queue);
    free(b);
    b = NULL;
    rt->window_start = 0;
}

static json_t *
fn_trigger_record(const json_t *m, const char *queue)
{
    const json_t *attrs = json_object_get(m, "attributes");
    json_t *a = json_object();
    char n[32];

    snprintf(n, sizeof(n), "%lld",
             (long long)json_integer_value(json_object_get(m,
                                                           "dequeue_count")));
    json_object_set_new(a, "ApproximateReceiveCount", json_string(n));
    snprintf(n, sizeof(n), "%lld",
             (long long)json_integer_value(json_object_get(m,
                                                           "enqueued_ms")));
    json_object_set_new(a, "SentTimestamp", json_string(n));
    if (json_object_get(m, "group_id"))
        json_object_set(a, "MessageGroupId", json_object_get(m, "group_id"));
    {
        json_t *r = json_object();
        char *arn = xasprintf("acs:mns:::/queues/%s", queue);

        json_object_set(r, "messageId", json_object_get(m, "id"));
        json_object_set(r, "receiptHandle", json_object_get(m, "receipt"));
        json_object_set(r, "body", json_object_get(m, "body"));
        json_object_set_new(r, "attributes", a);
        json_object_set_new(r, "messageAttributes",
                            attrs ? json_deep_copy(attrs) : json_object());
        json_object_set(r, "md5OfBody", json_object_get(m, "body_md5"));
        json_object_set_new(r, "eventSource", json_string("flowdeck:queue"));
        json_object_set_new(r, "eventSourceARN", json_string(arn));
        json_object_set_new(r, "queue", json_string(queue));
        free(arn);
        return r;
    }
}

/* Poll one trigger. Inside a store change. Returns: 1 when it got a
 * full batch (poll again soon). */
static int
fn_trigger_poll_one(struct fn_service *fs, const char *id, const char *fname,
                    const char *queue, int batch, int64_t window_ms, int conc)
{
    struct fn_trig_rt *rt = fn_trigger_rt(fs, id);
    struct queue_recv r;
    struct queue_waiter *w = NULL;
    json_t *msgs, *records, *m, *mine;
    struct queue_msgs *got = NULL;
    struct fn_batch *b;
    char *trigger;
    size_t i;
    int64_t now = engine_now(fs->eng); /* windows run on the engine clock */
    int rc;

    if (rt->inflight >= conc)
        return 0;
    if (window_ms > 0 && batch > 1) {
        json_t *qj = NULL;
        int64_t visible;

        if (queue_get(&qj, fs->eng->queues, queue))
            return 0;
        visible = json_integer_value(
            json_object_get(json_object_get(qj, "counts"), "visible"));
        json_decref(qj);
        if (visible == 0) {
            rt->window_start = 0;
            return 0;
        }
        if (visible < batch) {
            if (rt->window_start == 0)
                rt->window_start = now;
            if (now - rt->window_start < window_ms)
                return 0;
        }
    }
    r.max = batch;
    r.visibility_ms = -1;
    r.wait_ms = 0;
    rc = queue_receive(&got, &w, fs->eng->queues, queue, &r, NULL, NULL);
    if (rc != 0 || got->n == 0) {
        queue_msgs_free(got);
        return 0;
    }
    msgs = queue_msgs_to_json(got);
    records = json_array();
    mine = json_array();
    json_array_foreach(msgs, i, m) {
        json_array_append_new(records, fn_trigger_record(m, queue));
        json_array_append_new(mine, json_pack("{s:O, s:O}", "id",
                                              json_object_get(m, "id"),
                                              "receipt",
                                              json_object_get(m, "receipt")));
    }
    b = xcalloc(1, sizeof(*b));
    b->fs = fs;
    snprintf(b->trig, sizeof(b->trig), "%s", id);
    b->queue = xstrdup(queue);
    b->msgs = mine;
    trigger = xasprintf("queue:%s", queue);
    m = json_pack("{s:o}", "Records", records);
    rc = fn_invoke(NULL, fs, fname, m, trigger, fn_trigger_done, b);
    json_decref(m);
    free(trigger);
    if (rc) {
        json_decref(b->msgs);
        free(b->queue);
        free(b);
    } else {
        rt->inflight++;
        rt->window_start = 0;
    }
    rc = (int)json_array_size(msgs) == batch;
    json_decref(msgs);
    return rc;
}

void
fn_trigger_poll(struct fn_service *fs)
{
    struct store *st = fs->eng->store;
    sqlite3_stmt *q;
    int again = 0, any = 0;
    json_t *rows = json_array(), *row;
    size_t i;

    q = store_stmt(st, "SELECT id, function, queue, batch_size, window_ms, "
                       "max_concurrency FROM fn_triggers WHERE enabled = 1");
    while (sqlite3_step(q) == SQLITE_ROW)
        json_array_append_new(
            rows, json_pack("{s:s, s:s, s:s, s:i, s:I, s:i}", "id",
                            sqlite3_column_text(q, 0), "function",
                            sqlite3_column_text(q, 1), "queue",
                            sqlite3_column_text(q, 2), "batch",
                            sqlite3_column_int(q, 3), "window",
                            (json_int_t)sqlite3_column_int64(q, 4), "conc",
                            sqlite3_column_int(q, 5)));
    store_done(q);
    json_array_foreach(rows, i, row) {
        any = 1;
        if (engine_write_begin(fs->eng) != 0)
            break;
        again |= fn_trigger_poll_one(
            fs, json_string_value(json_object_get(row, "id")),
            json_string_value(json_object_get(row, "function")),
            json_string_value(json_object_get(row, "queue")),
            (int)json_integer_value(json_object_get(row, "batch")),
            json_integer_value(json_object_get(row, "window")),
            (int)json_integer_value(json_object_get(row, "conc")));
        engine_write_end(fs->eng, 1);
    }
    json_decref(rows);
    fs->have_triggers = any;
    fs->poll_at = timefmt_mono_ms() +
                  (again ? 0 : any ? FN_POLL_MS : FN_POLL_IDLE_MS);
}
