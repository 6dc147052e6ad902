/*
 * h_queues: /v1/queues — queues, messages, receive (long polls park the
 * request), delete, visibility, peek and redrive, over the queue service.
 */
#include "http/handlers.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "queue/queue.h"

#include <stdlib.h>
#include <string.h>

static struct queue_service *
h_qs(struct http_req *req)
{
    return req->eng->queues;
}

int
h_queues_list(struct http_req *req, struct http_resp *resp)
{
    int64_t limit;
    json_t *out;
    int rc;

    if ((rc = http_req_query_int(&limit, req, "limit", 50, 1, 1000)) ||
        (rc = queue_list(&out, h_qs(req), http_req_query(req, "prefix"),
                         http_req_query(req, "cursor"), (int)limit)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_queues_create(struct http_req *req, struct http_resp *resp)
{
    const char *name = NULL;
    json_t *attrs, *out;
    int created, rc;

    if ((rc = jsonx_get_str(&name, req->json, "name", 1)))
        return rc;
    attrs = json_deep_copy(req->json);
    json_object_del(attrs, "name");
    rc = queue_create(&out, &created, h_qs(req), name, attrs);
    json_decref(attrs);
    if (rc)
        return rc;
    return http_reply_json_new(resp, created ? 201 : 200, out);
}

int
h_queues_get(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = queue_get(&out, h_qs(req), req->params[0]);

    return rc ? rc : http_reply_json_new(resp, 200, out);
}

int
h_queues_set(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = queue_set(&out, h_qs(req), req->params[0], req->json);

    return rc ? rc : http_reply_json_new(resp, 200, out);
}

int
h_queues_delete(struct http_req *req, struct http_resp *resp)
{
    int rc = queue_delete(h_qs(req), req->params[0]);

    return rc ? rc : http_reply_empty(resp, 204);
}

int
h_queues_purge(struct http_req *req, struct http_resp *resp)
{
    int64_t n;
    int rc = queue_purge(&n, h_qs(req), req->params[0]);

    if (rc)
        return rc;
    return http_reply_json_new(resp, 200,
                               json_pack("{s:I}", "purged", (json_int_t)n));
}

int
h_queues_send(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = queue_send(&out, h_qs(req), req->params[0], req->json);

    return rc ? rc : http_reply_json_new(resp, 201, out);
}

int
h_queues_send_batch(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"entries", NULL};
    json_t *out;
    int rc;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = queue_send_batch(&out, h_qs(req), req->params[0],
                               json_object_get(req->json, "entries"))))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

/* A receive that waits: the park and the waiter, each cancelling the
 * other. */
struct h_wait {
    struct http_park *park;
    struct queue_waiter *waiter;
};

/* {"messages": [...]}, written from the rows without a JSON tree: every
 * received message passes here. Takes got. */
static int
h_queues_reply_msgs(struct http_resp *resp, struct queue_msgs *got)
{
    struct buf b = BUF_INIT(0);
    size_t len;

    buf_puts(&b, "{\"messages\":");
    queue_msgs_write(&b, got);
    buf_puts(&b, "}");
    queue_msgs_free(got);
    len = b.len;
    return http_reply_take(resp, 200, "application/json", buf_take(&b), len);
}

static void
h_queues_wait_done(struct queue_msgs *got, void *arg)
{
    struct h_wait *hw = arg;
    struct http_resp resp;

    memset(&resp, 0, sizeof(resp));
    h_queues_reply_msgs(&resp, got);
    http_park_resume(hw->park, &resp);
    free(hw);
}

static void
h_queues_wait_cancel(struct http_park *p, void *arg)
{
    struct h_wait *hw = arg;

    (void)p;
    queue_waiter_cancel(hw->waiter);
    free(hw);
}

int
h_queues_receive(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"max", "wait_seconds",
                                       "visibility_timeout", NULL};
    struct queue_recv r = {1, -1, -1};
    int64_t max = 1, wait = -1, vis = -1;
    struct queue_msgs *got;
    struct h_wait *hw;
    int rc;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = jsonx_get_int(&max, req->json, "max", 0, 1, QUEUE_BATCH_MAX)) ||
        (rc = jsonx_get_int(&wait, req->json, "wait_seconds", 0, 0,
                            QUEUE_WAIT_MAX_S)) ||
        (rc = jsonx_get_int(&vis, req->json, "visibility_timeout", 0, 0,
                            43200)))
        return rc;
    r.max = (int)max;
    r.wait_ms = wait >= 0 ? wait * 1000 : -1;
    r.visibility_ms = vis >= 0 ? vis * 1000 : -1;
    hw = xcalloc(1, sizeof(*hw));
    rc = queue_receive(&got, &hw->waiter, h_qs(req), req->params[0], &r,
                       h_queues_wait_done, hw);
    if (rc == QUEUE_PARKED) {
        hw->park = http_req_park(req, h_queues_wait_cancel, hw);
        return HTTP_PARKED;
    }
    free(hw);
    if (rc)
        return rc;
    return h_queues_reply_msgs(resp, got);
}

int
h_queues_delete_msgs(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"receipt", "receipts", NULL};
    const char *receipt = NULL;
    json_t *receipts = json_object_get(req->json, "receipts"), *out;
    int rc;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = jsonx_get_str(&receipt, req->json, "receipt", 0)))
        return rc;
    if ((receipt == NULL) == (receipts == NULL))
        return err_set(ENG_EINVAL, "give exactly one of 'receipt' (a handle) "
                                   "and 'receipts' (up to 16 handles)");
    if (receipt) {
        if ((rc = queue_delete_msg(h_qs(req), req->params[0], receipt)))
            return rc;
        return http_reply_empty(resp, 204);
    }
    if ((rc = queue_delete_batch(&out, h_qs(req), req->params[0], receipts)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_queues_visibility(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"receipt", "visibility_timeout", NULL};
    const char *receipt = NULL;
    int64_t secs = 0;
    json_t *out;
    int rc;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = jsonx_get_str(&receipt, req->json, "receipt", 1)) ||
        (rc = jsonx_get_int(&secs, req->json, "visibility_timeout", 1, 0,
                            43200)) ||
        (rc = queue_change_visibility(&out, h_qs(req), req->params[0],
                                      receipt, secs)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_queues_peek(struct http_req *req, struct http_resp *resp)
{
    const char *before_text = http_req_query(req, "before");
    int64_t limit, after, before = 0;
    json_t *out;
    int rc;

    if (before_text && strcmp(before_text, "end") == 0)
        before = INT64_MAX;
    else if (before_text &&
             (rc = http_req_query_cursor(&before, req, "before")))
        return rc;
    if ((rc = http_req_query_int(&limit, req, "limit", 50, 1, 1000)) ||
        (rc = http_req_query_cursor(&after, req, "cursor")) ||
        (rc = queue_peek(&out, h_qs(req), req->params[0],
                         http_req_query(req, "state"), after, before,
                         (int)limit)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_queues_msg_get(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = queue_get_msg(&out, h_qs(req), req->params[0], req->params[1]);

    return rc ? rc : http_reply_json_new(resp, 200, out);
}

int
h_queues_msg_remove(struct http_req *req, struct http_resp *resp)
{
    int rc = queue_remove_msg(h_qs(req), req->params[0], req->params[1]);

    return rc ? rc : http_reply_empty(resp, 204);
}

int
h_queues_redrive(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"ids", "to", NULL};
    const char *to = NULL;
    json_t *out;
    int rc;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = jsonx_get_str(&to, req->json, "to", 0)) ||
        (rc = queue_redrive(&out, h_qs(req), req->params[0],
                            json_object_get(req->json, "ids"), to)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}
