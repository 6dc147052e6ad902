/*
 * topic: the one topic service (MNS topics and SNS semantics). Topics,
 * their subscriptions (to a queue, an HTTP(S) URL or a local function),
 * filtering by tag and filter policy, publish with fan-out, and push
 * delivery with retries on the engine clock.
 *
 * Durable state is the `topics`, `subscriptions`, `topic_messages` and
 * `deliveries` tables; nothing else is kept in memory but the transfers
 * in flight. Publish writes the message, one delivery row per matching
 * subscription and, for queue subscriptions, the queue message, all in
 * the caller's store change. HTTP deliveries are pushed by a libcurl
 * multi handle driven from the engine loop (its sockets are engine
 * watches, its timer is the service's hook deadline), only after the
 * change that made them is committed; a failed push is retried by the
 * subscription's notify strategy through a "topic.retry" timer. Every
 * attempt is journaled (kind "delivery", id = delivery id).
 * Engine thread only.
 *
 * Requests and results are JSON objects with snake_case fields (see
 * docs/api.md, "Topics"); every error names the parameter.
 */
#ifndef FLOWDECK_TOPIC_H
#define FLOWDECK_TOPIC_H

#include <jansson.h>
#include <stdint.h>

struct engine;
struct topic_service;

#define TOPIC_TAG_MAX 16
#define TOPIC_BACKOFF_RETRIES 3
#define TOPIC_DECAY_RETRIES 176
#define TOPIC_PUSH_CONNECT_MS 2000
#define TOPIC_PUSH_TIMEOUT_MS 5000
#define TOPIC_PUSH_PARALLEL 64
#define TOPIC_EXCERPT_MAX 256

/*
 * Returns: a service over the engine's store, with its timer kind and
 * loop hook registered and pending deliveries queued for a push.
 * Returns: 0 and *out, or the store error.
 */
int topic_service_create(struct topic_service **out, struct engine *eng);

/* Abort transfers in flight (they stay pending for the next start), stop
 * watching their sockets and free. NULL-safe. */
void topic_service_free(struct topic_service *ts);

/*
 * The store was replaced (a snapshot restored, a reset, a failed commit):
 * forget what was ready to push and queue the deliveries the store says
 * are pending. Transfers in flight finish; their rows are checked before
 * anything is recorded. Returns: 0 or the store error.
 */
int topic_service_reload(struct topic_service *ts);

#define TOPIC_FAILING_MAX 20

/*
 * Returns: new {"topics", "subscriptions", "messages", "pending" (to
 * push or retry), "retrying" (waiting to retry after a failed attempt),
 * "failed" (out of retries), "failing": [{"topic", "subscription",
 * "failed", "retrying", "delivery" (the newest failing one), "endpoint",
 * "status", "attempts", "next_attempt"?, "error"?}] (newest first,
 * TOPIC_FAILING_MAX at most)}. Indexed queries only.
 */
json_t *topic_service_counts(struct topic_service *ts);

/*
 * The delay before retry number `retry` (1-based) of `strategy`
 * ("BACKOFF_RETRY": 10-20 s at random, 3 retries; "EXPONENTIAL_DECAY_
 * RETRY": 1, 2, 4 .. 256 s, then 512 s, 176 retries). Returns: ms, or -1
 * when the strategy allows no such retry.
 */
int64_t topic_retry_delay(const char *strategy, int retry);

/* ---- topics ---- */

/*
 * Create a topic. `attrs` (borrowed; may be NULL): max_message_size
 * (1024..65536), logging. Creating again with identical attributes is
 * idempotent (*created = 0). Returns: 0 and the topic in *out; ENG_EINVAL;
 * ENG_EEXISTS when it exists with other attributes.
 */
int topic_create(json_t **out, int *created, struct topic_service *ts,
                 const char *name, const json_t *attrs);

/*
 * Change the given attributes (max_message_size, logging) of a topic.
 * Returns: 0 and the topic in *out; ENG_ENOTFOUND; ENG_EINVAL.
 */
int topic_set(json_t **out, struct topic_service *ts, const char *name,
              const json_t *attrs);

/* Returns: 0 and the topic with its subscriptions in *out; ENG_ENOTFOUND. */
int topic_get(json_t **out, struct topic_service *ts, const char *name);

/* List by name with a prefix and paging (cursor: the last name).
 * Returns: 0 and {"items", "next"?} in *out. */
int topic_list(json_t **out, struct topic_service *ts, const char *prefix,
               const char *cursor, int limit);

/* Delete a topic and its subscriptions; deliveries still to be made are
 * cancelled. Returns: 0 or ENG_ENOTFOUND. */
int topic_delete(struct topic_service *ts, const char *name);

/* ---- subscriptions ---- */

/*
 * Subscribe: `req` (borrowed) holds "endpoint" (http(s)://..., queue:NAME,
 * acs:mns:...:queues/NAME, arn:aws:sqs:...:NAME, fn:NAME), "filter_tag",
 * "filter_policy" (object or JSON text), "filter_policy_scope"
 * (MessageAttributes | MessageBody), "notify_strategy" (BACKOFF_RETRY |
 * EXPONENTIAL_DECAY_RETRY), "format" (XML | JSON | SIMPLIFIED | SNS |
 * RAW). Idempotent when identical. Returns: 0 and the subscription;
 * ENG_ENOTFOUND (topic); ENG_EINVAL naming the field; ENG_EEXISTS.
 */
int topic_subscribe(json_t **out, int *created, struct topic_service *ts,
                    const char *topic, const char *name, const json_t *req);

/* Returns: 0 and the subscription in *out, or ENG_ENOTFOUND. */
int topic_sub_get(json_t **out, struct topic_service *ts, const char *topic,
                  const char *name);

/* Returns: 0 and {"items"} (every subscription of the topic). */
int topic_sub_list(json_t **out, struct topic_service *ts,
                   const char *topic);

/*
 * Change a subscription: `changes` (borrowed) holds any of filter_tag,
 * filter_policy, filter_policy_scope, notify_strategy, format (null
 * removes a filter); the endpoint stays. Checked as subscribe checks.
 * Returns: 0 and the subscription; ENG_ENOTFOUND; ENG_EINVAL.
 */
int topic_sub_set(json_t **out, struct topic_service *ts, const char *topic,
                  const char *name, const json_t *changes);

/* Unsubscribe; its deliveries still to be made are cancelled.
 * Returns: 0 or ENG_ENOTFOUND. */
int topic_unsubscribe(struct topic_service *ts, const char *topic,
                      const char *name);

/* ---- messages ---- */

/*
 * Publish {"body", "tag"?, "attributes"?} to every matching
 * subscription. Returns: 0 and {"id", "body_md5" (upper-case hex),
 * "deliveries": [{"subscription", "id", "status"}]} in *out;
 * ENG_ENOTFOUND; ENG_EINVAL; ENG_ETOOBIG over the topic's size.
 */
int topic_publish(json_t **out, struct topic_service *ts, const char *topic,
                  const json_t *msg);

/*
 * One published message of `topic`. Returns: 0 and {"id", "topic",
 * "published", "body", "body_md5", "tag"?, "attributes"?} (as publish
 * normalised them) in *out; ENG_ENOTFOUND (the topic, or
 * MessageNotExist).
 */
int topic_message_get(json_t **out, struct topic_service *ts,
                      const char *topic, const char *id);

/*
 * As publish, changing nothing: for each subscription whether the
 * message would match and why. Returns: 0 and {"subscriptions": [...]}.
 */
int topic_explain(json_t **out, struct topic_service *ts, const char *topic,
                  const json_t *msg);

/*
 * Deliveries of a topic, newest first, optionally of one subscription
 * (`sub`) and `status`; cursor: the last id seen (0: from the newest).
 * Returns: 0 and {"items", "next"?}; ENG_ENOTFOUND.
 */
int topic_deliveries(json_t **out, struct topic_service *ts,
                     const char *topic, const char *sub, const char *status,
                     int64_t cursor, int limit);

/*
 * Send one delivery again now (a queue delivery sends a new message; an
 * HTTP push starts anew with its retries). Returns: 0 and the delivery;
 * ENG_ENOTFOUND; ENG_ECONFLICT while it is being pushed.
 */
int topic_redeliver(json_t **out, struct topic_service *ts,
                    const char *topic, int64_t id);

#endif
