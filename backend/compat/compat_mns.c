/*
 * compat_mns: the MNS REST protocol (XML, x-mns-version 2015-06-06) on
 * the engine's port. This file routes a request by method and path to
 * its operation, renders MNS errors, holds the helpers the other
 * compat_mns_*.c files share, and serves the queue operations
 * (CreateQueue, SetQueueAttributes, GetQueueAttributes, DeleteQueue,
 * ListQueue) over the queue service. Messages are in compat_mns_msg.c,
 * topics in compat_mns_topic.c. Engine thread only.
 */
#include "compat/compat_mns.h"

#include "common/err.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "queue/queue.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- errors ---- */

/* Error names (the services' and MNS's own) -> MNS code and status. */
static const struct {
    const char *name;
    const char *code;
    int status;
} compat_mns_codes[] = {
    {"QueueNotFound", "QueueNotExist", 404},
    {"QueueExists", "QueueAlreadyExist", 409},
    {"ReceiptHandleInvalid", "ReceiptHandleError", 400},
    {"ReceiptHandleStale", "MessageNotExist", 404},
    {"MessageTooLarge", "InvalidArgument", 400},
    {"MissingParameter", "InvalidArgument", 400},
    {"InvalidQueueName", "InvalidQueueName", 400},
    {"QueueNameLengthError", "QueueNameLengthError", 400},
    {"TopicNameInvalid", "TopicNameInvalid", 400},
    {"TopicNameLengthError", "TopicNameLengthError", 400},
    {"SubscriptionNameInvalid", "SubscriptionNameInvalid", 400},
    {"SubscriptionNameLengthError", "SubscriptionNameLengthError", 400},
    {"EndpointInvalid", "EndpointInvalid", 400},
    {"MalformedXML", "MalformedXML", 400},
    {"InvalidArgument", "InvalidArgument", 400},
    {"InvalidRequestURL", "InvalidRequestURL", 400},
    {"InvalidQueryString", "InvalidQueryString", 400},
    {"MissingReceiptHandle", "MissingReceiptHandle", 400},
    {"MissingVisibilityTimeout", "MissingVisibilityTimeout", 400},
    {"ReceiptHandleError", "ReceiptHandleError", 400},
    {"MessageNotExist", "MessageNotExist", 404},
    {"QueueNotExist", "QueueNotExist", 404},
    {"TopicNotExist", "TopicNotExist", 404},
    {"SubscriptionNotExist", "SubscriptionNotExist", 404},
    {"QueueAlreadyExist", "QueueAlreadyExist", 409},
    {"TopicAlreadyExist", "TopicAlreadyExist", 409},
    {"SubscriptionAlreadyExist", "SubscriptionAlreadyExist", 409},
    {"TimeExpired", "TimeExpired", 408},
    {"MissingAuthorizationHeader", "MissingAuthorizationHeader", 400},
    {"InvalidAuthorizationHeader", "InvalidAuthorizationHeader", 400},
    {"MissingDateHeader", "MissingDateHeader", 400},
    {"InvalidDateHeader", "InvalidDateHeader", 400},
    {"InvalidAccessKeyId", "InvalidAccessKeyId", 403},
    {"SignatureDoesNotMatch", "SignatureDoesNotMatch", 403},
    {"AccessDenied", "AccessDenied", 403},
};

static void
compat_mns_code(const char **code, int *status, int rc)
{
    const char *name = err_last_name();

    for (size_t i = 0;
         i < sizeof(compat_mns_codes) / sizeof(compat_mns_codes[0]); i++)
        if (strcmp(name, compat_mns_codes[i].name) == 0) {
            *code = compat_mns_codes[i].code;
            *status = compat_mns_codes[i].status;
            return;
        }
    switch (rc) {
    case ENG_EINVAL:
    case ENG_ETOOBIG:
        *code = "InvalidArgument";
        *status = 400;
        break;
    case ENG_ENOTFOUND:
        *code = name;
        *status = 404;
        break;
    case ENG_EEXISTS:
    case ENG_ECONFLICT:
        *code = name;
        *status = 409;
        break;
    case ENG_EAUTH:
        *code = strcmp(name, err_code_name(ENG_EAUTH)) ? name : "AccessDenied";
        *status = 403;
        break;
    case ENG_EUNAVAIL:
    case ENG_ENOSPACE:
    case ENG_EREADONLY:
        *code = "ServiceUnavailable";
        *status = 503;
        break;
    default:
        *code = "InternalError";
        *status = 500;
    }
}

void
compat_mns_error_resp(struct http_resp *resp, const char *request_id,
                      const char *host, int rc)
{
    const char *code;
    int status;
    struct buf b;
    size_t len;

    compat_mns_code(&code, &status, rc);
    buf_init(&b, 0);
    compat_mns_open(&b, "Error");
    compat_xml_elem(&b, "Code", code);
    compat_xml_elem(&b, "Message", err_last());
    compat_xml_elem(&b, "RequestId", request_id);
    compat_xml_elem(&b, "HostId", host);
    buf_puts(&b, "</Error>");
    len = b.len;
    http_resp_clear(resp);
    http_reply_take(resp, status, "text/xml;charset=utf-8", buf_take(&b), len);
    http_resp_header(resp, "x-mns-request-id", request_id);
    http_resp_header(resp, "x-mns-version", MNS_VERSION);
}

void
compat_mns_error(struct compat_call *c, struct http_resp *resp, int rc)
{
    char *host = compat_base_url(c);

    compat_mns_error_resp(resp, c->request_id, host, rc);
    free(host);
}

int
compat_mns_fail(struct mns_req *r, struct http_resp *resp, int rc)
{
    compat_mns_error_resp(resp, r->c->request_id, r->host, rc);
    return rc;
}

/* ---- shared helpers ---- */

const char *
compat_mns_query(const struct mns_req *r, const char *name)
{
    const char *k;
    json_t *v;

    json_object_foreach(r->query, k, v) if (strcasecmp(k, name) ==
                                            0) return json_string_value(v);
    return NULL;
}

int
compat_mns_body(struct mns_xml **out, const struct mns_req *r, const char *root,
                const char *alt)
{
    const struct http_req *req = r->c->req;
    struct mns_xml *x = NULL;
    int rc;

    *out = NULL;
    if (req->body_len == 0)
        return err_setn(ENG_EINVAL, "MalformedXML",
                        "the request needs an XML body with root <%s>", root);
    if ((rc = compat_mns_xml_parse(&x, req->body, req->body_len)))
        return rc;
    if (strcmp(x->name, root) != 0 && (alt == NULL || strcmp(x->name, alt))) {
        rc = err_setn(ENG_EINVAL, "MalformedXML",
                      "the XML body's root is <%.64s>; this operation takes "
                      "<%s>%s%s%s",
                      x->name, root, alt ? " or <" : "", alt ? alt : "",
                      alt ? ">" : "");
        compat_mns_xml_free(x);
        return rc;
    }
    *out = x;
    return 0;
}

int
compat_mns_int(int64_t *out, const char *text, const char *what, int64_t min,
               int64_t max)
{
    const char *p = text;
    char *end;
    long long n;

    while (*p && isspace((unsigned char)*p))
        p++;
    n = strtoll(p, &end, 10);
    while (*end && isspace((unsigned char)*end))
        end++;
    if (*p == '\0' || *end != '\0' ||
        !(isdigit((unsigned char)*p) || *p == '-' || *p == '+'))
        return err_setn(ENG_EINVAL, "InvalidArgument",
                        "The value of %s should be an integer between %lld "
                        "and %lld, not '%.32s'",
                        what, (long long)min, (long long)max, text);
    if (n < min || n > max)
        return err_setn(ENG_EINVAL, "InvalidArgument",
                        "The value of %s should between %lld and %lld; it "
                        "is %lld",
                        what, (long long)min, (long long)max, n);
    *out = n;
    return 0;
}

int
compat_mns_bool(int *out, const char *text, const char *what)
{
    const char *p = text;
    size_t n;

    while (*p && isspace((unsigned char)*p))
        p++;
    n = strlen(p);
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    if ((n == 4 && strncasecmp(p, "true", 4) == 0) || (n == 1 && *p == '1')) {
        *out = 1;
        return 0;
    }
    if ((n == 5 && strncasecmp(p, "false", 5) == 0) || (n == 1 && *p == '0')) {
        *out = 0;
        return 0;
    }
    return err_setn(ENG_EINVAL, "InvalidArgument",
                    "The value of %s should be True or False, not '%.32s'",
                    what, text);
}

int
compat_mns_list_args(const struct mns_req *r, const char **prefix,
                     const char **marker, int *limit, int *meta)
{
    const char *n = http_req_header(r->c->req, "x-mns-ret-number");
    const char *m = http_req_header(r->c->req, "x-mns-with-meta");
    int64_t v = 1000;
    int rc;

    *prefix = http_req_header(r->c->req, "x-mns-prefix");
    *marker = http_req_header(r->c->req, "x-mns-marker");
    if (*prefix && **prefix == '\0')
        *prefix = NULL;
    if (*marker && **marker == '\0')
        *marker = NULL;
    *meta = 0;
    if ((n && *n &&
         (rc = compat_mns_int(&v, n, "x-mns-ret-number", 1, 1000))) ||
        (m && *m && (rc = compat_mns_bool(meta, m, "x-mns-with-meta"))))
        return rc;
    *limit = (int)v;
    return 0;
}

void
compat_mns_open(struct buf *b, const char *root)
{
    buf_printf(b,
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%s xmlns=\"" MNS_NS
               "\">",
               root);
}

void
compat_mns_int_elem(struct buf *b, const char *name, int64_t n)
{
    buf_printf(b, "<%s>%lld</%s>", name, (long long)n, name);
}

int64_t
compat_mns_ms(const json_t *j)
{
    int64_t ms = 0;

    if (json_is_string(j) &&
        timefmt_parse_rfc3339(&ms, json_string_value(j)) != 0)
        ms = 0;
    return ms;
}

void
compat_mns_reply(struct mns_req *r, struct http_resp *resp, int status,
                 struct buf *b)
{
    if (b)
        compat_reply(r->c, resp, status, "text/xml;charset=utf-8", b,
                     "x-mns-request-id");
    else {
        http_reply_empty(resp, status);
        http_resp_header(resp, "x-mns-request-id", r->c->request_id);
    }
    http_resp_header(resp, "x-mns-version", MNS_VERSION);
}

void
compat_mns_reply_at(struct mns_req *r, struct http_resp *resp, int status,
                    const char *path)
{
    char *url = xasprintf("%s%s", r->host, path);

    compat_mns_reply(r, resp, status, NULL);
    http_resp_header(resp, "Location", url);
    free(url);
}

/* ---- queues ---- */

static const struct {
    const char *xml, *key;
    int64_t min, max;
} compat_mns_qattrs[] = {
    {"DelaySeconds", "delay_seconds", 0, 604800},
    {"MaximumMessageSize", "max_message_size", 1024, 65536},
    {"MessageRetentionPeriod", "retention_seconds", 60, 604800},
    {"VisibilityTimeout", "visibility_timeout", 1, 43200},
    {"PollingWaitSeconds", "wait_seconds", 0, QUEUE_WAIT_MAX_S},
};
#define MNS_NQATTRS (sizeof(compat_mns_qattrs) / sizeof(compat_mns_qattrs[0]))

/* <Queue> children -> the queue service's attributes (new object). An
 * empty body gives none. */
static int
compat_mns_queue_attrs(json_t **out, const struct mns_req *r)
{
    struct mns_xml *x = NULL;
    json_t *a = json_object();
    const char *t;
    int64_t v;
    int logging, rc = 0;

    *out = NULL;
    if (r->c->req->body_len && (rc = compat_mns_body(&x, r, "Queue", NULL)))
        goto fail;
    for (size_t i = 0; x && i < MNS_NQATTRS; i++) {
        if ((t = compat_mns_xml_text(x, compat_mns_qattrs[i].xml)) == NULL)
            continue;
        if ((rc = compat_mns_int(&v, t, compat_mns_qattrs[i].xml,
                                 compat_mns_qattrs[i].min,
                                 compat_mns_qattrs[i].max)))
            goto fail;
        json_object_set_new(a, compat_mns_qattrs[i].key, json_integer(v));
    }
    /* checked, not kept: the engine keeps no access logs */
    if (x && (t = compat_mns_xml_text(x, "LoggingEnabled")) &&
        (rc = compat_mns_bool(&logging, t, "LoggingEnabled")))
        goto fail;
    compat_mns_xml_free(x);
    *out = a;
    return 0;
fail:
    compat_mns_xml_free(x);
    json_decref(a);
    return rc;
}

/* A queue, topic or subscription name: letters, digits and '-', starting
 * with a letter or digit, at most 256; refused with the codes given. */
int
compat_mns_name_ok(const char *name, const char *what, const char *invalid,
                   const char *length)
{
    size_t n = strlen(name);

    if (n > 256)
        return err_setn(ENG_EINVAL, length,
                        "a %s name is at most 256 characters; this one has "
                        "%zu",
                        what, n);
    if (n == 0 || !isalnum((unsigned char)name[0]) ||
        !compat_chars_ok(name, n, "-"))
        return err_setn(ENG_EINVAL, invalid,
                        "%s name '%.80s' must be letters, digits and '-', "
                        "starting with a letter or digit",
                        what, name);
    return 0;
}

/* The attributes of queue q (as queue_get gives it) as children. */
static void
compat_mns_queue_body(struct buf *b, const json_t *q)
{
    const json_t *counts = json_object_get(q, "counts");

    compat_xml_elem(b, "QueueName",
                    json_string_value(json_object_get(q, "name")));
    compat_mns_int_elem(b, "CreateTime",
                        compat_mns_ms(json_object_get(q, "created")) / 1000);
    compat_mns_int_elem(b, "LastModifyTime",
                        compat_mns_ms(json_object_get(q, "modified")) / 1000);
    for (size_t i = 0; i < MNS_NQATTRS; i++)
        compat_mns_int_elem(
            b, compat_mns_qattrs[i].xml,
            json_integer_value(json_object_get(q, compat_mns_qattrs[i].key)));
    compat_mns_int_elem(b, "ActiveMessages",
                        json_integer_value(json_object_get(counts, "visible")));
    compat_mns_int_elem(
        b, "InactiveMessages",
        json_integer_value(json_object_get(counts, "in_flight")));
    compat_mns_int_elem(b, "DelayMessages",
                        json_integer_value(json_object_get(counts, "delayed")));
    compat_xml_elem(b, "LoggingEnabled", "False");
}

static int
compat_mns_queue_put(struct mns_req *r, struct http_resp *resp)
{
    struct queue_service *qs = r->c->cp->eng->queues;
    const char *name = r->seg[0], *mo = compat_mns_query(r, "metaoverride");
    json_t *attrs = NULL, *q = NULL;
    int over = 0, created = 0, rc;
    char *path;

    if ((mo && (rc = compat_mns_bool(&over, mo, "metaoverride"))) ||
        (rc = compat_mns_queue_attrs(&attrs, r)))
        return compat_mns_fail(r, resp, rc);
    if (over) {
        rc = queue_set(&q, qs, name, attrs);
        json_decref(attrs);
        json_decref(q);
        if (rc)
            return compat_mns_fail(r, resp, rc);
        compat_mns_reply(r, resp, 204, NULL);
        return 0;
    }
    if ((rc = compat_mns_name_ok(name, "queue", "InvalidQueueName",
                                   "QueueNameLengthError"))) {
        json_decref(attrs);
        return compat_mns_fail(r, resp, rc);
    }
    /* a new queue takes MNS's default size; an existing one is compared
     * on the attributes given only */
    if (queue_get(&q, qs, name) == ENG_ENOTFOUND &&
        !json_object_get(attrs, "max_message_size"))
        json_object_set_new(attrs, "max_message_size", json_integer(65536));
    json_decref(q);
    err_clear();
    rc = queue_create(&q, &created, qs, name, attrs);
    json_decref(attrs);
    json_decref(q);
    if (rc)
        return compat_mns_fail(r, resp, rc);
    path = xasprintf("/queues/%s", name);
    compat_mns_reply_at(r, resp, created ? 201 : 204, path);
    free(path);
    return 0;
}

static int
compat_mns_queue_get(struct mns_req *r, struct http_resp *resp)
{
    json_t *q = NULL;
    struct buf b;
    int rc;

    if ((rc = queue_get(&q, r->c->cp->eng->queues, r->seg[0])))
        return compat_mns_fail(r, resp, rc);
    buf_init(&b, 0);
    compat_mns_open(&b, "Queue");
    compat_mns_queue_body(&b, q);
    buf_puts(&b, "</Queue>");
    json_decref(q);
    compat_mns_reply(r, resp, 200, &b);
    return 0;
}

static int
compat_mns_queue_delete(struct mns_req *r, struct http_resp *resp)
{
    int rc = queue_delete(r->c->cp->eng->queues, r->seg[0]);

    if (rc)
        return compat_mns_fail(r, resp, rc);
    compat_mns_reply(r, resp, 204, NULL);
    return 0;
}

static int
compat_mns_queue_list(struct mns_req *r, struct http_resp *resp)
{
    const char *prefix, *marker, *next;
    json_t *page = NULL, *q;
    int limit, meta, rc;
    struct buf b;
    size_t i;

    if ((rc = compat_mns_list_args(r, &prefix, &marker, &limit, &meta)) ||
        (rc = queue_list(&page, r->c->cp->eng->queues, prefix, marker, limit)))
        return compat_mns_fail(r, resp, rc);
    buf_init(&b, 0);
    compat_mns_open(&b, "Queues");
    json_array_foreach(json_object_get(page, "items"), i, q)
    {
        const char *name = json_string_value(json_object_get(q, "name"));

        buf_printf(&b, "<Queue><QueueURL>%s/queues/", r->host);
        compat_xml_escape(&b, name, strlen(name));
        buf_puts(&b, "</QueueURL>");
        if (meta)
            compat_mns_queue_body(&b, q);
        buf_puts(&b, "</Queue>");
    }
    if ((next = json_string_value(json_object_get(page, "next"))))
        compat_xml_elem(&b, "NextMarker", next);
    buf_puts(&b, "</Queues>");
    json_decref(page);
    compat_mns_reply(r, resp, 200, &b);
    return 0;
}

/* ---- routing ---- */

static const struct {
    enum http_method method;
    const char *path; /* ':' is one name */
    mns_fn fn;
} compat_mns_routes[] = {
    {HTTP_GET, "queues", compat_mns_queue_list},
    {HTTP_PUT, "queues/:", compat_mns_queue_put},
    {HTTP_GET, "queues/:", compat_mns_queue_get},
    {HTTP_DELETE, "queues/:", compat_mns_queue_delete},
    {HTTP_POST, "queues/:/messages", compat_mns_msg_send},
    {HTTP_GET, "queues/:/messages", compat_mns_msg_receive},
    {HTTP_DELETE, "queues/:/messages", compat_mns_msg_delete},
    {HTTP_PUT, "queues/:/messages", compat_mns_msg_visibility},
    {HTTP_GET, "topics", compat_mns_topic_list},
    {HTTP_PUT, "topics/:", compat_mns_topic_put},
    {HTTP_GET, "topics/:", compat_mns_topic_get},
    {HTTP_DELETE, "topics/:", compat_mns_topic_delete},
    {HTTP_POST, "topics/:/messages", compat_mns_publish},
    {HTTP_GET, "topics/:/subscriptions", compat_mns_sub_list},
    {HTTP_PUT, "topics/:/subscriptions/:", compat_mns_sub_put},
    {HTTP_GET, "topics/:/subscriptions/:", compat_mns_sub_get},
    {HTTP_DELETE, "topics/:/subscriptions/:", compat_mns_sub_delete},
};

/*
 * Does `path` (segments split in place) fit `pattern`? The names the
 * ':' take go to r->seg. Returns: 1 or 0.
 */
static int
compat_mns_match(struct mns_req *r, char *const *segs, int nsegs,
                 const char *pattern)
{
    char pat[64];
    char *save = NULL, *p;
    int i = 0, k = 0;

    snprintf(pat, sizeof(pat), "%s", pattern);
    for (p = strtok_r(pat, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
        if (i >= nsegs)
            return 0;
        if (strcmp(p, ":") == 0) {
            if (k >= 4)
                return 0;
            r->seg[k++] = segs[i];
        } else if (strcmp(p, segs[i]) != 0) {
            return 0;
        }
        i++;
    }
    return i == nsegs;
}

int
compat_mns(struct compat_call *c, struct http_resp *resp)
{
    struct mns_req r;
    const char *path = c->req->path;
    char *copy, *segs[8], *save = NULL, *p;
    int nsegs = 0, rc, path_ok = 0;

    memset(&r, 0, sizeof(r));
    r.c = c;
    r.host = compat_base_url(c);
    r.query = http_req_values(c->req, 0);
    /* an absolute-URI request target (a client behind a proxy setting) */
    if (strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0)
        path = strchr(strstr(path, "://") + 3, '/');
    if (path == NULL)
        path = "/";
    copy = xstrdup(path);
    for (p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
        if (nsegs == 8)
            break;
        segs[nsegs++] = p;
    }
    if (p == NULL) {
        for (size_t i = 0;
             i < sizeof(compat_mns_routes) / sizeof(compat_mns_routes[0]);
             i++) {
            if (!compat_mns_match(&r, segs, nsegs, compat_mns_routes[i].path))
                continue;
            path_ok = 1;
            if (compat_mns_routes[i].method != c->req->method)
                continue;
            rc = compat_mns_routes[i].fn(&r, resp);
            goto out;
        }
    }
    rc = compat_mns_fail(
        &r, resp,
        err_setn(ENG_EINVAL, "InvalidRequestURL",
                 path_ok ? "MNS has no %s operation on '%.200s'"
                         : "no MNS resource is %s '%.200s' (queues, "
                           "queues/NAME, queues/NAME/messages, topics, "
                           "topics/NAME, topics/NAME/messages, "
                           "topics/NAME/subscriptions[/NAME])",
                 c->req->method_name, path));
out:
    free(copy);
    free(r.host);
    json_decref(r.query);
    return rc;
}
