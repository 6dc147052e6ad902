/*
 * h_flows: /v1/flows — deploy (create or update), validate, list, show
 * (any version), delete, versions and diffs of flow definitions.
 */
#include "http/handlers.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "core/engine.h"
#include "flow/exec.h"
#include "flow/flow_defs.h"

#include <string.h>

int
h_flows_list(struct http_req *req, struct http_resp *resp)
{
    int64_t limit;
    json_t *out;
    int rc;

    if ((rc = http_req_query_int(&limit, req, "limit", 50, 1, 1000)) ||
        (rc = flow_defs_list(&out, req->eng->flows,
                             http_req_query(req, "cursor"), (int)limit)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_flows_deploy(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"name", "definition", "description",
                                       NULL};
    const char *name = NULL, *description = NULL;
    const json_t *def = json_object_get(req->json, "definition");
    json_t *out;
    int created, rc;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = jsonx_get_str(&name, req->json, "name", 1)) ||
        (rc = jsonx_get_str(&description, req->json, "description", 0)))
        return rc;
    if (!json_is_string(def))
        return err_set(ENG_EINVAL, "field 'definition' is required: the "
                                   "flow's FDL text (YAML or JSON)");
    if ((rc = flow_defs_deploy(&out, &created, req->eng->flows, name,
                               json_string_value(def),
                               json_string_length(def), description)))
        return rc;
    return http_reply_json_new(resp, created ? 201 : 200, out);
}

int
h_flows_validate(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"definition", NULL};
    const json_t *def = json_object_get(req->json, "definition");
    json_t *out;
    int rc;

    if ((rc = jsonx_check_keys(req->json, keys)))
        return rc;
    if (!json_is_string(def))
        return err_set(ENG_EINVAL, "field 'definition' is required: the "
                                   "flow's FDL text (YAML or JSON)");
    if ((rc = flow_defs_validate(&out, json_string_value(def),
                                 json_string_length(def))))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_flows_get(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = flow_defs_get(&out, req->eng->flows, req->params[0],
                           http_req_query(req, "version"));

    return rc ? rc : http_reply_json_new(resp, 200, out);
}

int
h_flows_delete(struct http_req *req, struct http_resp *resp)
{
    int rc = flow_defs_delete(req->eng->flows, req->params[0]);

    /* its executions go with it (after the flow: a missing flow is 404) */
    if (rc == 0)
        rc = exec_forget_flow(req->eng->execs, req->params[0]);

    return rc ? rc : http_reply_empty(resp, 204);
}

int
h_flows_versions(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = flow_defs_versions(&out, req->eng->flows, req->params[0]);

    return rc ? rc : http_reply_json_new(resp, 200, out);
}

int
h_flows_diff(struct http_req *req, struct http_resp *resp)
{
    const char *from = http_req_query(req, "from");
    const char *to = http_req_query(req, "to");
    json_t *out;
    int rc;

    if (from == NULL)
        return err_set(ENG_EINVAL, "parameter 'from' (a version) is "
                                   "required");
    if ((rc = flow_defs_diff(&out, req->eng->flows, req->params[0], from,
                             to)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}
