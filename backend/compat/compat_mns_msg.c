/*
 * compat_mns_msg: MNS message operations over the queue service —
 * SendMessage and BatchSendMessage, ReceiveMessage and
 * BatchReceiveMessage (a long poll parks the request until a message or
 * the wait's end), PeekMessage and BatchPeekMessage, DeleteMessage and
 * BatchDeleteMessage, ChangeMessageVisibility. Engine thread only.
 */
#include "compat/compat_mns.h"

#include "common/err.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "queue/queue.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Peek looks this far into the visible messages for the highest
 * priorities. */
#define MNS_PEEK_SCAN 256

static struct queue_service *
compat_mns_qs(const struct mns_req *r)
{
    return r->c->cp->eng->queues;
}

/* <MessageBodyMD5>: MNS gives the MD5 in upper-case hex. */
static void
compat_mns_md5_elem(struct buf *b, const char *md5)
{
    buf_puts(b, "<MessageBodyMD5>");
    for (const char *p = md5 ? md5 : ""; *p; p++) {
        char ch = (char)toupper((unsigned char)*p);

        buf_append(b, &ch, 1);
    }
    buf_puts(b, "</MessageBodyMD5>");
}

/* One message as a queue receive or peek gives it; `root`: it is the
 * document's root and carries the namespace. */
static void
compat_mns_msg_xml(struct buf *b, const json_t *m, int received, int root)
{
    const char *body = json_string_value(json_object_get(m, "body"));
    const json_t *first = json_object_get(m, "first_dequeue_ms");

    buf_puts(b, root ? "<Message xmlns=\"" MNS_NS "\">" : "<Message>");
    compat_xml_elem(b, "MessageId",
                    json_string_value(json_object_get(m, "id")));
    if (received)
        compat_xml_elem(b, "ReceiptHandle",
                        json_string_value(json_object_get(m, "receipt")));
    compat_mns_md5_elem(b, json_string_value(json_object_get(m, "body_md5")));
    buf_puts(b, "<MessageBody>");
    if (body)
        compat_xml_escape(b, body,
                          json_string_length(json_object_get(m, "body")));
    buf_puts(b, "</MessageBody>");
    compat_mns_int_elem(b, "EnqueueTime",
                        json_integer_value(json_object_get(m, "enqueued_ms")));
    if (received)
        compat_mns_int_elem(
            b, "NextVisibleTime",
            json_integer_value(json_object_get(m, "next_visible_ms")));
    /* never received: 0 */
    compat_mns_int_elem(b, "FirstDequeueTime",
                        first ? json_integer_value(first) : 0);
    compat_mns_int_elem(
        b, "DequeueCount",
        json_integer_value(json_object_get(m, "dequeue_count")));
    compat_mns_int_elem(b, "Priority",
                        json_integer_value(json_object_get(m, "priority")));
    buf_puts(b, "</Message>");
}

/* The messages of a receive or peek: one <Message>, or <Messages> for a
 * batch. Fills resp (a 404 MessageNotExist when there are none). */
static void
compat_mns_msgs_resp(struct http_resp *resp, const char *request_id,
                     const char *host, const json_t *msgs, int batch,
                     int received)
{
    struct buf b;
    size_t i, len;
    json_t *m;

    if (json_array_size(msgs) == 0) {
        compat_mns_error_resp(
            resp, request_id, host,
            err_setn(ENG_ENOTFOUND, "MessageNotExist",
                     "Message not exist: the queue has no message to %s",
                     received ? "receive" : "peek"));
        return;
    }
    buf_init(&b, 0);
    buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if (batch)
        buf_puts(&b, "<Messages xmlns=\"" MNS_NS "\">");
    json_array_foreach(msgs, i, m)
    {
        compat_mns_msg_xml(&b, m, received, !batch);
        if (!batch)
            break;
    }
    if (batch)
        buf_puts(&b, "</Messages>");
    len = b.len;
    http_reply_take(resp, 200, "text/xml;charset=utf-8", buf_take(&b), len);
    http_resp_header(resp, "x-mns-request-id", request_id);
    http_resp_header(resp, "x-mns-version", MNS_VERSION);
}

/* ---- send ---- */

/* A <Message> element -> a queue service message (new object). */
static int
compat_mns_msg_parse(json_t **out, const struct mns_xml *x)
{
    const struct mns_xml *body = compat_mns_xml_child(x, "MessageBody");
    const char *t;
    int64_t v;
    json_t *m;
    int rc;

    *out = NULL;
    if (body == NULL)
        return err_setn(ENG_EINVAL, "InvalidArgument",
                        "a <Message> needs a <MessageBody>");
    if (body->text_len == 0)
        return err_setn(ENG_EINVAL, "InvalidArgument",
                        "the MessageBody is empty");
    m = json_pack("{s:s%}", "body", body->text, body->text_len);
    if (m == NULL)
        return err_setn(ENG_EINVAL, "InvalidArgument",
                        "the MessageBody is not UTF-8 text");
    if ((t = compat_mns_xml_text(x, "Priority"))) {
        if ((rc = compat_mns_int(&v, t, "Priority", 1, 16)))
            goto fail;
        json_object_set_new(m, "priority", json_integer(v));
    }
    if ((t = compat_mns_xml_text(x, "DelaySeconds"))) {
        if ((rc = compat_mns_int(&v, t, "DelaySeconds", 0, 604800)))
            goto fail;
        json_object_set_new(m, "delay_seconds", json_integer(v));
    }
    *out = m;
    return 0;
fail:
    json_decref(m);
    return rc;
}

static int
compat_mns_send_one(struct mns_req *r, struct http_resp *resp,
                    const struct mns_xml *x)
{
    json_t *m = NULL, *res = NULL;
    struct buf b;
    int rc;

    if ((rc = compat_mns_msg_parse(&m, x)) ||
        (rc = queue_send(&res, compat_mns_qs(r), r->seg[0], m))) {
        json_decref(m);
        return compat_mns_fail(r, resp, rc);
    }
    json_decref(m);
    buf_init(&b, 0);
    compat_mns_open(&b, "Message");
    compat_xml_elem(&b, "MessageId",
                    json_string_value(json_object_get(res, "id")));
    compat_mns_md5_elem(&b,
                        json_string_value(json_object_get(res, "body_md5")));
    buf_puts(&b, "</Message>");
    json_decref(res);
    compat_mns_reply(r, resp, 201, &b);
    return 0;
}

static int
compat_mns_send_batch(struct mns_req *r, struct http_resp *resp,
                      const struct mns_xml *x)
{
    json_t *entries = json_array(), *res = NULL, *by_entry = json_object();
    const struct mns_xml *c;
    size_t i, bytes = 0;
    json_t *e;
    struct buf b;
    int n = 0, failed = 0, rc = 0;

    for (c = x->child; c; c = c->next) {
        json_t *m = NULL;
        char id[16];

        if (strcmp(c->name, "Message") != 0)
            continue;
        if (++n > MNS_BATCH_MAX) {
            rc = err_setn(ENG_EINVAL, "InvalidArgument",
                          "a batch holds at most %d messages", MNS_BATCH_MAX);
            goto out;
        }
        if ((rc = compat_mns_msg_parse(&m, c)))
            goto out;
        bytes += json_string_length(json_object_get(m, "body"));
        snprintf(id, sizeof(id), "%d", n - 1);
        json_object_set_new(m, "id", json_string(id));
        json_array_append_new(entries, m);
    }
    if (n == 0) {
        rc = err_setn(ENG_EINVAL, "InvalidArgument",
                      "<Messages> holds no <Message>");
        goto out;
    }
    if (bytes > MNS_BATCH_BYTES) {
        rc = err_setn(ENG_EINVAL, "InvalidArgument",
                      "the batch's bodies are %zu bytes; at most %d are "
                      "taken",
                      bytes, MNS_BATCH_BYTES);
        goto out;
    }
    if ((rc = queue_send_batch(&res, compat_mns_qs(r), r->seg[0], entries)))
        goto out;
    json_array_foreach(json_object_get(res, "successful"), i, e)
        json_object_set(by_entry,
                        json_string_value(json_object_get(e, "entry_id")), e);
    json_array_foreach(json_object_get(res, "failed"), i, e)
    {
        json_object_set(by_entry, json_string_value(json_object_get(e, "id")),
                        e);
        failed++;
    }
    buf_init(&b, 0);
    compat_mns_open(&b, "Messages");
    for (int k = 0; k < n; k++) {
        char id[16];

        snprintf(id, sizeof(id), "%d", k);
        e = json_object_get(by_entry, id);
        buf_puts(&b, "<Message>");
        if (json_object_get(e, "code")) {
            const char *code = json_string_value(json_object_get(e, "code"));

            /* the queue service's names, as MNS calls them */
            if (strcmp(code, "MessageTooLarge") == 0 ||
                strcmp(code, "MissingParameter") == 0 ||
                strcmp(code, err_code_name(ENG_EINVAL)) == 0)
                code = "InvalidArgument";
            compat_xml_elem(&b, "ErrorCode", code);
            compat_xml_elem(&b, "ErrorMessage",
                            json_string_value(json_object_get(e, "message")));
        } else {
            compat_xml_elem(&b, "MessageId",
                            json_string_value(json_object_get(e, "id")));
            compat_mns_md5_elem(
                &b, json_string_value(json_object_get(e, "body_md5")));
        }
        buf_puts(&b, "</Message>");
    }
    buf_puts(&b, "</Messages>");
    /* a partial failure is 400 with the per-message answers: the SDKs
     * read <Messages> on an error status, and Java does not retry 400 */
    compat_mns_reply(r, resp, failed ? 400 : 201, &b);
out:
    json_decref(entries);
    json_decref(res);
    json_decref(by_entry);
    return rc ? compat_mns_fail(r, resp, rc) : 0;
}

int
compat_mns_msg_send(struct mns_req *r, struct http_resp *resp)
{
    struct mns_xml *x = NULL;
    int rc;

    if ((rc = compat_mns_body(&x, r, "Message", "Messages")))
        return compat_mns_fail(r, resp, rc);
    rc = strcmp(x->name, "Message") == 0 ? compat_mns_send_one(r, resp, x)
                                         : compat_mns_send_batch(r, resp, x);
    compat_mns_xml_free(x);
    return rc;
}

/* ---- receive and peek ---- */

/* A receive that waits: the park and the waiter, each cancelling the
 * other, and what its answer needs. */
struct mns_wait {
    struct http_park *park;
    struct queue_waiter *waiter;
    int batch;
    char request_id[37];
    char *host;
};

static void
compat_mns_wait_done(struct queue_msgs *got, void *arg)
{
    struct mns_wait *w = arg;
    struct http_resp resp;
    json_t *messages = queue_msgs_to_json(got);

    memset(&resp, 0, sizeof(resp));
    compat_mns_msgs_resp(&resp, w->request_id, w->host, messages, w->batch, 1);
    json_decref(messages);
    http_park_resume(w->park, &resp);
    free(w->host);
    free(w);
}

static void
compat_mns_wait_cancel(struct http_park *p, void *arg)
{
    struct mns_wait *w = arg;

    (void)p;
    queue_waiter_cancel(w->waiter);
    free(w->host);
    free(w);
}

static int
compat_mns_cmp_priority(const void *a, const void *b)
{
    const json_t *const *x = a, *const *y = b;
    json_int_t px = json_integer_value(json_object_get(*x, "priority"));
    json_int_t py = json_integer_value(json_object_get(*y, "priority"));
    json_int_t ix = json_integer_value(json_object_get(*x, "_order"));
    json_int_t iy = json_integer_value(json_object_get(*y, "_order"));

    if (px != py)
        return px < py ? -1 : 1;
    return ix < iy ? -1 : ix > iy;
}

/* Peek: the visible messages a receive would give next (highest
 * priority first, then enqueue order), changing nothing. */
static int
compat_mns_peek(struct mns_req *r, struct http_resp *resp, int max, int batch)
{
    json_t *page = NULL, *items, *sorted = json_array();
    const json_t **v = NULL;
    size_t n, i;
    int rc;

    if ((rc = queue_peek(&page, compat_mns_qs(r), r->seg[0], "visible", 0, 0,
                         MNS_PEEK_SCAN))) {
        json_decref(sorted);
        return compat_mns_fail(r, resp, rc);
    }
    items = json_object_get(page, "items");
    n = json_array_size(items);
    if (n) {
        v = xcalloc(n, sizeof(*v));
        for (i = 0; i < n; i++) {
            json_t *m = json_array_get(items, i);

            json_object_set_new(m, "_order", json_integer((json_int_t)i));
            v[i] = m;
        }
        qsort(v, n, sizeof(*v), compat_mns_cmp_priority);
        for (i = 0; i < n && i < (size_t)max; i++)
            json_array_append(sorted, (json_t *)v[i]);
        free(v);
    }
    compat_mns_msgs_resp(resp, r->c->request_id, r->host, sorted, batch, 0);
    json_decref(sorted);
    json_decref(page);
    return json_array_size(sorted) ? 0 : ENG_ENOTFOUND;
}

int
compat_mns_msg_receive(struct mns_req *r, struct http_resp *resp)
{
    const char *peek = compat_mns_query(r, "peekonly");
    const char *num = compat_mns_query(r, "numOfMessages");
    const char *wait = compat_mns_query(r, "waitseconds");
    struct queue_recv q = {1, -1, -1};
    int64_t max = 1, secs = -1;
    int peekonly = 0, rc;
    struct queue_msgs *got = NULL;
    struct mns_wait *w;
    json_t *out;

    if ((peek && (rc = compat_mns_bool(&peekonly, peek, "peekonly"))) ||
        (num &&
         (rc = compat_mns_int(&max, num, "numOfMessages", 1, MNS_BATCH_MAX))) ||
        (wait && (rc = compat_mns_int(&secs, wait, "waitseconds", 0,
                                      QUEUE_WAIT_MAX_S))))
        return compat_mns_fail(r, resp, rc);
    if (peekonly)
        return compat_mns_peek(r, resp, (int)max, num != NULL);
    q.max = (int)max;
    q.wait_ms = secs >= 0 ? secs * 1000 : -1;
    w = xcalloc(1, sizeof(*w));
    rc = queue_receive(&got, &w->waiter, compat_mns_qs(r), r->seg[0], &q,
                       compat_mns_wait_done, w);
    if (rc == QUEUE_PARKED) {
        w->batch = num != NULL;
        memcpy(w->request_id, r->c->request_id, sizeof(w->request_id));
        w->host = xstrdup(r->host);
        w->park = http_req_park(r->c->req, compat_mns_wait_cancel, w);
        return HTTP_PARKED;
    }
    free(w);
    if (rc)
        return compat_mns_fail(r, resp, rc);
    out = queue_msgs_to_json(got);
    compat_mns_msgs_resp(resp, r->c->request_id, r->host, out, num != NULL, 1);
    /* an empty receive is an answer (404), not a refusal: nothing to roll
     * back, and messages moved to a dead-letter queue stay moved */
    json_decref(out);
    return 0;
}

/* ---- delete and visibility ---- */

static int
compat_mns_delete_batch(struct mns_req *r, struct http_resp *resp)
{
    struct mns_xml *x = NULL;
    json_t *handles = json_array(), *res = NULL, *e;
    const struct mns_xml *c;
    struct buf b;
    size_t i;
    int rc;

    if ((rc = compat_mns_body(&x, r, "ReceiptHandles", NULL)))
        goto out;
    for (c = x->child; c; c = c->next)
        if (strcmp(c->name, "ReceiptHandle") == 0)
            json_array_append_new(handles, json_string(c->text));
    if (json_array_size(handles) == 0) {
        rc = err_setn(ENG_EINVAL, "InvalidArgument",
                      "<ReceiptHandles> holds no <ReceiptHandle>");
        goto out;
    }
    if (json_array_size(handles) > MNS_BATCH_MAX) {
        rc = err_setn(ENG_EINVAL, "InvalidArgument",
                      "a batch deletes at most %d messages", MNS_BATCH_MAX);
        goto out;
    }
    if ((rc = queue_delete_batch(&res, compat_mns_qs(r), r->seg[0], handles)))
        goto out;
    if (json_array_size(json_object_get(res, "failed")) == 0) {
        compat_mns_reply(r, resp, 204, NULL);
        goto out;
    }
    buf_init(&b, 0);
    compat_mns_open(&b, "Errors");
    json_array_foreach(json_object_get(res, "failed"), i, e)
    {
        const char *code = json_string_value(json_object_get(e, "code"));

        code = strcmp(code, "ReceiptHandleInvalid") == 0 ? "ReceiptHandleError"
                                                         : "MessageNotExist";
        buf_puts(&b, "<Error>");
        compat_xml_elem(&b, "ErrorCode", code);
        compat_xml_elem(&b, "ErrorMessage",
                        json_string_value(json_object_get(e, "message")));
        compat_xml_elem(&b, "ReceiptHandle",
                        json_string_value(json_object_get(e, "receipt")));
        buf_puts(&b, "</Error>");
    }
    buf_puts(&b, "</Errors>");
    /* the messages that could be deleted stay deleted */
    compat_mns_reply(r, resp, 404, &b);
out:
    compat_mns_xml_free(x);
    json_decref(handles);
    json_decref(res);
    return rc ? compat_mns_fail(r, resp, rc) : 0;
}

int
compat_mns_msg_delete(struct mns_req *r, struct http_resp *resp)
{
    const char *h = compat_mns_query(r, "ReceiptHandle");
    int rc;

    if (h == NULL && r->c->req->body_len > 0)
        return compat_mns_delete_batch(r, resp);
    if (h == NULL || *h == '\0')
        return compat_mns_fail(
            r, resp,
            err_setn(ENG_EINVAL, "MissingReceiptHandle",
                     "DeleteMessage needs ?ReceiptHandle= (or a "
                     "<ReceiptHandles> body to delete a batch)"));
    if ((rc = queue_delete_msg(compat_mns_qs(r), r->seg[0], h)))
        return compat_mns_fail(r, resp, rc);
    compat_mns_reply(r, resp, 204, NULL);
    return 0;
}

int
compat_mns_msg_visibility(struct mns_req *r, struct http_resp *resp)
{
    const char *h = compat_mns_query(r, "ReceiptHandle");
    const char *t = compat_mns_query(r, "VisibilityTimeout");
    json_t *out = NULL;
    char *renewed = NULL;
    int64_t secs;
    struct buf b;
    int rc;

    if (h == NULL || *h == '\0')
        return compat_mns_fail(
            r, resp,
            err_setn(ENG_EINVAL, "MissingReceiptHandle",
                     "ChangeMessageVisibility needs ?ReceiptHandle="));
    if (t == NULL || *t == '\0')
        return compat_mns_fail(
            r, resp,
            err_setn(ENG_EINVAL, "MissingVisibilityTimeout",
                     "ChangeMessageVisibility needs ?VisibilityTimeout="));
    /* MNS answers with a new handle; the one given goes stale */
    if ((rc = compat_mns_int(&secs, t, "VisibilityTimeout", 0, 43200)) ||
        (rc = queue_change_visibility(&out, compat_mns_qs(r), r->seg[0], h,
                                      secs)) ||
        (rc = queue_renew_receipt(&renewed, compat_mns_qs(r), r->seg[0], h))) {
        json_decref(out);
        return compat_mns_fail(r, resp, rc);
    }
    buf_init(&b, 0);
    compat_mns_open(&b, "ChangeVisibility");
    compat_xml_elem(&b, "ReceiptHandle", renewed);
    compat_mns_int_elem(
        &b, "NextVisibleTime",
        json_integer_value(json_object_get(out, "next_visible_ms")));
    buf_puts(&b, "</ChangeVisibility>");
    json_decref(out);
    free(renewed);
    compat_mns_reply(r, resp, 200, &b);
    return 0;
}
