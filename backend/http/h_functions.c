/*
 * h_functions: /v1/functions — definitions, invocations (an invoke
 * parks the request until the function answers), queue triggers, and
 * the HTTP trigger at /v1/functions/{name}/http/..., which hands the
 * request to the function as an event and answers with its result.
 */
#include "http/handlers.h"

#include "common/digest.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "fn/fn.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct fn_service *
h_fs(struct http_req *req)
{
    return req->eng->fns;
}

int
h_functions_list(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc;

    if ((rc = fn_list(&out, h_fs(req))))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_functions_create(struct http_req *req, struct http_resp *resp)
{
    const char *name = NULL;
    json_t *out;
    int rc, created;

    if ((rc = jsonx_get_str(&name, req->json, "name", 1)) ||
        (rc = fn_create(&out, &created, h_fs(req), name, req->json)))
        return rc;
    return http_reply_json_new(resp, created ? 201 : 200, out);
}

int
h_functions_get(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc;

    if ((rc = fn_get(&out, h_fs(req), req->params[0])))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_functions_delete(struct http_req *req, struct http_resp *resp)
{
    int rc;

    if ((rc = fn_delete(h_fs(req), req->params[0])))
        return rc;
    return http_reply_empty(resp, 204);
}

/* ---- invocations ---- */

/* A request waiting for an invocation; the park's cancel marks it gone
 * and the invocation's end frees it. */
struct h_fn_wait {
    struct http_park *park;
    int gone;
    int http; /* the HTTP trigger: answer as the function says */
};

static void
h_functions_cancel(struct http_park *p, void *arg)
{
    struct h_fn_wait *w = arg;

    (void)p;
    w->gone = 1;
    w->park = NULL;
}

/* The HTTP trigger's answer from a finished invocation. */
static void
h_functions_http_resp(struct http_resp *resp, const json_t *inv)
{
    const char *status = json_string_value(json_object_get(inv, "status"));
    const json_t *res = json_object_get(inv, "result");
    const json_t *code = json_object_get(res, "statusCode");
    const json_t *hdrs = json_object_get(res, "headers");
    const json_t *body = json_object_get(res, "body");
    const char *ctype = NULL, *k;
    json_t *v;
    int nh = 0;

    if (strcmp(status, "succeeded") != 0) {
        http_reply_json_new(
            resp, status[0] == 't' ? 504 : 502,
            json_pack("{s:s, s:s, s:O?, s:O?}", "code", "FunctionFailed",
                      "message",
                      json_string_value(json_object_get(inv, "cause"))
                          ? json_string_value(json_object_get(inv, "cause"))
                          : "the function failed",
                      "error", json_object_get(inv, "error"), "invocation",
                      json_object_get(inv, "id")));
        return;
    }
    if (!json_is_object(res) || !json_is_integer(code)) {
        http_reply_json_new(resp, 200, json_incref((json_t *)res));
        return;
    }
    if (json_is_string(body)) {
        http_reply_take(resp, 200, NULL,
                        xstrndup(json_string_value(body),
                                 json_string_length(body)),
                        json_string_length(body));
        ctype = "text/plain; charset=utf-8";
    } else if (body && !json_is_null(body)) {
        http_reply_json_new(resp, 200, json_incref((json_t *)body));
        ctype = "application/json";
    } else {
        http_reply_empty(resp, 200);
    }
    resp->status = json_integer_value(code) >= 100 &&
                           json_integer_value(code) <= 599
                       ? (int)json_integer_value(code)
                       : 502;
    resp->content_type = NULL;
    json_object_foreach((json_t *)hdrs, k, v) {
        if (!json_is_string(v) || nh == HTTP_MAX_HEADERS - 2 ||
            strpbrk(k, "\r\n:") || strpbrk(json_string_value(v), "\r\n"))
            continue;
        if (strcasecmp(k, "Content-Type") == 0)
            ctype = NULL;
        http_resp_header(resp, k, json_string_value(v));
        nh++;
    }
    if (ctype)
        http_resp_header(resp, "Content-Type", ctype);
}

static void
h_functions_done(const json_t *inv, void *arg)
{
    struct h_fn_wait *w = arg;
    struct http_resp resp;

    if (!w->gone) {
        memset(&resp, 0, sizeof(resp));
        if (w->http)
            h_functions_http_resp(&resp, inv);
        else
            http_reply_json_new(&resp, 200, json_deep_copy(inv));
        http_park_resume(w->park, &resp);
    }
    free(w);
}

int
h_functions_invoke(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"event", "async", NULL};
    const json_t *event = json_object_get(req->json, "event");
    struct h_fn_wait *w;
    int async = 0, rc;
    char *id = NULL;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = jsonx_get_bool(&async, req->json, "async", 0)))
        return rc;
    if (async) {
        if ((rc = fn_invoke(&id, h_fs(req), req->params[0], event, "cli",
                            NULL, NULL)))
            return rc;
        {
            json_t *o = json_pack("{s:s, s:s}", "id", id, "status", "queued");

            free(id);
            return http_reply_json_new(resp, 202, o);
        }
    }
    w = xcalloc(1, sizeof(*w));
    if ((rc = fn_invoke(NULL, h_fs(req), req->params[0], event, "cli",
                        h_functions_done, w))) {
        free(w);
        return rc;
    }
    w->park = http_req_park(req, h_functions_cancel, w);
    return HTTP_PARKED;
}

int
h_functions_http(struct http_req *req, struct http_resp *resp)
{
    struct h_fn_wait *w;
    json_t *event, *body;
    char *path;
    int rc, b64enc = 0;

    (void)resp;
    path = xasprintf("/%s", req->nparams > 1 ? req->params[1] : "");
    body = json_stringn(req->body, req->body_len);
    if (body == NULL) {
        /* not UTF-8: the body goes as base64 */
        char *b64 = xmalloc(DIGEST_BASE64_SIZE(req->body_len));

        digest_base64(b64, req->body, req->body_len);
        body = json_string(b64);
        free(b64);
        b64enc = 1;
    }
    event = json_pack("{s:s, s:s, s:o, s:o, s:o, s:b}", "method",
                      req->method_name ? req->method_name : "GET", "path",
                      path, "query", http_req_values(req, 0), "headers",
                      http_req_values(req, 1), "body", body,
                      "isBase64Encoded", b64enc);
    free(path);
    w = xcalloc(1, sizeof(*w));
    w->http = 1;
    rc = fn_invoke(NULL, h_fs(req), req->params[0], event, "http",
                   h_functions_done, w);
    json_decref(event);
    if (rc) {
        free(w);
        return rc;
    }
    w->park = http_req_park(req, h_functions_cancel, w);
    return HTTP_PARKED;
}

int
h_functions_invocations(struct http_req *req, struct http_resp *resp)
{
    int64_t cursor, limit;
    json_t *out;
    int rc;

    if ((rc = http_req_query_cursor(&cursor, req, "cursor")) ||
        (rc = http_req_query_int(&limit, req, "limit", 50, 1, 1000)) ||
        (rc = fn_invocations(&out, h_fs(req), req->params[0], cursor,
                             (int)limit)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_functions_invocation_get(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc;

    if ((rc = fn_invocation_get(&out, h_fs(req), req->params[1])))
        return rc;
    if (strcmp(json_string_value(json_object_get(out, "function")),
               req->params[0]) != 0) {
        json_decref(out);
        return err_setn(ENG_ENOTFOUND, "InvocationNotFound",
                        "function '%s' has no invocation '%s'",
                        req->params[0], req->params[1]);
    }
    return http_reply_json_new(resp, 200, out);
}

/* ---- triggers ---- */

int
h_functions_triggers(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc;

    if ((rc = fn_trigger_list(&out, h_fs(req), req->params[0])))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_functions_trigger_create(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc;

    if ((rc = fn_trigger_create(&out, h_fs(req), req->params[0], req->json)))
        return rc;
    return http_reply_json_new(resp, 201, out);
}

int
h_functions_trigger_get(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc;

    if ((rc = fn_trigger_get(&out, h_fs(req), req->params[0],
                             req->params[1])))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_functions_trigger_delete(struct http_req *req, struct http_resp *resp)
{
    int rc;

    if ((rc = fn_trigger_delete(h_fs(req), req->params[0], req->params[1])))
        return rc;
    return http_reply_empty(resp, 204);
}

int
h_functions_trigger_pause(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc;

    if ((rc = fn_trigger_enable(&out, h_fs(req), req->params[0],
                                req->params[1], 0)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_functions_trigger_resume(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc;

    if ((rc = fn_trigger_enable(&out, h_fs(req), req->params[0],
                                req->params[1], 1)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}
