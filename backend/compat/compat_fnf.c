/*
 * compat_fnf: the Serverless Workflow RPC protocol (FnF OpenAPI
 * 2019-03-15) on the engine's port: one path, GET or POST, parameters
 * from the query and a form body merged, Action from the parameters or
 * the x-acs-action header; flat JSON answers with RequestId and the
 * {Code, Message, RequestId, HostId} error envelope (spec §2). This file
 * holds the transport (dispatch, errors) and the flow actions, which
 * call the flow definitions service; compat_fnf_exec.c holds executions
 * and tasks. RPC v1 signatures are checked before, by compat_sig. Engine
 * thread only.
 */
#include "compat/compat_fnf.h"

#include "common/digest.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "flow/exec.h"
#include "flow/flow_defs.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- parameters and answers ---- */

const char *
compat_fnf_opt(const struct compat_call *c, const char *key)
{
    const char *v = compat_param(c, key);

    return v && *v ? v : NULL;
}

int
compat_fnf_need(const char **out, const struct compat_call *c, const char *key)
{
    *out = compat_fnf_opt(c, key);
    if (*out == NULL)
        return err_setn(ENG_EINVAL, "MissingRequiredParams",
                        "the parameter '%s' must be specified", key);
    return 0;
}

int
compat_fnf_int(int64_t *out, const struct compat_call *c, const char *key,
               int64_t def, int64_t min, int64_t max)
{
    const char *v = compat_fnf_opt(c, key);
    char *end;
    long long n;

    *out = def;
    if (v == NULL)
        return 0;
    n = strtoll(v, &end, 10);
    if (*end != '\0' || end == v || n < min || n > max)
        return err_setn(ENG_EINVAL, "InvalidArgument",
                        "the parameter '%s' must be an integer from %lld to "
                        "%lld, not '%.40s'",
                        key, (long long)min, (long long)max, v);
    *out = n;
    return 0;
}

json_t *
compat_fnf_obj(const struct compat_call *c)
{
    return json_pack("{s:s}", "RequestId", c->request_id);
}

int
compat_fnf_send(const struct compat_call *c, struct http_resp *resp,
                json_t *body)
{
    http_reply_json_new(resp, 200, body);
    http_resp_header(resp, "x-acs-request-id", c->request_id);
    return 0;
}

char *
compat_fnf_host_id(const struct compat_call *c)
{
    char *url = compat_base_url(c), *host = xstrdup(url + 7); /* http:// */

    free(url);
    return host;
}

/* What each error becomes: the service's (or our own) code name, the
 * FnF Code and the HTTP status. */
static const struct {
    const char *name;
    const char *code;
    int status;
} fnf_codes[] = {
    {"FlowNotFound", "FlowNotExists", 404},
    {"FlowNotExists", "FlowNotExists", 404},
    {"ExecutionNotFound", "ExecutionNotExists", 404},
    {"ExecutionNotExists", "ExecutionNotExists", 404},
    {"ExecutionAlreadyExists", "ExecutionAlreadyExists", 409},
    {"FlowAlreadyExists", "FlowAlreadyExists", 409},
    {"TaskNotWaiting", "TaskAlreadyCompleted", 400},
    {"TaskAlreadyCompleted", "TaskAlreadyCompleted", 400},
    {"TaskNotFound", "InvalidArgument", 400},
    {"MissingRequiredParams", "MissingRequiredParams", 400},
    {"ActionNotSupported", "ActionNotSupported", 400},
    {"APIVersionNotSupported", "APIVersionNotSupported", 400},
    {"SignatureNotMatch", "SignatureNotMatch", 400},
    {"InvalidAccessKeyID", "InvalidAccessKeyID", 403},
};

static void
fnf_code_for(const char **code, int *status, int rc)
{
    const char *name = err_last_name();

    for (size_t i = 0; i < sizeof(fnf_codes) / sizeof(fnf_codes[0]); i++) {
        if (strcmp(fnf_codes[i].name, name) == 0) {
            *code = fnf_codes[i].code;
            *status = fnf_codes[i].status;
            return;
        }
    }
    switch (rc) {
    case ENG_EINVAL:
    case ENG_ECONFLICT:
    case ENG_ENOTFOUND: /* e.g. a flow version that is not there */
    case ENG_EGONE:
        *code = "InvalidArgument";
        *status = 400;
        break;
    case ENG_EEXISTS:
        *code = "InvalidArgument";
        *status = 409;
        break;
    case ENG_ETOOBIG:
        *code = "EntityTooLarge";
        *status = 400;
        break;
    case ENG_EAUTH:
        *code = "AccessDenied";
        *status = 403;
        break;
    case ENG_EUNAVAIL:
    case ENG_EBUSY:
        *code = "ServiceUnavailable";
        *status = 503;
        break;
    default:
        *code = "InternalServerError";
        *status = 500;
    }
}

void
compat_fnf_error_resp(struct http_resp *resp, int rc, const char *request_id,
                      const char *host_id)
{
    const char *code;
    int status;

    fnf_code_for(&code, &status, rc);
    http_reply_json_new(resp, status,
                        json_pack("{s:s, s:s, s:s, s:s}", "RequestId",
                                  request_id, "HostId", host_id, "Code", code,
                                  "Message", err_last()));
    http_resp_header(resp, "x-acs-request-id", request_id);
}

/* A RequestId parameter names the request (older SDKs send one). */
static void
fnf_take_request_id(struct compat_call *c)
{
    const char *id = compat_fnf_opt(c, "RequestId");
    size_t n = id ? strlen(id) : 0;

    if (n > 0 && n < sizeof(c->request_id) && compat_chars_ok(id, n, "-_."))
        memcpy(c->request_id, id, n + 1);
}

void
compat_fnf_error(struct compat_call *c, struct http_resp *resp, int rc)
{
    char *host = compat_fnf_host_id(c);

    fnf_take_request_id(c);
    compat_fnf_error_resp(resp, rc, c->request_id, host);
    free(host);
}

/* ---- flows ---- */

static struct flow_defs *
fnf_flows(const struct compat_call *c)
{
    return c->cp->eng->flows;
}

static struct store *
fnf_store(const struct compat_call *c)
{
    return c->cp->eng->store;
}

/* The role a flow was given (kept in the store's meta facts, tied to the
 * flow's creation time so a flow made again starts without one). */
static char *
fnf_role_key(const char *flow)
{
    return xasprintf("fnf.flow.role/%s", flow);
}

static char *
fnf_role_get(const struct compat_call *c, const char *flow, const char *created)
{
    char *key = fnf_role_key(flow), *text = store_meta_get(fnf_store(c), key);
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    const char *role = json_string_value(json_object_get(j, "role_arn"));
    const char *when = json_string_value(json_object_get(j, "created"));
    char *out = xstrdup(role && when && strcmp(when, created) == 0 ? role : "");

    json_decref(j);
    free(text);
    free(key);
    return out;
}

static int
fnf_role_set(const struct compat_call *c, const char *flow, const char *created,
             const char *role)
{
    char *key = fnf_role_key(flow), *text;
    json_t *j = json_pack("{s:s, s:s}", "created", created, "role_arn", role);
    int rc;

    text = jsonx_dump(j);
    rc = store_meta_set(fnf_store(c), key, text);
    free(text);
    json_decref(j);
    free(key);
    return rc;
}

/* A stable Id for a flow: a UUID-shaped digest of its name and creation
 * time. */
static void
fnf_flow_id(char *out, const char *name, const char *created)
{
    unsigned char md[16];
    char hex[DIGEST_MD5_HEX];
    char *text = xasprintf("%s\n%s", name, created);

    digest_md5(md, text, strlen(text));
    free(text);
    digest_hex(hex, md, sizeof(md));
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
             hex + 16, hex + 20);
}

/* A flow as FnF describes it; `f` is flow_defs_get's (borrowed). */
static void
fnf_flow_fields(const struct compat_call *c, json_t *into, const json_t *f)
{
    const char *name = json_string_value(json_object_get(f, "name"));
    const char *created = json_string_value(json_object_get(f, "created"));
    const char *def = json_string_value(json_object_get(f, "definition"));
    const char *desc = json_string_value(json_object_get(f, "description"));
    const json_t *modified = json_object_get(f, "modified");
    char id[37], *role;

    if (created == NULL)
        created = "";
    fnf_flow_id(id, name, created);
    json_object_set_new(into, "Name", json_string(name));
    json_object_set_new(into, "Description", json_string(desc ? desc : ""));
    json_object_set_new(into, "Definition", json_string(def ? def : ""));
    json_object_set_new(into, "Id", json_string(id));
    json_object_set_new(into, "Type", json_string("FDL"));
    role = fnf_role_get(c, name, created);
    json_object_set_new(into, "RoleArn", json_string(role));
    free(role);
    json_object_set_new(into, "CreatedTime", json_string(created));
    json_object_set_new(into, "LastModifiedTime",
                        json_string(json_is_string(modified)
                                        ? json_string_value(modified)
                                        : created));
    json_object_set_new(into, "ExecutionMode", json_string("Standard"));
}

/* Type and ExecutionMode: only FDL flows of the Standard mode run here. */
static int
fnf_check_kind(const struct compat_call *c)
{
    const char *type = compat_fnf_opt(c, "Type");
    const char *mode = compat_fnf_opt(c, "ExecutionMode");

    if (type && strcasecmp(type, "FDL") != 0)
        return err_setn(ENG_EINVAL, "InvalidArgument",
                        "the flow Type '%.40s' is not served: flowdeck runs "
                        "FDL definitions (Type=FDL)",
                        type);
    if (mode && strcasecmp(mode, "Standard") != 0)
        return err_setn(ENG_EINVAL, "InvalidArgument",
                        "the ExecutionMode '%.40s' is not served: flowdeck "
                        "runs Standard flows",
                        mode);
    return 0;
}

/* Deploy, keep the role, answer with the flow. */
static int
fnf_deploy(struct compat_call *c, struct http_resp *resp, const char *name,
           const char *def, size_t len, const char *desc, const char *role)
{
    json_t *f = NULL, *body;
    int created, rc;

    if ((rc = flow_defs_deploy(&f, &created, fnf_flows(c), name, def, len,
                               desc)))
        return rc;
    if (role && (rc = fnf_role_set(
                     c, name, json_string_value(json_object_get(f, "created")),
                     role))) {
        json_decref(f);
        return rc;
    }
    body = compat_fnf_obj(c);
    fnf_flow_fields(c, body, f);
    json_decref(f);
    return compat_fnf_send(c, resp, body);
}

static int
fnf_create_flow(struct compat_call *c, struct http_resp *resp)
{
    const char *name, *def, *desc = compat_param(c, "Description");
    json_t *old = NULL;
    int rc;

    if ((rc = compat_fnf_need(&name, c, "Name")) ||
        (rc = compat_fnf_need(&def, c, "Definition")) ||
        (rc = fnf_check_kind(c)) || (rc = flow_defs_check_name(name)))
        return rc;
    if (flow_defs_get(&old, fnf_flows(c), name, NULL) == 0) {
        json_decref(old);
        return err_setn(ENG_EEXISTS, "FlowAlreadyExists",
                        "flow '%s' already exists", name);
    }
    err_clear();
    return fnf_deploy(c, resp, name, def, strlen(def), desc ? desc : "",
                      compat_param(c, "RoleArn") ? compat_param(c, "RoleArn")
                                                 : "");
}

static int
fnf_update_flow(struct compat_call *c, struct http_resp *resp)
{
    const char *name, *def;
    json_t *old = NULL;
    int rc;

    if ((rc = compat_fnf_need(&name, c, "Name")) || (rc = fnf_check_kind(c)) ||
        (rc = flow_defs_get(&old, fnf_flows(c), name, NULL)))
        return rc;
    def = compat_fnf_opt(c, "Definition");
    if (def == NULL)
        def = json_string_value(json_object_get(old, "definition"));
    rc = fnf_deploy(c, resp, name, def, strlen(def),
                    compat_param(c, "Description"), compat_param(c, "RoleArn"));
    json_decref(old);
    return rc;
}

static int
fnf_describe_flow(struct compat_call *c, struct http_resp *resp)
{
    const char *name;
    json_t *f, *body;
    int rc;

    if ((rc = compat_fnf_need(&name, c, "Name")) ||
        (rc = flow_defs_get(&f, fnf_flows(c), name,
                            compat_fnf_opt(c, "FlowVersion"))))
        return rc;
    body = compat_fnf_obj(c);
    fnf_flow_fields(c, body, f);
    json_decref(f);
    return compat_fnf_send(c, resp, body);
}

static int
fnf_list_flows(struct compat_call *c, struct http_resp *resp)
{
    json_t *page = NULL, *flows = json_array(), *item, *body;
    int64_t limit;
    size_t i;
    int rc;

    if ((rc = compat_fnf_int(&limit, c, "Limit", 60, 1, 1000)) ||
        (rc = flow_defs_list(&page, fnf_flows(c),
                             compat_fnf_opt(c, "NextToken"), (int)limit))) {
        json_decref(flows);
        return rc;
    }
    json_array_foreach(json_object_get(page, "items"), i, item) {
        const char *name = json_string_value(json_object_get(item, "name"));
        json_t *f, *o;

        if (flow_defs_get(&f, fnf_flows(c), name, NULL))
            continue; /* not in this change: cannot happen */
        o = json_object();
        fnf_flow_fields(c, o, f);
        json_decref(f);
        json_array_append_new(flows, o);
    }
    err_clear();
    body = compat_fnf_obj(c);
    json_object_set_new(body, "Flows", flows);
    if (json_object_get(page, "next"))
        json_object_set(body, "NextToken", json_object_get(page, "next"));
    json_decref(page);
    return compat_fnf_send(c, resp, body);
}

static int
fnf_delete_flow(struct compat_call *c, struct http_resp *resp)
{
    const char *name;
    int rc;

    if ((rc = compat_fnf_need(&name, c, "Name")) ||
        (rc = flow_defs_delete(fnf_flows(c), name)) ||
        /* its executions go with it, as the engine API's delete does */
        (rc = exec_forget_flow(c->cp->eng->execs, name)))
        return rc;
    return compat_fnf_send(c, resp, compat_fnf_obj(c));
}

/* ---- dispatch ---- */

static const struct {
    const char *action;
    compat_fn fn;
} fnf_actions[] = {
    {"CreateFlow", fnf_create_flow},
    {"DeleteFlow", fnf_delete_flow},
    {"DescribeExecution", compat_fnf_describe_execution},
    {"DescribeFlow", fnf_describe_flow},
    {"GetExecutionHistory", compat_fnf_get_execution_history},
    {"ListExecutions", compat_fnf_list_executions},
    {"ListFlows", fnf_list_flows},
    {"ReportTaskFailed", compat_fnf_report_task_failed},
    {"ReportTaskSucceeded", compat_fnf_report_task_succeeded},
    {"StartExecution", compat_fnf_start_execution},
    {"StopExecution", compat_fnf_stop_execution},
    {"UpdateFlow", fnf_update_flow},
};

int
compat_fnf(struct compat_call *c, struct http_resp *resp)
{
    const char *format = compat_fnf_opt(c, "Format");
    int rc;

    fnf_take_request_id(c);
    if (c->req->method != HTTP_GET && c->req->method != HTTP_POST)
        rc = err_setn(ENG_EINVAL, "InvalidArgument",
                      "Serverless Workflow actions are sent with GET or "
                      "POST, not %s",
                      c->req->method_name);
    else if (strcmp(c->req->path, "/") != 0)
        rc = err_setn(ENG_EINVAL, "InvalidArgument",
                      "Serverless Workflow actions are sent to '/', not "
                      "'%.100s'",
                      c->req->path);
    else if (format && strcasecmp(format, "JSON") != 0)
        rc = err_setn(ENG_EINVAL, "InvalidArgument",
                      "Format '%.20s' is not served: flowdeck answers in "
                      "JSON",
                      format);
    else if (c->action == NULL || *c->action == '\0')
        rc = err_setn(ENG_EINVAL, "MissingRequiredParams",
                      "the parameter 'Action' (or the x-acs-action header) "
                      "must be specified");
    else
        rc = 1;
    if (rc == 1) {
        for (size_t i = 0; i < sizeof(fnf_actions) / sizeof(fnf_actions[0]);
             i++) {
            if (strcmp(fnf_actions[i].action, c->action) == 0) {
                rc = fnf_actions[i].fn(c, resp);
                if (rc < 0) {
                    http_resp_clear(resp);
                    compat_fnf_error(c, resp, rc);
                }
                return rc;
            }
        }
        rc = err_setn(ENG_EINVAL, "ActionNotSupported",
                      "the action '%.64s' is not served by flowdeck's "
                      "Serverless Workflow (FnF 2019-03-15) endpoint; see "
                      "docs/compat.md",
                      c->action);
    }
    compat_fnf_error(c, resp, rc);
    return rc;
}
