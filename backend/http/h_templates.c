/*
 * h_templates: /v1/templates (the catalog) and /v1/stacks (deploys), over
 * the template service.
 */
#include "http/handlers.h"

#include "core/engine.h"
#include "tmpl/tmpl.h"

static struct tmpl_service *
h_tmpl(struct http_req *req)
{
    return req->eng->tmpl;
}

int
h_templates_list(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = tmpl_list(&out, h_tmpl(req));

    return rc ? rc : http_reply_json_new(resp, 200, out);
}

int
h_templates_get(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = tmpl_show(&out, h_tmpl(req), req->params[0]);

    return rc ? rc : http_reply_json_new(resp, 200, out);
}

int
h_stacks_deploy(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int created, rc = tmpl_deploy(&out, &created, h_tmpl(req), req->json);

    return rc ? rc : http_reply_json_new(resp, created ? 201 : 200, out);
}

int
h_stacks_list(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = tmpl_stack_list(&out, h_tmpl(req));

    return rc ? rc : http_reply_json_new(resp, 200, out);
}

int
h_stacks_get(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = tmpl_stack_get(&out, h_tmpl(req), req->params[0]);

    return rc ? rc : http_reply_json_new(resp, 200, out);
}

int
h_stacks_events(struct http_req *req, struct http_resp *resp)
{
    int64_t limit, after;
    json_t *out;
    int rc;

    if ((rc = http_req_query_int(&limit, req, "limit", 100, 1, 1000)) ||
        (rc = http_req_query_cursor(&after, req, "cursor")) ||
        (rc = tmpl_stack_events(&out, h_tmpl(req), req->params[0], after,
                                (int)limit)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_stacks_delete(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = tmpl_stack_delete(&out, h_tmpl(req), req->params[0]);

    return rc ? rc : http_reply_json_new(resp, 200, out);
}
