/*
 * topic_int: what topic.c (topics, subscriptions, publish) and
 * topic_push.c (HTTP pushes, retries, deliveries) share. Not for other
 * modules.
 */
#ifndef FLOWDECK_TOPIC_INT_H
#define FLOWDECK_TOPIC_INT_H

#include "topic/topic.h"

#include "common/lazycurl.h"
#include <stddef.h>
#include <stdint.h>

struct tpush;

/* A delivery waiting for its push; `turn` is the loop turn that made it
 * ready, so it starts only after that turn's commit. */
struct tready {
    int64_t id;
    uint64_t turn;
};

struct topic_service {
    struct engine *eng;
    CURLM *multi;
    int64_t curl_due;      /* monotonic ms curl wants a timeout call */
    uint64_t turn;         /* loop turns seen by the hook */
    struct tready *ready;  /* in order of turn */
    size_t nready, capready;
    struct tpush *pushes;  /* transfers in flight */
    int npushes;
    char *region, *account; /* of the ARNs in SNS envelopes */
    char *mns_account;      /* TopicOwner, Subscriber of MNS notifications */
};

/* Queue delivery `id` for a push once this turn is committed. */
void topic_push_stage(struct topic_service *ts, int64_t id);

/* Returns: 1 when delivery `id` is being pushed now. */
int topic_push_busy(struct topic_service *ts, int64_t id);

/* Set up libcurl, the retry timer kind and the hook; queue pending
 * deliveries. Returns: 0 or an error. */
int topic_push_init(struct topic_service *ts);

/* Abort transfers and clean libcurl up. */
void topic_push_free(struct topic_service *ts);

/* Returns: the function a function endpoint names (borrowed, inside
 * `endpoint`), or NULL when it is not one. */
const char *topic_endpoint_fn(const char *endpoint);

/* Returns: 1 when `endpoint` is an HTTP(S) URL. */
int topic_endpoint_is_http(const char *endpoint);

/*
 * Send queue delivery `id` now (in a nested change, so a refused send
 * leaves nothing behind); its row and the journal say how it went.
 * `attrs` (borrowed) become message attributes for the RAW format.
 * Returns: 0 or a store error.
 */
int topic_queue_deliver(struct topic_service *ts, int64_t id,
                        const char *endpoint, const char *format,
                        const char *payload, const json_t *attrs);

/*
 * The SNS Notification envelope (topic_sns.c): `message` for subscription
 * `sub` of `topic`; `subject` (may be NULL) and `attrs` (normalised; may
 * be NULL or empty) as published. Returns: new JSON text.
 */
char *topic_sns_notification(struct topic_service *ts, const char *topic,
                             const char *sub, const char *id, int64_t ms,
                             const char *subject, const char *message,
                             const json_t *attrs);

/*
 * Subscription `sub` of `topic` (its stored attributes `a`, borrowed)
 * asked for confirmation: give it a fresh token, mark it pending and
 * push the SubscriptionConfirmation. Returns: 0 or a store error.
 */
int topic_sns_confirm_start(struct topic_service *ts, const char *topic,
                            const char *sub, const json_t *a);

/* The headers SNS sends with a push of `payload` in `fmt` (SNS or RAW),
 * message `msg_id`, for subscription `sub` of `topic`, appended to h;
 * the message type is the envelope's Type. */
struct curl_slist *topic_sns_headers(struct topic_service *ts,
                                     struct curl_slist *h, const char *fmt,
                                     const char *payload, const char *msg_id,
                                     const char *topic, const char *sub);

#endif
