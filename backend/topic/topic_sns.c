/*
 * topic_sns: the SNS side of the topic service. Builds the SNS envelopes
 * (Notification and SubscriptionConfirmation, keys in the order AWS
 * writes them) and the x-amz-sns-* push headers, keeps the AWS names the
 * ARNs use, holds subscriptions that wait for confirmation (a random
 * token, a confirmation pushed like any delivery, confirmed by token) and
 * protocol-owned topic metadata. Engine thread only.
 *
 * Signatures: the envelope's Signature is the base64 SHA-256 of the
 * documented string to sign, not an RSA signature; consumers that verify
 * signatures against an AWS certificate will refuse it.
 */
#include "topic/topic_sns.h"

#include "common/buf.h"
#include "common/digest.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/rand.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "store/store.h"
#include "topic/topic_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
topic_service_names(struct topic_service *ts, const char *region,
                    const char *account, const char *mns_account)
{
    free(ts->region);
    free(ts->account);
    free(ts->mns_account);
    ts->region = xstrdup(region ? region : "us-east-1");
    ts->account = xstrdup(account ? account : "000000000000");
    ts->mns_account = xstrdup(mns_account ? mns_account : "1234567890123456");
}

char *
topic_arn(const struct topic_service *ts, const char *topic)
{
    return xasprintf("arn:aws:sns:%s:%s:%s",
                     ts->region ? ts->region : "us-east-1",
                     ts->account ? ts->account : "000000000000", topic);
}

/* Returns: new "http://HOST:PORT", the address the engine serves. */
static char *
topic_sns_base(const struct topic_service *ts)
{
    return xasprintf("http://%s", ts->eng->listen && *ts->eng->listen
                                      ? ts->eng->listen
                                      : "localhost");
}

/* Percent-encode s for a query value into b. */
static void
topic_sns_qescape(struct buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || strchr("-_.~:", c))
            buf_append(b, s, 1);
        else
            buf_printf(b, "%%%02X", c);
    }
}

/*
 * Sign: the documented string to sign (`keys`, each present one as
 * "key\nvalue\n") digested, base64. Sets "Signature" on env.
 */
static void
topic_sns_sign(json_t *env, const char *const *keys)
{
    struct buf b = BUF_INIT(0);
    unsigned char raw[DIGEST_SHA256_SIZE];
    char b64[DIGEST_BASE64_SIZE(DIGEST_SHA256_SIZE)];

    for (size_t i = 0; keys[i]; i++) {
        const char *v = json_string_value(json_object_get(env, keys[i]));

        if (v)
            buf_printf(&b, "%s\n%s\n", keys[i], v);
    }
    digest_sha256(raw, buf_str(&b), b.len);
    buf_free(&b);
    digest_base64(b64, raw, sizeof(raw));
    json_object_set_new(env, "Signature", json_string(b64));
}

/* SignatureVersion, Signature, SigningCertURL, in that order. */
static void
topic_sns_sign_fields(const struct topic_service *ts, json_t *env,
                      const char *const *keys)
{
    char *base = topic_sns_base(ts);

    json_object_set_new(env, "SignatureVersion", json_string("1"));
    topic_sns_sign(env, keys);
    json_object_set_new(env, "SigningCertURL",
                        json_sprintf("%s/SimpleNotificationService-"
                                     "flowdeck.pem",
                                     base));
    free(base);
}

char *
topic_sns_notification(struct topic_service *ts, const char *topic,
                       const char *sub, const char *id, int64_t ms,
                       const char *subject, const char *message,
                       const json_t *attrs)
{
    static const char *const keys[] = {"Message",   "MessageId", "Subject",
                                       "Timestamp", "TopicArn",  "Type",
                                       NULL};
    char stamp[TIMEFMT_MAX], *arn = topic_arn(ts, topic), *base, *s;
    struct buf u = BUF_INIT(0);
    json_t *env;

    timefmt_rfc3339(stamp, ms);
    env = json_pack("{s:s, s:s, s:s}", "Type", "Notification", "MessageId", id,
                    "TopicArn", arn);
    if (subject)
        json_object_set_new(env, "Subject", json_string(subject));
    json_object_set_new(env, "Message", json_string(message));
    json_object_set_new(env, "Timestamp", json_string(stamp));
    topic_sns_sign_fields(ts, env, keys);
    base = topic_sns_base(ts);
    buf_printf(&u, "%s/?Action=Unsubscribe&SubscriptionArn=", base);
    topic_sns_qescape(&u, arn);
    buf_puts(&u, ":");
    topic_sns_qescape(&u, sub);
    buf_puts(&u, "&Version=2010-03-31");
    json_object_set_new(env, "UnsubscribeURL", json_string(buf_str(&u)));
    if (json_object_size(attrs) > 0) {
        json_t *ma = json_object();
        const char *k;
        json_t *v;

        json_object_foreach((json_t *)attrs, k, v) {
            json_object_set_new(ma, k,
                                json_pack("{s:O, s:O}", "Type",
                                          json_object_get(v, "type"), "Value",
                                          json_object_get(v, "value")));
        }
        json_object_set_new(env, "MessageAttributes", ma);
    }
    s = jsonx_dump(env);
    json_decref(env);
    buf_free(&u);
    free(base);
    free(arn);
    return s;
}

/* The SubscriptionConfirmation envelope for `token`. Returns: new text. */
static char *
topic_sns_confirmation(struct topic_service *ts, const char *topic,
                       const char *id, const char *token, int64_t ms)
{
    static const char *const keys[] = {"Message",   "MessageId", "SubscribeURL",
                                       "Timestamp", "Token",     "TopicArn",
                                       "Type",      NULL};
    char stamp[TIMEFMT_MAX], *arn = topic_arn(ts, topic), *base, *s;
    struct buf u = BUF_INIT(0);
    json_t *env;

    timefmt_rfc3339(stamp, ms);
    base = topic_sns_base(ts);
    buf_printf(&u, "%s/?Action=ConfirmSubscription&TopicArn=", base);
    topic_sns_qescape(&u, arn);
    buf_printf(&u, "&Token=%s&Version=2010-03-31", token);
    env = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "Type",
                    "SubscriptionConfirmation", "MessageId", id, "Token", token,
                    "TopicArn", arn, "Message",
                    json_sprintf("You have chosen to subscribe to the topic "
                                 "%s.\nTo confirm the subscription, visit "
                                 "the SubscribeURL included in this "
                                 "message.",
                                 arn),
                    "SubscribeURL", buf_str(&u), "Timestamp", stamp);
    topic_sns_sign_fields(ts, env, keys);
    s = jsonx_dump(env);
    json_decref(env);
    buf_free(&u);
    free(base);
    free(arn);
    return s;
}

/* Store the attributes `a` of subscription topic/sub. */
static int
topic_sns_store_sub(struct topic_service *ts, const char *topic,
                    const char *sub, const json_t *a)
{
    struct store *st = ts->eng->store;
    char *text = jsonx_dump(a);
    sqlite3_stmt *u = store_stmt(st, "UPDATE subscriptions SET attrs = ? "
                                     "WHERE topic = ? AND name = ?");
    int rc;

    sqlite3_bind_text(u, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 2, topic, -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 3, sub, -1, SQLITE_STATIC);
    rc = store_step_done(st, u);
    store_done(u);
    free(text);
    return rc;
}

int
topic_sns_confirm_start(struct topic_service *ts, const char *topic,
                        const char *sub, const json_t *a)
{
    struct store *st = ts->eng->store;
    unsigned char raw[TOPIC_SNS_TOKEN_BYTES];
    char token[2 * TOPIC_SNS_TOKEN_BYTES + 1], id[40], ref[32], *payload;
    json_t *na = json_deep_copy(a);
    int64_t now = engine_now(ts->eng), did;
    sqlite3_stmt *ins;
    int rc;

    rand_bytes(raw, sizeof(raw));
    digest_hex(token, raw, sizeof(raw));
    rand_uuid(id);
    json_object_set_new(na, "confirmation",
                        json_pack("{s:b, s:s}", "pending", 1, "token", token));
    rc = topic_sns_store_sub(ts, topic, sub, na);
    json_decref(na);
    if (rc)
        return rc;
    payload = topic_sns_confirmation(ts, topic, id, token, now);
    ins = store_stmt(st, "INSERT INTO deliveries(topic, sub, msg_id, "
                         "endpoint, kind, status, created_ms, updated_ms, "
                         "strategy, format, payload) VALUES (?, ?, ?, ?, "
                         "'http', 'pending', ?, ?, ?, 'SNS', ?)");
    sqlite3_bind_text(ins, 1, topic, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, sub, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, json_string_value(json_object_get(a, "endpoint")),
                      -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 5, now);
    sqlite3_bind_int64(ins, 6, now);
    sqlite3_bind_text(ins, 7,
                      json_string_value(json_object_get(a, "notify_strategy")),
                      -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 8, payload, -1, SQLITE_STATIC);
    rc = store_step_done(st, ins);
    store_done(ins);
    free(payload);
    if (rc)
        return rc;
    did = sqlite3_last_insert_rowid(store_db(st));
    snprintf(ref, sizeof(ref), "%lld", (long long)did);
    if ((rc = engine_journal(ts->eng, "delivery", ref, "confirmation", NULL)))
        return rc;
    topic_push_stage(ts, did);
    return 0;
}

int
topic_sub_confirm(json_t **out, struct topic_service *ts, const char *topic,
                  const char *token)
{
    json_t *t = NULL, *subs = NULL, *s, *found = NULL;
    size_t i;
    int rc;

    *out = NULL;
    if ((rc = topic_get(&t, ts, topic)))
        return rc;
    subs = json_object_get(t, "subscriptions");
    json_array_foreach(subs, i, s) {
        const char *tok = json_string_value(
            json_object_get(json_object_get(s, "confirmation"), "token"));

        if (tok && token && strlen(tok) == strlen(token) &&
            strcmp(tok, token) == 0) {
            found = s;
            break;
        }
    }
    if (found == NULL) {
        json_decref(t);
        return err_setn(ENG_EINVAL, "InvalidToken",
                        "no subscription of topic '%s' waits for that "
                        "confirmation token",
                        topic);
    }
    if (json_is_true(json_object_get(json_object_get(found, "confirmation"),
                                     "pending"))) {
        const char *name = json_string_value(json_object_get(found, "name"));
        json_t *a = json_deep_copy(found);
        char *ent = xasprintf("%s/%s", topic, name);

        json_object_del(a, "topic");
        json_object_del(a, "name");
        json_object_del(a, "created");
        json_object_set_new(json_object_get(a, "confirmation"), "pending",
                            json_false());
        rc = topic_sns_store_sub(ts, topic, name, a);
        json_decref(a);
        if (rc == 0)
            rc =
                engine_journal(ts->eng, "subscription", ent, "confirmed", NULL);
        free(ent);
        if (rc == 0)
            rc = topic_sub_get(out, ts, topic, name);
    } else {
        *out = json_incref(found);
    }
    json_decref(t);
    return rc;
}

int
topic_set_meta(json_t **out, struct topic_service *ts, const char *name,
               const json_t *meta)
{
    struct store *st = ts->eng->store;
    sqlite3_stmt *q;
    json_t *a = NULL;
    char *text;
    int rc;

    *out = NULL;
    if (meta && !json_is_object(meta))
        return err_set(ENG_EINVAL, "'meta' is an object");
    q = store_stmt(st, "SELECT attrs FROM topics WHERE name = ?");
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        a = json_loads((const char *)sqlite3_column_text(q, 0), 0, NULL);
    store_done(q);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? err_setn(ENG_ENOTFOUND, "TopicNotExist",
                                            "no topic '%s'", name)
                                 : store_error(st);
    if (a == NULL)
        a = json_object();
    if (meta)
        json_object_set(a, "meta", (json_t *)meta);
    else
        json_object_del(a, "meta");
    text = jsonx_dump(a);
    json_decref(a);
    q = store_stmt(st, "UPDATE topics SET attrs = ?, modified_ms = ? WHERE "
                       "name = ?");
    sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, engine_now(ts->eng));
    sqlite3_bind_text(q, 3, name, -1, SQLITE_STATIC);
    rc = store_step_done(st, q);
    store_done(q);
    free(text);
    if (rc == 0)
        rc = engine_journal(ts->eng, "topic", name, "changed", NULL);
    return rc ? rc : topic_get(out, ts, name);
}

static struct curl_slist *
topic_sns_header(struct curl_slist *h, const char *name, const char *value)
{
    char *line = xasprintf("%s: %s", name, value);

    h = sym_curl_slist_append(h, line);
    free(line);
    return h;
}

struct curl_slist *
topic_sns_headers(struct topic_service *ts, struct curl_slist *h,
                  const char *fmt, const char *payload, const char *msg_id,
                  const char *topic, const char *sub)
{
    char *arn = topic_arn(ts, topic), *sarn = xasprintf("%s:%s", arn, sub);
    int raw = strcmp(fmt, "RAW") == 0;
    json_t *env = raw ? NULL : json_loads(payload, 0, NULL);
    const char *type = json_string_value(json_object_get(env, "Type"));

    if (type == NULL)
        type = "Notification";
    h = topic_sns_header(h, "Content-Type", "text/plain; charset=UTF-8");
    h = topic_sns_header(h, "User-Agent",
                         "Amazon Simple Notification Service Agent");
    h = topic_sns_header(h, "x-amz-sns-message-type", type);
    h = topic_sns_header(h, "x-amz-sns-message-id", msg_id);
    h = topic_sns_header(h, "x-amz-sns-topic-arn", arn);
    if (strcmp(type, "Notification") == 0)
        h = topic_sns_header(h, "x-amz-sns-subscription-arn", sarn);
    if (raw)
        h = topic_sns_header(h, "x-amz-sns-rawdelivery", "true");
    json_decref(env);
    free(arn);
    free(sarn);
    return h;
}
