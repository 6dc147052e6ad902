/*
 * Unit tests for the SNS side of the topic service (topic_sns.c and what
 * topic.c does with it): the envelope's keys in AWS's order, the ARNs
 * with the configured names, subscriptions that wait for confirmation
 * (a fresh unguessable token, a SubscriptionConfirmation delivery, no
 * notifications until confirmed by that token), confirmation surviving
 * a change of the subscription, per-protocol bodies, topic metadata.
 * An engine built by hand over an in-memory store; no HTTP.
 */
/* cmocka needs these first, in this order */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "core/sched.h"
#include "queue/queue.h"
#include "store/store.h"
#include "topic/topic.h"
#include "topic/topic_sns.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define T0 INT64_C(1795239000000) /* 2026-11-21T05:30:00Z */

struct fx {
    int64_t hand;
    struct engine *eng;
};

static int64_t
fx_now(void *arg)
{
    return *(const int64_t *)arg;
}

static int
fx_setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof(*f));
    struct engine *eng = xcalloc(1, sizeof(*eng));

    f->hand = T0;
    f->eng = eng;
    if (store_open(&eng->store, ":memory:") != 0)
        return -1;
    clock_init(&eng->clock);
    eng->clock.real_now = fx_now;
    eng->clock.real_arg = &f->hand;
    clock_init_keep_source(&eng->clock);
    eng->listen = xstrdup("127.0.0.1:9460");
    eng->sched = sched_create(eng->store, &eng->clock);
    eng->queues = queue_service_create(eng);
    if (queue_service_load(eng->queues) != 0 ||
        topic_service_create(&eng->topics, eng) != 0)
        return -1;
    topic_service_names(eng->topics, "eu-west-1", "123456789012", NULL);
    *state = f;
    return 0;
}

static int
fx_teardown(void **state)
{
    struct fx *f = *state;

    topic_service_free(f->eng->topics);
    engine_hooks_clear(f->eng);
    queue_service_free(f->eng->queues);
    sched_free(f->eng->sched);
    store_free(f->eng->store);
    free(f->eng->listen);
    free(f->eng);
    free(f);
    return 0;
}

static json_t *
fx_json(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);

    if (j == NULL)
        fail_msg("bad JSON in the test: %s", text);
    return j;
}

static void
fx_topic(struct fx *f, const char *name)
{
    json_t *out = NULL;
    int created;

    assert_int_equal(0,
                     topic_create(&out, &created, f->eng->topics, name, NULL));
    json_decref(out);
}

static void
fx_queue(struct fx *f, const char *name)
{
    json_t *out = NULL;
    int created;

    assert_int_equal(0,
                     queue_create(&out, &created, f->eng->queues, name, NULL));
    json_decref(out);
}

/* Subscribe with the request in JSON text; returns the subscription. */
static json_t *
fx_sub(struct fx *f, const char *topic, const char *name, const char *req)
{
    json_t *r = fx_json(req), *out = NULL;
    int created;

    if (topic_subscribe(&out, &created, f->eng->topics, topic, name, r))
        fail_msg("subscribe %s: %s", name, err_last());
    json_decref(r);
    return out;
}

static json_t *
fx_publish(struct fx *f, const char *topic, const char *msg)
{
    json_t *r = fx_json(msg), *out = NULL;

    if (topic_publish(&out, f->eng->topics, topic, r))
        fail_msg("publish: %s", err_last());
    json_decref(r);
    return out;
}

/* The bodies waiting in queue q, taken. Returns: new array. */
static json_t *
fx_take(struct fx *f, const char *q)
{
    struct queue_recv r = {QUEUE_BATCH_MAX, -1, 0};
    struct queue_msgs *got = NULL;

    assert_int_equal(
        0, queue_receive(&got, NULL, f->eng->queues, q, &r, NULL, NULL));
    return queue_msgs_to_json(got);
}

/* The newest delivery of topic t: new object. */
static json_t *
fx_last_delivery(struct fx *f, const char *t)
{
    json_t *out = NULL, *d;

    assert_int_equal(
        0, topic_deliveries(&out, f->eng->topics, t, NULL, NULL, 0, 1));
    d = json_incref(json_array_get(json_object_get(out, "items"), 0));
    json_decref(out);
    return d;
}

static void
test_sns_envelope_keys_in_order(void **state)
{
    static const char *const want[] = {
        "Type",           "MessageId",      "TopicArn",         "Subject",
        "Message",        "Timestamp",      "SignatureVersion", "Signature",
        "SigningCertURL", "UnsubscribeURL", "MessageAttributes"};
    struct fx *f = *state;
    json_t *s, *p, *msgs, *env;
    const char *k;
    json_t *v;
    size_t i = 0;

    fx_topic(f, "t");
    fx_queue(f, "q");
    s = fx_sub(f, "t", "s1",
               "{\"endpoint\": \"arn:aws:sqs:x:1:q\", "
               "\"format\": \"SNS\"}");
    p = fx_publish(f, "t",
                   "{\"body\": \"hi\", \"subject\": \"S\", "
                   "\"attributes\": {\"n\": 5}}");
    msgs = fx_take(f, "q");
    assert_int_equal(1, json_array_size(msgs));
    env = fx_json(
        json_string_value(json_object_get(json_array_get(msgs, 0), "body")));
    json_object_foreach(env, k, v)
    {
        assert_true(i < sizeof(want) / sizeof(want[0]));
        assert_string_equal(want[i], k);
        i++;
    }
    assert_int_equal(sizeof(want) / sizeof(want[0]), i);
    assert_string_equal("arn:aws:sns:eu-west-1:123456789012:t",
                        json_string_value(json_object_get(env, "TopicArn")));
    assert_string_equal(json_string_value(json_object_get(p, "id")),
                        json_string_value(json_object_get(env, "MessageId")));
    assert_string_equal("2026-11-21T05:30:00.000Z",
                        json_string_value(json_object_get(env, "Timestamp")));
    assert_string_equal(
        "http://127.0.0.1:9460/?Action=Unsubscribe&"
        "SubscriptionArn=arn:aws:sns:eu-west-1:123456789012:"
        "t:s1&Version=2010-03-31",
        json_string_value(json_object_get(env, "UnsubscribeURL")));
    v = json_pack("{s:s, s:s}", "Type", "Number", "Value", "5");
    assert_true(json_equal(
        v, json_object_get(json_object_get(env, "MessageAttributes"), "n")));
    json_decref(v);
    json_decref(env);
    json_decref(msgs);
    json_decref(p);
    json_decref(s);
}

static void
test_sns_confirmation_flow(void **state)
{
    struct fx *f = *state;
    json_t *s, *s2, *p, *d, *env, *out = NULL, *again = NULL;
    const char *tok, *tok2;
    char *token;

    fx_topic(f, "t");
    s = fx_sub(f, "t", "h1",
               "{\"endpoint\": \"http://127.0.0.1:1/a\", "
               "\"format\": \"SNS\", \"confirm\": true}");
    tok = json_string_value(
        json_object_get(json_object_get(s, "confirmation"), "token"));
    assert_non_null(tok);
    assert_int_equal(2 * TOPIC_SNS_TOKEN_BYTES, strlen(tok));
    assert_true(json_is_true(
        json_object_get(json_object_get(s, "confirmation"), "pending")));
    token = xstrdup(tok);

    /* the confirmation is a delivery to the endpoint, with the token */
    d = fx_last_delivery(f, "t");
    assert_string_equal("pending",
                        json_string_value(json_object_get(d, "status")));
    json_decref(d);

    /* a second subscription gets another token */
    s2 = fx_sub(f, "t", "h2",
                "{\"endpoint\": \"http://127.0.0.1:1/b\", "
                "\"format\": \"RAW\", \"confirm\": true}");
    tok2 = json_string_value(
        json_object_get(json_object_get(s2, "confirmation"), "token"));
    assert_string_not_equal(token, tok2);

    /* the same subscribe again is the same subscription (not a conflict) */
    assert_int_equal(0, topic_subscribe(&again, &(int){0}, f->eng->topics, "t",
                                        "h1",
                                        d = fx_json("{\"endpoint\": "
                                                    "\"http://127.0.0.1:1/a\""
                                                    ", \"format\": \"SNS\", "
                                                    "\"confirm\": true}")));
    json_decref(d);
    json_decref(again);

    /* not confirmed: a publish delivers to nobody */
    p = fx_publish(f, "t", "{\"body\": \"early\"}");
    assert_int_equal(0, json_array_size(json_object_get(p, "deliveries")));
    json_decref(p);

    /* a wrong token changes nothing */
    assert_int_equal(ENG_EINVAL,
                     topic_sub_confirm(&out, f->eng->topics, "t", "abc"));
    assert_null(out);
    assert_int_equal(ENG_ENOTFOUND,
                     topic_sub_confirm(&out, f->eng->topics, "nope", token));

    assert_int_equal(0, topic_sub_confirm(&out, f->eng->topics, "t", token));
    assert_string_equal("h1", json_string_value(json_object_get(out, "name")));
    assert_false(json_is_true(
        json_object_get(json_object_get(out, "confirmation"), "pending")));
    json_decref(out);
    /* confirming again answers the same subscription */
    assert_int_equal(0, topic_sub_confirm(&out, f->eng->topics, "t", token));
    json_decref(out);

    /* a change keeps the confirmation */
    env = fx_json("{\"filter_policy\": {\"a\": [\"b\"]}}");
    assert_int_equal(0, topic_sub_set(&out, f->eng->topics, "t", "h1", env));
    json_decref(env);
    assert_string_equal(token,
                        json_string_value(json_object_get(
                            json_object_get(out, "confirmation"), "token")));
    json_decref(out);

    p = fx_publish(f, "t",
                   "{\"body\": \"now\", \"attributes\": "
                   "{\"a\": \"b\"}}");
    assert_int_equal(1, json_array_size(json_object_get(p, "deliveries")));
    json_decref(p);

    /* confirm needs an http endpoint in an SNS format */
    env = fx_json("{\"endpoint\": \"queue:q\", \"confirm\": true}");
    assert_int_equal(
        ENG_EINVAL,
        topic_subscribe(&out, &(int){0}, f->eng->topics, "t", "x", env));
    json_decref(env);
    free(token);
    json_decref(s);
    json_decref(s2);
}

static void
test_sns_bodies_per_protocol(void **state)
{
    struct fx *f = *state;
    json_t *a, *b, *p, *m;

    fx_topic(f, "t");
    fx_queue(f, "qa");
    fx_queue(f, "qb");
    a = fx_sub(f, "t", "a",
               "{\"endpoint\": \"queue:qa\", \"format\": "
               "\"RAW\", \"protocol\": \"sqs\"}");
    b = fx_sub(f, "t", "b",
               "{\"endpoint\": \"queue:qb\", \"format\": "
               "\"RAW\"}");
    p = fx_publish(f, "t",
                   "{\"body\": \"default\", \"bodies\": "
                   "{\"sqs\": \"for sqs\", \"http\": \"h\"}}");
    m = fx_take(f, "qa");
    assert_string_equal("for sqs", json_string_value(json_object_get(
                                       json_array_get(m, 0), "body")));
    json_decref(m);
    m = fx_take(f, "qb");
    assert_string_equal("default", json_string_value(json_object_get(
                                       json_array_get(m, 0), "body")));
    json_decref(m);
    json_decref(p);
    p = json_pack("{s:s, s:{s:i}}", "body", "x", "bodies", "sqs", 1);
    assert_int_equal(ENG_EINVAL, topic_publish(&m, f->eng->topics, "t", p));
    json_decref(p);
    json_decref(a);
    json_decref(b);
}

static void
test_sns_topic_meta(void **state)
{
    struct fx *f = *state;
    json_t *meta = fx_json("{\"sns\": {\"tags\": {\"a\": \"1\"}}}");
    json_t *out = NULL, *bad = json_string("x");
    char *arn;

    fx_topic(f, "t");
    assert_int_equal(0, topic_set_meta(&out, f->eng->topics, "t", meta));
    assert_true(json_equal(meta, json_object_get(out, "meta")));
    json_decref(out);
    assert_int_equal(ENG_EINVAL,
                     topic_set_meta(&out, f->eng->topics, "t", bad));
    assert_int_equal(ENG_ENOTFOUND,
                     topic_set_meta(&out, f->eng->topics, "nope", meta));
    assert_int_equal(0, topic_set_meta(&out, f->eng->topics, "t", NULL));
    assert_null(json_object_get(out, "meta"));
    json_decref(out);
    arn = topic_arn(f->eng->topics, "t");
    assert_string_equal("arn:aws:sns:eu-west-1:123456789012:t", arn);
    free(arn);
    json_decref(meta);
    json_decref(bad);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sns_envelope_keys_in_order,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_sns_confirmation_flow, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_sns_bodies_per_protocol, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_sns_topic_meta, fx_setup,
                                        fx_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
