/*
 * compat_sns: the SNS query protocol (form in, XML out, Version
 * 2010-03-31) over the topic service. Topics are the engine's topics,
 * named by ARN with the configured region and account; a subscription
 * is a topic subscription named by a UUID (its ARN is TOPICARN:UUID),
 * with format SNS (the JSON envelope) or RAW (RawMessageDelivery) and
 * protocol sqs, http or https. SNS-only attributes and tags live in the
 * service's protocol metadata ("meta": {"sns": ...}); filter policies,
 * confirmation and delivery are the service's. Also serves the GETs of
 * the SubscribeURL and UnsubscribeURL the envelopes carry (they name
 * Version=2010-03-31, which routes them here). Engine thread only.
 */
#include "compat/compat_int.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/rand.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "topic/topic.h"
#include "topic/topic_filter.h"
#include "topic/topic_sns.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SNS_NS "http://sns.amazonaws.com/doc/2010-03-31/"
#define SNS_PAGE 100
#define SNS_MSG_MAX 262144
#define SNS_ATTRS_MAX 10
#define SNS_BATCH_MAX 10
#define SNS_TAGS_MAX 50
#define SNS_LIST_MAX 1000 /* entries read from one flattened list */

#define SNS_DEFAULT_DELIVERY                                                   \
    "{\"http\":{\"defaultHealthyRetryPolicy\":{\"minDelayTarget\":20,"         \
    "\"maxDelayTarget\":20,\"numRetries\":3,\"numMaxDelayRetries\":0,"         \
    "\"numNoDelayRetries\":0,\"numMinDelayRetries\":0,\"backoffFunction\":"    \
    "\"linear\"},\"disableSubscriptionOverrides\":false,"                      \
    "\"defaultRequestPolicy\":{\"headerContentType\":\"text/plain; "           \
    "charset=UTF-8\"}}}"

/* ---- errors ---- */

static const struct {
    const char *code;
    int status;
} sns_codes[] = {
    {"AuthorizationError", 403},
    {"BatchEntryIdsNotDistinct", 400},
    {"BatchRequestTooLong", 400},
    {"EmptyBatchRequest", 400},
    {"IncompleteSignature", 400},
    {"InternalError", 500},
    {"InvalidAction", 400},
    {"InvalidBatchEntryId", 400},
    {"InvalidClientTokenId", 403},
    {"InvalidParameter", 400},
    {"MissingAuthenticationToken", 403},
    {"NotFound", 404},
    {"ParameterValueInvalid", 400},
    {"RequestExpired", 400},
    {"ResourceNotFound", 404},
    {"SignatureDoesNotMatch", 403},
    {"TagLimitExceeded", 400},
    {"Throttled", 429},
    {"TooManyEntriesInBatchRequest", 400},
    {"ValidationError", 400},
};

/* The SNS code and status for rc and the recorded error name. */
static const char *
sns_code(int rc, int *status)
{
    const char *name = err_last_name();

    for (size_t i = 0; name && i < sizeof(sns_codes) / sizeof(sns_codes[0]);
         i++)
        if (strcmp(name, sns_codes[i].code) == 0) {
            *status = sns_codes[i].status;
            return name;
        }
    switch (rc) {
    case ENG_ENOTFOUND:
        *status = 404;
        return "NotFound";
    case ENG_EINVAL:
    case ENG_EEXISTS:
    case ENG_ETOOBIG:
    case ENG_ECONFLICT:
        *status = 400;
        return "InvalidParameter";
    case ENG_EAUTH:
        *status = 403;
        return "AuthorizationError";
    default:
        *status = 500;
        return "InternalError";
    }
}

void
compat_sns_error(struct compat_call *c, struct http_resp *resp, int rc)
{
    struct buf b = BUF_INIT(0);
    int status = 500;
    const char *code = sns_code(rc, &status);

    buf_printf(&b,
               "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"" SNS_NS
               "\"><Error><Type>%s</Type>",
               status >= 500 ? "Receiver" : "Sender");
    compat_xml_elem(&b, "Code", code);
    compat_xml_elem(&b, "Message", err_last());
    buf_printf(&b, "</Error><RequestId>%s</RequestId></ErrorResponse>",
               c->request_id);
    compat_reply(c, resp, status, "text/xml", &b, "x-amzn-RequestId");
}

#define sns_invalid(...) err_setn(ENG_EINVAL, "InvalidParameter", __VA_ARGS__)

/* ---- parameters ---- */

static int
sns_required(const char **out, struct compat_call *c, const char *key)
{
    *out = compat_param(c, key);
    if (*out == NULL)
        return sns_invalid("Invalid parameter: %s Reason: no value for "
                           "required parameter",
                           key);
    return 0;
}

/*
 * A flattened map `PREFIX.entry.N.KEY` / `...VALUE` (N from 1) or list
 * of pairs `PREFIX.member.N.KEY`. Returns: 0 and a new object; EINVAL.
 */
static int
sns_map(json_t **out, struct compat_call *c, const char *prefix, const char *kw,
        const char *kn, const char *vn)
{
    json_t *m = json_object();

    *out = NULL;
    for (int i = 1; i <= SNS_LIST_MAX; i++) {
        char *kp = xasprintf("%s.%s.%d.%s", prefix, kw, i, kn);
        char *vp = xasprintf("%s.%s.%d.%s", prefix, kw, i, vn);
        const char *k = compat_param(c, kp), *v = compat_param(c, vp);

        free(kp);
        free(vp);
        if (k == NULL && v == NULL)
            break;
        if (k == NULL) {
            json_decref(m);
            return sns_invalid("Invalid parameter: %s.%s.%d has a value "
                               "but no %s",
                               prefix, kw, i, kn);
        }
        json_object_set_new(m, k, json_string(v ? v : ""));
    }
    *out = m;
    return 0;
}

/* A flattened list PREFIX.member.N. Returns: new array. */
static json_t *
sns_list(struct compat_call *c, const char *prefix)
{
    json_t *a = json_array();

    for (int i = 1; i <= SNS_LIST_MAX; i++) {
        char *k = xasprintf("%s.member.%d", prefix, i);
        const char *v = compat_param(c, k);

        free(k);
        if (v == NULL)
            break;
        json_array_append_new(a, json_string(v));
    }
    return a;
}

/* The topic name an ARN parameter names (the topic need not exist). */
static int
sns_topic_name(const char **out, struct compat_call *c, const char *key)
{
    const char *arn, *name;
    int rc;

    *out = NULL;
    if ((rc = sns_required(&arn, c, key)))
        return rc;
    name = compat_arn_name(arn, "sns");
    if (name == NULL || strchr(name, ':'))
        return sns_invalid("Invalid parameter: %s Reason: An ARN must have "
                           "the form arn:aws:sns:REGION:ACCOUNT:NAME",
                           key);
    *out = name;
    return 0;
}

/* The topic `key` names, which must exist: its service view in *out. */
static int
sns_topic(json_t **out, const char **name, struct compat_call *c,
          const char *key)
{
    int rc;

    *out = NULL;
    if ((rc = sns_topic_name(name, c, key)))
        return rc;
    rc = topic_get(out, c->cp->eng->topics, *name);
    if (rc == ENG_ENOTFOUND)
        return err_setn(ENG_ENOTFOUND, "NotFound", "Topic does not exist");
    return rc;
}

/* A subscription ARN TOPICARN:NAME, split into topic and name (new
 * strings in *topic, *name). */
static int
sns_sub_arn(char **topic, char **name, const char *arn)
{
    const char *tn = compat_arn_name(arn, "sns"), *colon;

    *topic = *name = NULL;
    if (tn == NULL || (colon = strchr(tn, ':')) == NULL || colon == tn ||
        colon[1] == '\0' || strchr(colon + 1, ':'))
        return sns_invalid("Invalid parameter: SubscriptionArn Reason: "
                           "An ARN must have the form "
                           "arn:aws:sns:REGION:ACCOUNT:TOPIC:ID");
    *topic = xstrndup(tn, (size_t)(colon - tn));
    *name = xstrdup(colon + 1);
    return 0;
}

/* The subscription `key` names: its service view. */
static int
sns_sub(json_t **out, struct compat_call *c, const char *key)
{
    const char *arn;
    char *topic = NULL, *name = NULL;
    int rc;

    *out = NULL;
    if ((rc = sns_required(&arn, c, key)) ||
        (rc = sns_sub_arn(&topic, &name, arn)))
        return rc;
    rc = topic_sub_get(out, c->cp->eng->topics, topic, name);
    free(topic);
    free(name);
    if (rc == ENG_ENOTFOUND)
        return err_setn(ENG_ENOTFOUND, "NotFound",
                        "Subscription does not exist");
    return rc;
}

/* ---- views of service objects ---- */

/* Returns: borrowed meta.sns.<key> of a topic or subscription view. */
static json_t *
sns_meta(const json_t *obj, const char *key)
{
    return json_object_get(json_object_get(json_object_get(obj, "meta"), "sns"),
                           key);
}

static const char *
sns_sub_protocol(const json_t *s)
{
    const char *p = json_string_value(json_object_get(s, "protocol"));
    const char *kind = json_string_value(json_object_get(s, "kind"));
    const char *ep = json_string_value(json_object_get(s, "endpoint"));

    if (p)
        return p;
    if (kind && strcmp(kind, "queue") == 0)
        return "sqs";
    if (kind && strcmp(kind, "function") == 0)
        return "lambda";
    return ep && strncmp(ep, "https:", 6) == 0 ? "https" : "http";
}

static int
sns_sub_pending(const json_t *s)
{
    return json_is_true(
        json_object_get(json_object_get(s, "confirmation"), "pending"));
}

static char *
sns_sub_arn_of(const struct compat *cp, const json_t *s)
{
    char *tarn = compat_aws_arn(cp, "sns",
                                json_string_value(json_object_get(s, "topic")));
    char *arn =
        xasprintf("%s:%s", tarn, json_string_value(json_object_get(s, "name")));

    free(tarn);
    return arn;
}

/* <member> of ListSubscriptions*. */
static void
sns_sub_member(struct buf *b, const struct compat *cp, const json_t *s)
{
    char *arn = sns_sub_arn_of(cp, s);
    char *tarn = compat_aws_arn(cp, "sns",
                                json_string_value(json_object_get(s, "topic")));

    buf_puts(b, "<member>");
    compat_xml_elem(b, "SubscriptionArn",
                    sns_sub_pending(s) ? "PendingConfirmation" : arn);
    compat_xml_elem(b, "Owner", cp->aws_account);
    compat_xml_elem(b, "Protocol", sns_sub_protocol(s));
    compat_xml_elem(b, "Endpoint",
                    json_string_value(json_object_get(s, "endpoint")));
    compat_xml_elem(b, "TopicArn", tarn);
    buf_puts(b, "</member>");
    free(arn);
    free(tarn);
}

/* <Attributes><entry>... of an object of strings. */
static void
sns_attr_map(struct buf *b, const char *wrap, const json_t *m)
{
    const char *k;
    json_t *v;

    buf_printf(b, "<%s>", wrap);
    json_object_foreach((json_t *)m, k, v) {
        buf_puts(b, "<entry>");
        compat_xml_elem(b, "key", k);
        compat_xml_elem(b, "value", json_string_value(v));
        buf_puts(b, "</entry>");
    }
    buf_printf(b, "</%s>", wrap);
}

/* ---- topics ---- */

static const char *const sns_topic_attrs[] = {"DisplayName",
                                              "Policy",
                                              "DeliveryPolicy",
                                              "KmsMasterKeyId",
                                              "SignatureVersion",
                                              "TracingConfig",
                                              "FifoTopic",
                                              "ContentBasedDeduplication",
                                              "DataProtectionPolicy",
                                              "ArchivePolicy",
                                              "FifoThroughputScope",
                                              "HTTPSuccessFeedbackRoleArn",
                                              "HTTPFailureFeedbackRoleArn",
                                              "HTTPSuccessFeedbackSampleRate",
                                              "SQSSuccessFeedbackRoleArn",
                                              "SQSFailureFeedbackRoleArn",
                                              "SQSSuccessFeedbackSampleRate",
                                              "LambdaSuccessFeedbackRoleArn",
                                              "LambdaFailureFeedbackRoleArn",
                                              "LambdaSuccessFeedbackSampleRate",
                                              NULL};

/* Check one topic attribute; `where` prefixes the message. */
static int
sns_topic_attr_check(const char *where, const char *k, const char *v)
{
    size_t i;

    for (i = 0; sns_topic_attrs[i]; i++)
        if (strcmp(k, sns_topic_attrs[i]) == 0)
            break;
    if (sns_topic_attrs[i] == NULL)
        return sns_invalid("Invalid parameter: %sInvalid attribute name: %s",
                           where, k);
    if (strcmp(k, "FifoTopic") == 0 ||
        strcmp(k, "ContentBasedDeduplication") == 0) {
        if (strcasecmp(v, "true") == 0)
            return sns_invalid("Invalid parameter: %s%s: flowdeck does not "
                               "serve FIFO SNS topics yet; use a standard "
                               "topic",
                               where, k);
        if (strcasecmp(v, "false") != 0)
            return sns_invalid("Invalid parameter: %s%s: Invalid value [%s]. "
                               "Must be true or false.",
                               where, k, v);
    }
    if (strcmp(k, "SignatureVersion") == 0 && strcmp(v, "1") && strcmp(v, "2"))
        return sns_invalid("Invalid parameter: %sSignatureVersion: must be "
                           "1 or 2",
                           where);
    if (strcmp(k, "TracingConfig") == 0 && strcmp(v, "PassThrough") &&
        strcmp(v, "Active"))
        return sns_invalid("Invalid parameter: %sTracingConfig: must be "
                           "PassThrough or Active",
                           where);
    if ((strcmp(k, "Policy") == 0 || strcmp(k, "DeliveryPolicy") == 0 ||
         strcmp(k, "DataProtectionPolicy") == 0) &&
        *v) {
        json_t *j = json_loads(v, 0, NULL);
        int ok = json_is_object(j);

        json_decref(j);
        if (!ok)
            return sns_invalid("Invalid parameter: %s%s: failed to parse "
                               "JSON",
                               where, k);
    }
    if (strcmp(k, "DisplayName") == 0 && strlen(v) > 100)
        return sns_invalid("Invalid parameter: %sDisplayName: at most 100 "
                           "characters",
                           where);
    return 0;
}

static int
sns_tags_check(const json_t *tags)
{
    const char *k;
    json_t *v;

    if (json_object_size(tags) > SNS_TAGS_MAX)
        return err_setn(ENG_EINVAL, "TagLimitExceeded",
                        "Could not complete request: tag quota of per "
                        "resource exceeded");
    json_object_foreach((json_t *)tags, k, v) {
        if (*k == '\0' || strlen(k) > 128 || strlen(json_string_value(v)) > 256)
            return sns_invalid("Invalid parameter: Tags Reason: a tag key is "
                               "1 to 128 characters and its value at most "
                               "256");
    }
    return 0;
}

/* Store the topic's SNS metadata {"attributes", "tags"}. */
static int
sns_topic_store(struct compat_call *c, const char *name, const json_t *topic,
                json_t *attrs, json_t *tags)
{
    json_t *meta = json_deep_copy(json_object_get(topic, "meta")), *out;
    int rc;

    if (!json_is_object(meta)) {
        json_decref(meta);
        meta = json_object();
    }
    json_object_set_new(
        meta, "sns",
        json_pack("{s:O, s:O}", "attributes", attrs, "tags", tags));
    rc = topic_set_meta(&out, c->cp->eng->topics, name, meta);
    json_decref(meta);
    if (rc == 0)
        json_decref(out);
    return rc;
}

static int
sns_name_ok(const char *name)
{
    size_t n = strlen(name);

    return n >= 1 && n <= 256 && compat_chars_ok(name, n, "-_");
}

static int
sns_create_topic(struct compat_call *c, struct buf *b)
{
    struct topic_service *ts = c->cp->eng->topics;
    const char *name, *k;
    json_t *attrs = NULL, *tags = NULL, *t = NULL, *v, *pairs;
    char *arn = NULL;
    int created, rc;

    if ((rc = sns_required(&name, c, "Name")))
        return rc;
    if ((rc = sns_map(&attrs, c, "Attributes", "entry", "key", "value")))
        return rc;
    if ((rc = sns_map(&pairs, c, "Tags", "member", "Key", "Value")))
        goto out;
    tags = pairs;
    json_object_foreach(attrs, k, v) {
        if ((rc = sns_topic_attr_check("Attributes Reason: ", k,
                                        json_string_value(v))))
            goto out;
    }
    if (!sns_name_ok(name)) {
        rc = sns_invalid(strlen(name) > 5 &&
                                 strcmp(name + strlen(name) - 5, ".fifo") == 0
                             ? "Invalid parameter: Topic Name: flowdeck does "
                               "not serve FIFO SNS topics yet"
                             : "Invalid parameter: Topic Name");
        goto out;
    }
    if ((rc = sns_tags_check(tags)))
        goto out;
    rc = topic_get(&t, ts, name);
    if (rc == 0) {
        const json_t *old = sns_meta(t, "attributes");
        const json_t *oldtags = sns_meta(t, "tags");

        json_object_foreach(attrs, k, v) {
            const char *was = json_string_value(json_object_get(old, k));

            if (!(was ? strcmp(was, json_string_value(v)) == 0
                      : (strcmp(k, "DisplayName") == 0 ||
                         strcmp(k, "FifoTopic") == 0 ||
                         strcmp(k, "ContentBasedDeduplication") == 0) &&
                            (*json_string_value(v) == '\0' ||
                             strcasecmp(json_string_value(v), "false") == 0))) {
                rc = sns_invalid("Invalid parameter: Attributes Reason: "
                                 "Topic already exists with different "
                                 "attributes");
                goto out;
            }
        }
        if (json_object_size(tags) > 0 &&
            (oldtags == NULL || !json_equal(tags, oldtags))) {
            rc = sns_invalid("Invalid parameter: Tags Reason: Topic already "
                             "exists with different tags");
            goto out;
        }
    } else if (rc == ENG_ENOTFOUND) {
        json_t *a = json_pack("{s:i}", "max_message_size", SNS_MSG_MAX);

        rc = topic_create(&t, &created, ts, name, a);
        json_decref(a);
        if (rc) {
            rc = sns_invalid("Invalid parameter: Topic Name: %s", err_last());
            goto out;
        }
        if ((rc = sns_topic_store(c, name, t, attrs, tags)))
            goto out;
    } else {
        goto out;
    }
    arn = compat_aws_arn(c->cp, "sns", name);
    compat_xml_elem(b, "TopicArn", arn);
out:
    free(arn);
    json_decref(t);
    json_decref(attrs);
    json_decref(tags);
    return rc;
}

static int
sns_delete_topic(struct compat_call *c, struct buf *b)
{
    const char *name = NULL;
    int rc;

    (void)b;
    if ((rc = sns_topic_name(&name, c, "TopicArn")))
        return rc;
    rc = topic_delete(c->cp->eng->topics, name);
    return rc == ENG_ENOTFOUND ? 0 : rc; /* deleting twice is fine */
}

static int
sns_list_topics(struct compat_call *c, struct buf *b)
{
    const char *token = compat_param(c, "NextToken");
    json_t *out = NULL, *t;
    size_t i;
    int rc;

    if ((rc = topic_list(&out, c->cp->eng->topics, NULL, token, SNS_PAGE)))
        return rc;
    buf_puts(b, "<Topics>");
    json_array_foreach(json_object_get(out, "items"), i, t) {
        char *arn = compat_aws_arn(
            c->cp, "sns", json_string_value(json_object_get(t, "name")));

        buf_puts(b, "<member>");
        compat_xml_elem(b, "TopicArn", arn);
        buf_puts(b, "</member>");
        free(arn);
    }
    buf_puts(b, "</Topics>");
    if (json_string_value(json_object_get(out, "next")))
        compat_xml_elem(b, "NextToken",
                        json_string_value(json_object_get(out, "next")));
    json_decref(out);
    return 0;
}

static int
sns_get_topic_attributes(struct compat_call *c, struct buf *b)
{
    const char *name, *k;
    json_t *t = NULL, *a, *v, *s;
    char *arn;
    size_t i;
    int rc, confirmed = 0, pending = 0;

    if ((rc = sns_topic(&t, &name, c, "TopicArn")))
        return rc;
    arn = compat_aws_arn(c->cp, "sns", name);
    json_array_foreach(json_object_get(t, "subscriptions"), i, s) {
        if (sns_sub_pending(s))
            pending++;
        else
            confirmed++;
    }
    a = json_pack("{s:s, s:s, s:s}", "TopicArn", arn, "Owner",
                  c->cp->aws_account, "DisplayName", "");
    json_object_set_new(
        a, "Policy",
        json_sprintf("{\"Version\":\"2008-10-17\",\"Id\":\"__default_policy_"
                     "ID\",\"Statement\":[{\"Sid\":\"__default_statement_ID\","
                     "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
                     "\"Action\":[\"SNS:GetTopicAttributes\",\"SNS:"
                     "SetTopicAttributes\",\"SNS:AddPermission\",\"SNS:"
                     "RemovePermission\",\"SNS:DeleteTopic\",\"SNS:Subscribe\","
                     "\"SNS:ListSubscriptionsByTopic\",\"SNS:Publish\"],"
                     "\"Resource\":\"%s\",\"Condition\":{\"StringEquals\":{"
                     "\"AWS:SourceOwner\":\"%s\"}}}]}",
                     arn, c->cp->aws_account));
    json_object_set_new(a, "SubscriptionsConfirmed",
                        json_sprintf("%d", confirmed));
    json_object_set_new(a, "SubscriptionsPending", json_sprintf("%d", pending));
    json_object_set_new(a, "SubscriptionsDeleted", json_string("0"));
    json_object_set_new(a, "EffectiveDeliveryPolicy",
                        json_string(SNS_DEFAULT_DELIVERY));
    json_object_foreach(sns_meta(t, "attributes"), k, v) {
        if (strcmp(k, "FifoTopic") && strcmp(k, "ContentBasedDeduplication"))
            json_object_set(a, k, v);
    }
    if (json_string_value(json_object_get(a, "DeliveryPolicy")) &&
        *json_string_value(json_object_get(a, "DeliveryPolicy")))
        json_object_set(a, "EffectiveDeliveryPolicy",
                        json_object_get(a, "DeliveryPolicy"));
    sns_attr_map(b, "Attributes", a);
    json_decref(a);
    json_decref(t);
    free(arn);
    return 0;
}

static int
sns_set_topic_attributes(struct compat_call *c, struct buf *b)
{
    const char *name, *k, *v;
    json_t *t = NULL, *attrs, *tags;
    int rc;

    (void)b;
    if ((rc = sns_topic(&t, &name, c, "TopicArn")) ||
        (rc = sns_required(&k, c, "AttributeName")))
        goto out;
    v = compat_param(c, "AttributeValue");
    if (v == NULL)
        v = "";
    if ((rc = sns_topic_attr_check("", k, v)))
        goto out;
    if (strcmp(k, "FifoTopic") == 0) {
        rc = sns_invalid("Invalid parameter: AttributeName: FifoTopic "
                         "cannot be changed");
        goto out;
    }
    attrs = json_deep_copy(sns_meta(t, "attributes"));
    tags = json_deep_copy(sns_meta(t, "tags"));
    if (attrs == NULL)
        attrs = json_object();
    if (tags == NULL)
        tags = json_object();
    json_object_set_new(attrs, k, json_string(v));
    rc = sns_topic_store(c, name, t, attrs, tags);
    json_decref(attrs);
    json_decref(tags);
out:
    json_decref(t);
    return rc;
}

/* ---- tags ---- */

/* The topic a tagging call's ResourceArn names. */
static int
sns_tag_topic(json_t **out, const char **name, struct compat_call *c)
{
    int rc = sns_topic(out, name, c, "ResourceArn");

    if (rc == ENG_ENOTFOUND)
        return err_setn(ENG_ENOTFOUND, "ResourceNotFound",
                        "Resource does not exist");
    return rc;
}

static int
sns_tag_resource(struct compat_call *c, struct buf *b)
{
    const char *name = NULL;
    json_t *t = NULL, *add = NULL, *tags = NULL, *attrs;
    int rc;

    (void)b;
    if ((rc = sns_tag_topic(&t, &name, c)) ||
        (rc = sns_map(&add, c, "Tags", "member", "Key", "Value")))
        goto out;
    tags = json_deep_copy(sns_meta(t, "tags"));
    if (tags == NULL)
        tags = json_object();
    json_object_update(tags, add);
    if ((rc = sns_tags_check(tags)))
        goto out;
    attrs = json_deep_copy(sns_meta(t, "attributes"));
    if (attrs == NULL)
        attrs = json_object();
    rc = sns_topic_store(c, name, t, attrs, tags);
    json_decref(attrs);
out:
    json_decref(t);
    json_decref(add);
    json_decref(tags);
    return rc;
}

static int
sns_untag_resource(struct compat_call *c, struct buf *b)
{
    const char *name = NULL;
    json_t *t = NULL, *keys = NULL, *tags = NULL, *attrs, *k;
    size_t i;
    int rc;

    (void)b;
    if ((rc = sns_tag_topic(&t, &name, c)))
        goto out;
    keys = sns_list(c, "TagKeys");
    tags = json_deep_copy(sns_meta(t, "tags"));
    if (tags == NULL)
        tags = json_object();
    json_array_foreach(keys, i, k) {
        json_object_del(tags, json_string_value(k));
    }
    attrs = json_deep_copy(sns_meta(t, "attributes"));
    if (attrs == NULL)
        attrs = json_object();
    rc = sns_topic_store(c, name, t, attrs, tags);
    json_decref(attrs);
out:
    json_decref(t);
    json_decref(keys);
    json_decref(tags);
    return rc;
}

static int
sns_list_tags(struct compat_call *c, struct buf *b)
{
    const char *name, *k;
    json_t *t = NULL, *v;
    int rc;

    if ((rc = sns_tag_topic(&t, &name, c)))
        return rc;
    buf_puts(b, "<Tags>");
    json_object_foreach(sns_meta(t, "tags"), k, v) {
        buf_puts(b, "<member>");
        compat_xml_elem(b, "Key", k);
        compat_xml_elem(b, "Value", json_string_value(v));
        buf_puts(b, "</member>");
    }
    buf_puts(b, "</Tags>");
    json_decref(t);
    return 0;
}

/* ---- subscriptions ---- */

/*
 * Check subscription attributes (Subscribe's Attributes map, or one
 * SetSubscriptionAttributes pair) into service fields of `req`:
 * filter_policy, filter_policy_scope, format and meta.sns.
 * `where` prefixes messages; `scope_now` is the subscription's scope.
 */
static int
sns_sub_attr(json_t *req, json_t *meta, const char *where, const char *k,
             const char *v, const char *scope_now)
{
    if (strcmp(k, "RawMessageDelivery") == 0) {
        if (strcasecmp(v, "true") && strcasecmp(v, "false"))
            return sns_invalid("Invalid parameter: %sRawMessageDelivery: "
                               "Invalid value [%s]. Must be true or false.",
                               where, v);
        json_object_set_new(
            req, "format",
            json_string(strcasecmp(v, "true") == 0 ? "RAW" : "SNS"));
    } else if (strcmp(k, "FilterPolicyScope") == 0) {
        if (strcmp(v, "MessageAttributes") && strcmp(v, "MessageBody"))
            return sns_invalid("Invalid parameter: %sFilterPolicyScope: "
                               "Invalid value [%s]. Please use either "
                               "MessageBody or MessageAttributes",
                               where, v);
        json_object_set_new(req, "filter_policy_scope", json_string(v));
    } else if (strcmp(k, "FilterPolicy") == 0) {
        json_error_t e;
        json_t *p;
        const char *scope =
            json_string_value(json_object_get(req, "filter_policy_scope"));
        int rc;

        if (*v == '\0') {
            json_object_set_new(req, "filter_policy", json_null());
            return 0;
        }
        if ((p = json_loads(v, 0, &e)) == NULL || !json_is_object(p)) {
            json_decref(p);
            return sns_invalid("Invalid parameter: %sFilterPolicy: failed "
                               "to parse JSON. %s",
                               where, p ? "not an object" : e.text);
        }
        if (scope == NULL)
            scope = scope_now;
        rc = topic_filter_check(p, strcmp(scope, "MessageBody") == 0
                                       ? TOPIC_SCOPE_BODY
                                       : TOPIC_SCOPE_ATTRIBUTES);
        json_decref(p);
        if (rc)
            return sns_invalid("Invalid parameter: %sFilterPolicy: %s", where,
                               err_last());
        json_object_set_new(req, "filter_policy", json_string(v));
    } else if (strcmp(k, "DeliveryPolicy") == 0 ||
               strcmp(k, "RedrivePolicy") == 0) {
        json_t *p = *v ? json_loads(v, 0, NULL) : NULL;
        int ok = *v == '\0' || json_is_object(p);

        json_decref(p);
        if (!ok)
            return sns_invalid("Invalid parameter: %s%s: failed to parse "
                               "JSON",
                               where, k);
        json_object_set_new(meta, k, json_string(v));
    } else if (strcmp(k, "SubscriptionRoleArn") == 0) {
        json_object_set_new(meta, k, json_string(v));
    } else {
        return sns_invalid("Invalid parameter: %sInvalid attribute name: %s",
                           where, k);
    }
    return 0;
}

/* The value SNS reports for attribute k of subscription s, or NULL.
 * Returns: new string. */
static char *
sns_sub_attr_value(const json_t *s, const char *k)
{
    if (strcmp(k, "RawMessageDelivery") == 0)
        return xstrdup(
            strcmp(json_string_value(json_object_get(s, "format")), "RAW") == 0
                ? "true"
                : "false");
    if (strcmp(k, "FilterPolicy") == 0)
        return json_object_get(s, "filter_policy")
                   ? jsonx_dump(json_object_get(s, "filter_policy"))
                   : NULL;
    if (strcmp(k, "FilterPolicyScope") == 0)
        return json_object_get(s, "filter_policy")
                   ? xstrdup(json_string_value(
                         json_object_get(s, "filter_policy_scope")))
                   : NULL;
    if (json_string_value(sns_meta(s, k)))
        return xstrdup(json_string_value(sns_meta(s, k)));
    return NULL;
}

/* Is given attribute k=v what subscription s has? */
static int
sns_sub_attr_same(const json_t *s, const char *k, const char *v)
{
    char *have = sns_sub_attr_value(s, k);
    int same;

    if (strcmp(k, "FilterPolicy") == 0 && have) {
        json_t *a = json_loads(have, 0, NULL), *b = json_loads(v, 0, NULL);

        same = a && b && json_equal(a, b);
        json_decref(a);
        json_decref(b);
    } else if (strcmp(k, "RawMessageDelivery") == 0) {
        same = have && strcasecmp(have, v) == 0;
    } else if (strcmp(k, "FilterPolicyScope") == 0 && have == NULL) {
        same = strcmp(v, "MessageAttributes") == 0;
    } else if (strcmp(k, "FilterPolicy") == 0) {
        /* none set: "" and "{}" (which tomodachi sends) ask for none */
        json_t *b = json_loads(v, 0, NULL);

        same = *v == '\0' || (json_is_object(b) && json_object_size(b) == 0);
        json_decref(b);
    } else {
        same = have ? strcmp(have, v) == 0 : *v == '\0';
    }
    free(have);
    return same;
}

static void
sns_sub_answer(struct compat_call *c, struct buf *b, const json_t *s)
{
    const char *ret = compat_param(c, "ReturnSubscriptionArn");
    char *arn = sns_sub_arn_of(c->cp, s);

    compat_xml_elem(b, "SubscriptionArn",
                    sns_sub_pending(s) && !(ret && strcasecmp(ret, "true") == 0)
                        ? "pending confirmation"
                        : arn);
    free(arn);
}

static int
sns_subscribe(struct compat_call *c, struct buf *b)
{
    struct topic_service *ts = c->cp->eng->topics;
    const char *name, *proto, *ep, *k;
    json_t *t = NULL, *attrs = NULL, *req = NULL, *meta = NULL, *s, *v;
    json_t *out = NULL;
    char lower[16], id[40];
    size_t i;
    int created, rc;

    if ((rc = sns_topic(&t, &name, c, "TopicArn")) ||
        (rc = sns_required(&proto, c, "Protocol")) ||
        (rc = sns_required(&ep, c, "Endpoint")) ||
        (rc = sns_map(&attrs, c, "Attributes", "entry", "key", "value")))
        goto out;
    snprintf(lower, sizeof(lower), "%s", proto);
    for (char *p = lower; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if (strcmp(lower, "sqs") == 0) {
        const char *q = compat_arn_name(ep, "sqs");

        if (q == NULL || strchr(q, ':')) {
            rc = sns_invalid("Invalid parameter: SQS endpoint ARN");
            goto out;
        }
        if (strlen(q) > 5 && strcmp(q + strlen(q) - 5, ".fifo") == 0) {
            rc = sns_invalid("Invalid parameter: Invalid parameter: "
                             "Endpoint Reason: FIFO SQS Queues can not be "
                             "subscribed to standard SNS topics");
            goto out;
        }
    } else if (strcmp(lower, "http") == 0 || strcmp(lower, "https") == 0) {
        size_t n = strlen(lower);

        if (strncasecmp(ep, lower, n) != 0 || strncmp(ep + n, "://", 3) != 0 ||
            ep[n + 3] == '\0') {
            rc = sns_invalid("Invalid parameter: Endpoint must match the "
                             "specified protocol");
            goto out;
        }
    } else {
        rc = sns_invalid("Invalid parameter: Protocol Reason: flowdeck "
                         "delivers SNS messages to sqs, http and https "
                         "subscriptions, not '%s'",
                         proto);
        goto out;
    }
    req = json_pack("{s:s, s:s, s:s}", "endpoint", ep, "format", "SNS",
                    "protocol", lower);
    meta = json_object();
    /* the scope first: a policy is checked for the scope it gets */
    for (int pass = 0; pass < 2; pass++) {
        json_object_foreach(attrs, k, v) {
            if ((strcmp(k, "FilterPolicyScope") == 0) != (pass == 0))
                continue;
            if ((rc = sns_sub_attr(req, meta, "Attributes Reason: ", k,
                                   json_string_value(v),
                                   "MessageAttributes")))
                goto out;
        }
    }
    /* the same topic, protocol and endpoint again: the same subscription */
    json_array_foreach(json_object_get(t, "subscriptions"), i, s) {
        if (strcmp(json_string_value(json_object_get(s, "endpoint")), ep) ||
            strcmp(sns_sub_protocol(s), lower))
            continue;
        json_object_foreach(attrs, k, v) {
            if (!sns_sub_attr_same(s, k, json_string_value(v))) {
                rc = sns_invalid("Invalid parameter: Attributes Reason: "
                                 "Subscription already exists with "
                                 "different attributes");
                goto out;
            }
        }
        sns_sub_answer(c, b, s);
        goto out;
    }
    if (json_is_null(json_object_get(req, "filter_policy")))
        json_object_del(req, "filter_policy");
    if (json_object_size(meta))
        json_object_set_new(req, "meta", json_pack("{s:O}", "sns", meta));
    if (strcmp(lower, "sqs"))
        json_object_set_new(req, "confirm", json_true());
    rand_uuid(id);
    if ((rc = topic_subscribe(&out, &created, ts, name, id, req))) {
        rc = sns_invalid("Invalid parameter: %s", err_last());
        goto out;
    }
    sns_sub_answer(c, b, out);
out:
    json_decref(t);
    json_decref(attrs);
    json_decref(req);
    json_decref(meta);
    json_decref(out);
    return rc;
}

static int
sns_confirm_subscription(struct compat_call *c, struct buf *b)
{
    const char *name, *token;
    json_t *t = NULL, *s = NULL;
    char *arn;
    int rc;

    if ((rc = sns_topic(&t, &name, c, "TopicArn")) ||
        (rc = sns_required(&token, c, "Token")))
        goto out;
    rc = topic_sub_confirm(&s, c->cp->eng->topics, name, token);
    if (rc == ENG_EINVAL) {
        rc = sns_invalid("Invalid token");
        goto out;
    }
    if (rc)
        goto out;
    arn = sns_sub_arn_of(c->cp, s);
    compat_xml_elem(b, "SubscriptionArn", arn);
    free(arn);
out:
    json_decref(t);
    json_decref(s);
    return rc;
}

static int
sns_unsubscribe(struct compat_call *c, struct buf *b)
{
    json_t *s = NULL;
    int rc;

    (void)b;
    if ((rc = sns_sub(&s, c, "SubscriptionArn")))
        return rc;
    rc = topic_unsubscribe(c->cp->eng->topics,
                           json_string_value(json_object_get(s, "topic")),
                           json_string_value(json_object_get(s, "name")));
    json_decref(s);
    return rc;
}

/* One page of `subs` (sorted by topic, then name) after `token`
 * ("TOPIC/NAME"), with NextToken. */
static void
sns_sub_page(struct compat_call *c, struct buf *b, const json_t *subs)
{
    const char *token = compat_param(c, "NextToken");
    json_t *s;
    size_t i;
    int n = 0;
    char *last = NULL;

    buf_puts(b, "<Subscriptions>");
    json_array_foreach(subs, i, s) {
        char *key =
            xasprintf("%s/%s", json_string_value(json_object_get(s, "topic")),
                      json_string_value(json_object_get(s, "name")));

        if (token && *token && strcmp(key, token) <= 0) {
            free(key);
            continue;
        }
        if (n == SNS_PAGE) {
            free(key);
            buf_puts(b, "</Subscriptions>");
            compat_xml_elem(b, "NextToken", last);
            free(last);
            return;
        }
        sns_sub_member(b, c->cp, s);
        n++;
        free(last);
        last = key;
    }
    free(last);
    buf_puts(b, "</Subscriptions>");
}

static int
sns_list_subscriptions(struct compat_call *c, struct buf *b)
{
    struct topic_service *ts = c->cp->eng->topics;
    json_t *all = json_array(), *page = NULL, *t, *subs;
    char *cursor = NULL;
    size_t i;
    int rc = 0;

    do {
        json_decref(page);
        if ((rc = topic_list(&page, ts, NULL, cursor, 1000)))
            break;
        json_array_foreach(json_object_get(page, "items"), i, t) {
            if ((rc = topic_sub_list(
                     &subs, ts, json_string_value(json_object_get(t, "name")))))
                break;
            json_array_extend(all, json_object_get(subs, "items"));
            json_decref(subs);
        }
        free(cursor);
        cursor = json_string_value(json_object_get(page, "next"))
                     ? xstrdup(json_string_value(json_object_get(page, "next")))
                     : NULL;
    } while (rc == 0 && cursor);
    free(cursor);
    json_decref(page);
    if (rc == 0)
        sns_sub_page(c, b, all);
    json_decref(all);
    return rc;
}

static int
sns_list_subscriptions_by_topic(struct compat_call *c, struct buf *b)
{
    const char *name = NULL;
    json_t *t = NULL;
    int rc;

    if ((rc = sns_topic(&t, &name, c, "TopicArn")))
        return rc;
    sns_sub_page(c, b, json_object_get(t, "subscriptions"));
    json_decref(t);
    return 0;
}

static int
sns_get_subscription_attributes(struct compat_call *c, struct buf *b)
{
    json_t *s = NULL, *a;
    const char *proto, *k;
    char *arn, *tarn, *v;
    static const char *const extra[] = {
        "FilterPolicy",  "FilterPolicyScope",   "DeliveryPolicy",
        "RedrivePolicy", "SubscriptionRoleArn", NULL};
    int rc;

    if ((rc = sns_sub(&s, c, "SubscriptionArn")))
        return rc;
    arn = sns_sub_arn_of(c->cp, s);
    tarn = compat_aws_arn(c->cp, "sns",
                          json_string_value(json_object_get(s, "topic")));
    proto = sns_sub_protocol(s);
    a = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "SubscriptionArn", arn,
                  "TopicArn", tarn, "Owner", c->cp->aws_account, "Protocol",
                  proto, "Endpoint",
                  json_string_value(json_object_get(s, "endpoint")),
                  "PendingConfirmation", sns_sub_pending(s) ? "true" : "false",
                  "ConfirmationWasAuthenticated",
                  strcmp(proto, "sqs") == 0 ? "true" : "false");
    v = sns_sub_attr_value(s, "RawMessageDelivery");
    json_object_set_new(a, "RawMessageDelivery", json_string(v));
    free(v);
    json_object_set_new(
        a, "SubscriptionPrincipal",
        json_sprintf("arn:aws:iam::%s:root", c->cp->aws_account));
    for (size_t i = 0; (k = extra[i]) != NULL; i++)
        if ((v = sns_sub_attr_value(s, k)) != NULL) {
            if (*v)
                json_object_set_new(a, k, json_string(v));
            free(v);
        }
    if (strcmp(proto, "http") == 0 || strcmp(proto, "https") == 0)
        json_object_set_new(
            a, "EffectiveDeliveryPolicy",
            json_string(
                json_string_value(json_object_get(a, "DeliveryPolicy"))
                    ? json_string_value(json_object_get(a, "DeliveryPolicy"))
                    : SNS_DEFAULT_DELIVERY));
    sns_attr_map(b, "Attributes", a);
    json_decref(a);
    json_decref(s);
    free(arn);
    free(tarn);
    return 0;
}

static int
sns_set_subscription_attributes(struct compat_call *c, struct buf *b)
{
    json_t *s = NULL, *changes = json_object(), *meta = NULL, *out = NULL;
    const char *k, *v, *scope;
    int rc;

    (void)b;
    if ((rc = sns_sub(&s, c, "SubscriptionArn")) ||
        (rc = sns_required(&k, c, "AttributeName")))
        goto out;
    v = compat_param(c, "AttributeValue");
    if (v == NULL)
        v = "";
    meta = json_deep_copy(json_object_get(json_object_get(s, "meta"), "sns"));
    if (meta == NULL)
        meta = json_object();
    scope = json_string_value(json_object_get(s, "filter_policy_scope"));
    if ((rc = sns_sub_attr(changes, meta, "", k, v,
                           scope ? scope : "MessageAttributes")))
        goto out;
    if (strcmp(k, "FilterPolicy") == 0 && *v == '\0')
        json_object_set_new(changes, "filter_policy_scope",
                            json_string("MessageAttributes"));
    if (strcmp(k, "DeliveryPolicy") == 0 || strcmp(k, "RedrivePolicy") == 0 ||
        strcmp(k, "SubscriptionRoleArn") == 0) {
        json_t *m = json_deep_copy(json_object_get(s, "meta"));

        if (!json_is_object(m)) {
            json_decref(m);
            m = json_object();
        }
        json_object_set(m, "sns", meta);
        json_object_set_new(changes, "meta", m);
    }
    rc = topic_sub_set(&out, c->cp->eng->topics,
                       json_string_value(json_object_get(s, "topic")),
                       json_string_value(json_object_get(s, "name")), changes);
    if (rc == ENG_EINVAL)
        rc = sns_invalid("Invalid parameter: %s: %s", k, err_last());
out:
    json_decref(s);
    json_decref(changes);
    json_decref(meta);
    json_decref(out);
    return rc;
}

/* ---- publish ---- */

/*
 * The service publish request for the Publish parameters under `pre`
 * ("" or "PublishBatchRequestEntries.member.N."), checked as SNS checks
 * them. *size gets the message size. Returns: 0 and a new request.
 */
static int
sns_publish_req(json_t **out, size_t *size, struct compat_call *c,
                const char *pre)
{
    char key[160];
    const char *msg, *subject, *structure, *dedup;
    json_t *req = NULL, *attrs = json_object();
    int rc = 0;

#define SNS_P(name)                                                            \
    (snprintf(key, sizeof(key), "%s%s", pre, name), compat_param(c, key))
    *out = NULL;
    msg = SNS_P("Message");
    subject = SNS_P("Subject");
    structure = SNS_P("MessageStructure");
    dedup = SNS_P("MessageDeduplicationId");
    if (msg == NULL) {
        rc = sns_invalid("Invalid parameter: Message Reason: no value for "
                         "required parameter");
        goto out;
    }
    if (*msg == '\0') {
        rc = sns_invalid("Invalid parameter: Empty message");
        goto out;
    }
    *size = strlen(msg);
    if (strlen(msg) > SNS_MSG_MAX) {
        rc = sns_invalid("Invalid parameter: Message too long");
        goto out;
    }
    if (subject) {
        size_t n = strlen(subject);
        int bad = n == 0 || n >= 100;

        for (size_t i = 0; i < n && !bad; i++)
            bad = (unsigned char)subject[i] < 0x20;
        if (bad) {
            rc = sns_invalid("Invalid parameter: Subject");
            goto out;
        }
    }
    if (dedup) {
        rc = sns_invalid("Invalid parameter: The request includes "
                         "MessageDeduplicationId parameter that is not "
                         "valid for this topic type");
        goto out;
    }
    req = json_pack("{s:s}", "body", msg);
    if (subject)
        json_object_set_new(req, "subject", json_string(subject));
    if (structure) {
        json_t *j, *bodies;
        const char *k;
        json_t *v;

        if (strcmp(structure, "json")) {
            rc = sns_invalid("Invalid parameter: MessageStructure");
            goto out;
        }
        j = json_loads(msg, 0, NULL);
        if (!json_is_object(j)) {
            json_decref(j);
            rc = sns_invalid("Invalid parameter: Message Structure - JSON "
                             "message body failed to parse");
            goto out;
        }
        if (!json_is_string(json_object_get(j, "default"))) {
            json_decref(j);
            rc = sns_invalid("Invalid parameter: Message Structure - No "
                             "default entry in JSON message body");
            goto out;
        }
        json_object_set(req, "body", json_object_get(j, "default"));
        bodies = json_object();
        json_object_foreach(j, k, v) {
            if (strcmp(k, "default") && json_is_string(v))
                json_object_set(bodies, k, v);
        }
        json_object_set_new(req, "bodies", bodies);
        json_decref(j);
    }
    for (int i = 1; i <= SNS_LIST_MAX; i++) {
        char base[128];
        const char *name, *type, *sv, *bv;

        snprintf(base, sizeof(base), "MessageAttributes.entry.%d.", i);
        snprintf(key, sizeof(key), "%s%sName", pre, base);
        if ((name = compat_param(c, key)) == NULL)
            break;
        snprintf(key, sizeof(key), "%s%sValue.DataType", pre, base);
        type = compat_param(c, key);
        snprintf(key, sizeof(key), "%s%sValue.StringValue", pre, base);
        sv = compat_param(c, key);
        snprintf(key, sizeof(key), "%s%sValue.BinaryValue", pre, base);
        bv = compat_param(c, key);
        if (i > SNS_ATTRS_MAX) {
            rc = sns_invalid("Invalid parameter: MessageAttributes Reason: "
                             "Number of message attributes exceeds the "
                             "allowed maximum [%d].",
                             SNS_ATTRS_MAX);
            goto out;
        }
        if (type == NULL ||
            (strcmp(type, "String") && strcmp(type, "Number") &&
             strcmp(type, "Binary") && strcmp(type, "String.Array"))) {
            rc = err_setn(
                ENG_EINVAL, "ParameterValueInvalid",
                type && (strncmp(type, "String.", 7) == 0 ||
                         strncmp(type, "Number.", 7) == 0 ||
                         strncmp(type, "Binary.", 7) == 0)
                    ? "The message attribute '%s' has a custom type "
                      "suffix, which flowdeck does not keep yet; use "
                      "String, Number, Binary or String.Array"
                    : "The message attribute '%s' has an invalid message "
                      "attribute type, the set of supported type prefixes "
                      "is Binary, Number, and String.",
                name);
            goto out;
        }
        if (strcmp(type, "Binary") == 0 ? bv == NULL || *bv == '\0'
                                        : sv == NULL || *sv == '\0') {
            rc = err_setn(ENG_EINVAL, "ParameterValueInvalid",
                          "The message attribute '%s' must contain "
                          "non-empty message attribute value for message "
                          "attribute type '%s'.",
                          name, type);
            goto out;
        }
        if (strcmp(type, "String.Array") == 0) {
            json_t *arr = json_loads(sv, 0, NULL);
            int ok = json_is_array(arr);

            json_decref(arr);
            if (!ok) {
                rc = err_setn(ENG_EINVAL, "ParameterValueInvalid",
                              "The message attribute '%s' with type "
                              "'String.Array' must be a JSON array",
                              name);
                goto out;
            }
        }
        *size += strlen(name) + strlen(type) + strlen(sv ? sv : bv);
        json_object_set_new(attrs, name,
                            json_pack("{s:s, s:s}", "type", type, "value",
                                      strcmp(type, "Binary") == 0 ? bv : sv));
    }
#undef SNS_P
    if (*size > SNS_MSG_MAX) {
        rc = sns_invalid("Invalid parameter: Message too long");
        goto out;
    }
    if (json_object_size(attrs))
        json_object_set(req, "attributes", attrs);
    *out = req;
    req = NULL;
out:
    json_decref(req);
    json_decref(attrs);
    return rc;
}

/* Publish through the service; a refusal becomes SNS's error. */
static int
sns_publish_one(json_t **out, struct compat_call *c, const char *topic,
                const json_t *req)
{
    int rc = topic_publish(out, c->cp->eng->topics, topic, req);

    if (rc == ENG_ETOOBIG)
        return sns_invalid("Invalid parameter: Message too long");
    if (rc == ENG_EINVAL)
        return err_setn(ENG_EINVAL, "ParameterValueInvalid", "%s", err_last());
    if (rc == ENG_ENOTFOUND)
        return err_setn(ENG_ENOTFOUND, "NotFound", "Topic does not exist");
    return rc;
}

static int
sns_publish(struct compat_call *c, struct buf *b)
{
    const char *name, *key = "TopicArn";
    json_t *req = NULL, *out = NULL, *t = NULL;
    size_t size;
    int rc;

    if (compat_param(c, "PhoneNumber"))
        return sns_invalid("Invalid parameter: PhoneNumber Reason: flowdeck "
                           "does not send SMS");
    if (compat_param(c, "TopicArn") == NULL && compat_param(c, "TargetArn"))
        key = "TargetArn";
    if ((rc = sns_topic(&t, &name, c, key)) ||
        (rc = sns_publish_req(&req, &size, c, "")) ||
        (rc = sns_publish_one(&out, c, name, req)))
        goto out;
    compat_xml_elem(b, "MessageId",
                    json_string_value(json_object_get(out, "id")));
out:
    json_decref(t);
    json_decref(req);
    json_decref(out);
    return rc;
}

static int
sns_batch_id_ok(const char *id)
{
    size_t n = strlen(id);

    return n >= 1 && n <= 80 && compat_chars_ok(id, n, "-_");
}

static int
sns_publish_batch(struct compat_call *c, struct buf *b)
{
    const char *name = NULL;
    json_t *t = NULL, *ids = json_object();
    struct buf ok = BUF_INIT(0), fail = BUF_INIT(0);
    size_t total = 0;
    int n = 0, rc;

    if ((rc = sns_topic(&t, &name, c, "TopicArn")))
        goto out;
    for (int i = 1; i <= SNS_LIST_MAX; i++) {
        char key[96];
        const char *id;

        snprintf(key, sizeof(key), "PublishBatchRequestEntries.member.%d.Id",
                 i);
        if ((id = compat_param(c, key)) == NULL)
            break;
        n = i;
        if (!sns_batch_id_ok(id)) {
            rc = err_setn(ENG_EINVAL, "InvalidBatchEntryId",
                          "The Id of a batch entry in a batch request "
                          "doesn't abide by the specification.");
            goto out;
        }
        if (json_object_get(ids, id)) {
            rc = err_setn(ENG_EINVAL, "BatchEntryIdsNotDistinct",
                          "Two or more batch entries in the request have "
                          "the same Id.");
            goto out;
        }
        json_object_set_new(ids, id, json_true());
        snprintf(key, sizeof(key),
                 "PublishBatchRequestEntries.member.%d.Message", i);
        if (compat_param(c, key))
            total += strlen(compat_param(c, key));
    }
    if (n == 0) {
        rc = err_setn(ENG_EINVAL, "EmptyBatchRequest",
                      "The batch request doesn't contain any entries.");
        goto out;
    }
    if (n > SNS_BATCH_MAX) {
        rc = err_setn(ENG_EINVAL, "TooManyEntriesInBatchRequest",
                      "The batch request contains more entries than "
                      "permissible.");
        goto out;
    }
    if (total > SNS_MSG_MAX) {
        rc = err_setn(ENG_EINVAL, "BatchRequestTooLong",
                      "The length of all the messages put together is more "
                      "than the limit.");
        goto out;
    }
    for (int i = 1; i <= n; i++) {
        char pre[64], key[96];
        const char *id;
        json_t *req = NULL, *res = NULL;
        size_t size;

        snprintf(pre, sizeof(pre), "PublishBatchRequestEntries.member.%d.", i);
        snprintf(key, sizeof(key), "%sId", pre);
        id = compat_param(c, key);
        rc = sns_publish_req(&req, &size, c, pre);
        if (rc == 0)
            rc = sns_publish_one(&res, c, name, req);
        if (rc == 0) {
            buf_puts(&ok, "<member>");
            compat_xml_elem(&ok, "Id", id);
            compat_xml_elem(&ok, "MessageId",
                            json_string_value(json_object_get(res, "id")));
            buf_puts(&ok, "</member>");
        } else if (rc == ENG_EINVAL) {
            int status;

            buf_puts(&fail, "<member>");
            compat_xml_elem(&fail, "Id", id);
            compat_xml_elem(&fail, "Code", sns_code(rc, &status));
            compat_xml_elem(&fail, "Message", err_last());
            buf_puts(&fail, "<SenderFault>true</SenderFault></member>");
            rc = 0;
        }
        json_decref(req);
        json_decref(res);
        if (rc)
            goto out;
    }
    buf_puts(b, "<Successful>");
    if (ok.len)
        buf_append(b, buf_str(&ok), ok.len);
    buf_puts(b, "</Successful><Failed>");
    if (fail.len)
        buf_append(b, buf_str(&fail), fail.len);
    buf_puts(b, "</Failed>");
out:
    buf_free(&ok);
    buf_free(&fail);
    json_decref(t);
    json_decref(ids);
    return rc;
}

/* ---- dispatch ---- */

static const struct sns_action {
    const char *name;
    int (*fn)(struct compat_call *c, struct buf *b);
    int result; /* the response has a <NameResult> element */
} sns_actions[] = {
    {"ConfirmSubscription", sns_confirm_subscription, 1},
    {"CreateTopic", sns_create_topic, 1},
    {"DeleteTopic", sns_delete_topic, 0},
    {"GetSubscriptionAttributes", sns_get_subscription_attributes, 1},
    {"GetTopicAttributes", sns_get_topic_attributes, 1},
    {"ListSubscriptions", sns_list_subscriptions, 1},
    {"ListSubscriptionsByTopic", sns_list_subscriptions_by_topic, 1},
    {"ListTagsForResource", sns_list_tags, 1},
    {"ListTopics", sns_list_topics, 1},
    {"Publish", sns_publish, 1},
    {"PublishBatch", sns_publish_batch, 1},
    {"SetSubscriptionAttributes", sns_set_subscription_attributes, 0},
    {"SetTopicAttributes", sns_set_topic_attributes, 0},
    {"Subscribe", sns_subscribe, 1},
    {"TagResource", sns_tag_resource, 1},
    {"Unsubscribe", sns_unsubscribe, 0},
    {"UntagResource", sns_untag_resource, 1},
};

int
compat_sns(struct compat_call *c, struct http_resp *resp)
{
    const struct sns_action *act = NULL;
    struct buf body = BUF_INIT(0), b = BUF_INIT(0);
    int rc;

    for (size_t i = 0;
         c->action && i < sizeof(sns_actions) / sizeof(sns_actions[0]); i++)
        if (strcmp(c->action, sns_actions[i].name) == 0)
            act = &sns_actions[i];
    if (act == NULL) {
        rc = c->action ? err_setn(ENG_EINVAL, "InvalidAction",
                                  "The action %.64s is not valid for this "
                                  "endpoint.",
                                  c->action)
                       : err_setn(ENG_EINVAL, "InvalidAction",
                                  "Missing parameter: Action");
        compat_sns_error(c, resp, rc);
        return rc;
    }
    if ((rc = act->fn(c, &body))) {
        buf_free(&body);
        compat_sns_error(c, resp, rc);
        return rc;
    }
    buf_printf(&b, "<?xml version=\"1.0\"?><%sResponse xmlns=\"" SNS_NS "\">",
               act->name);
    if (act->result) {
        buf_printf(&b, "<%sResult>", act->name);
        if (body.len)
            buf_append(&b, buf_str(&body), body.len);
        buf_printf(&b, "</%sResult>", act->name);
    }
    buf_printf(&b,
               "<ResponseMetadata><RequestId>%s</RequestId>"
               "</ResponseMetadata></%sResponse>",
               c->request_id, act->name);
    buf_free(&body);
    compat_reply(c, resp, 200, "text/xml", &b, "x-amzn-RequestId");
    return 0;
}
