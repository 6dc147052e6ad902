/*
 * h_topics: /v1/topics — topics, subscriptions, publish, explain,
 * deliveries and redeliver, over the topic service.
 */
#include "http/handlers.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "core/engine.h"
#include "topic/topic.h"

#include <stdlib.h>
#include <string.h>

static struct topic_service *
h_ts(struct http_req *req)
{
    return req->eng->topics;
}

int
h_topics_list(struct http_req *req, struct http_resp *resp)
{
    int64_t limit;
    json_t *out;
    int rc;

    if ((rc = http_req_query_int(&limit, req, "limit", 50, 1, 1000)) ||
        (rc = topic_list(&out, h_ts(req), http_req_query(req, "prefix"),
                         http_req_query(req, "cursor"), (int)limit)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_topics_create(struct http_req *req, struct http_resp *resp)
{
    const char *name = NULL;
    json_t *attrs, *out;
    int created, rc;

    if ((rc = jsonx_get_str(&name, req->json, "name", 1)))
        return rc;
    attrs = json_deep_copy(req->json);
    json_object_del(attrs, "name");
    rc = topic_create(&out, &created, h_ts(req), name, attrs);
    json_decref(attrs);
    if (rc)
        return rc;
    return http_reply_json_new(resp, created ? 201 : 200, out);
}

int
h_topics_get(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = topic_get(&out, h_ts(req), req->params[0]);

    return rc ? rc : http_reply_json_new(resp, 200, out);
}

int
h_topics_message_get(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = topic_message_get(&out, h_ts(req), req->params[0],
                               req->params[1]);

    return rc ? rc : http_reply_json_new(resp, 200, out);
}

int
h_topics_delete(struct http_req *req, struct http_resp *resp)
{
    int rc = topic_delete(h_ts(req), req->params[0]);

    return rc ? rc : http_reply_empty(resp, 204);
}

int
h_topics_subs_list(struct http_req *req, struct http_resp *resp)
{
    json_t *out = NULL, *t = NULL;
    int rc;

    if ((rc = topic_get(&t, h_ts(req), req->params[0])))
        return rc;
    json_decref(t);
    if ((rc = topic_sub_list(&out, h_ts(req), req->params[0])))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_topics_subscribe(struct http_req *req, struct http_resp *resp)
{
    const char *name = NULL;
    json_t *body, *out;
    int created, rc;

    if ((rc = jsonx_get_str(&name, req->json, "name", 1)))
        return rc;
    body = json_deep_copy(req->json);
    json_object_del(body, "name");
    rc = topic_subscribe(&out, &created, h_ts(req), req->params[0], name,
                         body);
    json_decref(body);
    if (rc)
        return rc;
    return http_reply_json_new(resp, created ? 201 : 200, out);
}

int
h_topics_sub_get(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = topic_sub_get(&out, h_ts(req), req->params[0], req->params[1]);

    return rc ? rc : http_reply_json_new(resp, 200, out);
}

int
h_topics_unsubscribe(struct http_req *req, struct http_resp *resp)
{
    int rc = topic_unsubscribe(h_ts(req), req->params[0], req->params[1]);

    return rc ? rc : http_reply_empty(resp, 204);
}

int
h_topics_publish(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = topic_publish(&out, h_ts(req), req->params[0], req->json);

    return rc ? rc : http_reply_json_new(resp, 201, out);
}

int
h_topics_explain(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = topic_explain(&out, h_ts(req), req->params[0], req->json);

    return rc ? rc : http_reply_json_new(resp, 200, out);
}

static int
h_topics_deliveries_of(struct http_req *req, struct http_resp *resp,
                       const char *sub)
{
    int64_t limit, cursor;
    json_t *out;
    int rc;

    if ((rc = http_req_query_int(&limit, req, "limit", 50, 1, 1000)) ||
        (rc = http_req_query_cursor(&cursor, req, "cursor")) ||
        (rc = topic_deliveries(&out, h_ts(req), req->params[0], sub,
                               http_req_query(req, "status"), cursor,
                               (int)limit)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_topics_deliveries(struct http_req *req, struct http_resp *resp)
{
    return h_topics_deliveries_of(req, resp,
                                  http_req_query(req, "subscription"));
}

int
h_topics_sub_deliveries(struct http_req *req, struct http_resp *resp)
{
    json_t *s = NULL;
    int rc;

    if ((rc = topic_sub_get(&s, h_ts(req), req->params[0], req->params[1])))
        return rc;
    json_decref(s);
    return h_topics_deliveries_of(req, resp, req->params[1]);
}

int
h_topics_redeliver(struct http_req *req, struct http_resp *resp)
{
    char *end;
    long long id = strtoll(req->params[1], &end, 10);
    json_t *out;
    int rc;

    if (*end || id <= 0)
        return err_set(ENG_EINVAL, "delivery id '%s' is not a number",
                       req->params[1]);
    if ((rc = topic_redeliver(&out, h_ts(req), req->params[0], id)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}
