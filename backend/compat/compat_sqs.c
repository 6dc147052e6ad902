/*
 * compat_sqs: the SQS wire protocols — query (form in, XML out) and JSON
 * 1.0 (X-Amz-Target: AmazonSQS.*) — and GET /_aws/sqs/messages (a peek
 * in the ReceiveMessage shape), over the queue service. Both protocols
 * decode into one request object (the JSON 1.0 body's shape), run the
 * same action and encode its result in kind; the queue's rules stay in
 * the queue service: this file translates names, SQS's ranges and texts.
 * A long-poll receive parks its request until the service answers.
 * Engine thread only, inside compat_dispatch's store change.
 */
#include "compat/compat_sqs.h"

#include "common/digest.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/rand.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "queue/queue.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SQS_BATCH_MAX 10
#define SQS_BATCH_BYTES 1048576
#define SQS_PURGE_MS 60000
#define SQS_TASKS_KEPT 10
#define SQS_JSON_CTYPE "application/x-amz-json-1.0"
#define SQS_ID_HEADER "x-amzn-RequestId"

/* One action's run. */
struct sqs_call {
    struct compat_call *c;
    struct queue_service *qs;
    const char *action;
    const json_t *in; /* the request, JSON 1.0 shape: borrowed */
    json_t *out;      /* the result: new */
    char *base;       /* "http://HOST" */
    struct http_resp *resp;
};

typedef int (*sqs_fn)(struct sqs_call *x);

/* ---- errors ---- */

static const char *
sqs_error_message(const struct sqs_error *e, int query)
{
    if (strcmp(e->name, "QueueDoesNotExist") == 0)
        return query ? "The specified queue does not exist for this wsdl "
                       "version."
                     : "The specified queue does not exist.";
    return err_last();
}

void
compat_sqs_query_error(struct compat_call *c, struct http_resp *resp, int rc)
{
    const struct sqs_error *e = sqs_error_for(rc);
    const char *msg = sqs_error_message(e, 1);
    struct buf b = BUF_INIT(0);
    char qe[160];

    buf_printf(&b, "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"" SQS_XMLNS
                   "\"><Error><Type>%s</Type><Code>",
               e->receiver ? "Receiver" : "Sender");
    compat_xml_escape(&b, e->code, strlen(e->code));
    buf_puts(&b, "</Code><Message>");
    compat_xml_escape(&b, msg, strlen(msg));
    buf_printf(&b, "</Message><Detail/></Error><RequestId>%s</RequestId>"
                   "</ErrorResponse>",
               c->request_id);
    compat_reply(c, resp, e->status, "text/xml", &b, SQS_ID_HEADER);
    snprintf(qe, sizeof(qe), "%s;%s", e->code,
             e->receiver ? "Receiver" : "Sender");
    http_resp_header(resp, "x-amzn-query-error", qe);
}

static int
sqs_wants_json(const struct compat_call *c)
{
    const char *accept = http_req_header(c->req, "Accept");

    return accept && strstr(accept, "json") != NULL;
}

void
compat_sqs_json_error(struct compat_call *c, struct http_resp *resp, int rc)
{
    const struct sqs_error *e;
    struct buf b = BUF_INIT(0);
    json_t *body;
    char qe[160], *text;

    if (c->proto == COMPAT_SQS_PEEK && !sqs_wants_json(c)) {
        compat_sqs_query_error(c, resp, rc);
        return;
    }
    e = sqs_error_for(rc);
    body = json_pack("{s:s, s:s}", "__type", e->type, "message",
                     sqs_error_message(e, 0));
    text = jsonx_dump(body);
    json_decref(body);
    buf_puts(&b, text);
    free(text);
    compat_reply(c, resp, e->status, SQS_JSON_CTYPE, &b, SQS_ID_HEADER);
    snprintf(qe, sizeof(qe), "%s;%s", e->code,
             e->receiver ? "Receiver" : "Sender");
    http_resp_header(resp, "x-amzn-query-error", qe);
}

static int
sqs_missing(const char *param)
{
    return err_setn(ENG_EINVAL, "MissingParameter",
                    "The request must contain the parameter %s.", param);
}

/* ---- parameters ---- */

static int
sqs_str(const char **out, const json_t *in, const char *key, int required)
{
    const json_t *v = json_object_get(in, key);

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return required ? sqs_missing(key) : 0;
    if (!json_is_string(v))
        return err_setn(ENG_EINVAL, "InvalidParameterValue",
                        "Value for parameter %s is invalid. Reason: must be "
                        "a string.",
                        key);
    *out = json_string_value(v);
    return 0;
}

/*
 * An integer parameter (a JSON number, or the decimal text the query
 * protocol sends) in [min, max]; *given says whether it was there.
 * `reason` is SQS's wording of the range.
 */
static int
sqs_int(int64_t *out, int *given, const json_t *in, const char *key,
        int64_t min, int64_t max, const char *reason)
{
    const json_t *v = json_object_get(in, key);
    char text[64];
    int64_t n = 0;

    if (given)
        *given = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (json_is_integer(v)) {
        n = json_integer_value(v);
        snprintf(text, sizeof(text), "%lld", (long long)n);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;

        snprintf(text, sizeof(text), "%.60s", s);
        n = strtoll(s, &end, 10);
        if (*s == '\0' || *end != '\0')
            return err_setn(ENG_EINVAL, "InvalidParameterValue",
                            "Value %s for parameter %s is invalid. Reason: "
                            "must be an integer.",
                            text, key);
    } else {
        return err_setn(ENG_EINVAL, "InvalidParameterValue",
                        "Value for parameter %s is invalid. Reason: must be "
                        "an integer.",
                        key);
    }
    if (n < min || n > max)
        return err_setn(ENG_EINVAL, "InvalidParameterValue",
                        "Value %s for parameter %s is invalid. Reason: %s.",
                        text, key, reason);
    *out = n;
    if (given)
        *given = 1;
    return 0;
}

/* Returns: borrowed array `key` of strings, or NULL (absent, or not an
 * array of strings). */
static const json_t *
sqs_names(const json_t *in, const char *key)
{
    const json_t *v = json_object_get(in, key), *e;
    size_t i;

    if (!json_is_array(v))
        return NULL;
    json_array_foreach(v, i, e)
        if (!json_is_string(e))
            return NULL;
    return v;
}

static int
sqs_has_name(const json_t *names, const char *name)
{
    const json_t *e;
    size_t i;

    json_array_foreach(names, i, e)
        if (strcmp(json_string_value(e), name) == 0)
            return 1;
    return 0;
}

/* The queue a request names: the last path segment of QueueUrl (any
 * host), or of the path an old query client posted to. */
static int
sqs_queue_name(const char **out, struct sqs_call *x)
{
    const char *url = NULL, *slash;
    int rc;

    *out = NULL;
    if ((rc = sqs_str(&url, x->in, "QueueUrl", 0)))
        return rc;
    if (url == NULL && x->c->proto == COMPAT_SQS_QUERY &&
        strcmp(x->c->req->path, "/") != 0)
        url = x->c->req->path;
    if (url == NULL)
        return sqs_missing("QueueUrl");
    slash = strrchr(url, '/');
    *out = slash ? slash + 1 : url;
    if (**out == '\0')
        return err_setn(ENG_ENOTFOUND, "QueueDoesNotExist",
                        "The specified queue does not exist.");
    return 0;
}

static char *
sqs_url(const struct sqs_call *x, const char *name)
{
    return xasprintf("%s/%s/%s", x->base, x->c->cp->aws_account, name);
}

/* Returns: 0 and the queue (new) in *out, or QueueDoesNotExist. */
static int
sqs_get_queue(json_t **out, struct sqs_call *x, const char *name)
{
    if (queue_get(out, x->qs, name) != 0)
        return err_setn(ENG_ENOTFOUND, "QueueDoesNotExist",
                        "The specified queue does not exist.");
    return 0;
}

/* ---- queue attributes ---- */

static const struct {
    const char *sqs, *key;
    int64_t min, max;
} sqs_num_attrs[] = {
    {"DelaySeconds", "delay_seconds", 0, 900},
    {"MaximumMessageSize", "max_message_size", 1024, 1048576},
    {"MessageRetentionPeriod", "retention_seconds", 60, 1209600},
    {"ReceiveMessageWaitTimeSeconds", "wait_seconds", 0, 20},
    {"VisibilityTimeout", "visibility_timeout", 0, 43200},
};
#define SQS_NNUM (sizeof(sqs_num_attrs) / sizeof(sqs_num_attrs[0]))

/* Kept verbatim in the queue's extra attributes. */
static const char *const sqs_kept_attrs[] = {
    "Policy", "RedriveAllowPolicy", "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled",
    "DeduplicationScope", "FifoThroughputLimit", NULL};

static const char *const sqs_readonly_attrs[] = {
    "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp",
    "LastModifiedTimestamp", "QueueArn", NULL};

static int
sqs_in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

static int
sqs_unknown_attr(const char *name)
{
    return err_setn(ENG_EINVAL, "InvalidAttributeName",
                    "Unknown Attribute %s.", name);
}

static int
sqs_bad_attr(const char *name, const char *why)
{
    if (why)
        return err_setn(ENG_EINVAL, "InvalidAttributeValue",
                        "Invalid value for the parameter %s. Reason: %s.",
                        name, why);
    return err_setn(ENG_EINVAL, "InvalidAttributeValue",
                    "Invalid value for the parameter %s.", name);
}

static int
sqs_parse_i64(int64_t *out, const char *s)
{
    char *end;

    if (s == NULL || *s == '\0')
        return -1;
    *out = strtoll(s, &end, 10);
    return *end == '\0' ? 0 : -1;
}

/* RedrivePolicy text -> dead_letter_queue / max_receives in `a`. */
static int
sqs_redrive_policy(json_t *a, const char *text)
{
    json_t *p, *target, *count;
    const char *name;
    int64_t n = -1;

    if (*text == '\0' || strcmp(text, "{}") == 0) {
        json_object_set_new(a, "dead_letter_queue", json_null());
        return 0;
    }
    p = json_loads(text, 0, NULL);
    if (!json_is_object(p)) {
        json_decref(p);
        return err_setn(ENG_EINVAL, "InvalidParameterValue",
                        "Value %.200s for parameter RedrivePolicy is invalid. "
                        "Reason: Redrive policy is not a valid JSON map.",
                        text);
    }
    target = json_object_get(p, "deadLetterTargetArn");
    count = json_object_get(p, "maxReceiveCount");
    if (json_is_integer(count))
        n = json_integer_value(count);
    else if (json_is_string(count) &&
             sqs_parse_i64(&n, json_string_value(count)) != 0)
        n = -1;
    if (!json_is_string(target) || count == NULL) {
        /* target and count are p's: the message is made before p goes */
        int rc = err_setn(ENG_EINVAL, "InvalidParameterValue",
                          "Value %.200s for parameter RedrivePolicy is "
                          "invalid. Reason: Redrive policy does not contain "
                          "mandatory attribute: %s.",
                          text,
                          json_is_string(target) ? "maxReceiveCount"
                                                 : "deadLetterTargetArn");

        json_decref(p);
        return rc;
    }
    name = compat_arn_name(json_string_value(target), "sqs");
    if (name == NULL || n < 1 || n > 1000) {
        int rc = err_setn(ENG_EINVAL, "InvalidParameterValue",
                          "Value %.200s for parameter RedrivePolicy is "
                          "invalid. Reason: %s.",
                          text,
                          name ? "Invalid value for maxReceiveCount: must be "
                                 "an integer from 1 to 1000"
                               : "Invalid value for deadLetterTargetArn");

        json_decref(p);
        return rc;
    }
    json_object_set_new(a, "dead_letter_queue", json_string(name));
    json_object_set_new(a, "max_receives", json_integer(n));
    json_decref(p);
    return 0;
}

static int
sqs_kept_attr_ok(const char *name, const char *v)
{
    int64_t n;

    if (strcmp(name, "DeduplicationScope") == 0)
        return strcmp(v, "queue") == 0 || strcmp(v, "messageGroup") == 0;
    if (strcmp(name, "FifoThroughputLimit") == 0)
        return strcmp(v, "perQueue") == 0 ||
               strcmp(v, "perMessageGroupId") == 0;
    if (strcmp(name, "SqsManagedSseEnabled") == 0)
        return strcmp(v, "true") == 0 || strcmp(v, "false") == 0;
    if (strcmp(name, "KmsDataKeyReusePeriodSeconds") == 0)
        return sqs_parse_i64(&n, v) == 0 && n >= 60 && n <= 86400;
    if (strcmp(name, "RedriveAllowPolicy") == 0) {
        json_t *p = json_loads(v, 0, NULL);
        const char *perm = json_string_value(
            json_object_get(p, "redrivePermission"));
        int ok = perm && (strcmp(perm, "allowAll") == 0 ||
                          strcmp(perm, "denyAll") == 0 ||
                          strcmp(perm, "byQueue") == 0);

        json_decref(p);
        return ok;
    }
    if (strcmp(name, "Policy") == 0) {
        json_t *p = json_loads(v, 0, NULL);
        int ok = json_is_object(p);

        json_decref(p);
        return ok;
    }
    return 1;
}

/*
 * SQS Attributes -> the queue service's attributes (new, in *out).
 * `fifo`: the queue's type (creating: what FifoQueue says).
 */
static int
sqs_attrs_in(json_t **out, const json_t *attrs, int creating, int fifo)
{
    json_t *a = json_object(), *extra = json_object(), *v;
    const char *name;
    int rc = 0;

    *out = NULL;
    if (attrs && !json_is_object(attrs)) {
        rc = err_setn(ENG_EINVAL, "InvalidParameterValue",
                      "Attributes must be a map of attribute names to "
                      "values.");
        goto out;
    }
    json_object_foreach((json_t *)attrs, name, v) {
        const char *s = json_string_value(v);
        size_t i;

        if (s == NULL) {
            rc = sqs_bad_attr(name, NULL);
            goto out;
        }
        for (i = 0; i < SQS_NNUM; i++)
            if (strcmp(name, sqs_num_attrs[i].sqs) == 0)
                break;
        if (i < SQS_NNUM) {
            int64_t n;

            if (sqs_parse_i64(&n, s) != 0 || n < sqs_num_attrs[i].min ||
                n > sqs_num_attrs[i].max) {
                rc = sqs_bad_attr(name, NULL);
                goto out;
            }
            json_object_set_new(a, sqs_num_attrs[i].key, json_integer(n));
        } else if (strcmp(name, "FifoQueue") == 0) {
            if (!creating) {
                rc = fifo ? sqs_bad_attr(name, "Modifying queue type is not "
                                               "supported")
                          : sqs_unknown_attr(name);
                goto out;
            }
            if (!fifo) {
                rc = sqs_unknown_attr(name);
                goto out;
            }
            if (strcmp(s, "true") != 0) {
                rc = sqs_bad_attr(name, NULL);
                goto out;
            }
            json_object_set_new(a, "fifo", json_true());
        } else if (strcmp(name, "ContentBasedDeduplication") == 0) {
            if (!fifo) {
                rc = sqs_unknown_attr(name);
                goto out;
            }
            if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0) {
                rc = sqs_bad_attr(name, NULL);
                goto out;
            }
            json_object_set_new(a, "content_dedup",
                                json_boolean(strcmp(s, "true") == 0));
        } else if (strcmp(name, "RedrivePolicy") == 0) {
            if ((rc = sqs_redrive_policy(a, s)))
                goto out;
        } else if (sqs_in_list(sqs_kept_attrs, name)) {
            if (!fifo && (strcmp(name, "DeduplicationScope") == 0 ||
                          strcmp(name, "FifoThroughputLimit") == 0)) {
                rc = sqs_unknown_attr(name);
                goto out;
            }
            if (*s == '\0' && (strcmp(name, "Policy") == 0 ||
                               strcmp(name, "RedriveAllowPolicy") == 0 ||
                               strcmp(name, "KmsMasterKeyId") == 0)) {
                json_object_set_new(extra, name, json_null());
                continue;
            }
            if (!sqs_kept_attr_ok(name, s)) {
                rc = sqs_bad_attr(name, NULL);
                goto out;
            }
            json_object_set(extra, name, v);
        } else {
            rc = sqs_unknown_attr(name);
            goto out;
        }
    }
    if (json_object_size(extra))
        json_object_set(a, "extra", extra);
out:
    json_decref(extra);
    if (rc) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return 0;
}

static void
sqs_set_attr_int(json_t *m, const char *name, json_int_t v)
{
    char text[32];

    snprintf(text, sizeof(text), "%lld", (long long)v);
    json_object_set_new(m, name, json_string(text));
}

static int64_t
sqs_time_ms(const json_t *q, const char *key)
{
    int64_t ms = 0;
    const char *t = json_string_value(json_object_get(q, key));

    if (t == NULL || timefmt_parse_rfc3339(&ms, t) != 0)
        return 0;
    return ms;
}

/* Every SQS attribute of queue q (the service's JSON). Returns: new. */
static json_t *
sqs_attrs_out(const struct sqs_call *x, const json_t *q)
{
    const json_t *counts = json_object_get(q, "counts");
    const json_t *extra = json_object_get(q, "extra");
    const char *name = json_string_value(json_object_get(q, "name"));
    const char *dlq = json_string_value(json_object_get(q, "dead_letter_queue"));
    int fifo = json_is_true(json_object_get(q, "fifo"));
    json_t *m = json_object(), *v;
    char *arn = compat_aws_arn(x->c->cp, "sqs", name);
    const char *k;

    sqs_set_attr_int(m, "ApproximateNumberOfMessages",
                     json_integer_value(json_object_get(counts, "visible")));
    sqs_set_attr_int(m, "ApproximateNumberOfMessagesNotVisible",
                     json_integer_value(json_object_get(counts, "in_flight")));
    sqs_set_attr_int(m, "ApproximateNumberOfMessagesDelayed",
                     json_integer_value(json_object_get(counts, "delayed")));
    sqs_set_attr_int(m, "CreatedTimestamp", sqs_time_ms(q, "created") / 1000);
    sqs_set_attr_int(m, "LastModifiedTimestamp",
                     sqs_time_ms(q, "modified") / 1000);
    for (size_t i = 0; i < SQS_NNUM; i++)
        sqs_set_attr_int(m, sqs_num_attrs[i].sqs,
                         json_integer_value(
                             json_object_get(q, sqs_num_attrs[i].key)));
    json_object_set_new(m, "QueueArn", json_string(arn));
    json_object_set_new(m, "SqsManagedSseEnabled",
                        json_string(json_object_get(extra, "KmsMasterKeyId")
                                        ? "false"
                                        : "true"));
    if (dlq) {
        char *darn = compat_aws_arn(x->c->cp, "sqs", dlq);
        json_t *p = json_pack(
            "{s:s, s:I}", "deadLetterTargetArn", darn, "maxReceiveCount",
            json_integer_value(json_object_get(q, "max_receives")));
        char *text = jsonx_dump(p);

        json_object_set_new(m, "RedrivePolicy", json_string(text));
        free(text);
        json_decref(p);
        free(darn);
    }
    if (fifo) {
        json_object_set_new(m, "FifoQueue", json_string("true"));
        json_object_set_new(
            m, "ContentBasedDeduplication",
            json_string(json_is_true(json_object_get(q, "content_dedup"))
                            ? "true"
                            : "false"));
        json_object_set_new(m, "DeduplicationScope", json_string("queue"));
        json_object_set_new(m, "FifoThroughputLimit",
                            json_string("perQueue"));
    }
    json_object_foreach((json_t *)extra, k, v)
        if (sqs_in_list(sqs_kept_attrs, k))
            json_object_set(m, k, v);
    free(arn);
    return m;
}

/* ---- queues ---- */

static int
sqs_check_name(const char *name, int fifo)
{
    size_t n = strlen(name);
    int suffix = n > 5 && strcmp(name + n - 5, ".fifo") == 0;
    size_t body = suffix ? n - 5 : n;

    if (n == 0 || n > 80 || !compat_chars_ok(name, body, "-_") ||
        suffix != fifo)
        return err_setn(ENG_EINVAL, "InvalidParameterValue",
                        fifo ? "The name of a FIFO queue can only include "
                               "alphanumeric characters, hyphens, or "
                               "underscores, must end with .fifo suffix and "
                               "be 1 to 80 in length."
                             : "Can only include alphanumeric characters, "
                               "hyphens, or underscores. 1 to 80 in length");
    return 0;
}

/* Which given attribute differs from the existing queue's? */
static int
sqs_exists_error(struct sqs_call *x, const char *name, const json_t *given)
{
    json_t *q = NULL, *have;
    const char *k, *diff = NULL;
    json_t *v;

    if (queue_get(&q, x->qs, name) != 0)
        return err_setn(ENG_EEXISTS, "QueueNameExists",
                        "A queue already exists with the same name and a "
                        "different value for an attribute");
    have = sqs_attrs_out(x, q);
    json_object_foreach((json_t *)given, k, v) {
        const json_t *h = json_object_get(have, k);

        if (h == NULL || !json_equal(h, v)) {
            diff = k;
            break;
        }
    }
    json_decref(q);
    if (diff == NULL) {
        json_decref(have);
        return err_setn(ENG_EEXISTS, "QueueNameExists",
                        "A queue already exists with the same name and a "
                        "different value for an attribute");
    }
    err_setn(ENG_EEXISTS, "QueueNameExists",
             "A queue already exists with the same name and a different "
             "value for attribute %s",
             diff);
    json_decref(have);
    return ENG_EEXISTS;
}

static int
sqs_create_queue(struct sqs_call *x)
{
    const json_t *attrs = json_object_get(x->in, "Attributes");
    const json_t *tags = json_object_get(x->in, "tags");
    json_t *a = NULL, *q = NULL;
    const char *name;
    const char *fifo_attr =
        json_string_value(json_object_get(attrs, "FifoQueue"));
    int fifo, created, rc, exists;
    char *url;

    if (tags == NULL)
        tags = json_object_get(x->in, "Tags");
    if ((rc = sqs_str(&name, x->in, "QueueName", 1)))
        return rc;
    fifo = fifo_attr && strcmp(fifo_attr, "true") == 0;
    if (fifo_attr && strcmp(fifo_attr, "false") == 0) {
        size_t n = strlen(name);

        if (n > 5 && strcmp(name + n - 5, ".fifo") == 0)
            return sqs_check_name(name, 0);
        return sqs_unknown_attr("FifoQueue");
    }
    if ((rc = sqs_check_name(name, fifo)) ||
        (rc = sqs_attrs_in(&a, attrs, 1, fifo)))
        return rc;
    if (tags && !json_is_object(tags)) {
        json_decref(a);
        return err_setn(ENG_EINVAL, "InvalidParameterValue",
                        "Tags must be a map of keys to values.");
    }
    exists = queue_get(&q, x->qs, name) == 0;
    json_decref(q);
    if (!exists) {
        if (json_object_get(a, "max_message_size") == NULL)
            json_object_set_new(a, "max_message_size", json_integer(1048576));
        if (tags && json_object_size(tags))
            json_object_set(a, "tags", (json_t *)tags);
    }
    rc = queue_create(&q, &created, x->qs, name, a);
    json_decref(a);
    json_decref(q);
    if (rc == ENG_EEXISTS)
        return sqs_exists_error(x, name, attrs);
    if (rc)
        return rc;
    url = sqs_url(x, name);
    x->out = json_pack("{s:s}", "QueueUrl", url);
    free(url);
    return 0;
}

static int
sqs_get_queue_url(struct sqs_call *x)
{
    const char *name;
    json_t *q;
    char *url;
    int rc;

    if ((rc = sqs_str(&name, x->in, "QueueName", 1)) ||
        (rc = sqs_get_queue(&q, x, name)))
        return rc;
    json_decref(q);
    url = sqs_url(x, name);
    x->out = json_pack("{s:s}", "QueueUrl", url);
    free(url);
    return 0;
}

static int
sqs_list_queues(struct sqs_call *x)
{
    const char *prefix, *token;
    int64_t max = 1000;
    int given, rc;
    json_t *page, *urls, *e;
    size_t i;

    if ((rc = sqs_str(&prefix, x->in, "QueueNamePrefix", 0)) ||
        (rc = sqs_str(&token, x->in, "NextToken", 0)) ||
        (rc = sqs_int(&max, &given, x->in, "MaxResults", 1, 1000,
                      "must be between 1 and 1000")))
        return rc;
    if (prefix && *prefix == '\0')
        prefix = NULL;
    if (token && *token == '\0')
        token = NULL;
    if ((rc = queue_list(&page, x->qs, prefix, token, (int)max)))
        return rc;
    urls = json_array();
    json_array_foreach(json_object_get(page, "items"), i, e) {
        char *url = sqs_url(x, json_string_value(json_object_get(e, "name")));

        json_array_append_new(urls, json_string(url));
        free(url);
    }
    x->out = json_object();
    if (json_array_size(urls))
        json_object_set(x->out, "QueueUrls", urls);
    if (given && json_object_get(page, "next"))
        json_object_set(x->out, "NextToken", json_object_get(page, "next"));
    json_decref(urls);
    json_decref(page);
    return 0;
}

static int
sqs_delete_queue(struct sqs_call *x)
{
    const char *name;
    int rc;

    if ((rc = sqs_queue_name(&name, x)))
        return rc;
    if (queue_delete(x->qs, name) == ENG_ENOTFOUND)
        return err_setn(ENG_ENOTFOUND, "QueueDoesNotExist",
                        "The specified queue does not exist.");
    return 0;
}

/* Change one key of the queue's extra attributes (v: stolen; NULL
 * removes). */
static int
sqs_set_extra(struct sqs_call *x, const char *name, const char *key,
              json_t *v)
{
    json_t *a = json_pack("{s:{s:o}}", "extra", key, v ? v : json_null());
    json_t *out = NULL;
    int rc = queue_set(&out, x->qs, name, a);

    json_decref(a);
    json_decref(out);
    return rc;
}

static int
sqs_purge_queue(struct sqs_call *x)
{
    const char *name, *last;
    int64_t n, now = timefmt_real_now_ms(), then;
    json_t *q;
    char text[32];
    int rc;

    if ((rc = sqs_queue_name(&name, x)) || (rc = sqs_get_queue(&q, x, name)))
        return rc;
    last = json_string_value(
        json_object_get(json_object_get(q, "extra"), "sqs:purged_ms"));
    if (last && sqs_parse_i64(&then, last) == 0 && now - then >= 0 &&
        now - then < SQS_PURGE_MS) {
        json_decref(q);
        return err_setn(ENG_ECONFLICT, "PurgeQueueInProgress",
                        "Only one PurgeQueue operation on %s is allowed every "
                        "60 seconds.",
                        name);
    }
    json_decref(q);
    snprintf(text, sizeof(text), "%lld", (long long)now);
    if ((rc = queue_purge(&n, x->qs, name)) ||
        (rc = sqs_set_extra(x, name, "sqs:purged_ms", json_string(text))))
        return rc;
    return 0;
}

static int
sqs_get_queue_attributes(struct sqs_call *x)
{
    const json_t *names = sqs_names(x->in, "AttributeNames"), *e;
    const char *name;
    json_t *q, *all, *res;
    size_t i;
    int rc;

    if ((rc = sqs_queue_name(&name, x)) || (rc = sqs_get_queue(&q, x, name)))
        return rc;
    all = sqs_attrs_out(x, q);
    json_decref(q);
    res = json_object();
    json_array_foreach(names, i, e) {
        const char *n = json_string_value(e);

        if (strcmp(n, "All") == 0) {
            json_object_update(res, all);
        } else if (json_object_get(all, n)) {
            json_object_set(res, n, json_object_get(all, n));
        } else if (!sqs_in_list(sqs_kept_attrs, n) &&
                   strcmp(n, "RedrivePolicy") != 0 &&
                   strcmp(n, "FifoQueue") != 0 &&
                   strcmp(n, "ContentBasedDeduplication") != 0) {
            json_decref(all);
            json_decref(res);
            return sqs_unknown_attr(n);
        }
    }
    json_decref(all);
    x->out = json_object();
    if (json_object_size(res))
        json_object_set(x->out, "Attributes", res);
    json_decref(res);
    return 0;
}

static int
sqs_set_queue_attributes(struct sqs_call *x)
{
    const json_t *attrs = json_object_get(x->in, "Attributes");
    const char *name;
    json_t *q, *a;
    int rc, fifo;

    if ((rc = sqs_queue_name(&name, x)) || (rc = sqs_get_queue(&q, x, name)))
        return rc;
    fifo = json_is_true(json_object_get(q, "fifo"));
    json_decref(q);
    if (attrs == NULL)
        return sqs_missing("Attributes");
    for (const char *const *r = sqs_readonly_attrs; *r; r++)
        if (json_object_get(attrs, *r))
            return sqs_unknown_attr(*r);
    if ((rc = sqs_attrs_in(&a, attrs, 0, fifo)))
        return rc;
    rc = queue_set(&q, x->qs, name, a);
    json_decref(a);
    json_decref(q);
    return rc;
}

/* ---- tags and permissions ---- */

static int
sqs_tag_queue(struct sqs_call *x)
{
    const json_t *tags = json_object_get(x->in, "Tags");
    const char *name;
    json_t *a, *q = NULL;
    int rc;

    if ((rc = sqs_queue_name(&name, x)))
        return rc;
    if (!json_is_object(tags) || json_object_size(tags) == 0)
        return sqs_missing("Tags");
    a = json_pack("{s:O}", "tags", tags);
    rc = queue_set(&q, x->qs, name, a);
    json_decref(a);
    json_decref(q);
    return rc;
}

static int
sqs_untag_queue(struct sqs_call *x)
{
    const json_t *keys = sqs_names(x->in, "TagKeys"), *e;
    const char *name;
    json_t *a, *t, *q = NULL;
    size_t i;
    int rc;

    if ((rc = sqs_queue_name(&name, x)))
        return rc;
    if (keys == NULL || json_array_size(keys) == 0)
        return sqs_missing("TagKeys");
    t = json_object();
    json_array_foreach(keys, i, e)
        json_object_set_new(t, json_string_value(e), json_null());
    a = json_pack("{s:o}", "tags", t);
    rc = queue_set(&q, x->qs, name, a);
    json_decref(a);
    json_decref(q);
    return rc;
}

static int
sqs_list_queue_tags(struct sqs_call *x)
{
    const char *name;
    json_t *q, *tags;
    int rc;

    if ((rc = sqs_queue_name(&name, x)) || (rc = sqs_get_queue(&q, x, name)))
        return rc;
    tags = json_object_get(q, "tags");
    x->out = json_object();
    if (json_object_size(tags))
        json_object_set(x->out, "Tags", tags);
    json_decref(q);
    return 0;
}

/* The queue's Policy document (new; an empty one when none). */
static json_t *
sqs_policy(const json_t *q, const char *arn)
{
    const char *text = json_string_value(
        json_object_get(json_object_get(q, "extra"), "Policy"));
    json_t *p = text ? json_loads(text, 0, NULL) : NULL;

    if (!json_is_object(p)) {
        char *id = xasprintf("%s/SQSDefaultPolicy", arn);

        json_decref(p);
        p = json_pack("{s:s, s:s, s:[]}", "Version", "2012-10-17", "Id", id,
                      "Statement");
        free(id);
    }
    if (!json_is_array(json_object_get(p, "Statement")))
        json_object_set_new(p, "Statement", json_array());
    return p;
}

static int
sqs_permission(struct sqs_call *x, int add)
{
    const json_t *accounts = sqs_names(x->in, "AWSAccountIds");
    const json_t *actions = sqs_names(x->in, "Actions"), *e;
    const char *name, *label;
    json_t *q, *p, *stmts, *principals, *acts;
    char *arn, *text;
    size_t i, found = SIZE_MAX;
    int rc;

    if ((rc = sqs_queue_name(&name, x)) ||
        (rc = sqs_str(&label, x->in, "Label", 1)) ||
        (rc = sqs_get_queue(&q, x, name)))
        return rc;
    arn = compat_aws_arn(x->c->cp, "sqs", name);
    p = sqs_policy(q, arn);
    json_decref(q);
    stmts = json_object_get(p, "Statement");
    json_array_foreach(stmts, i, e)
        if (json_is_string(json_object_get(e, "Sid")) &&
            strcmp(json_string_value(json_object_get(e, "Sid")), label) == 0)
            found = i;
    if (add && found != SIZE_MAX) {
        rc = err_setn(ENG_EINVAL, "InvalidParameterValue",
                      "Value %s for parameter Label is invalid. Reason: "
                      "Already exists.",
                      label);
    } else if (!add && found == SIZE_MAX) {
        rc = err_setn(ENG_EINVAL, "InvalidParameterValue",
                      "Value %s for parameter Label is invalid. Reason: "
                      "can't find label.",
                      label);
    } else if (add && (accounts == NULL || !json_array_size(accounts))) {
        rc = sqs_missing("AWSAccountIds");
    } else if (add && (actions == NULL || !json_array_size(actions))) {
        rc = sqs_missing("Actions");
    }
    if (rc == 0 && add) {
        principals = json_array();
        acts = json_array();
        json_array_foreach(accounts, i, e) {
            char *who = xasprintf("arn:aws:iam::%s:root",
                                  json_string_value(e));

            json_array_append_new(principals, json_string(who));
            free(who);
        }
        json_array_foreach(actions, i, e) {
            char *what = xasprintf("SQS:%s", json_string_value(e));

            json_array_append_new(acts, json_string(what));
            free(what);
        }
        json_array_append_new(
            stmts, json_pack("{s:s, s:s, s:{s:o}, s:o, s:s}", "Sid", label,
                             "Effect", "Allow", "Principal", "AWS",
                             principals, "Action", acts, "Resource", arn));
    } else if (rc == 0) {
        json_array_remove(stmts, found);
    }
    if (rc == 0) {
        text = jsonx_dump(p);
        rc = sqs_set_extra(x, name, "Policy",
                           json_array_size(stmts) ? json_string(text) : NULL);
        free(text);
    }
    json_decref(p);
    free(arn);
    return rc;
}

static int
sqs_add_permission(struct sqs_call *x)
{
    return sqs_permission(x, 1);
}

static int
sqs_remove_permission(struct sqs_call *x)
{
    return sqs_permission(x, 0);
}

/* ---- sending ---- */

/* Is every character of the UTF-8 text one SQS allows in a body? */
static int
sqs_body_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;

    while (p < end) {
        uint32_t c = *p;
        int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;

        if (len > end - p)
            return 0;
        if (len == 2)
            c = (c & 0x1F) << 6 | (p[1] & 0x3F);
        else if (len == 3)
            c = (c & 0x0F) << 12 | (p[1] & 0x3F) << 6 | (p[2] & 0x3F);
        else if (len == 4)
            c = (c & 0x07) << 18 | (p[1] & 0x3F) << 12 | (p[2] & 0x3F) << 6 |
                (p[3] & 0x3F);
        if (!(c == 0x9 || c == 0xA || c == 0xD ||
              (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
              (c >= 0x10000 && c <= 0x10FFFF)))
            return 0;
        p += len;
    }
    return 1;
}

/* SQS MessageAttributes -> the service's {name: {type, value}} in *out
 * (NULL when none), the MD5 into md5 (when any). */
static int
sqs_msg_attrs_in(json_t **out, char *md5, const json_t *attrs,
                 int system)
{
    json_t *res;
    const char *name;
    json_t *v;

    *out = NULL;
    if (attrs == NULL || json_is_null(attrs) ||
        (json_is_object(attrs) && json_object_size(attrs) == 0))
        return 0;
    if (!json_is_object(attrs))
        return err_setn(ENG_EINVAL, "InvalidParameterValue",
                        "Message attributes must be a map.");
    res = json_object();
    json_object_foreach((json_t *)attrs, name, v) {
        const char *type = json_string_value(json_object_get(v, "DataType"));
        const char *sv = json_string_value(json_object_get(v, "StringValue"));
        const char *bv = json_string_value(json_object_get(v, "BinaryValue"));
        int binary = type && strncmp(type, "Binary", 6) == 0;
        const char *value = binary ? bv : sv;

        if (json_array_size(json_object_get(v, "StringListValues")) ||
            json_array_size(json_object_get(v, "BinaryListValues"))) {
            json_decref(res);
            return err_setn(ENG_EINVAL, "InvalidParameterValue",
                            "Message attribute list values in SendMessage "
                            "operation are not supported.");
        }
        if (type == NULL || *type == '\0') {
            json_decref(res);
            return err_setn(ENG_EINVAL, "InvalidParameterValue",
                            "The message attribute '%.256s' must contain "
                            "non-empty message attribute type.",
                            name);
        }
        if (system && (strcmp(name, "AWSTraceHeader") != 0 ||
                       strcmp(type, "String") != 0)) {
            json_decref(res);
            return err_setn(ENG_EINVAL, "InvalidParameterValue",
                            "Message system attribute '%.256s' is not "
                            "supported; only AWSTraceHeader (String) is.",
                            name);
        }
        if (value == NULL || *value == '\0') {
            json_decref(res);
            return err_setn(ENG_EINVAL, "InvalidParameterValue",
                            "Message (user) attribute '%.256s' must contain "
                            "a non-empty value of type '%s'.",
                            name, binary ? "Binary" : "String");
        }
        if (system)
            json_object_set_new(res, name, json_string(value));
        else
            json_object_set_new(res, name,
                                json_pack("{s:s, s:s}", "type", type, "value",
                                          value));
    }
    if (sqs_attrs_md5(md5, attrs) != 0) {
        json_decref(res);
        return err_setn(ENG_EINVAL, "InvalidParameterValue",
                        "A Binary message attribute value is not valid "
                        "base64.");
    }
    *out = res;
    return 0;
}

/*
 * One SendMessage request or batch entry -> the service's message (new,
 * in *out) and the MD5s SQS answers with into `md5s`.
 */
static int
sqs_msg_in(json_t **out, json_t *md5s, const json_t *e)
{
    const char *body, *group, *dedup;
    json_t *m, *attrs = NULL, *sys = NULL;
    char md5[DIGEST_MD5_HEX];
    int64_t delay = 0;
    int given, rc;

    *out = NULL;
    if ((rc = sqs_str(&body, e, "MessageBody", 1)) ||
        (rc = sqs_str(&group, e, "MessageGroupId", 0)) ||
        (rc = sqs_str(&dedup, e, "MessageDeduplicationId", 0)) ||
        (rc = sqs_int(&delay, &given, e, "DelaySeconds", 0, 900,
                      "must be between 0 and 900, if provided")))
        return rc;
    if (*body == '\0')
        return sqs_missing("MessageBody");
    if (!sqs_body_ok(body, json_string_length(json_object_get(e,
                                                              "MessageBody"))))
        return err_setn(ENG_EINVAL, "InvalidMessageContents",
                        "Invalid characters found. Valid unicode characters "
                        "are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to "
                        "#xFFFD | #x10000 to #x10FFFF");
    if ((rc = sqs_msg_attrs_in(&attrs, md5,
                               json_object_get(e, "MessageAttributes"), 0)))
        return rc;
    if (attrs)
        json_object_set_new(md5s, "MD5OfMessageAttributes", json_string(md5));
    if ((rc = sqs_msg_attrs_in(&sys, md5,
                               json_object_get(e, "MessageSystemAttributes"),
                               1))) {
        json_decref(attrs);
        return rc;
    }
    if (sys)
        json_object_set_new(md5s, "MD5OfMessageSystemAttributes",
                            json_string(md5));
    m = json_object();
    json_object_set(m, "body", json_object_get(e, "MessageBody"));
    if (given)
        json_object_set_new(m, "delay_seconds", json_integer(delay));
    if (attrs)
        json_object_set_new(m, "attributes", attrs);
    if (sys)
        json_object_set_new(m, "system", sys);
    if (group)
        json_object_set_new(m, "group_id", json_string(group));
    if (dedup)
        json_object_set_new(m, "dedup_id", json_string(dedup));
    *out = m;
    return 0;
}

/* The queue service refuses a FIFO message without a de-duplication id
 * as a missing parameter once its group id is there; SQS calls that an
 * invalid value, in these words. */
static int
sqs_send_refused(const json_t *m, int rc)
{
    if (rc == ENG_EINVAL && strcmp(err_last_name(), "MissingParameter") == 0 &&
        json_object_get(m, "group_id") && !json_object_get(m, "dedup_id"))
        return err_setn(ENG_EINVAL, "InvalidParameterValue",
                        "The queue should either have "
                        "ContentBasedDeduplication enabled or "
                        "MessageDeduplicationId provided explicitly");
    return rc;
}

/* The service's send result -> SQS's, over the MD5s (stolen). */
static json_t *
sqs_sent(const json_t *r, json_t *md5s)
{
    json_t *seq = json_object_get(r, "sequence");

    json_object_set(md5s, "MessageId", json_object_get(r, "id"));
    json_object_set(md5s, "MD5OfMessageBody", json_object_get(r, "body_md5"));
    if (json_is_integer(seq))
        sqs_set_attr_int(md5s, "SequenceNumber", json_integer_value(seq));
    return md5s;
}

static int
sqs_send_message(struct sqs_call *x)
{
    const char *name;
    json_t *m, *md5s = json_object(), *r;
    int rc;

    if ((rc = sqs_queue_name(&name, x)) ||
        (rc = sqs_msg_in(&m, md5s, x->in))) {
        json_decref(md5s);
        return rc;
    }
    rc = sqs_send_refused(m, queue_send(&r, x->qs, name, m));
    json_decref(m);
    if (rc) {
        json_decref(md5s);
        return rc == ENG_ENOTFOUND
                   ? err_setn(ENG_ENOTFOUND, "QueueDoesNotExist",
                              "The specified queue does not exist.")
                   : rc;
    }
    x->out = sqs_sent(r, md5s);
    json_decref(r);
    return 0;
}

/* The whole-request checks of every batch action. */
static int
sqs_batch_check(const json_t **out, const struct sqs_call *x,
                const char *entry_name)
{
    const json_t *entries = json_object_get(x->in, "Entries"), *e;
    size_t n = json_array_size(entries), i;

    *out = entries;
    if (n == 0)
        return err_setn(ENG_EINVAL, "EmptyBatchRequest",
                        "There should be at least one %s in the request.",
                        entry_name);
    if (n > SQS_BATCH_MAX)
        return err_setn(ENG_EINVAL, "TooManyEntriesInBatchRequest",
                        "Maximum number of entries per request are %d. You "
                        "have sent %zu.",
                        SQS_BATCH_MAX, n);
    json_array_foreach(entries, i, e) {
        const char *id = json_string_value(json_object_get(e, "Id"));
        size_t len = id ? strlen(id) : 0;

        if (len == 0 || len > 80 || !compat_chars_ok(id, len, "-_"))
            return err_setn(ENG_EINVAL, "InvalidBatchEntryId",
                            "A batch entry id can only contain alphanumeric "
                            "characters, hyphens and underscores. It can be "
                            "at most 80 letters long.");
        for (size_t k = 0; k < i; k++)
            if (strcmp(id, json_string_value(json_object_get(
                               json_array_get(entries, k), "Id"))) == 0)
                return err_setn(ENG_EINVAL, "BatchEntryIdsNotDistinct",
                                "Id %s repeated.", id);
    }
    return 0;
}

static json_t *
sqs_failure(const char *id, int rc)
{
    const struct sqs_error *e = sqs_error_for(rc);

    return json_pack("{s:s, s:b, s:s, s:s}", "Id", id, "SenderFault",
                     !e->receiver, "Code", e->code, "Message", err_last());
}

static int
sqs_send_message_batch(struct sqs_call *x)
{
    const json_t *entries, *e;
    json_t *msgs = json_array(), *md5s = json_object(), *ok = json_array();
    json_t *failed = json_array(), *r = NULL, *q;
    const char *name;
    size_t i, bytes = 0;
    int rc;

    if ((rc = sqs_queue_name(&name, x)) ||
        (rc = sqs_batch_check(&entries, x, "SendMessageBatchRequestEntry")) ||
        (rc = sqs_get_queue(&q, x, name)))
        goto out;
    json_decref(q);
    json_array_foreach(entries, i, e)
        bytes += json_string_length(json_object_get(e, "MessageBody"));
    if (bytes > SQS_BATCH_BYTES) {
        rc = err_setn(ENG_EINVAL, "BatchRequestTooLong",
                      "Batch requests cannot be longer than %d bytes. You "
                      "have sent %zu bytes.",
                      SQS_BATCH_BYTES, bytes);
        goto out;
    }
    json_array_foreach(entries, i, e) {
        const char *id = json_string_value(json_object_get(e, "Id"));
        json_t *m, *sums = json_object();
        int erc = sqs_msg_in(&m, sums, e);

        if (erc) {
            json_array_append_new(failed, sqs_failure(id, erc));
            json_decref(sums);
            continue;
        }
        json_object_set_new(m, "id", json_string(id));
        json_array_append_new(msgs, m);
        json_object_set_new(md5s, id, sums);
    }
    if (json_array_size(msgs) &&
        (rc = queue_send_batch(&r, x->qs, name, msgs)))
        goto out;
    json_array_foreach(json_object_get(r, "successful"), i, e) {
        const char *id = json_string_value(json_object_get(e, "entry_id"));
        json_t *sums = json_object_get(md5s, id);

        json_incref(sums); /* sqs_sent steals it */
        sums = sqs_sent(e, sums);
        json_object_set_new(sums, "Id", json_string(id));
        json_array_append_new(ok, sums);
    }
    json_array_foreach(json_object_get(r, "failed"), i, e) {
        const char *id = json_string_value(json_object_get(e, "id"));
        const char *code = json_string_value(json_object_get(e, "code"));
        const json_t *m = NULL, *c;
        size_t k;

        json_array_foreach(msgs, k, c)
            if (strcmp(json_string_value(json_object_get(c, "id")), id) == 0)
                m = c;
        err_setn(ENG_EINVAL, "InvalidParameterValue", "%s",
                 json_string_value(json_object_get(e, "message")));
        if (code && strcmp(code, "MissingParameter") == 0)
            err_setn(ENG_EINVAL, "MissingParameter", "%s",
                     json_string_value(json_object_get(e, "message")));
        json_array_append_new(
            failed, sqs_failure(id, sqs_send_refused(m, ENG_EINVAL)));
    }
    x->out = json_object();
    if (json_array_size(ok))
        json_object_set(x->out, "Successful", ok);
    if (json_array_size(failed))
        json_object_set(x->out, "Failed", failed);
out:
    json_decref(r);
    json_decref(msgs);
    json_decref(md5s);
    json_decref(ok);
    json_decref(failed);
    return rc;
}

/* ---- receiving ---- */

/* What a receive asked to see of each message. */
struct sqs_sel {
    json_t *sys;   /* system attribute names (array, owned) */
    json_t *attrs; /* message attribute names (array, owned) */
};

static int
sqs_sys_wanted(const struct sqs_sel *s, const char *name)
{
    return sqs_has_name(s->sys, "All") || sqs_has_name(s->sys, name);
}

static int
sqs_attr_wanted(const struct sqs_sel *s, const char *name)
{
    const json_t *e;
    size_t i;

    json_array_foreach(s->attrs, i, e) {
        const char *w = json_string_value(e);
        size_t n = strlen(w);

        if (strcmp(w, "All") == 0 || strcmp(w, ".*") == 0 ||
            strcmp(w, name) == 0 ||
            (n > 2 && strcmp(w + n - 2, ".*") == 0 &&
             strncmp(name, w, n - 1) == 0))
            return 1;
    }
    return 0;
}

static void
sqs_put_sys(json_t *a, const struct sqs_sel *s, const char *name,
            const char *value)
{
    if (value && sqs_sys_wanted(s, name))
        json_object_set_new(a, name, json_string(value));
}

static void
sqs_put_sys_int(json_t *a, const struct sqs_sel *s, const char *name,
                const json_t *v)
{
    if (json_is_integer(v) && sqs_sys_wanted(s, name))
        sqs_set_attr_int(a, name, json_integer_value(v));
}

/* A message of the service -> a message of ReceiveMessage. Returns: new. */
static json_t *
sqs_msg_out(const struct compat *cp, const struct sqs_sel *s,
            const json_t *m)
{
    json_t *o = json_object(), *a = json_object(), *ma = json_object(), *v;
    const json_t *seq = json_object_get(m, "sequence");
    const char *source = json_string_value(json_object_get(m, "source"));
    const char *dedup = json_string_value(json_object_get(m, "dedup_id"));
    const char *k;
    char sha[DIGEST_SHA256_HEX], md5[DIGEST_MD5_HEX];

    json_object_set(o, "MessageId", json_object_get(m, "id"));
    if (json_object_get(m, "receipt"))
        json_object_set(o, "ReceiptHandle", json_object_get(m, "receipt"));
    json_object_set(o, "MD5OfBody", json_object_get(m, "body_md5"));
    json_object_set(o, "Body", json_object_get(m, "body"));
    sqs_put_sys(a, s, "SenderId", cp->aws_account);
    sqs_put_sys_int(a, s, "SentTimestamp", json_object_get(m, "enqueued_ms"));
    sqs_put_sys_int(a, s, "ApproximateReceiveCount",
                    json_object_get(m, "dequeue_count"));
    if (json_object_get(m, "first_dequeue_ms"))
        sqs_put_sys_int(a, s, "ApproximateFirstReceiveTimestamp",
                        json_object_get(m, "first_dequeue_ms"));
    else
        sqs_put_sys(a, s, "ApproximateFirstReceiveTimestamp", "0");
    if (json_is_integer(seq)) {
        sqs_put_sys_int(a, s, "SequenceNumber", seq);
        if (dedup == NULL) {
            const json_t *body = json_object_get(m, "body");

            digest_sha256_hex(sha, json_string_value(body),
                              json_string_length(body));
            dedup = sha;
        }
        sqs_put_sys(a, s, "MessageDeduplicationId", dedup);
    }
    sqs_put_sys(a, s, "MessageGroupId",
                json_string_value(json_object_get(m, "group_id")));
    sqs_put_sys(a, s, "AWSTraceHeader",
                json_string_value(json_object_get(
                    json_object_get(m, "system"), "AWSTraceHeader")));
    if (source && sqs_sys_wanted(s, "DeadLetterQueueSourceArn")) {
        char *arn = compat_aws_arn(cp, "sqs", source);

        json_object_set_new(a, "DeadLetterQueueSourceArn", json_string(arn));
        free(arn);
    }
    json_object_foreach(json_object_get(m, "attributes"), k, v) {
        const char *type = json_string_value(json_object_get(v, "type"));

        if (!sqs_attr_wanted(s, k) || type == NULL)
            continue;
        json_object_set_new(
            ma, k,
            json_pack("{s:s, s:O}", "DataType", type,
                      strncmp(type, "Binary", 6) == 0 ? "BinaryValue"
                                                      : "StringValue",
                      json_object_get(v, "value")));
    }
    if (json_object_size(a))
        json_object_set(o, "Attributes", a);
    if (json_object_size(ma) && sqs_attrs_md5(md5, ma) == 0) {
        json_object_set_new(o, "MD5OfMessageAttributes", json_string(md5));
        json_object_set(o, "MessageAttributes", ma);
    }
    json_decref(a);
    json_decref(ma);
    return o;
}

static json_t *
sqs_msgs_out(const struct compat *cp, const struct sqs_sel *s,
             const json_t *msgs)
{
    json_t *out = json_object(), *arr = json_array(), *m;
    size_t i;

    json_array_foreach(msgs, i, m)
        json_array_append_new(arr, sqs_msg_out(cp, s, m));
    if (json_array_size(arr))
        json_object_set(out, "Messages", arr);
    json_decref(arr);
    return out;
}

/* Fill resp with a successful result of `action` in protocol `proto`. */
static void
sqs_reply(struct compat_call *c, struct http_resp *resp, const char *action,
          const json_t *out, int no_result)
{
    struct buf b = BUF_INIT(0);

    if (c->proto == COMPAT_SQS_JSON) {
        char *text = out ? jsonx_dump(out) : xstrdup("{}");

        buf_puts(&b, text);
        free(text);
        compat_reply(c, resp, 200, SQS_JSON_CTYPE, &b, SQS_ID_HEADER);
        return;
    }
    sqs_xml_result(&b, action, no_result ? NULL : out, c->request_id);
    compat_reply(c, resp, 200, "text/xml", &b, SQS_ID_HEADER);
}

/* A receive that waits: the park and the waiter, each cancelling the
 * other, and what the answer needs once the request is gone. */
struct sqs_wait {
    struct http_park *park;
    struct queue_waiter *waiter;
    struct compat *cp;
    struct compat_call call; /* proto and request id; req is gone */
    struct sqs_sel sel;
};

static void
sqs_wait_free(struct sqs_wait *w)
{
    json_decref(w->sel.sys);
    json_decref(w->sel.attrs);
    free(w);
}

static void
sqs_wait_done(struct queue_msgs *got, void *arg)
{
    struct sqs_wait *w = arg;
    struct http_resp resp;
    json_t *messages = queue_msgs_to_json(got);
    json_t *out = sqs_msgs_out(w->cp, &w->sel, messages);

    memset(&resp, 0, sizeof(resp));
    sqs_reply(&w->call, &resp, "ReceiveMessage", out, 0);
    json_decref(out);
    json_decref(messages);
    http_park_resume(w->park, &resp);
    sqs_wait_free(w);
}

static void
sqs_wait_cancel(struct http_park *p, void *arg)
{
    struct sqs_wait *w = arg;

    (void)p;
    queue_waiter_cancel(w->waiter);
    sqs_wait_free(w);
}

/* The union of the two spellings of the system attribute names. */
static json_t *
sqs_sys_names(const json_t *in)
{
    json_t *names = json_array();
    const char *keys[] = {"AttributeNames", "MessageSystemAttributeNames"};

    for (size_t k = 0; k < 2; k++) {
        const json_t *l = sqs_names(in, keys[k]);

        if (l)
            json_array_extend(names, (json_t *)l);
    }
    return names;
}

static int
sqs_receive_message(struct sqs_call *x)
{
    struct queue_recv r = {1, -1, -1};
    int64_t max = 1, wait = 0, vis = 0;
    int wait_given, vis_given, rc;
    const json_t *an;
    struct sqs_wait *w;
    struct queue_msgs *got;
    const char *name;

    if ((rc = sqs_queue_name(&name, x)) ||
        (rc = sqs_int(&max, NULL, x->in, "MaxNumberOfMessages", 1,
                      SQS_BATCH_MAX,
                      "Must be between 1 and 10, if provided")) ||
        (rc = sqs_int(&wait, &wait_given, x->in, "WaitTimeSeconds", 0, 20,
                      "Must be >= 0 and <= 20, if provided")) ||
        (rc = sqs_int(&vis, &vis_given, x->in, "VisibilityTimeout", 0, 43200,
                      "Must be >= 0 and <= 43200, if provided")))
        return rc;
    r.max = (int)max;
    r.wait_ms = wait_given ? wait * 1000 : -1;
    r.visibility_ms = vis_given ? vis * 1000 : -1;
    w = xcalloc(1, sizeof(*w));
    w->cp = x->c->cp;
    w->call.cp = x->c->cp;
    w->call.proto = x->c->proto;
    memcpy(w->call.request_id, x->c->request_id, sizeof(w->call.request_id));
    w->sel.sys = sqs_sys_names(x->in);
    an = sqs_names(x->in, "MessageAttributeNames");
    w->sel.attrs = an ? json_deep_copy(an) : json_array();
    rc = queue_receive(&got, &w->waiter, x->qs, name, &r, sqs_wait_done, w);
    if (rc == QUEUE_PARKED) {
        w->park = http_req_park(x->c->req, sqs_wait_cancel, w);
        return HTTP_PARKED;
    }
    if (rc == 0) {
        json_t *msgs = queue_msgs_to_json(got);

        x->out = sqs_msgs_out(x->c->cp, &w->sel, msgs);
        json_decref(msgs);
    }
    sqs_wait_free(w);
    if (rc == ENG_ENOTFOUND)
        return err_setn(ENG_ENOTFOUND, "QueueDoesNotExist",
                        "The specified queue does not exist.");
    return rc;
}

/* ---- deleting and visibility ---- */

static int
sqs_fifo(struct sqs_call *x, const char *name)
{
    json_t *q = NULL;
    int fifo = queue_get(&q, x->qs, name) == 0 &&
               json_is_true(json_object_get(q, "fifo"));

    json_decref(q);
    return fifo;
}

/* One delete by receipt handle, with SQS's reading of stale handles. */
static int
sqs_delete_one(struct sqs_call *x, const char *name, const char *receipt)
{
    int rc = queue_delete_msg(x->qs, name, receipt);

    if (rc == ENG_ENOTFOUND)
        return err_setn(ENG_ENOTFOUND, "QueueDoesNotExist",
                        "The specified queue does not exist.");
    if (rc == ENG_EINVAL)
        return err_setn(ENG_EINVAL, "ReceiptHandleIsInvalid",
                        "The input receipt handle \"%.1024s\" is not a valid "
                        "receipt handle.",
                        receipt);
    if (rc == ENG_EGONE) {
        /* a standard queue takes a stale handle as done */
        if (!sqs_fifo(x, name))
            return 0;
        return err_setn(ENG_EINVAL, "InvalidParameterValue",
                        "Value %.1024s for parameter ReceiptHandle is "
                        "invalid. Reason: The receipt handle has expired.",
                        receipt);
    }
    return rc;
}

static int
sqs_change_one(struct sqs_call *x, const char *name, const char *receipt,
               int64_t secs)
{
    json_t *out = NULL;
    int rc = queue_change_visibility(&out, x->qs, name, receipt, secs);

    json_decref(out);
    if (rc == ENG_ENOTFOUND)
        return err_setn(ENG_ENOTFOUND, "QueueDoesNotExist",
                        "The specified queue does not exist.");
    if (rc == ENG_EINVAL && strcmp(err_last_name(), "ReceiptHandleInvalid") == 0)
        return err_setn(ENG_EINVAL, "ReceiptHandleIsInvalid",
                        "The input receipt handle \"%.1024s\" is not a valid "
                        "receipt handle.",
                        receipt);
    if (rc == ENG_EGONE)
        return err_setn(ENG_EINVAL, "InvalidParameterValue",
                        "Value %.1024s for parameter ReceiptHandle is "
                        "invalid. Reason: Message does not exist or is not "
                        "available for visibility timeout change.",
                        receipt);
    return rc;
}

static int
sqs_delete_message(struct sqs_call *x)
{
    const char *name, *receipt;
    int rc;

    if ((rc = sqs_queue_name(&name, x)) ||
        (rc = sqs_str(&receipt, x->in, "ReceiptHandle", 1)))
        return rc;
    return sqs_delete_one(x, name, receipt);
}

static int
sqs_change_message_visibility(struct sqs_call *x)
{
    const char *name, *receipt;
    int64_t secs = 0;
    int given, rc;

    if ((rc = sqs_queue_name(&name, x)) ||
        (rc = sqs_str(&receipt, x->in, "ReceiptHandle", 1)) ||
        (rc = sqs_int(&secs, &given, x->in, "VisibilityTimeout", 0, 43200,
                      "Must be between 0 and 43200")))
        return rc;
    if (!given)
        return sqs_missing("VisibilityTimeout");
    return sqs_change_one(x, name, receipt, secs);
}

/* DeleteMessageBatch (change 0) or ChangeMessageVisibilityBatch. */
static int
sqs_entries_batch(struct sqs_call *x, int change)
{
    const json_t *entries, *e;
    json_t *ok = json_array(), *failed = json_array(), *q;
    const char *name;
    size_t i;
    int rc;

    if ((rc = sqs_queue_name(&name, x)) ||
        (rc = sqs_batch_check(&entries, x,
                              change ? "ChangeMessageVisibilityBatchRequest"
                                       "Entry"
                                     : "DeleteMessageBatchRequestEntry")) ||
        (rc = sqs_get_queue(&q, x, name)))
        goto out;
    json_decref(q);
    json_array_foreach(entries, i, e) {
        const char *id = json_string_value(json_object_get(e, "Id"));
        const char *receipt;
        int64_t secs = 0;
        int given = 0, erc;

        erc = sqs_str(&receipt, e, "ReceiptHandle", 1);
        if (erc == 0 && change &&
            (erc = sqs_int(&secs, &given, e, "VisibilityTimeout", 0, 43200,
                           "Must be between 0 and 43200")) == 0 &&
            !given)
            erc = sqs_missing("VisibilityTimeout");
        if (erc == 0)
            erc = change ? sqs_change_one(x, name, receipt, secs)
                         : sqs_delete_one(x, name, receipt);
        if (erc == 0)
            json_array_append_new(ok, json_pack("{s:s}", "Id", id));
        else if (erc == ENG_EINVAL)
            json_array_append_new(failed, sqs_failure(id, erc));
        else {
            rc = erc;
            goto out;
        }
    }
    x->out = json_object();
    if (json_array_size(ok))
        json_object_set(x->out, "Successful", ok);
    if (json_array_size(failed))
        json_object_set(x->out, "Failed", failed);
out:
    json_decref(ok);
    json_decref(failed);
    return rc;
}

static int
sqs_delete_message_batch(struct sqs_call *x)
{
    return sqs_entries_batch(x, 0);
}

static int
sqs_change_message_visibility_batch(struct sqs_call *x)
{
    return sqs_entries_batch(x, 1);
}

/* ---- dead-letter queues and message moves ---- */

static int
sqs_list_dead_letter_source_queues(struct sqs_call *x)
{
    const char *name, *token;
    int64_t max = 1000, start = 0;
    json_t *q, *urls = json_array(), *e;
    size_t i, n;
    int given, rc;

    if ((rc = sqs_queue_name(&name, x)) ||
        (rc = sqs_str(&token, x->in, "NextToken", 0)) ||
        (rc = sqs_int(&max, &given, x->in, "MaxResults", 1, 1000,
                      "must be between 1 and 1000")) ||
        (rc = sqs_get_queue(&q, x, name))) {
        json_decref(urls);
        return rc;
    }
    if (token && (sqs_parse_i64(&start, token) != 0 || start < 0)) {
        json_decref(urls);
        json_decref(q);
        return err_setn(ENG_EINVAL, "InvalidParameterValue",
                        "Invalid NextToken value.");
    }
    n = json_array_size(json_object_get(q, "dead_letter_sources"));
    json_array_foreach(json_object_get(q, "dead_letter_sources"), i, e) {
        char *url;

        if ((int64_t)i < start || (int64_t)i >= start + max)
            continue;
        url = sqs_url(x, json_string_value(e));
        json_array_append_new(urls, json_string(url));
        free(url);
    }
    json_decref(q);
    x->out = json_pack("{s:o}", "queueUrls", urls);
    if (given && (size_t)(start + max) < n)
        sqs_set_attr_int(x->out, "NextToken", start + max);
    return 0;
}

/* The move tasks of queue `q` (new array; most recent first). */
static json_t *
sqs_tasks(const json_t *q)
{
    const char *text = json_string_value(
        json_object_get(json_object_get(q, "extra"), "sqs:move_tasks"));
    json_t *t = text ? json_loads(text, 0, NULL) : NULL;

    if (!json_is_array(t)) {
        json_decref(t);
        t = json_array();
    }
    return t;
}

static int
sqs_start_message_move_task(struct sqs_call *x)
{
    const char *src_arn, *dst_arn, *src, *dst = NULL;
    int64_t rate = 0, total;
    int rate_given, rc;
    json_t *q, *dq, *moved = NULL, *tasks, *task;
    unsigned char raw[16];
    char handle[32], *text;

    if ((rc = sqs_str(&src_arn, x->in, "SourceArn", 1)) ||
        (rc = sqs_str(&dst_arn, x->in, "DestinationArn", 0)) ||
        (rc = sqs_int(&rate, &rate_given, x->in,
                      "MaxNumberOfMessagesPerSecond", 1, 500,
                      "must be between 1 and 500")))
        return rc;
    src = compat_arn_name(src_arn, "sqs");
    if (src == NULL || queue_get(&q, x->qs, src) != 0)
        return err_setn(ENG_ENOTFOUND, "ResourceNotFoundException",
                        "The resource that you specified for the SourceArn "
                        "parameter doesn't exist.");
    if (json_array_size(json_object_get(q, "dead_letter_sources")) == 0) {
        json_decref(q);
        return err_setn(ENG_EINVAL, "InvalidParameterValue",
                        "Source queue must be configured as a Dead Letter "
                        "Queue.");
    }
    if (dst_arn) {
        dst = compat_arn_name(dst_arn, "sqs");
        if (dst == NULL || queue_get(&dq, x->qs, dst) != 0) {
            json_decref(q);
            return err_setn(ENG_ENOTFOUND, "ResourceNotFoundException",
                            "The resource that you specified for the "
                            "DestinationArn parameter doesn't exist.");
        }
        json_decref(dq);
    }
    total = json_integer_value(
        json_object_get(json_object_get(q, "counts"), "total"));
    rc = queue_redrive(&moved, x->qs, src, NULL, dst);
    if (rc) {
        json_decref(q);
        return rc;
    }
    rand_bytes(raw, sizeof(raw));
    rand_b64url(handle, raw, sizeof(raw));
    task = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "TaskHandle", handle,
                     "Status", "COMPLETED", "SourceArn", src_arn,
                     "ApproximateNumberOfMessagesMoved",
                     (json_int_t)json_integer_value(
                         json_object_get(moved, "moved")),
                     "ApproximateNumberOfMessagesToMove", (json_int_t)total,
                     "StartedTimestamp", (json_int_t)timefmt_real_now_ms());
    if (dst_arn)
        json_object_set_new(task, "DestinationArn", json_string(dst_arn));
    if (rate_given)
        json_object_set_new(task, "MaxNumberOfMessagesPerSecond",
                            json_integer(rate));
    tasks = sqs_tasks(q);
    json_array_insert_new(tasks, 0, task);
    while (json_array_size(tasks) > SQS_TASKS_KEPT)
        json_array_remove(tasks, json_array_size(tasks) - 1);
    text = jsonx_dump(tasks);
    rc = sqs_set_extra(x, src, "sqs:move_tasks", json_string(text));
    free(text);
    json_decref(tasks);
    json_decref(q);
    json_decref(moved);
    if (rc == 0)
        x->out = json_pack("{s:s}", "TaskHandle", handle);
    return rc;
}

static int
sqs_list_message_move_tasks(struct sqs_call *x)
{
    const char *src_arn, *src;
    int64_t max = 1;
    json_t *q, *tasks, *res = json_array(), *t;
    size_t i;
    int rc;

    if ((rc = sqs_str(&src_arn, x->in, "SourceArn", 1)) ||
        (rc = sqs_int(&max, NULL, x->in, "MaxResults", 1, 10,
                      "must be between 1 and 10"))) {
        json_decref(res);
        return rc;
    }
    src = compat_arn_name(src_arn, "sqs");
    if (src == NULL || queue_get(&q, x->qs, src) != 0) {
        json_decref(res);
        return err_setn(ENG_ENOTFOUND, "ResourceNotFoundException",
                        "The resource that you specified for the SourceArn "
                        "parameter doesn't exist.");
    }
    tasks = sqs_tasks(q);
    json_array_foreach(tasks, i, t) {
        if ((int64_t)i >= max)
            break;
        t = json_deep_copy(t);
        json_object_del(t, "TaskHandle"); /* shown only while running */
        json_array_append_new(res, t);
    }
    json_decref(tasks);
    json_decref(q);
    x->out = json_object();
    if (json_array_size(res))
        json_object_set(x->out, "Results", res);
    json_decref(res);
    return 0;
}

static int
sqs_cancel_message_move_task(struct sqs_call *x)
{
    const char *handle;
    int rc;

    if ((rc = sqs_str(&handle, x->in, "TaskHandle", 1)))
        return rc;
    /* every move finishes within the StartMessageMoveTask call */
    return err_setn(ENG_ENOTFOUND, "ResourceNotFoundException",
                    "Task does not exist.");
}

/* ---- dispatch ---- */

static const struct sqs_action {
    const char *name;
    sqs_fn fn;
    int no_result;
} sqs_actions[] = {
    {"AddPermission", sqs_add_permission, 1},
    {"CancelMessageMoveTask", sqs_cancel_message_move_task, 0},
    {"ChangeMessageVisibility", sqs_change_message_visibility, 1},
    {"ChangeMessageVisibilityBatch", sqs_change_message_visibility_batch, 0},
    {"CreateQueue", sqs_create_queue, 0},
    {"DeleteMessage", sqs_delete_message, 1},
    {"DeleteMessageBatch", sqs_delete_message_batch, 0},
    {"DeleteQueue", sqs_delete_queue, 1},
    {"GetQueueAttributes", sqs_get_queue_attributes, 0},
    {"GetQueueUrl", sqs_get_queue_url, 0},
    {"ListDeadLetterSourceQueues", sqs_list_dead_letter_source_queues, 0},
    {"ListMessageMoveTasks", sqs_list_message_move_tasks, 0},
    {"ListQueueTags", sqs_list_queue_tags, 0},
    {"ListQueues", sqs_list_queues, 0},
    {"PurgeQueue", sqs_purge_queue, 1},
    {"ReceiveMessage", sqs_receive_message, 0},
    {"RemovePermission", sqs_remove_permission, 1},
    {"SendMessage", sqs_send_message, 0},
    {"SendMessageBatch", sqs_send_message_batch, 0},
    {"SetQueueAttributes", sqs_set_queue_attributes, 1},
    {"StartMessageMoveTask", sqs_start_message_move_task, 0},
    {"TagQueue", sqs_tag_queue, 1},
    {"UntagQueue", sqs_untag_queue, 1},
};

static const struct sqs_action *
sqs_action_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof(sqs_actions) /
                                       sizeof(sqs_actions[0]); i++)
        if (strcmp(sqs_actions[i].name, name) == 0)
            return &sqs_actions[i];
    return NULL;
}

/* Run `action` on request `in`; answer in c's protocol. */
static int
sqs_run(struct compat_call *c, struct http_resp *resp, const char *action,
        const json_t *in, compat_error_fn error)
{
    const struct sqs_action *a = sqs_action_find(action);
    struct sqs_call x;
    int rc;

    memset(&x, 0, sizeof(x));
    if (a == NULL) {
        rc = action ? err_setn(ENG_EINVAL, "InvalidAction",
                               "The action %.64s is not valid for this "
                               "endpoint.",
                               action)
                    : sqs_missing("Action");
        error(c, resp, rc);
        return rc;
    }
    x.c = c;
    x.qs = c->cp->eng->queues;
    x.action = a->name;
    x.in = in;
    x.base = compat_base_url(c);
    x.resp = resp;
    rc = a->fn(&x);
    if (rc < 0) {
        json_decref(x.out);
        free(x.base);
        error(c, resp, rc);
        return rc;
    }
    if (rc != HTTP_PARKED)
        sqs_reply(c, resp, a->name, x.out, a->no_result);
    json_decref(x.out);
    free(x.base);
    return rc == HTTP_PARKED ? HTTP_PARKED : 0;
}

int
compat_sqs_query(struct compat_call *c, struct http_resp *resp)
{
    json_t *in = sqs_query_decode(c->params);
    int rc = sqs_run(c, resp, c->action, in, compat_sqs_query_error);

    json_decref(in);
    return rc;
}

int
compat_sqs_json(struct compat_call *c, struct http_resp *resp)
{
    const char *target = http_req_header(c->req, "X-Amz-Target");
    json_t *in = NULL;
    int rc;

    if (c->req->body_len == 0)
        in = json_object();
    else if (jsonx_loads(&in, c->req->body, c->req->body_len) != 0 ||
             !json_is_object(in)) {
        json_decref(in);
        rc = err_setn(ENG_EINVAL, "SerializationException",
                      "The request body is not a JSON object.");
        compat_sqs_json_error(c, resp, rc);
        return rc;
    }
    rc = sqs_run(c, resp, target ? target + 10 : NULL, in,
                 compat_sqs_json_error);
    json_decref(in);
    return rc;
}

/* ---- GET /_aws/sqs/messages ---- */

static int
sqs_true(const struct compat_call *c, const char *key)
{
    const char *v = compat_param(c, key);

    return v && strcasecmp(v, "true") == 0;
}

/* The peek's messages as the query protocol's JSON rendering:
 * {"ReceiveMessageResponse": {"ReceiveMessageResult": {"Message": [...]},
 *  "ResponseMetadata": {...}}}. Returns: new. */
static json_t *
sqs_peek_json(const struct compat_call *c, const json_t *msgs)
{
    json_t *list = json_array(), *m;
    size_t i;

    json_array_foreach(json_object_get(msgs, "Messages"), i, m) {
        json_t *o = json_deep_copy(m), *attrs = json_array();
        json_t *mattrs = json_array(), *v;
        const char *k;

        json_object_foreach(json_object_get(m, "Attributes"), k, v)
            json_array_append_new(attrs,
                                  json_pack("{s:s, s:O}", "Name", k, "Value",
                                            v));
        json_object_foreach(json_object_get(m, "MessageAttributes"), k, v)
            json_array_append_new(mattrs,
                                  json_pack("{s:s, s:O}", "Name", k, "Value",
                                            v));
        json_object_del(o, "Attributes");
        json_object_del(o, "MessageAttributes");
        json_object_set_new(o, "Attribute", attrs);
        if (json_array_size(mattrs))
            json_object_set_new(o, "MessageAttribute", mattrs);
        else
            json_decref(mattrs);
        json_array_append_new(list, o);
    }
    return json_pack("{s:{s:{s:o}, s:{s:s}}}", "ReceiveMessageResponse",
                     "ReceiveMessageResult", "Message", list,
                     "ResponseMetadata", "RequestId", c->request_id);
}

int
compat_sqs_peek(struct compat_call *c, struct http_resp *resp)
{
    int invisible = sqs_true(c, "ShowInvisible");
    int delayed = sqs_true(c, "ShowDelayed");
    struct sqs_sel sel = {json_pack("[s]", "All"), json_pack("[s]", "All")};
    json_t *in = sqs_query_decode(c->params), *all = json_array(), *page;
    struct sqs_call x;
    const char *name = NULL;
    int64_t after = 0;
    int rc;

    memset(&x, 0, sizeof(x));
    x.c = c;
    x.in = in;
    x.qs = c->cp->eng->queues;
    if (c->req->method != HTTP_GET)
        rc = err_setn(ENG_EINVAL, "InvalidAction",
                      "/_aws/sqs/messages answers GET only");
    else
        rc = sqs_queue_name(&name, &x);
    while (rc == 0) {
        const char *state, *next;
        json_t *m;
        size_t i;

        if (queue_peek(&page, x.qs, name, "all", after, 0, 500) != 0) {
            rc = err_setn(ENG_ENOTFOUND, "QueueDoesNotExist",
                          "The specified queue does not exist.");
            break;
        }
        json_array_foreach(json_object_get(page, "items"), i, m) {
            state = json_string_value(json_object_get(m, "state"));
            if (strcmp(state, "visible") == 0 ||
                (invisible && strcmp(state, "in_flight") == 0) ||
                (delayed && strcmp(state, "delayed") == 0))
                json_array_append(all, m);
        }
        next = json_string_value(json_object_get(page, "next"));
        if (next == NULL || sqs_parse_i64(&after, next) != 0 ||
            json_array_size(all) >= 10000) {
            json_decref(page);
            break;
        }
        json_decref(page);
    }
    if (rc == 0) {
        json_t *out = sqs_msgs_out(c->cp, &sel, all), *m;
        size_t i;

        /* a peek shows where each message stands */
        json_array_foreach(json_object_get(out, "Messages"), i, m) {
            const char *state = json_string_value(
                json_object_get(json_array_get(all, i), "state"));
            json_t *a = json_object_get(m, "Attributes");

            json_object_set_new(a, "IsVisible",
                                json_string(strcmp(state, "visible") == 0
                                                ? "true"
                                                : "false"));
            json_object_set_new(a, "IsDelayed",
                                json_string(strcmp(state, "delayed") == 0
                                                ? "true"
                                                : "false"));
        }
        if (sqs_wants_json(c)) {
            json_t *j = sqs_peek_json(c, out);
            char *text = jsonx_dump(j);
            struct buf b = BUF_INIT(0);

            buf_puts(&b, text);
            free(text);
            json_decref(j);
            compat_reply(c, resp, 200, "application/json", &b,
                         SQS_ID_HEADER);
        } else {
            struct buf b = BUF_INIT(0);

            sqs_xml_result(&b, "ReceiveMessage", out, c->request_id);
            compat_reply(c, resp, 200, "text/xml", &b, SQS_ID_HEADER);
        }
        json_decref(out);
    } else {
        compat_sqs_json_error(c, resp, rc);
    }
    json_decref(in);
    json_decref(all);
    json_decref(sel.sys);
    json_decref(sel.attrs);
    return rc;
}
