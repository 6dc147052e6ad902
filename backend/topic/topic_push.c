/*
 * topic_push: HTTP push of topic deliveries with one libcurl multi handle
 * driven by the engine loop: curl's sockets are engine watches, its timer
 * is this service's hook deadline, so no push ever blocks the engine.
 * A delivery is pushed only after the change that made it ready is
 * committed (the hook starts it a turn later). Each finished attempt is
 * recorded and journaled in its own store change; a failure is retried by
 * the subscription's notify strategy through a "topic.retry" timer on the
 * engine clock. Also the deliveries list and redeliver. Engine thread
 * only.
 */
#include "topic/topic_int.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/log.h"
#include "common/rand.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "core/sched.h"
#include "fn/fn.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

struct tpush {
    struct topic_service *ts;
    int64_t id;
    CURL *easy;
    struct curl_slist *hdrs;
    char *payload;
    char excerpt[TOPIC_EXCERPT_MAX + 1];
    size_t nexcerpt;
    int64_t started; /* monotonic ms */
    int fn;          /* a function invocation, not a transfer */
    char errbuf[CURL_ERROR_SIZE];
    struct tpush *next;
};

static void
topic_push_ref(char *ref, size_t n, int64_t id)
{
    snprintf(ref, n, "%lld", (long long)id);
}

void
topic_push_stage(struct topic_service *ts, int64_t id)
{
    if (ts->nready == ts->capready) {
        ts->capready = ts->capready ? ts->capready * 2 : 64;
        ts->ready = xreallocarray(ts->ready, ts->capready,
                                  sizeof(*ts->ready));
    }
    ts->ready[ts->nready].id = id;
    ts->ready[ts->nready].turn = ts->turn;
    ts->nready++;
}

int
topic_push_busy(struct topic_service *ts, int64_t id)
{
    for (struct tpush *p = ts->pushes; p; p = p->next)
        if (p->id == id)
            return 1;
    return 0;
}

/* ---- libcurl glue ---- */

static void topic_push_check(struct topic_service *ts);
static void topic_push_fn_start(struct topic_service *ts, int64_t id,
                                const char *ep, const char *payload,
                                const char *fmt, const char *topic);

static void
topic_push_on_fd(int fd, uint32_t events, void *arg)
{
    struct topic_service *ts = arg;
    int flags = 0, running;

    if (events & EPOLLIN)
        flags |= CURL_CSELECT_IN;
    if (events & EPOLLOUT)
        flags |= CURL_CSELECT_OUT;
    if (events & (EPOLLERR | EPOLLHUP))
        flags |= CURL_CSELECT_ERR;
    sym_curl_multi_socket_action(ts->multi, fd, flags, &running);
    topic_push_check(ts);
}

static int
topic_push_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp,
                     void *socketp)
{
    struct topic_service *ts = userp;
    struct engine_watch *w = socketp;
    uint32_t ev = 0;

    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        engine_watch_del(w);
        sym_curl_multi_assign(ts->multi, s, NULL);
        return 0;
    }
    if (what & CURL_POLL_IN)
        ev |= EPOLLIN;
    if (what & CURL_POLL_OUT)
        ev |= EPOLLOUT;
    if (w) {
        engine_watch_mod(w, ev);
    } else if (engine_watch_add(&w, ts->eng, s, ev, topic_push_on_fd, ts) ==
               0) {
        sym_curl_multi_assign(ts->multi, s, w);
    } else {
        log_error("topic push: cannot watch socket %d: %s", (int)s,
                  err_last());
        return -1;
    }
    return 0;
}

static int
topic_push_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    struct topic_service *ts = userp;

    (void)multi;
    ts->curl_due = timeout_ms < 0 ? INT64_MAX
                                  : timefmt_mono_ms() + timeout_ms;
    return 0;
}

static size_t
topic_push_write_cb(char *p, size_t size, size_t n, void *arg)
{
    struct tpush *tp = arg;
    size_t len = size * n, room = TOPIC_EXCERPT_MAX - tp->nexcerpt;

    if (room > 0) {
        size_t take = len < room ? len : room;

        memcpy(tp->excerpt + tp->nexcerpt, p, take);
        tp->nexcerpt += take;
        tp->excerpt[tp->nexcerpt] = '\0';
    }
    return len;
}

static void
topic_push_free_one(struct tpush *tp)
{
    if (tp->hdrs) /* function deliveries never open libcurl */
        sym_curl_slist_free_all(tp->hdrs);
    free(tp->payload);
    free(tp);
}

/* ---- one attempt ---- */

static struct curl_slist *
topic_push_header(struct curl_slist *h, const char *name, const char *value)
{
    char *line = xasprintf("%s: %s", name, value);

    h = sym_curl_slist_append(h, line);
    free(line);
    return h;
}

static int topic_push_record(struct topic_service *ts, int64_t id, int ok,
                             long code, int64_t latency, const char *response,
                             const char *error);

/*
 * The multi handle of the HTTP pushes, made at the first one (libcurl is
 * opened then). Returns: 0, or ENG_EUNAVAIL when libcurl would not load.
 */
static int
topic_push_multi(struct topic_service *ts)
{
    int rc;

    if (ts->multi)
        return 0;
    if ((rc = lazycurl_multi(&ts->multi, topic_push_socket_cb,
                             topic_push_timer_cb, ts)))
        return rc;
    sym_curl_multi_setopt(ts->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 16L);
    return 0;
}

/* topic_push_record in a store change of its own; a failure is logged. */
static void
topic_push_commit(struct topic_service *ts, int64_t id, int ok, long code,
                  int64_t latency, const char *response, const char *error)
{
    int rc;

    if ((rc = engine_write_begin(ts->eng)) == 0) {
        rc = topic_push_record(ts, id, ok, code, latency, response, error);
        rc = engine_write_end(ts->eng, rc == 0) ? -1 : rc;
    }
    if (rc)
        log_error("topic push: delivery %lld not recorded: %s", (long long)id,
                  err_last());
}

/* Start pushing delivery `id` if it is still pending. */
static void
topic_push_start(struct topic_service *ts, int64_t id)
{
    sqlite3_stmt *q = store_stmt(ts->eng->store,
                                 "SELECT endpoint, payload, format, msg_id, "
                                 "topic, sub, status, kind FROM deliveries "
                                 "WHERE id = ?");
    struct tpush *tp = NULL;
    const char *fmt;
    char rid[40];

    if (topic_push_busy(ts, id))
        return;
    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) != SQLITE_ROW ||
        strcmp((const char *)sqlite3_column_text(q, 6), "pending") != 0) {
        store_done(q);
        return;
    }
    if (strcmp((const char *)sqlite3_column_text(q, 7), "function") == 0) {
        char *ep = xstrdup((const char *)sqlite3_column_text(q, 0));
        char *payload = xstrdup((const char *)sqlite3_column_text(q, 1));
        char *f = xstrdup((const char *)sqlite3_column_text(q, 2));
        char *topic = xstrdup((const char *)sqlite3_column_text(q, 4));

        store_done(q);
        topic_push_fn_start(ts, id, ep, payload, f, topic);
        free(ep);
        free(payload);
        free(f);
        free(topic);
        return;
    }
    if (strcmp((const char *)sqlite3_column_text(q, 7), "http") != 0) {
        store_done(q);
        return;
    }
    if (topic_push_multi(ts) != 0) {
        char *why = xstrdup(err_last());

        store_done(q);
        topic_push_commit(ts, id, 0, 0, 0, "", why);
        free(why);
        return;
    }
    tp = xcalloc(1, sizeof(*tp));
    tp->ts = ts;
    tp->id = id;
    tp->payload = xstrdup((const char *)sqlite3_column_text(q, 1));
    tp->easy = sym_curl_easy_init();
    fmt = (const char *)sqlite3_column_text(q, 2);
    tp->hdrs = sym_curl_slist_append(NULL, "Expect:");
    if (!strcmp(fmt, "SNS") || !strcmp(fmt, "RAW")) {
        tp->hdrs = topic_sns_headers(
            ts, tp->hdrs, fmt, tp->payload,
            (const char *)sqlite3_column_text(q, 3),
            (const char *)sqlite3_column_text(q, 4),
            (const char *)sqlite3_column_text(q, 5));
    } else {
        tp->hdrs = topic_push_header(
            tp->hdrs, "Content-Type",
            !strcmp(fmt, "XML")    ? "text/xml;charset=utf-8"
            : !strcmp(fmt, "JSON") ? "application/json;charset=utf-8"
                                   : "text/plain;charset=utf-8");
        tp->hdrs = topic_push_header(tp->hdrs, "User-Agent", "flowdeck-mns");
        tp->hdrs = topic_push_header(tp->hdrs, "x-mns-version",
                                     "2015-06-06");
        rand_uuid(rid);
        tp->hdrs = topic_push_header(tp->hdrs, "x-mns-request-id", rid);
    }
    sym_curl_easy_setopt(tp->easy, CURLOPT_URL,
                         (const char *)sqlite3_column_text(q, 0));
    store_done(q);
    sym_curl_easy_setopt(tp->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    sym_curl_easy_setopt(tp->easy, CURLOPT_POST, 1L);
    sym_curl_easy_setopt(tp->easy, CURLOPT_POSTFIELDS, tp->payload);
    sym_curl_easy_setopt(tp->easy, CURLOPT_POSTFIELDSIZE,
                         (long)strlen(tp->payload));
    sym_curl_easy_setopt(tp->easy, CURLOPT_HTTPHEADER, tp->hdrs);
    sym_curl_easy_setopt(tp->easy, CURLOPT_WRITEFUNCTION, topic_push_write_cb);
    sym_curl_easy_setopt(tp->easy, CURLOPT_WRITEDATA, tp);
    sym_curl_easy_setopt(tp->easy, CURLOPT_CONNECTTIMEOUT_MS,
                         (long)TOPIC_PUSH_CONNECT_MS);
    sym_curl_easy_setopt(tp->easy, CURLOPT_TIMEOUT_MS,
                         (long)TOPIC_PUSH_TIMEOUT_MS);
    sym_curl_easy_setopt(tp->easy, CURLOPT_TCP_KEEPALIVE, 1L);
    sym_curl_easy_setopt(tp->easy, CURLOPT_NOSIGNAL, 1L);
    sym_curl_easy_setopt(tp->easy, CURLOPT_ERRORBUFFER, tp->errbuf);
    sym_curl_easy_setopt(tp->easy, CURLOPT_PRIVATE, tp);
    tp->started = timefmt_mono_ms();
    tp->next = ts->pushes;
    ts->pushes = tp;
    ts->npushes++;
    sym_curl_multi_add_handle(ts->multi, tp->easy);
}

/*
 * Record a finished attempt of delivery `id` (inside a store change): ok,
 * the HTTP status (0: none), what the endpoint answered and what went
 * wrong (NULL: nothing); retry or give up by the strategy.
 */
static int
topic_push_record(struct topic_service *ts, int64_t id, int ok, long code,
                  int64_t latency, const char *response, const char *error)
{
    struct store *st = ts->eng->store;
    sqlite3_stmt *q = store_stmt(st, "SELECT attempts, strategy, status, "
                                     "topic, sub, endpoint FROM deliveries "
                                     "WHERE id = ?");
    int64_t now = engine_now(ts->eng), delay = -1;
    int attempts, rc;
    char *strategy, *text, ref[32];
    json_t *last;
    const char *status, *type;

    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) != SQLITE_ROW ||
        strcmp((const char *)sqlite3_column_text(q, 2), "pending") != 0) {
        store_done(q); /* cancelled or gone meanwhile */
        return 0;
    }
    attempts = sqlite3_column_int(q, 0) + 1;
    strategy = xstrdup((const char *)sqlite3_column_text(q, 1));
    last = json_pack("{s:i, s:s, s:s, s:s, s:I}", "attempt", attempts,
                     "topic", (const char *)sqlite3_column_text(q, 3),
                     "subscription", (const char *)sqlite3_column_text(q, 4),
                     "endpoint", (const char *)sqlite3_column_text(q, 5),
                     "latency_ms", (json_int_t)latency);
    store_done(q);
    json_object_set_new(last, "status",
                        code ? json_integer(code) : json_null());
    json_object_set_new(last, "response", json_string(response));
    if (error)
        json_object_set_new(last, "error", json_string(error));
    if (ok) {
        status = type = "delivered";
    } else if ((delay = topic_retry_delay(strategy, attempts)) >= 0) {
        status = "retry_wait";
        type = "retry_scheduled";
        json_object_set_new(last, "next_retry", jsonx_time(now + delay));
        json_object_set_new(last, "retry_in_ms", json_integer(delay));
    } else {
        status = type = "failed";
    }
    free(strategy);
    topic_push_ref(ref, sizeof(ref), id);
    text = jsonx_dump(last);
    q = store_stmt(st, "UPDATE deliveries SET status = ?, attempts = ?, "
                       "updated_ms = ?, next_ms = ?, last = ? WHERE id = ?");
    sqlite3_bind_text(q, 1, status, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, attempts);
    sqlite3_bind_int64(q, 3, now);
    if (delay >= 0)
        sqlite3_bind_int64(q, 4, now + delay);
    sqlite3_bind_text(q, 5, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 6, id);
    rc = store_step_done(st, q);
    store_done(q);
    free(text);
    if (rc == 0 && delay >= 0)
        rc = sched_add(NULL, ts->eng->sched, now + delay, "topic.retry", ref,
                       NULL);
    if (rc == 0)
        rc = engine_journal(ts->eng, "delivery", ref, type, last);
    json_decref(last);
    return rc;
}

static void
topic_push_unlink(struct topic_service *ts, struct tpush *tp)
{
    for (struct tpush **pp = &ts->pushes; *pp; pp = &(*pp)->next)
        if (*pp == tp) {
            *pp = tp->next;
            ts->npushes--;
            return;
        }
}

/* ---- function deliveries ---- */

/* The invocation ended (inside a store change). */
static void
topic_push_fn_done(const json_t *inv, void *arg)
{
    struct tpush *tp = arg;
    struct topic_service *ts = tp->ts;
    const char *status = json_string_value(json_object_get(inv, "status"));
    const char *error = json_string_value(json_object_get(inv, "error"));
    const json_t *result = json_object_get(inv, "result");
    char *resp = result ? jsonx_dump(result) : xstrdup("");
    char *why = NULL;
    int ok = status && strcmp(status, "succeeded") == 0;

    topic_push_unlink(ts, tp);
    if (error && strcmp(error, "EngineStopping") == 0) {
        /* still pending: invoked again at the next start */
        free(resp);
        topic_push_free_one(tp);
        return;
    }
    if (strlen(resp) > TOPIC_EXCERPT_MAX)
        resp[TOPIC_EXCERPT_MAX] = '\0';
    if (!ok)
        why = xasprintf("the function %s: %s: %s",
                        status ? status : "failed", error ? error : "",
                        json_string_value(json_object_get(inv, "cause"))
                            ? json_string_value(json_object_get(inv, "cause"))
                            : "");
    if (topic_push_record(ts, tp->id, ok, 0, timefmt_mono_ms() - tp->started,
                          resp, why))
        log_error("topic push: delivery %lld not recorded: %s",
                  (long long)tp->id, err_last());
    free(why);
    free(resp);
    topic_push_free_one(tp);
}

/* Invoke the function of delivery `id` with its payload as the event. */
static void
topic_push_fn_start(struct topic_service *ts, int64_t id, const char *ep,
                    const char *payload, const char *fmt, const char *topic)
{
    struct tpush *tp = xcalloc(1, sizeof(*tp));
    json_t *event = NULL;
    char *trigger = xasprintf("topic:%s", topic);
    int rc;

    tp->ts = ts;
    tp->id = id;
    tp->fn = 1;
    tp->started = timefmt_mono_ms();
    tp->next = ts->pushes;
    ts->pushes = tp;
    ts->npushes++;
    if (!strcmp(fmt, "JSON") || !strcmp(fmt, "SNS"))
        event = json_loads(payload, 0, NULL);
    if (event == NULL)
        event = json_string(payload);
    if (engine_write_begin(ts->eng) != 0) {
        topic_push_unlink(ts, tp);
        topic_push_free_one(tp);
        goto out; /* still pending: tried again at the next start */
    }
    rc = ts->eng->fns ? fn_invoke(NULL, ts->eng->fns, topic_endpoint_fn(ep),
                                  event, trigger, topic_push_fn_done, tp)
                      : err_set(ENG_EUNAVAIL, "no function service");
    if (rc) {
        char *why = xstrdup(err_last());

        topic_push_unlink(ts, tp);
        rc = topic_push_record(ts, id, 0, 0, 0, "", why);
        free(why);
        topic_push_free_one(tp);
    }
    if (engine_write_end(ts->eng, rc == 0) || rc)
        log_error("topic push: delivery %lld not recorded: %s",
                  (long long)id, err_last());
out:
    json_decref(event);
    free(trigger);
}

static void
topic_push_check(struct topic_service *ts)
{
    CURLMsg *m;
    int left;

    while ((m = sym_curl_multi_info_read(ts->multi, &left)) != NULL) {
        struct tpush *tp = NULL;
        long code = 0;
        CURLcode res = m->data.result;
        CURL *easy = m->easy_handle;

        if (m->msg != CURLMSG_DONE)
            continue;
        sym_curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&tp);
        sym_curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
        sym_curl_multi_remove_handle(ts->multi, easy);
        sym_curl_easy_cleanup(easy);
        tp->easy = NULL;
        topic_push_unlink(ts, tp);
        {
            int ok = res == CURLE_OK && code >= 200 && code < 300;
            char *why = res != CURLE_OK
                            ? xstrdup(*tp->errbuf ? tp->errbuf
                                                  : sym_curl_easy_strerror(res))
                        : !ok ? xasprintf("the endpoint answered %ld", code)
                              : NULL;

            topic_push_commit(ts, tp->id, ok, code,
                              timefmt_mono_ms() - tp->started, tp->excerpt,
                              why);
            free(why);
        }
        topic_push_free_one(tp);
    }
}

/* ---- the hook and the retry timer ---- */

static int64_t
topic_push_next(void *arg)
{
    struct topic_service *ts = arg;

    if (ts->nready > 0 && ts->npushes < TOPIC_PUSH_PARALLEL)
        return timefmt_mono_ms();
    return ts->curl_due;
}

static void
topic_push_run(void *arg)
{
    struct topic_service *ts = arg;
    size_t i = 0;
    int running;

    if (ts->curl_due <= timefmt_mono_ms()) {
        ts->curl_due = INT64_MAX;
        sym_curl_multi_socket_action(ts->multi, CURL_SOCKET_TIMEOUT, 0,
                                     &running);
        topic_push_check(ts);
    }
    /* only what a committed turn made ready */
    while (i < ts->nready && ts->ready[i].turn < ts->turn &&
           ts->npushes < TOPIC_PUSH_PARALLEL)
        topic_push_start(ts, ts->ready[i++].id);
    if (i > 0) {
        memmove(ts->ready, ts->ready + i,
                (ts->nready - i) * sizeof(*ts->ready));
        ts->nready -= i;
    }
    if (i > 0 && ts->multi) {
        sym_curl_multi_socket_action(ts->multi, CURL_SOCKET_TIMEOUT, 0,
                                     &running);
        topic_push_check(ts);
    }
    ts->turn++;
}

static int
topic_push_fire_retry(const struct sched_timer *t, void *arg)
{
    struct topic_service *ts = arg;
    struct store *st = ts->eng->store;
    sqlite3_stmt *u = store_stmt(st, "UPDATE deliveries SET status = "
                                     "'pending', next_ms = NULL WHERE id = ? "
                                     "AND status = 'retry_wait'");
    int64_t id = strtoll(t->ref, NULL, 10);
    int rc;

    sqlite3_bind_int64(u, 1, id);
    rc = store_step_done(st, u);
    store_done(u);
    if (rc == 0 && sqlite3_changes(store_db(st)) > 0)
        topic_push_stage(ts, id);
    return rc;
}

int
topic_service_reload(struct topic_service *ts)
{
    sqlite3_stmt *q = store_stmt(ts->eng->store,
                                 "SELECT id FROM deliveries WHERE status "
                                 "= 'pending' AND kind IN ('http', "
                                 "'function') ORDER BY id");
    int rc;

    ts->nready = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        topic_push_stage(ts, sqlite3_column_int64(q, 0));
        ts->ready[ts->nready - 1].turn = 0; /* committed already */
    }
    store_done(q);
    return rc == SQLITE_DONE ? 0 : store_error(ts->eng->store);
}

int
topic_push_init(struct topic_service *ts)
{
    sched_register(ts->eng->sched, "topic.retry", topic_push_fire_retry, ts);
    engine_hook_add(ts->eng, topic_push_next, topic_push_run, ts);
    return topic_service_reload(ts);
}

void
topic_push_free(struct topic_service *ts)
{
    while (ts->pushes) {
        struct tpush *tp = ts->pushes;

        ts->pushes = tp->next;
        if (tp->easy) {
            sym_curl_multi_remove_handle(ts->multi, tp->easy);
            sym_curl_easy_cleanup(tp->easy);
        }
        topic_push_free_one(tp);
    }
    ts->npushes = 0;
    if (ts->multi)
        sym_curl_multi_cleanup(ts->multi);
    ts->multi = NULL;
}

/* ---- deliveries ---- */

#define TOPIC_DELIVERY_COLS                                                   \
    "id, topic, sub, msg_id, endpoint, kind, status, attempts, created_ms, " \
    "updated_ms, next_ms, strategy, format, last"

static json_t *
topic_delivery_json(sqlite3_stmt *q)
{
    const char *last = (const char *)sqlite3_column_text(q, 13);
    json_t *j = json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:s, s:s}", "id",
        (json_int_t)sqlite3_column_int64(q, 0), "topic",
        (const char *)sqlite3_column_text(q, 1), "subscription",
        (const char *)sqlite3_column_text(q, 2), "message_id",
        (const char *)sqlite3_column_text(q, 3), "endpoint",
        (const char *)sqlite3_column_text(q, 4), "kind",
        (const char *)sqlite3_column_text(q, 5), "status",
        (const char *)sqlite3_column_text(q, 6), "attempts",
        sqlite3_column_int(q, 7), "created",
        jsonx_time(sqlite3_column_int64(q, 8)), "updated",
        jsonx_time(sqlite3_column_int64(q, 9)), "strategy",
        (const char *)sqlite3_column_text(q, 11), "format",
        (const char *)sqlite3_column_text(q, 12));

    if (sqlite3_column_type(q, 10) != SQLITE_NULL)
        json_object_set_new(j, "next_attempt",
                            jsonx_time(sqlite3_column_int64(q, 10)));
    if (last)
        json_object_set_new(j, "last", json_loads(last, 0, NULL));
    return j;
}

static int
topic_push_topic_exists(struct topic_service *ts, const char *topic)
{
    sqlite3_stmt *q = store_stmt(ts->eng->store,
                                 "SELECT 1 FROM topics WHERE name = ?");
    int rc;

    sqlite3_bind_text(q, 1, topic, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    store_done(q);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? err_setn(ENG_ENOTFOUND, "TopicNotExist",
                                        "no topic '%s'", topic)
                             : store_error(ts->eng->store);
}

int
topic_deliveries(json_t **out, struct topic_service *ts, const char *topic,
                 const char *sub, const char *status, int64_t cursor,
                 int limit)
{
    sqlite3_stmt *q;
    json_t *items;
    int rc, n = 0;
    int64_t lastid = 0;

    *out = NULL;
    if ((rc = topic_push_topic_exists(ts, topic)))
        return rc;
    q = store_stmt(ts->eng->store,
                   "SELECT " TOPIC_DELIVERY_COLS " FROM deliveries WHERE "
                   "topic = ?1 AND (?2 IS NULL OR sub = ?2) AND (?3 IS NULL "
                   "OR status = ?3) AND (?4 = 0 OR id < ?4) ORDER BY id "
                   "DESC LIMIT ?5");
    sqlite3_bind_text(q, 1, topic, -1, SQLITE_STATIC);
    if (sub)
        sqlite3_bind_text(q, 2, sub, -1, SQLITE_STATIC);
    if (status)
        sqlite3_bind_text(q, 3, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, cursor);
    sqlite3_bind_int(q, 5, limit + 1);
    items = json_array();
    while ((rc = sqlite3_step(q)) == SQLITE_ROW && n++ < limit) {
        lastid = sqlite3_column_int64(q, 0);
        json_array_append_new(items, topic_delivery_json(q));
    }
    store_done(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        json_decref(items);
        return store_error(ts->eng->store);
    }
    *out = json_pack("{s:o}", "items", items);
    if (rc == SQLITE_ROW)
        json_object_set_new(*out, "next", json_sprintf("%lld",
                                                       (long long)lastid));
    return 0;
}

static int
topic_delivery_get(json_t **out, struct topic_service *ts, const char *topic,
                   int64_t id)
{
    sqlite3_stmt *q = store_stmt(ts->eng->store,
                                 "SELECT " TOPIC_DELIVERY_COLS
                                 " FROM deliveries WHERE id = ? AND "
                                 "topic = ?");
    int rc;

    *out = NULL;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_text(q, 2, topic, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *out = topic_delivery_json(q);
    store_done(q);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? err_set(ENG_ENOTFOUND, "topic '%s' has no "
                                       "delivery %lld", topic, (long long)id)
                             : store_error(ts->eng->store);
}

int
topic_redeliver(json_t **out, struct topic_service *ts, const char *topic,
                int64_t id)
{
    struct store *st = ts->eng->store;
    json_t *d = NULL, *attrs = NULL;
    sqlite3_stmt *q;
    char ref[32], *payload = NULL;
    const char *kind, *status;
    int rc;

    *out = NULL;
    if ((rc = topic_delivery_get(&d, ts, topic, id)))
        return rc;
    kind = json_string_value(json_object_get(d, "kind"));
    status = json_string_value(json_object_get(d, "status"));
    if (topic_push_busy(ts, id) || !strcmp(status, "pending")) {
        json_decref(d);
        return err_set(ENG_ECONFLICT, "delivery %lld is being pushed now",
                       (long long)id);
    }
    topic_push_ref(ref, sizeof(ref), id);
    if ((rc = sched_cancel_ref(ts->eng->sched, "topic.retry", ref)))
        goto out;
    q = store_stmt(st, "SELECT d.payload, m.attrs FROM deliveries d LEFT "
                       "JOIN topic_messages m ON m.msg_id = d.msg_id WHERE "
                       "d.id = ?");
    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) == SQLITE_ROW) {
        payload = xstrdup((const char *)sqlite3_column_text(q, 0));
        if (sqlite3_column_type(q, 1) != SQLITE_NULL)
            attrs = json_loads((const char *)sqlite3_column_text(q, 1), 0,
                               NULL);
    }
    store_done(q);
    q = store_stmt(st, "UPDATE deliveries SET status = ?, next_ms = NULL, "
                       "updated_ms = ? WHERE id = ?");
    sqlite3_bind_text(q, 1, strcmp(kind, "queue") ? "pending" : "sending",
                      -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, engine_now(ts->eng));
    sqlite3_bind_int64(q, 3, id);
    rc = store_step_done(st, q);
    store_done(q);
    if (rc == 0)
        rc = engine_journal(ts->eng, "delivery", ref, "redeliver", NULL);
    if (rc)
        goto out;
    if (strcmp(kind, "queue") != 0)
        topic_push_stage(ts, id);
    else if ((rc = topic_queue_deliver(
                  ts, id, json_string_value(json_object_get(d, "endpoint")),
                  json_string_value(json_object_get(d, "format")),
                  payload ? payload : "", attrs)))
        goto out;
    json_decref(d);
    d = NULL;
    rc = topic_delivery_get(out, ts, topic, id);
out:
    json_decref(d);
    json_decref(attrs);
    free(payload);
    return rc;
}
