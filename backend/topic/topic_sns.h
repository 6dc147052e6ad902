/*
 * topic_sns: what the SNS protocol needs of the topic service beyond the
 * MNS semantics: the AWS names of topics (ARNs with the engine's region
 * and account), the SNS envelope and push headers, subscriptions that
 * wait for confirmation (an unguessable token, a SubscriptionConfirmation
 * pushed to the endpoint, ConfirmSubscription), and protocol-owned
 * metadata on a topic. Engine thread only.
 */
#ifndef FLOWDECK_TOPIC_SNS_H
#define FLOWDECK_TOPIC_SNS_H

#include <jansson.h>

struct topic_service;

#define TOPIC_SNS_TOKEN_BYTES 64

/* The region and account of the ARNs the service writes into SNS
 * envelopes and push headers (NULL: "us-east-1", "000000000000"), and
 * the account MNS notifications name as TopicOwner and Subscriber (NULL:
 * "1234567890123456"). */
void topic_service_names(struct topic_service *ts, const char *region,
                         const char *account, const char *mns_account);

/* Returns: new "arn:aws:sns:REGION:ACCOUNT:topic". */
char *topic_arn(const struct topic_service *ts, const char *topic);

/*
 * Replace the protocol-owned metadata of a topic (`meta`, borrowed: an
 * object, or NULL to remove it); the service keeps it with the topic and
 * never reads it. Returns: 0 and the topic in *out; ENG_ENOTFOUND;
 * ENG_EINVAL when meta is not an object.
 */
int topic_set_meta(json_t **out, struct topic_service *ts, const char *name,
                   const json_t *meta);

/*
 * Confirm the subscription of `topic` whose confirmation token is
 * `token` (a confirmed one stays confirmed: confirming again answers
 * it). Only then are notifications delivered to it.
 * Returns: 0 and the subscription in *out; ENG_ENOTFOUND (the topic);
 * ENG_EINVAL when no subscription of the topic has that token.
 */
int topic_sub_confirm(json_t **out, struct topic_service *ts, const char *topic,
                      const char *token);

#endif
