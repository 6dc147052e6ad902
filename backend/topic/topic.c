/*
 * topic: topics, subscriptions, publish with fan-out, and explain. Reads
 * and writes the store directly (no cache): a publish reads the topic's
 * subscriptions once, writes the message and a delivery per match, and
 * sends queue deliveries in the same change. HTTP pushes are staged for
 * topic_push.c. Engine thread only.
 */
#include "topic/topic.h"

#include "common/buf.h"
#include "common/digest.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/rand.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "core/sched.h"
#include "queue/queue.h"
#include "store/store.h"
#include "topic/topic_filter.h"
#include "topic/topic_int.h"
#include "topic/topic_sns.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOPIC_NAME_MAX 256
#define TOPIC_SIZE_MIN 1024
#define TOPIC_SIZE_MAX 262144 /* SNS; MNS topics take 64 KiB */
#define TOPIC_SIZE_DEFAULT 65536

static struct store *
topic_st(struct topic_service *ts)
{
    return ts->eng->store;
}

static json_t *
topic_col_json(sqlite3_stmt *q, int i)
{
    const char *t = (const char *)sqlite3_column_text(q, i);

    return t ? json_loads(t, JSON_DECODE_ANY, NULL) : NULL;
}

static int
topic_check_name(const char *what, const char *name)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0 || n > TOPIC_NAME_MAX || name[0] == '-' || name[0] == '_')
        goto bad;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];

        if (!isalnum((unsigned char)c) && c != '-' && c != '_')
            goto bad;
    }
    return 0;
bad:
    return err_set(ENG_EINVAL, "%s name '%s' must be 1 to %d letters, "
                   "digits, '-' or '_', starting with a letter or digit",
                   what, name ? name : "", TOPIC_NAME_MAX);
}

int
topic_endpoint_is_http(const char *endpoint)
{
    return strncmp(endpoint, "http://", 7) == 0 ||
           strncmp(endpoint, "https://", 8) == 0;
}

/* ---- the service ---- */

int
topic_service_create(struct topic_service **out, struct engine *eng)
{
    struct topic_service *ts = xcalloc(1, sizeof(*ts));
    int rc;

    ts->eng = eng;
    ts->curl_due = INT64_MAX;
    ts->turn = 1;
    if ((rc = topic_push_init(ts))) {
        topic_service_free(ts);
        *out = NULL;
        return rc;
    }
    *out = ts;
    return 0;
}

void
topic_service_free(struct topic_service *ts)
{
    if (ts == NULL)
        return;
    topic_push_free(ts);
    free(ts->ready);
    free(ts->region);
    free(ts->account);
    free(ts->mns_account);
    free(ts);
}

/* a delivery `d` whose subscription still exists (the failed deliveries
 * of a topic or subscription deleted since are nobody's failing work) */
#define TOPIC_SUB_EXISTS                                                      \
    "EXISTS (SELECT 1 FROM subscriptions s WHERE s.topic = d.topic AND "      \
    "s.name = d.sub)"

/* Returns: the count `sql` (no parameters) answers, or 0. */
static json_int_t
topic_count_sql(struct store *st, const char *sql)
{
    sqlite3_stmt *q = store_stmt(st, sql);
    json_int_t n = 0;

    if (sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
    store_done(q);
    return n;
}

/*
 * The subscriptions with failed or retrying deliveries, the one with the
 * newest such delivery first, TOPIC_FAILING_MAX at most: each with its
 * counts and what its newest failing delivery says. The partial indexes
 * deliveries_failed and deliveries_open keep it to the failing rows.
 */
static json_t *
topic_failing(struct store *st)
{
    sqlite3_stmt *q = store_stmt(
        st, "SELECT topic, sub, sum(f), sum(r), max(id) FROM ("
            "SELECT topic, sub, 1 AS f, 0 AS r, id FROM deliveries "
            "WHERE status = 'failed' UNION ALL "
            "SELECT topic, sub, 0, 1, id FROM deliveries WHERE status IN "
            "('sending', 'pending', 'retry_wait') AND status = 'retry_wait'"
            ") d WHERE " TOPIC_SUB_EXISTS " GROUP BY topic, sub "
            "ORDER BY 5 DESC LIMIT ?1");
    json_t *items = json_array(), *it;
    size_t i;

    sqlite3_bind_int(q, 1, TOPIC_FAILING_MAX);
    while (sqlite3_step(q) == SQLITE_ROW)
        json_array_append_new(
            items,
            json_pack("{s:s, s:s, s:I, s:I, s:I}", "topic",
                      (const char *)sqlite3_column_text(q, 0),
                      "subscription", (const char *)sqlite3_column_text(q, 1),
                      "failed", (json_int_t)sqlite3_column_int64(q, 2),
                      "retrying", (json_int_t)sqlite3_column_int64(q, 3),
                      "delivery", (json_int_t)sqlite3_column_int64(q, 4)));
    store_done(q);
    json_array_foreach(items, i, it) {
        const char *last;

        q = store_stmt(st, "SELECT endpoint, status, attempts, next_ms, "
                           "last FROM deliveries WHERE id = ?1");
        sqlite3_bind_int64(q, 1,
                           json_integer_value(json_object_get(it, "delivery")));
        if (sqlite3_step(q) == SQLITE_ROW) {
            json_object_set_new(
                it, "endpoint",
                json_string((const char *)sqlite3_column_text(q, 0)));
            json_object_set_new(
                it, "status",
                json_string((const char *)sqlite3_column_text(q, 1)));
            json_object_set_new(it, "attempts",
                                json_integer(sqlite3_column_int(q, 2)));
            if (sqlite3_column_type(q, 3) != SQLITE_NULL)
                json_object_set_new(it, "next_attempt",
                                    jsonx_time(sqlite3_column_int64(q, 3)));
            last = (const char *)sqlite3_column_text(q, 4);
            if (last) {
                json_t *l = json_loads(last, 0, NULL);
                const json_t *e = json_object_get(l, "error");

                if (json_is_string(e))
                    json_object_set(it, "error", (json_t *)e);
                json_decref(l);
            }
        }
        store_done(q);
    }
    return items;
}

json_t *
topic_service_counts(struct topic_service *ts)
{
    struct store *st = topic_st(ts);

    return json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "topics",
        (json_int_t)store_count(st, "topics"), "subscriptions",
        (json_int_t)store_count(st, "subscriptions"), "messages",
        (json_int_t)store_count(st, "topic_messages"), "pending",
        topic_count_sql(st, "SELECT count(*) FROM deliveries WHERE status "
                            "IN ('pending', 'retry_wait')"),
        "retrying",
        topic_count_sql(st, "SELECT count(*) FROM deliveries WHERE status "
                            "IN ('pending', 'retry_wait') AND status = "
                            "'retry_wait'"),
        "failed",
        topic_count_sql(st, "SELECT count(*) FROM deliveries d WHERE "
                            "status = 'failed' AND " TOPIC_SUB_EXISTS),
        "failing", topic_failing(st));
}

int64_t
topic_retry_delay(const char *strategy, int retry)
{
    if (retry < 1)
        return -1;
    if (strcmp(strategy, "EXPONENTIAL_DECAY_RETRY") == 0) {
        if (retry > TOPIC_DECAY_RETRIES)
            return -1;
        return retry <= 9 ? (INT64_C(1000) << (retry - 1)) : 512000;
    }
    if (retry > TOPIC_BACKOFF_RETRIES)
        return -1;
    {
        uint32_t r;

        rand_bytes(&r, sizeof(r));
        return 10000 + (int64_t)(r % 10001);
    }
}

/* ---- topics ---- */

/* The topic's attributes, or ENG_ENOTFOUND. */
static int
topic_load(json_t **out, struct topic_service *ts, const char *name)
{
    sqlite3_stmt *q = store_stmt(topic_st(ts),
                                 "SELECT attrs, created_ms, modified_ms "
                                 "FROM topics WHERE name = ?");
    int rc;

    *out = NULL;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        json_t *a = topic_col_json(q, 0);

        *out = json_pack("{s:s, s:o, s:o}", "name", name, "created",
                         jsonx_time(sqlite3_column_int64(q, 1)), "modified",
                         jsonx_time(sqlite3_column_int64(q, 2)));
        json_object_update(*out, a);
        json_decref(a);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? err_setn(ENG_ENOTFOUND, "TopicNotExist",
                                          "no topic '%s'", name)
                               : store_error(topic_st(ts));
    }
    store_done(q);
    return rc;
}

int
topic_create(json_t **out, int *created, struct topic_service *ts,
             const char *name, const json_t *attrs)
{
    static const char *const keys[] = {"max_message_size", "logging", NULL};
    int64_t size = TOPIC_SIZE_DEFAULT;
    int logging = 0, rc;
    json_t *a = NULL, *old = NULL;
    char *text = NULL;
    sqlite3_stmt *ins;
    int64_t now = engine_now(ts->eng);

    *out = NULL;
    *created = 0;
    if ((rc = topic_check_name("topic", name)) ||
        (attrs && (rc = jsonx_check_keys(attrs, keys))) ||
        (rc = jsonx_get_int(&size, attrs, "max_message_size", 0,
                            TOPIC_SIZE_MIN, TOPIC_SIZE_MAX)) ||
        (rc = jsonx_get_bool(&logging, attrs, "logging", 0)))
        return rc;
    a = json_pack("{s:I, s:b}", "max_message_size", (json_int_t)size,
                  "logging", logging);
    rc = topic_load(&old, ts, name);
    if (rc == 0) {
        int same = json_equal(json_object_get(old, "max_message_size"),
                              json_object_get(a, "max_message_size")) &&
                   json_equal(json_object_get(old, "logging"),
                              json_object_get(a, "logging"));

        json_decref(a);
        if (!same) {
            json_decref(old);
            return err_setn(ENG_EEXISTS, "TopicAlreadyExist",
                            "topic '%s' exists with other attributes", name);
        }
        *out = old;
        return 0;
    }
    if (rc != ENG_ENOTFOUND) {
        json_decref(a);
        return rc;
    }
    text = jsonx_dump(a);
    json_decref(a);
    ins = store_stmt(topic_st(ts), "INSERT INTO topics(name, created_ms, "
                                   "modified_ms, attrs) VALUES (?, ?, ?, ?)");
    sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 2, now);
    sqlite3_bind_int64(ins, 3, now);
    sqlite3_bind_text(ins, 4, text, -1, SQLITE_STATIC);
    rc = store_step_done(topic_st(ts), ins);
    store_done(ins);
    free(text);
    if (rc == 0)
        rc = engine_journal(ts->eng, "topic", name, "created", NULL);
    if (rc)
        return rc;
    *created = 1;
    return topic_load(out, ts, name);
}

int
topic_set(json_t **out, struct topic_service *ts, const char *name,
          const json_t *attrs)
{
    static const char *const keys[] = {"max_message_size", "logging", NULL};
    json_t *old = NULL, *a;
    int64_t size;
    int logging, rc;
    char *text;
    sqlite3_stmt *u;

    *out = NULL;
    if ((rc = topic_load(&old, ts, name)))
        return rc;
    size = json_integer_value(json_object_get(old, "max_message_size"));
    logging = json_is_true(json_object_get(old, "logging"));
    json_decref(old);
    if ((attrs && (rc = jsonx_check_keys(attrs, keys))) ||
        (rc = jsonx_get_int(&size, attrs, "max_message_size", 0,
                            TOPIC_SIZE_MIN, TOPIC_SIZE_MAX)) ||
        (rc = jsonx_get_bool(&logging, attrs, "logging", 0)))
        return rc;
    a = json_pack("{s:I, s:b}", "max_message_size", (json_int_t)size,
                  "logging", logging);
    text = jsonx_dump(a);
    u = store_stmt(topic_st(ts), "UPDATE topics SET attrs = ?, modified_ms "
                                 "= ? WHERE name = ?");
    sqlite3_bind_text(u, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(u, 2, engine_now(ts->eng));
    sqlite3_bind_text(u, 3, name, -1, SQLITE_STATIC);
    rc = store_step_done(topic_st(ts), u);
    store_done(u);
    free(text);
    if (rc == 0)
        rc = engine_journal(ts->eng, "topic", name, "changed", a);
    json_decref(a);
    return rc ? rc : topic_load(out, ts, name);
}

int
topic_get(json_t **out, struct topic_service *ts, const char *name)
{
    json_t *subs = NULL;
    sqlite3_stmt *q;
    int rc;

    if ((rc = topic_load(out, ts, name)))
        return rc;
    if ((rc = topic_sub_list(&subs, ts, name))) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    json_object_set(*out, "subscriptions", json_object_get(subs, "items"));
    json_decref(subs);
    q = store_stmt(topic_st(ts),
                   "SELECT count(*) FROM topic_messages WHERE topic = ?");
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW)
        json_object_set_new(*out, "messages",
                            json_integer(sqlite3_column_int64(q, 0)));
    store_done(q);
    return 0;
}

int
topic_list(json_t **out, struct topic_service *ts, const char *prefix,
           const char *cursor, int limit)
{
    sqlite3_stmt *q = store_stmt(
        topic_st(ts),
        "SELECT t.name, (SELECT count(*) FROM subscriptions s WHERE "
        "s.topic = t.name), t.created_ms, (SELECT count(*) FROM "
        "topic_messages m WHERE m.topic = t.name), (SELECT count(*) FROM "
        "deliveries d WHERE d.topic = t.name AND d.status IN ('sending', "
        "'pending', 'retry_wait')), (SELECT count(*) FROM deliveries d "
        "WHERE d.topic = t.name AND d.status = 'failed') FROM topics t "
        "WHERE t.name > ?1 AND substr(t.name, 1, length(?2)) = ?2 ORDER BY "
        "t.name LIMIT ?3");
    json_t *items = json_array();
    int n = 0, rc;

    sqlite3_bind_text(q, 1, cursor ? cursor : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, prefix ? prefix : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 3, limit + 1);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW && n++ < limit)
        json_array_append_new(
            items, json_pack("{s:s, s:I, s:o, s:I, s:I, s:I}", "name",
                             (const char *)sqlite3_column_text(q, 0),
                             "subscriptions",
                             (json_int_t)sqlite3_column_int64(q, 1),
                             "created",
                             jsonx_time(sqlite3_column_int64(q, 2)),
                             "messages",
                             (json_int_t)sqlite3_column_int64(q, 3),
                             "pending",
                             (json_int_t)sqlite3_column_int64(q, 4),
                             "failed",
                             (json_int_t)sqlite3_column_int64(q, 5)));
    store_done(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        json_decref(items);
        return store_error(topic_st(ts));
    }
    *out = json_pack("{s:o}", "items", items);
    if (rc == SQLITE_ROW && json_array_size(items) > 0)
        json_object_set(*out, "next",
                        json_object_get(json_array_get(
                                            items, json_array_size(items) - 1),
                                        "name"));
    return 0;
}

/* Cancel the deliveries of `topic` (and `sub`, unless NULL) still to be
 * made: their retry timers go, their rows say so. */
static int
topic_cancel_deliveries(struct topic_service *ts, const char *topic,
                        const char *sub)
{
    struct store *st = topic_st(ts);
    sqlite3_stmt *q = store_stmt(
        st, "SELECT id FROM deliveries WHERE topic = ?1 AND (?2 IS NULL OR "
            "sub = ?2) AND status IN ('pending', 'retry_wait')");
    json_t *ids = json_array();
    size_t i;
    json_t *v;
    int rc = 0;

    sqlite3_bind_text(q, 1, topic, -1, SQLITE_STATIC);
    if (sub)
        sqlite3_bind_text(q, 2, sub, -1, SQLITE_STATIC);
    while (sqlite3_step(q) == SQLITE_ROW)
        json_array_append_new(ids, json_integer(sqlite3_column_int64(q, 0)));
    store_done(q);
    json_array_foreach(ids, i, v) {
        char ref[32];
        sqlite3_stmt *u;

        snprintf(ref, sizeof(ref), "%lld",
                 (long long)json_integer_value(v));
        if ((rc = sched_cancel_ref(ts->eng->sched, "topic.retry", ref)))
            break;
        u = store_stmt(st, "UPDATE deliveries SET status = 'cancelled', "
                           "updated_ms = ? WHERE id = ?");
        sqlite3_bind_int64(u, 1, engine_now(ts->eng));
        sqlite3_bind_int64(u, 2, json_integer_value(v));
        rc = store_step_done(st, u);
        store_done(u);
        if (rc == 0)
            rc = engine_journal(ts->eng, "delivery", ref, "cancelled", NULL);
        if (rc)
            break;
    }
    json_decref(ids);
    return rc;
}

int
topic_delete(struct topic_service *ts, const char *name)
{
    struct store *st = topic_st(ts);
    json_t *t = NULL;
    sqlite3_stmt *d;
    int rc;

    if ((rc = topic_load(&t, ts, name)))
        return rc;
    json_decref(t);
    if ((rc = topic_cancel_deliveries(ts, name, NULL)))
        return rc;
    d = store_stmt(st, "DELETE FROM subscriptions WHERE topic = ?");
    sqlite3_bind_text(d, 1, name, -1, SQLITE_STATIC);
    rc = store_step_done(st, d);
    store_done(d);
    if (rc == 0) {
        d = store_stmt(st, "DELETE FROM topics WHERE name = ?");
        sqlite3_bind_text(d, 1, name, -1, SQLITE_STATIC);
        rc = store_step_done(st, d);
        store_done(d);
    }
    if (rc == 0)
        rc = engine_journal(ts->eng, "topic", name, "deleted", NULL);
    return rc;
}

/* ---- subscriptions ---- */

/* The queue an endpoint names, or NULL (not a queue endpoint). */
static const char *
topic_endpoint_queue(const char *ep)
{
    const char *p;

    if (strncmp(ep, "queue:", 6) == 0)
        return ep + 6;
    if (strncmp(ep, "acs:mns:", 8) == 0 &&
        (p = strstr(ep, ":queues/")) != NULL)
        return p + 8;
    if (strncmp(ep, "arn:aws:sqs:", 12) == 0 && (p = strrchr(ep, ':')))
        return p + 1;
    return NULL;
}

const char *
topic_endpoint_fn(const char *ep)
{
    const char *p;

    if (strncmp(ep, "fn:", 3) == 0)
        return ep + 3;
    if (strncmp(ep, "acs:fc:", 7) == 0 &&
        (p = strstr(ep, "/functions/")) != NULL)
        return p + 11;
    return NULL;
}

static int
topic_one_of(const char *field, const char *v, const char *const *allowed)
{
    struct buf b;
    int rc;

    for (size_t i = 0; allowed[i]; i++)
        if (strcmp(v, allowed[i]) == 0)
            return 0;
    buf_init(&b, 1024);
    for (size_t i = 0; allowed[i]; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", allowed[i]);
    rc = err_set(ENG_EINVAL, "'%s' is one of %s, not '%s'", field,
                 buf_str(&b), v);
    buf_free(&b);
    return rc;
}

/* Check a subscribe request; builds the stored attributes. */
static int
topic_sub_attrs(json_t **out, const json_t *req)
{
    static const char *const keys[] = {
        "endpoint", "filter_tag", "filter_policy", "filter_policy_scope",
        "notify_strategy", "format", "protocol", "meta", "confirm", NULL};
    static const char *const scopes[] = {"MessageAttributes", "MessageBody",
                                         NULL};
    static const char *const strategies[] = {
        "BACKOFF_RETRY", "EXPONENTIAL_DECAY_RETRY", NULL};
    static const char *const formats[] = {"XML", "JSON", "SIMPLIFIED", "SNS",
                                          "RAW", NULL};
    const char *ep = NULL, *tag = NULL, *scope = "MessageAttributes";
    const char *strategy = "BACKOFF_RETRY", *format = "XML", *kind;
    const char *proto = NULL;
    const json_t *fp = json_object_get(req, "filter_policy");
    const json_t *meta = json_object_get(req, "meta");
    json_t *policy = NULL, *a;
    int confirm = 0, rc;

    *out = NULL;
    if ((rc = jsonx_check_keys(req, keys)) ||
        (rc = jsonx_get_str(&ep, req, "endpoint", 1)) ||
        (rc = jsonx_get_str(&tag, req, "filter_tag", 0)) ||
        (rc = jsonx_get_str(&scope, req, "filter_policy_scope", 0)) ||
        (rc = jsonx_get_str(&strategy, req, "notify_strategy", 0)) ||
        (rc = jsonx_get_str(&format, req, "format", 0)) ||
        (rc = jsonx_get_str(&proto, req, "protocol", 0)) ||
        (rc = jsonx_get_bool(&confirm, req, "confirm", 0)))
        return rc;
    if (meta && !json_is_object(meta))
        return err_set(ENG_EINVAL, "'meta' is an object");
    if (proto && (*proto == '\0' || strlen(proto) > 32))
        return err_set(ENG_EINVAL, "'protocol' is 1 to 32 characters");
    if (!scope)
        scope = "MessageAttributes";
    if (!strategy)
        strategy = "BACKOFF_RETRY";
    if (!format)
        format = "XML";
    if ((rc = topic_one_of("filter_policy_scope", scope, scopes)) ||
        (rc = topic_one_of("notify_strategy", strategy, strategies)) ||
        (rc = topic_one_of("format", format, formats)))
        return rc;
    if (tag && (strlen(tag) == 0 || strlen(tag) > TOPIC_TAG_MAX))
        return err_set(ENG_EINVAL, "'filter_tag' is 1 to %d characters",
                       TOPIC_TAG_MAX);
    if (topic_endpoint_is_http(ep)) {
        kind = "http";
        if (strlen(ep) < 10 || strstr(ep, "/mns-reserved-"))
            return err_setn(ENG_EINVAL, "EndpointInvalid",
                            "endpoint '%s' is not a usable URL", ep);
    } else if (topic_endpoint_queue(ep)) {
        kind = "queue";
        if (*topic_endpoint_queue(ep) == '\0')
            return err_setn(ENG_EINVAL, "EndpointInvalid",
                            "endpoint '%s' names no queue", ep);
    } else if (topic_endpoint_fn(ep)) {
        kind = "function";
        if (topic_check_name("function", topic_endpoint_fn(ep)))
            return err_setn(ENG_EINVAL, "EndpointInvalid",
                            "endpoint '%s' names no function (fn:NAME or "
                            "acs:fc:REGION:ACCOUNT:services/S/functions/"
                            "NAME)", ep);
    } else {
        return err_setn(ENG_EINVAL, "EndpointInvalid",
                        "endpoint '%s' is none of http(s)://..., "
                        "queue:NAME, acs:mns:REGION:ACCOUNT:queues/NAME, "
                        "arn:aws:sqs:REGION:ACCOUNT:NAME, fn:NAME, "
                        "acs:fc:...:services/S/functions/NAME",
                        ep);
    }
    if (json_is_string(fp)) {
        json_error_t e;

        policy = json_loads(json_string_value(fp), 0, &e);
        if (policy == NULL)
            return err_set(ENG_EINVAL, "'filter_policy' is not JSON: %s",
                           e.text);
    } else if (fp && !json_is_null(fp)) {
        policy = json_incref((json_t *)fp);
    }
    if (policy &&
        (rc = topic_filter_check(policy, strcmp(scope, "MessageBody") == 0
                                             ? TOPIC_SCOPE_BODY
                                             : TOPIC_SCOPE_ATTRIBUTES))) {
        json_decref(policy);
        return rc;
    }
    a = json_pack("{s:s, s:s, s:s, s:s, s:s}", "endpoint", ep, "kind", kind,
                  "filter_policy_scope", scope, "notify_strategy", strategy,
                  "format", format);
    if (tag)
        json_object_set_new(a, "filter_tag", json_string(tag));
    if (proto)
        json_object_set_new(a, "protocol", json_string(proto));
    if (meta)
        json_object_set(a, "meta", (json_t *)meta);
    if (confirm) {
        /* an SNS subscription that waits for its SubscriptionConfirmation */
        if (strcmp(kind, "http") || (strcmp(format, "SNS") &&
                                     strcmp(format, "RAW"))) {
            json_decref(a);
            json_decref(policy);
            return err_set(ENG_EINVAL, "'confirm' needs an http(s) endpoint "
                           "and the SNS or RAW format");
        }
        json_object_set_new(a, "confirm", json_true());
    }
    if (policy && json_object_size(policy) > 0)
        json_object_set(a, "filter_policy", policy);
    json_decref(policy);
    *out = a;
    return 0;
}

static json_t *
topic_sub_json(const char *topic, const char *name, json_t *attrs,
               int64_t created)
{
    json_t *j = json_pack("{s:s, s:s, s:o}", "topic", topic, "name", name,
                          "created", jsonx_time(created));

    json_object_update(j, attrs);
    return j;
}

int
topic_sub_get(json_t **out, struct topic_service *ts, const char *topic,
              const char *name)
{
    sqlite3_stmt *q = store_stmt(topic_st(ts),
                                 "SELECT attrs, created_ms FROM "
                                 "subscriptions WHERE topic = ? AND name = ?");
    int rc;

    *out = NULL;
    sqlite3_bind_text(q, 1, topic, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        json_t *a = topic_col_json(q, 0);

        *out = topic_sub_json(topic, name, a, sqlite3_column_int64(q, 1));
        json_decref(a);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE
                 ? err_setn(ENG_ENOTFOUND, "SubscriptionNotExist",
                            "topic '%s' has no subscription '%s'", topic,
                            name)
                 : store_error(topic_st(ts));
    }
    store_done(q);
    return rc;
}

int
topic_sub_list(json_t **out, struct topic_service *ts, const char *topic)
{
    sqlite3_stmt *q = store_stmt(topic_st(ts),
                                 "SELECT name, attrs, created_ms FROM "
                                 "subscriptions WHERE topic = ? ORDER BY "
                                 "name");
    json_t *items = json_array();
    int rc;

    sqlite3_bind_text(q, 1, topic, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        json_t *a = topic_col_json(q, 1);

        json_array_append_new(
            items, topic_sub_json(topic,
                                  (const char *)sqlite3_column_text(q, 0), a,
                                  sqlite3_column_int64(q, 2)));
        json_decref(a);
    }
    store_done(q);
    if (rc != SQLITE_DONE) {
        json_decref(items);
        return store_error(topic_st(ts));
    }
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int
topic_subscribe(json_t **out, int *created, struct topic_service *ts,
                const char *topic, const char *name, const json_t *req)
{
    json_t *t = NULL, *a = NULL, *old = NULL;
    sqlite3_stmt *ins;
    char *text;
    int rc;

    *out = NULL;
    *created = 0;
    if ((rc = topic_check_name("subscription", name)) ||
        (rc = topic_load(&t, ts, topic)))
        return rc;
    json_decref(t);
    if ((rc = topic_sub_attrs(&a, req)))
        return rc;
    rc = topic_sub_get(&old, ts, topic, name);
    if (rc == 0) {
        json_t *cmp = topic_sub_json(topic, name, a, 0);

        json_object_set(cmp, "created", json_object_get(old, "created"));
        if (json_object_get(old, "confirmation"))
            json_object_set(cmp, "confirmation",
                            json_object_get(old, "confirmation"));
        rc = json_equal(cmp, old)
                 ? 0
                 : err_setn(ENG_EEXISTS, "SubscriptionAlreadyExist",
                            "topic '%s' has a subscription '%s' with other "
                            "attributes", topic, name);
        json_decref(cmp);
        json_decref(a);
        if (rc) {
            json_decref(old);
            return rc;
        }
        *out = old;
        return 0;
    }
    if (rc != ENG_ENOTFOUND) {
        json_decref(a);
        return rc;
    }
    text = jsonx_dump(a);
    json_decref(a);
    ins = store_stmt(topic_st(ts), "INSERT INTO subscriptions(topic, name, "
                                   "endpoint, created_ms, attrs) VALUES "
                                   "(?, ?, ?, ?, ?)");
    sqlite3_bind_text(ins, 1, topic, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, json_string_value(json_object_get(req,
                                                                "endpoint")),
                      -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 4, engine_now(ts->eng));
    sqlite3_bind_text(ins, 5, text, -1, SQLITE_STATIC);
    rc = store_step_done(topic_st(ts), ins);
    store_done(ins);
    if (rc == 0) {
        char *ent = xasprintf("%s/%s", topic, name);
        json_t *d = json_loads(text, 0, NULL);

        rc = engine_journal(ts->eng, "subscription", ent, "subscribed", d);
        if (rc == 0 && json_is_true(json_object_get(d, "confirm")))
            rc = topic_sns_confirm_start(ts, topic, name, d);
        json_decref(d);
        free(ent);
    }
    free(text);
    if (rc)
        return rc;
    *created = 1;
    return topic_sub_get(out, ts, topic, name);
}

int
topic_unsubscribe(struct topic_service *ts, const char *topic,
                  const char *name)
{
    struct store *st = topic_st(ts);
    json_t *s = NULL;
    sqlite3_stmt *d;
    char *ent;
    int rc;

    if ((rc = topic_sub_get(&s, ts, topic, name)))
        return rc;
    json_decref(s);
    if ((rc = topic_cancel_deliveries(ts, topic, name)))
        return rc;
    d = store_stmt(st, "DELETE FROM subscriptions WHERE topic = ? AND "
                       "name = ?");
    sqlite3_bind_text(d, 1, topic, -1, SQLITE_STATIC);
    sqlite3_bind_text(d, 2, name, -1, SQLITE_STATIC);
    rc = store_step_done(st, d);
    store_done(d);
    ent = xasprintf("%s/%s", topic, name);
    if (rc == 0)
        rc = engine_journal(ts->eng, "subscription", ent, "unsubscribed",
                            NULL);
    free(ent);
    return rc;
}

int
topic_sub_set(json_t **out, struct topic_service *ts, const char *topic,
              const char *name, const json_t *changes)
{
    static const char *const keys[] = {
        "filter_tag", "filter_policy", "filter_policy_scope",
        "notify_strategy", "format", "meta", NULL};
    json_t *old = NULL, *req = NULL, *a = NULL;
    const char *k;
    json_t *v;
    sqlite3_stmt *u;
    char *text, *ent;
    int rc;

    *out = NULL;
    if ((rc = jsonx_check_keys(changes, keys)) ||
        (rc = topic_sub_get(&old, ts, topic, name)))
        return rc;
    /* the stored request again, changed, checked as a subscribe is */
    req = json_deep_copy(old);
    json_object_del(req, "topic");
    json_object_del(req, "name");
    json_object_del(req, "created");
    json_object_del(req, "kind");
    json_object_del(req, "confirmation");
    json_object_foreach((json_t *)changes, k, v) {
        if (json_is_null(v))
            json_object_del(req, k);
        else
            json_object_set(req, k, v);
    }
    rc = topic_sub_attrs(&a, req);
    json_decref(req);
    if (rc == 0 && json_object_get(old, "confirmation"))
        json_object_set(a, "confirmation",
                        json_object_get(old, "confirmation"));
    json_decref(old);
    if (rc)
        return rc;
    text = jsonx_dump(a);
    u = store_stmt(topic_st(ts), "UPDATE subscriptions SET attrs = ? WHERE "
                                 "topic = ? AND name = ?");
    sqlite3_bind_text(u, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 2, topic, -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 3, name, -1, SQLITE_STATIC);
    rc = store_step_done(topic_st(ts), u);
    store_done(u);
    free(text);
    ent = xasprintf("%s/%s", topic, name);
    if (rc == 0)
        rc = engine_journal(ts->eng, "subscription", ent, "changed", a);
    free(ent);
    json_decref(a);
    return rc ? rc : topic_sub_get(out, ts, topic, name);
}

/* ---- publish ---- */

struct tmsg {
    const char *topic;
    char id[40];
    char md5[DIGEST_MD5_HEX]; /* upper-case hex */
    char *body;               /* owned */
    const char *tag;          /* NULL: none */
    json_t *attrs;            /* normalised; owned */
    int64_t ms;
    const char *subject;      /* SNS Subject; NULL: none */
    const json_t *bodies;     /* protocol -> body (SNS MessageStructure);
                                 borrowed; may be NULL */
};

static void
tmsg_clear(struct tmsg *m)
{
    free(m->body);
    json_decref(m->attrs);
}

/* Check a publish request into m. */
static int
topic_msg_parse(struct tmsg *m, const json_t *req, const char *topic)
{
    static const char *const keys[] = {"body",    "tag",    "attributes",
                                       "subject", "bodies", NULL};
    const json_t *b = json_object_get(req, "body");
    const char *k;
    json_t *v;
    int rc;

    memset(m, 0, sizeof(*m));
    m->topic = topic;
    if ((rc = jsonx_check_keys(req, keys)) ||
        (rc = jsonx_get_str(&m->tag, req, "tag", 0)) ||
        (rc = jsonx_get_str(&m->subject, req, "subject", 0)))
        return rc;
    m->bodies = json_object_get(req, "bodies");
    if (m->bodies && !json_is_object(m->bodies))
        return err_set(ENG_EINVAL, "'bodies' is an object of protocol: "
                       "body");
    json_object_foreach((json_t *)m->bodies, k, v)
        if (!json_is_string(v))
            return err_set(ENG_EINVAL, "'bodies': the body for '%s' is "
                           "not a string", k);
    if (b == NULL)
        return err_set(ENG_EINVAL, "'body' is required");
    m->body = json_is_string(b) ? xstrdup(json_string_value(b))
                                : jsonx_dump(b);
    if (m->tag && strlen(m->tag) > TOPIC_TAG_MAX)
        return err_set(ENG_EINVAL, "'tag' is at most %d characters",
                       TOPIC_TAG_MAX);
    if (m->tag && *m->tag == '\0')
        m->tag = NULL;
    if ((rc = topic_filter_attrs(&m->attrs, json_object_get(req,
                                                            "attributes"))))
        return rc;
    digest_md5_hex(m->md5, m->body, strlen(m->body));
    for (char *p = m->md5; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return 0;
}

int
topic_message_get(json_t **out, struct topic_service *ts, const char *topic,
                  const char *id)
{
    struct store *st = topic_st(ts);
    json_t *t = NULL;
    sqlite3_stmt *q;
    int rc;

    *out = NULL;
    if ((rc = topic_load(&t, ts, topic)))
        return rc;
    json_decref(t);
    q = store_stmt(st, "SELECT msg_id, published_ms, body, md5, tag, attrs "
                       "FROM topic_messages WHERE msg_id = ?1 AND topic = ?2");
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, topic, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *out = json_pack("{s:s, s:s, s:o, s:s, s:s}", "id",
                         (const char *)sqlite3_column_text(q, 0), "topic",
                         topic, "published",
                         jsonx_time(sqlite3_column_int64(q, 1)), "body",
                         (const char *)sqlite3_column_text(q, 2), "body_md5",
                         (const char *)sqlite3_column_text(q, 3));
        if (sqlite3_column_type(q, 4) != SQLITE_NULL)
            json_object_set_new(
                *out, "tag",
                json_string((const char *)sqlite3_column_text(q, 4)));
        if (sqlite3_column_type(q, 5) != SQLITE_NULL)
            json_object_set_new(*out, "attributes",
                                json_loads((const char *)sqlite3_column_text(
                                               q, 5),
                                           0, NULL));
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_setn(ENG_ENOTFOUND, "MessageNotExist",
                      "topic '%s' has no message '%s'", topic, id);
    } else {
        rc = store_error(st);
    }
    store_done(q);
    return rc;
}

/* Does sub `a` take m? With `ex`, says why in it. */
static int
topic_sub_matches(const json_t *a, const struct tmsg *m, json_t *ex)
{
    const char *ftag = json_string_value(json_object_get(a, "filter_tag"));
    const json_t *policy = json_object_get(a, "filter_policy");
    const char *scope =
        json_string_value(json_object_get(a, "filter_policy_scope"));
    int pass = 1;

    if (ftag) {
        int ok = m->tag && strcmp(ftag, m->tag) == 0;
        char *why = ok ? xasprintf("message tag equals '%s'", ftag)
                       : m->tag ? xasprintf("message tag '%s' is not '%s'",
                                            m->tag, ftag)
                                : xasprintf("the message has no tag; the "
                                            "subscription wants '%s'",
                                            ftag);

        if (ex)
            json_object_set_new(ex, "tag",
                                json_pack("{s:s, s:o, s:b, s:s}",
                                          "filter_tag", ftag, "message_tag",
                                          m->tag ? json_string(m->tag)
                                                 : json_null(),
                                          "pass", ok, "why", why));
        free(why);
        pass = ok;
    }
    if (policy) {
        json_t *clauses = ex ? json_array() : NULL;
        int ok = (pass || ex) &&
                 topic_filter_match(policy,
                                    scope && !strcmp(scope, "MessageBody")
                                        ? TOPIC_SCOPE_BODY
                                        : TOPIC_SCOPE_ATTRIBUTES,
                                    m->attrs, m->body, clauses);

        if (ex)
            json_object_set_new(ex, "policy",
                                json_pack("{s:s, s:b, s:o}", "scope",
                                          scope ? scope : "MessageAttributes",
                                          "pass", ok, "clauses", clauses));
        pass = pass && ok;
    }
    return pass;
}

static void
topic_xml_text(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '&': buf_puts(b, "&amp;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&apos;"); break;
        default: buf_append(b, s, 1);
        }
    }
}

static void
topic_xml_el(struct buf *b, const char *name, const char *text)
{
    buf_printf(b, "<%s>", name);
    topic_xml_text(b, text);
    buf_printf(b, "</%s>", name);
}

/* The payload sub `a` gets for m, in its format and for its protocol.
 * Returns: new string. */
static char *
topic_payload(struct topic_service *ts, const json_t *a, const char *sub,
              const struct tmsg *m)
{
    const char *fmt = json_string_value(json_object_get(a, "format"));
    const char *proto = json_string_value(json_object_get(a, "protocol"));
    const char *owner = ts->mns_account ? ts->mns_account : "1234567890123456";
    /* SNS MessageStructure=json: the body for the subscription's protocol */
    const char *body = proto && json_string_value(json_object_get(m->bodies,
                                                                  proto))
                           ? json_string_value(json_object_get(m->bodies,
                                                               proto))
                           : m->body;
    char ms[32];

    snprintf(ms, sizeof(ms), "%lld", (long long)m->ms);
    if (!strcmp(fmt, "SIMPLIFIED") || !strcmp(fmt, "RAW"))
        return xstrdup(body);
    if (!strcmp(fmt, "JSON")) {
        json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                              "TopicOwner", owner, "TopicName",
                              m->topic, "Subscriber", owner,
                              "SubscriptionName", sub, "MessageId", m->id,
                              "Message", body, "MessageMD5", m->md5);
        char *s;

        if (m->tag)
            json_object_set_new(j, "MessageTag", json_string(m->tag));
        json_object_set_new(j, "PublishTime", json_string(ms));
        s = jsonx_dump(j);
        json_decref(j);
        return s;
    }
    if (!strcmp(fmt, "SNS"))
        return topic_sns_notification(ts, m->topic, sub, m->id, m->ms,
                                      m->subject, body, m->attrs);
    {
        struct buf b;

        buf_init(&b, 0);
        buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                     "<Notification xmlns=\"http://mns.aliyuncs.com/doc/"
                     "v1/\">");
        topic_xml_el(&b, "TopicOwner", owner);
        topic_xml_el(&b, "TopicName", m->topic);
        topic_xml_el(&b, "Subscriber", owner);
        topic_xml_el(&b, "SubscriptionName", sub);
        topic_xml_el(&b, "MessageId", m->id);
        topic_xml_el(&b, "Message", body);
        topic_xml_el(&b, "MessageMD5", m->md5);
        if (m->tag)
            topic_xml_el(&b, "MessageTag", m->tag);
        topic_xml_el(&b, "PublishTime", ms);
        buf_puts(&b, "</Notification>");
        return buf_take(&b);
    }
}

/* Record a delivery row; its id in *id. */
static int
topic_delivery_insert(int64_t *id, struct topic_service *ts,
                      const struct tmsg *m, const char *sub,
                      const json_t *a, const char *status,
                      const char *payload)
{
    struct store *st = topic_st(ts);
    sqlite3_stmt *ins = store_stmt(
        st, "INSERT INTO deliveries(topic, sub, msg_id, endpoint, kind, "
            "status, created_ms, updated_ms, strategy, format, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    int rc;

    sqlite3_bind_text(ins, 1, m->topic, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, sub, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, m->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4,
                      json_string_value(json_object_get(a, "endpoint")), -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(ins, 5, json_string_value(json_object_get(a, "kind")),
                      -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 6, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 7, m->ms);
    sqlite3_bind_int64(ins, 8, m->ms);
    sqlite3_bind_text(ins, 9,
                      json_string_value(json_object_get(a,
                                                        "notify_strategy")),
                      -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 10, json_string_value(json_object_get(a,
                                                                 "format")),
                      -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 11, payload, -1, SQLITE_STATIC);
    rc = store_step_done(st, ins);
    store_done(ins);
    *id = sqlite3_last_insert_rowid(store_db(st));
    return rc;
}

int
topic_queue_deliver(struct topic_service *ts, int64_t id,
                    const char *endpoint, const char *format,
                    const char *payload, const json_t *attrs)
{
    struct store *st = topic_st(ts);
    const char *qname = topic_endpoint_queue(endpoint);
    json_t *msg = json_pack("{s:s}", "body", payload), *res = NULL, *last;
    char ref[32];
    sqlite3_stmt *u;
    int rc, src;

    if (!strcmp(format, "RAW") && json_object_size(attrs) > 0)
        json_object_set(msg, "attributes", (json_t *)attrs);
    if ((rc = engine_write_begin(ts->eng))) {
        json_decref(msg);
        return rc;
    }
    src = queue_send(&res, ts->eng->queues, qname ? qname : "", msg);
    json_decref(msg);
    if ((rc = engine_write_end(ts->eng, src == 0)))
        return rc;
    if (src == ENG_ERR || src == ENG_ENOSPACE || src == ENG_EREADONLY) {
        json_decref(res);
        return src;
    }
    last = src == 0 ? json_pack("{s:s, s:O}", "queue", qname, "message_id",
                                json_object_get(res, "id"))
                    : json_pack("{s:s, s:s}", "queue", qname, "error",
                                err_last());
    json_decref(res);
    {
        char *text = jsonx_dump(last);

        u = store_stmt(st, "UPDATE deliveries SET status = ?, attempts = "
                           "attempts + 1, updated_ms = ?, last = ? WHERE "
                           "id = ?");
        sqlite3_bind_text(u, 1, src == 0 ? "delivered" : "failed", -1,
                          SQLITE_STATIC);
        sqlite3_bind_int64(u, 2, engine_now(ts->eng));
        sqlite3_bind_text(u, 3, text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(u, 4, id);
        rc = store_step_done(st, u);
        store_done(u);
        free(text);
    }
    snprintf(ref, sizeof(ref), "%lld", (long long)id);
    if (rc == 0)
        rc = engine_journal(ts->eng, "delivery", ref,
                            src == 0 ? "delivered" : "failed", last);
    json_decref(last);
    return rc;
}

/* Every subscription of a topic: [{"name", "attrs"}]. */
static int
topic_subs_load(json_t **out, struct topic_service *ts, const char *topic)
{
    sqlite3_stmt *q = store_stmt(topic_st(ts), "SELECT name, attrs FROM "
                                               "subscriptions WHERE topic = "
                                               "? ORDER BY name");
    json_t *arr = json_array();
    int rc;

    sqlite3_bind_text(q, 1, topic, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        json_array_append_new(arr,
                              json_pack("{s:s, s:o}", "name",
                                        (const char *)sqlite3_column_text(q,
                                                                          0),
                                        "attrs", topic_col_json(q, 1)));
    store_done(q);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return store_error(topic_st(ts));
    }
    *out = arr;
    return 0;
}

int
topic_publish(json_t **out, struct topic_service *ts, const char *topic,
              const json_t *req)
{
    struct store *st = topic_st(ts);
    struct tmsg m;
    json_t *t = NULL, *subs = NULL, *dels = json_array();
    sqlite3_stmt *ins;
    size_t i;
    json_t *s;
    int rc;

    *out = NULL;
    if ((rc = topic_load(&t, ts, topic)) ||
        (rc = topic_msg_parse(&m, req, topic)))
        goto out;
    if ((json_int_t)strlen(m.body) >
        json_integer_value(json_object_get(t, "max_message_size"))) {
        rc = err_setn(ENG_ETOOBIG, "MessageTooLarge",
                      "the body is %zu bytes; topic '%s' takes at most "
                      "%lld", strlen(m.body), topic,
                      (long long)json_integer_value(
                          json_object_get(t, "max_message_size")));
        goto out;
    }
    rand_uuid(m.id);
    m.ms = engine_now(ts->eng);
    ins = store_stmt(st, "INSERT INTO topic_messages(topic, msg_id, "
                         "published_ms, body, md5, tag, attrs) VALUES "
                         "(?, ?, ?, ?, ?, ?, ?)");
    {
        char *attrs = json_object_size(m.attrs) ? jsonx_dump(m.attrs) : NULL;

        sqlite3_bind_text(ins, 1, topic, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, m.id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, m.ms);
        sqlite3_bind_text(ins, 4, m.body, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, m.md5, -1, SQLITE_STATIC);
        if (m.tag)
            sqlite3_bind_text(ins, 6, m.tag, -1, SQLITE_STATIC);
        if (attrs)
            sqlite3_bind_text(ins, 7, attrs, -1, SQLITE_TRANSIENT);
        rc = store_step_done(st, ins);
        store_done(ins);
        free(attrs);
    }
    if (rc || (rc = topic_subs_load(&subs, ts, topic)))
        goto out;
    json_array_foreach(subs, i, s) {
        const char *name = json_string_value(json_object_get(s, "name"));
        const json_t *a = json_object_get(s, "attrs");
        const char *kind = json_string_value(json_object_get(a, "kind"));
        int http = kind && (!strcmp(kind, "http") ||
                            !strcmp(kind, "function"));
        char *payload;
        int64_t id = 0;

        if (json_is_true(json_object_get(json_object_get(a, "confirmation"),
                                         "pending")) ||
            !topic_sub_matches(a, &m, NULL))
            continue; /* not confirmed yet, or filtered out */
        payload = topic_payload(ts, a, name, &m);
        rc = topic_delivery_insert(&id, ts, &m, name, a,
                                   http ? "pending" : "sending", payload);
        if (rc == 0 && !http)
            rc = topic_queue_deliver(
                ts, id, json_string_value(json_object_get(a, "endpoint")),
                json_string_value(json_object_get(a, "format")), payload,
                m.attrs);
        free(payload);
        if (rc)
            goto out;
        if (http)
            topic_push_stage(ts, id);
        json_array_append_new(dels, json_pack("{s:s, s:I, s:s}",
                                              "subscription", name, "id",
                                              (json_int_t)id, "kind", kind));
    }
    {
        json_t *d = json_pack("{s:s, s:s, s:I}", "message_id", m.id,
                              "body_md5", m.md5, "deliveries",
                              (json_int_t)json_array_size(dels));

        if (m.tag)
            json_object_set_new(d, "tag", json_string(m.tag));
        rc = engine_journal(ts->eng, "topic", topic, "published", d);
        json_decref(d);
    }
    if (rc == 0)
        *out = json_pack("{s:s, s:s, s:O}", "id", m.id, "body_md5", m.md5,
                         "deliveries", dels);
out:
    if (t)
        tmsg_clear(&m);
    json_decref(t);
    json_decref(subs);
    json_decref(dels);
    return rc;
}

int
topic_explain(json_t **out, struct topic_service *ts, const char *topic,
              const json_t *req)
{
    struct tmsg m;
    json_t *t = NULL, *subs = NULL, *res = json_array();
    size_t i;
    json_t *s;
    int rc;

    *out = NULL;
    if ((rc = topic_load(&t, ts, topic)))
        goto out;
    rc = topic_msg_parse(&m, req, topic);
    if (rc == 0 && (rc = topic_subs_load(&subs, ts, topic)) == 0) {
        json_array_foreach(subs, i, s) {
            const json_t *a = json_object_get(s, "attrs");
            json_t *ex = json_pack("{s:O, s:O}", "subscription",
                                   json_object_get(s, "name"), "endpoint",
                                   json_object_get(a, "endpoint"));
            int match = topic_sub_matches(a, &m, ex);

            json_object_set_new(ex, "match", json_boolean(match));
            if (!json_object_get(a, "filter_tag") &&
                !json_object_get(a, "filter_policy"))
                json_object_set_new(ex, "why",
                                    json_string("no filter: takes every "
                                                "message"));
            json_array_append_new(res, ex);
        }
        *out = json_pack("{s:s, s:O}", "topic", topic, "subscriptions", res);
    }
    tmsg_clear(&m);
out:
    json_decref(t);
    json_decref(subs);
    json_decref(res);
    return rc;
}
