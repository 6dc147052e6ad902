/*
 * compat_mns_topic: MNS topics over the topic service — CreateTopic,
 * SetTopicAttributes, GetTopicAttributes, DeleteTopic, ListTopic;
 * Subscribe, SetSubscriptionAttributes, GetSubscriptionAttributes,
 * Unsubscribe, ListSubscriptionByTopic; PublishMessage. The topic
 * service does the fan-out, the tag filters and the notification
 * formats. Engine thread only.
 */
#include "compat/compat_mns.h"

#include "common/err.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "topic/topic.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* MNS keeps a topic's messages one day; the topic service keeps them
 * until the topic goes, and this is what GetTopicAttributes reports. */
#define MNS_TOPIC_RETENTION_S 86400

static struct topic_service *
compat_mns_ts(const struct mns_req *r)
{
    return r->c->cp->eng->topics;
}

/* <Topic> children -> {max_message_size, logging} (new object). */
static int
compat_mns_topic_attrs(json_t **out, const struct mns_req *r)
{
    struct mns_xml *x = NULL;
    json_t *a = json_object();
    const char *t;
    int64_t v;
    int b, rc = 0;

    *out = NULL;
    if (r->c->req->body_len && (rc = compat_mns_body(&x, r, "Topic", NULL)))
        goto fail;
    if ((t = compat_mns_xml_text(x, "MaximumMessageSize"))) {
        if ((rc = compat_mns_int(&v, t, "MaximumMessageSize", 1024, 65536)))
            goto fail;
        json_object_set_new(a, "max_message_size", json_integer(v));
    }
    if ((t = compat_mns_xml_text(x, "LoggingEnabled"))) {
        if ((rc = compat_mns_bool(&b, t, "LoggingEnabled")))
            goto fail;
        json_object_set_new(a, "logging", json_boolean(b));
    }
    compat_mns_xml_free(x);
    *out = a;
    return 0;
fail:
    compat_mns_xml_free(x);
    json_decref(a);
    return rc;
}

int
compat_mns_topic_put(struct mns_req *r, struct http_resp *resp)
{
    const char *name = r->seg[0], *mo = compat_mns_query(r, "metaoverride");
    json_t *attrs = NULL, *t = NULL;
    int over = 0, created = 0, rc;
    char *path;

    if ((mo && (rc = compat_mns_bool(&over, mo, "metaoverride"))) ||
        (rc = compat_mns_topic_attrs(&attrs, r)))
        return compat_mns_fail(r, resp, rc);
    if (over)
        rc = topic_set(&t, compat_mns_ts(r), name, attrs);
    else if ((rc = compat_mns_name_ok(name, "topic", "TopicNameInvalid",
                                      "TopicNameLengthError")) == 0)
        rc = topic_create(&t, &created, compat_mns_ts(r), name, attrs);
    json_decref(attrs);
    json_decref(t);
    if (rc)
        return compat_mns_fail(r, resp, rc);
    if (over) {
        compat_mns_reply(r, resp, 204, NULL);
        return 0;
    }
    path = xasprintf("/topics/%s", name);
    compat_mns_reply_at(r, resp, created ? 201 : 204, path);
    free(path);
    return 0;
}

static void
compat_mns_topic_body(struct buf *b, const json_t *t)
{
    compat_xml_elem(b, "TopicName",
                    json_string_value(json_object_get(t, "name")));
    compat_mns_int_elem(b, "CreateTime",
                        compat_mns_ms(json_object_get(t, "created")) / 1000);
    compat_mns_int_elem(b, "LastModifyTime",
                        compat_mns_ms(json_object_get(t, "modified")) / 1000);
    compat_mns_int_elem(
        b, "MaximumMessageSize",
        json_integer_value(json_object_get(t, "max_message_size")));
    compat_mns_int_elem(b, "MessageRetentionPeriod", MNS_TOPIC_RETENTION_S);
    compat_mns_int_elem(b, "MessageCount",
                        json_integer_value(json_object_get(t, "messages")));
    compat_xml_elem(b, "LoggingEnabled",
                    json_is_true(json_object_get(t, "logging")) ? "True"
                                                                : "False");
}

int
compat_mns_topic_get(struct mns_req *r, struct http_resp *resp)
{
    json_t *t = NULL;
    struct buf b;
    int rc;

    if ((rc = topic_get(&t, compat_mns_ts(r), r->seg[0])))
        return compat_mns_fail(r, resp, rc);
    buf_init(&b, 0);
    compat_mns_open(&b, "Topic");
    compat_mns_topic_body(&b, t);
    buf_puts(&b, "</Topic>");
    json_decref(t);
    compat_mns_reply(r, resp, 200, &b);
    return 0;
}

int
compat_mns_topic_delete(struct mns_req *r, struct http_resp *resp)
{
    int rc = topic_delete(compat_mns_ts(r), r->seg[0]);

    if (rc)
        return compat_mns_fail(r, resp, rc);
    compat_mns_reply(r, resp, 204, NULL);
    return 0;
}

int
compat_mns_topic_list(struct mns_req *r, struct http_resp *resp)
{
    const char *prefix, *marker, *next;
    json_t *page = NULL, *t;
    int limit, meta, rc;
    struct buf b;
    size_t i;

    if ((rc = compat_mns_list_args(r, &prefix, &marker, &limit, &meta)) ||
        (rc = topic_list(&page, compat_mns_ts(r), prefix, marker, limit)))
        return compat_mns_fail(r, resp, rc);
    buf_init(&b, 0);
    compat_mns_open(&b, "Topics");
    json_array_foreach(json_object_get(page, "items"), i, t)
    {
        const char *name = json_string_value(json_object_get(t, "name"));
        json_t *full = NULL;

        buf_printf(&b, "<Topic><TopicURL>%s/topics/", r->host);
        compat_xml_escape(&b, name, strlen(name));
        buf_puts(&b, "</TopicURL>");
        if (meta && topic_get(&full, compat_mns_ts(r), name) == 0)
            compat_mns_topic_body(&b, full);
        json_decref(full);
        buf_puts(&b, "</Topic>");
    }
    if ((next = json_string_value(json_object_get(page, "next"))))
        compat_xml_elem(&b, "NextMarker", next);
    buf_puts(&b, "</Topics>");
    json_decref(page);
    compat_mns_reply(r, resp, 200, &b);
    return 0;
}

/* ---- subscriptions ---- */

static int
compat_mns_one_of(const char *v, const char *what, const char *a, const char *b,
                  const char *c)
{
    if (strcmp(v, a) == 0 || strcmp(v, b) == 0 || (c && strcmp(v, c) == 0))
        return 0;
    return err_setn(ENG_EINVAL, "InvalidArgument",
                    "%s is %s, %s%s%s, not '%.64s'", what, a, b,
                    c ? " or " : "", c ? c : "", v);
}

/* <Subscription> -> the topic service's subscribe request. */
static int
compat_mns_sub_req(json_t **out, const struct mns_xml *x)
{
    const char *ep = compat_mns_xml_text(x, "Endpoint");
    const char *tag = compat_mns_xml_text(x, "FilterTag");
    const char *strategy = compat_mns_xml_text(x, "NotifyStrategy");
    const char *format = compat_mns_xml_text(x, "NotifyContentFormat");
    json_t *req;
    int rc;

    *out = NULL;
    if (ep == NULL || *ep == '\0')
        return err_setn(ENG_EINVAL, "EndpointInvalid",
                        "a <Subscription> needs an <Endpoint>");
    if (strncmp(ep, "http://", 7) != 0 && strncmp(ep, "https://", 8) != 0 &&
        (strncmp(ep, "acs:mns:", 8) != 0 || strstr(ep, ":queues/") == NULL))
        return err_setn(ENG_EINVAL, "EndpointInvalid",
                        "endpoint '%.200s' is neither http(s)://... nor "
                        "acs:mns:REGION:ACCOUNT:queues/NAME (mail, SMS and "
                        "push endpoints are not served)",
                        ep);
    if ((strategy &&
         (rc = compat_mns_one_of(strategy, "NotifyStrategy", "BACKOFF_RETRY",
                                 "EXPONENTIAL_DECAY_RETRY", NULL))) ||
        (format && (rc = compat_mns_one_of(format, "NotifyContentFormat", "XML",
                                           "JSON", "SIMPLIFIED"))))
        return rc;
    req = json_pack("{s:s}", "endpoint", ep);
    if (tag && *tag)
        json_object_set_new(req, "filter_tag", json_string(tag));
    if (strategy)
        json_object_set_new(req, "notify_strategy", json_string(strategy));
    if (format)
        json_object_set_new(req, "format", json_string(format));
    *out = req;
    return 0;
}

int
compat_mns_sub_put(struct mns_req *r, struct http_resp *resp)
{
    const char *mo = compat_mns_query(r, "metaoverride");
    struct mns_xml *x = NULL;
    json_t *req = NULL, *s = NULL;
    int over = 0, created = 0, rc;
    char *path;

    if ((mo && (rc = compat_mns_bool(&over, mo, "metaoverride"))) ||
        (rc = compat_mns_body(&x, r, "Subscription", NULL)))
        return compat_mns_fail(r, resp, rc);
    if (over) {
        const char *strategy = compat_mns_xml_text(x, "NotifyStrategy");

        if (strategy == NULL)
            rc = err_setn(ENG_EINVAL, "InvalidArgument",
                          "SetSubscriptionAttributes changes <NotifyStrategy> "
                          "only, and the body has none");
        else if ((rc = compat_mns_one_of(
                      strategy, "NotifyStrategy", "BACKOFF_RETRY",
                      "EXPONENTIAL_DECAY_RETRY", NULL)) == 0) {
            req = json_pack("{s:s}", "notify_strategy", strategy);
            rc = topic_sub_set(&s, compat_mns_ts(r), r->seg[0], r->seg[1], req);
        }
    } else if ((rc = compat_mns_name_ok(r->seg[1], "subscription",
                                        "SubscriptionNameInvalid",
                                        "SubscriptionNameLengthError")) == 0 &&
               (rc = compat_mns_sub_req(&req, x)) == 0) {
        rc = topic_subscribe(&s, &created, compat_mns_ts(r), r->seg[0],
                             r->seg[1], req);
    }
    compat_mns_xml_free(x);
    json_decref(req);
    json_decref(s);
    if (rc)
        return compat_mns_fail(r, resp, rc);
    if (over) {
        compat_mns_reply(r, resp, 204, NULL);
        return 0;
    }
    path = xasprintf("/topics/%s/subscriptions/%s", r->seg[0], r->seg[1]);
    compat_mns_reply_at(r, resp, created ? 201 : 204, path);
    free(path);
    return 0;
}

int
compat_mns_sub_get(struct mns_req *r, struct http_resp *resp)
{
    const char *account = r->c->cp->ali_account, *tag;
    json_t *s = NULL;
    int64_t created;
    struct buf b;
    int rc;

    if ((rc = topic_sub_get(&s, compat_mns_ts(r), r->seg[0], r->seg[1])))
        return compat_mns_fail(r, resp, rc);
    created = compat_mns_ms(json_object_get(s, "created")) / 1000;
    buf_init(&b, 0);
    compat_mns_open(&b, "Subscription");
    compat_xml_elem(&b, "SubscriptionName", r->seg[1]);
    compat_xml_elem(&b, "Subscriber", account);
    compat_xml_elem(&b, "TopicOwner", account);
    compat_xml_elem(&b, "TopicName", r->seg[0]);
    compat_xml_elem(&b, "Endpoint",
                    json_string_value(json_object_get(s, "endpoint")));
    compat_xml_elem(&b, "NotifyStrategy",
                    json_string_value(json_object_get(s, "notify_strategy")));
    compat_xml_elem(&b, "NotifyContentFormat",
                    json_string_value(json_object_get(s, "format")));
    if ((tag = json_string_value(json_object_get(s, "filter_tag"))))
        compat_xml_elem(&b, "FilterTag", tag);
    compat_mns_int_elem(&b, "CreateTime", created);
    compat_mns_int_elem(&b, "LastModifyTime", created);
    buf_puts(&b, "</Subscription>");
    json_decref(s);
    compat_mns_reply(r, resp, 200, &b);
    return 0;
}

int
compat_mns_sub_delete(struct mns_req *r, struct http_resp *resp)
{
    int rc = topic_unsubscribe(compat_mns_ts(r), r->seg[0], r->seg[1]);

    if (rc)
        return compat_mns_fail(r, resp, rc);
    compat_mns_reply(r, resp, 204, NULL);
    return 0;
}

int
compat_mns_sub_list(struct mns_req *r, struct http_resp *resp)
{
    const char *prefix, *marker, *last = NULL;
    json_t *t = NULL, *s;
    int limit, meta, rc, n = 0, more = 0;
    size_t i, plen;
    struct buf b;

    if ((rc = compat_mns_list_args(r, &prefix, &marker, &limit, &meta)) ||
        (rc = topic_get(&t, compat_mns_ts(r), r->seg[0])))
        return compat_mns_fail(r, resp, rc);
    plen = prefix ? strlen(prefix) : 0;
    buf_init(&b, 0);
    compat_mns_open(&b, "Subscriptions");
    /* the service lists them by name */
    json_array_foreach(json_object_get(t, "subscriptions"), i, s)
    {
        const char *name = json_string_value(json_object_get(s, "name"));

        if ((prefix && strncmp(name, prefix, plen) != 0) ||
            (marker && strcmp(name, marker) <= 0))
            continue;
        if (n == limit) {
            more = 1;
            break;
        }
        buf_printf(&b, "<Subscription><SubscriptionURL>%s/topics/", r->host);
        compat_xml_escape(&b, r->seg[0], strlen(r->seg[0]));
        buf_puts(&b, "/subscriptions/");
        compat_xml_escape(&b, name, strlen(name));
        buf_puts(&b, "</SubscriptionURL></Subscription>");
        last = name;
        n++;
    }
    if (more && last)
        compat_xml_elem(&b, "NextMarker", last);
    buf_puts(&b, "</Subscriptions>");
    json_decref(t);
    compat_mns_reply(r, resp, 200, &b);
    return 0;
}

/* ---- publish ---- */

int
compat_mns_publish(struct mns_req *r, struct http_resp *resp)
{
    struct mns_xml *x = NULL;
    const struct mns_xml *body;
    const char *tag;
    json_t *msg = NULL, *res = NULL;
    struct buf b;
    int rc;

    if ((rc = compat_mns_body(&x, r, "Message", NULL)))
        return compat_mns_fail(r, resp, rc);
    body = compat_mns_xml_child(x, "MessageBody");
    if (body == NULL || body->text_len == 0) {
        rc = err_setn(ENG_EINVAL, "InvalidArgument",
                      "PublishMessage needs a non-empty <MessageBody>");
        goto out;
    }
    if ((msg = json_pack("{s:s%}", "body", body->text, body->text_len)) ==
        NULL) {
        rc = err_setn(ENG_EINVAL, "InvalidArgument",
                      "the MessageBody is not UTF-8 text");
        goto out;
    }
    if ((tag = compat_mns_xml_text(x, "MessageTag")) && *tag)
        json_object_set_new(msg, "tag", json_string(tag));
    /* <MessageAttributes> (DirectMail, DirectSMS) serve mail and SMS
     * endpoints, which are not served: accepted, not used */
    if ((rc = topic_publish(&res, compat_mns_ts(r), r->seg[0], msg)))
        goto out;
    buf_init(&b, 0);
    compat_mns_open(&b, "Message");
    compat_xml_elem(&b, "MessageId",
                    json_string_value(json_object_get(res, "id")));
    compat_xml_elem(&b, "MessageBodyMD5",
                    json_string_value(json_object_get(res, "body_md5")));
    buf_puts(&b, "</Message>");
    compat_mns_reply(r, resp, 201, &b);
out:
    compat_mns_xml_free(x);
    json_decref(msg);
    json_decref(res);
    return rc ? compat_mns_fail(r, resp, rc) : 0;
}
