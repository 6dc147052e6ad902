/*
 * compat_fnf_exec: the Serverless Workflow actions on executions and
 * tasks — StartExecution, DescribeExecution (a long poll with
 * WaitTimeSeconds: the request is parked until the execution ends or the
 * wait is over), ListExecutions, StopExecution, GetExecutionHistory,
 * ReportTaskSucceeded and ReportTaskFailed — translated to the executor's
 * calls (flow/exec.h). Engine thread only.
 */
#include "compat/compat_fnf.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "flow/exec.h"
#include "flow/flow_defs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct exec_service *
fnf_xs(const struct compat_call *c)
{
    return c->cp->eng->execs;
}

/* The definition an execution ran: the flow's current one when it is
 * that version, else that version's. Returns: new; "" when unknown. */
static char *
fnf_definition(const struct compat_call *c, const char *flow,
               const char *version)
{
    json_t *f = NULL;
    const char *def = NULL;
    char *out;

    if (flow_defs_get(&f, c->cp->eng->flows, flow, NULL) == 0 && version &&
        strcmp(version, json_string_value(json_object_get(f, "version"))) !=
            0) {
        json_decref(f);
        f = NULL;
        flow_defs_get(&f, c->cp->eng->flows, flow, version);
    }
    def = json_string_value(json_object_get(f, "definition"));
    out = xstrdup(def ? def : "");
    json_decref(f);
    err_clear();
    return out;
}

/* Compact JSON text of `j`, "" for none. Returns: new. */
static json_t *
fnf_text(const json_t *j)
{
    char *s;
    json_t *out;

    if (j == NULL || json_is_null(j))
        return json_string("");
    s = jsonx_dump(j);
    out = json_string(s ? s : "");
    free(s);
    return out;
}

/* An execution as FnF describes it, from exec_get's description `d`. */
static void
fnf_exec_fields(json_t *into, const json_t *d, const char *definition)
{
    json_t *stopped = json_object_get(d, "stopped");

    json_object_set(into, "Name", json_object_get(d, "name"));
    json_object_set(into, "FlowName", json_object_get(d, "flow"));
    if (definition)
        json_object_set_new(into, "FlowDefinition", json_string(definition));
    if (definition) { /* MetadataOnly leaves out the data too */
        json_object_set_new(into, "Input",
                            fnf_text(json_object_get(d, "input")));
        json_object_set_new(into, "Output",
                            fnf_text(json_object_get(d, "output")));
    }
    json_object_set(into, "Status", json_object_get(d, "status"));
    json_object_set(into, "StartedTime", json_object_get(d, "started"));
    if (json_is_string(stopped))
        json_object_set(into, "StoppedTime", stopped);
    else
        json_object_set_new(into, "StoppedTime", json_string(""));
}

/* Answer with the execution `d` (stolen). */
static int
fnf_exec_send(struct compat_call *c, struct http_resp *resp, json_t *d)
{
    const char *flow = json_string_value(json_object_get(d, "flow"));
    char *def = fnf_definition(
        c, flow, json_string_value(json_object_get(d, "version")));
    json_t *body = compat_fnf_obj(c);

    fnf_exec_fields(body, d, def);
    free(def);
    json_decref(d);
    return compat_fnf_send(c, resp, body);
}

/* An execution that is not there: say so, or that its flow is not. */
static int
fnf_exec_rc(const struct compat_call *c, const char *flow, int rc)
{
    json_t *f = NULL;

    if (rc != ENG_ENOTFOUND)
        return rc;
    if (flow_defs_get(&f, c->cp->eng->flows, flow, NULL) != 0)
        return err_setn(ENG_ENOTFOUND, "FlowNotExists",
                        "flow '%.128s' does not exist", flow);
    json_decref(f);
    return err_setn(ENG_ENOTFOUND, "ExecutionNotExists",
                    "flow '%.128s' has no execution '%.128s'", flow,
                    compat_param(c, "ExecutionName"));
}

/* ---- StartExecution ---- */

/* CallbackFnFTaskToken must name a task that waits now. */
static int
fnf_check_callback(const struct compat_call *c, const char *token)
{
    json_t *t = NULL;
    const char *status;
    int rc = exec_task_get(&t, fnf_xs(c), token);

    if (rc == ENG_ENOTFOUND)
        return err_setn(ENG_EINVAL, "InvalidArgument",
                        "CallbackFnFTaskToken names no task");
    if (rc)
        return rc;
    status = json_string_value(json_object_get(t, "status"));
    if (status == NULL || strcmp(status, "waiting") != 0)
        rc = err_setn(ENG_EINVAL, "InvalidArgument",
                      "CallbackFnFTaskToken names a task that is not waiting "
                      "(it is %s)",
                      status ? status : "unknown");
    json_decref(t);
    return rc;
}

int
compat_fnf_start_execution(struct compat_call *c, struct http_resp *resp)
{
    const char *flow, *text = compat_fnf_opt(c, "Input");
    const char *token = compat_fnf_opt(c, "CallbackFnFTaskToken");
    json_t *input = NULL, *d = NULL;
    int created, rc;

    if ((rc = compat_fnf_need(&flow, c, "FlowName")))
        return rc;
    if (text) {
        if (jsonx_loads(&input, text, strlen(text)))
            return err_setn(ENG_EINVAL, "InvalidArgument",
                            "Input is not JSON: %s", err_last());
        if (!json_is_object(input)) {
            json_decref(input);
            return err_setn(ENG_EINVAL, "InvalidArgument",
                            "Input must be the JSON text of an object");
        }
    }
    if (token && (rc = fnf_check_callback(c, token))) {
        json_decref(input);
        return rc;
    }
    rc = exec_start_for(&d, &created, fnf_xs(c), flow,
                        compat_fnf_opt(c, "ExecutionName"), input, token);
    json_decref(input);
    if (rc == ENG_ENOTFOUND)
        return err_setn(ENG_ENOTFOUND, "FlowNotExists",
                        "flow '%.128s' does not exist", flow);
    if (rc)
        return rc;
    return fnf_exec_send(c, resp, d);
}

/* ---- DescribeExecution ---- */

/* A describe that waits for the execution to end. */
struct fnf_xwait {
    struct http_park *park;
    struct exec_waiter *waiter;
    char request_id[37];
    char *host_id;
    char *definition;
};

static void
fnf_xwait_free(struct fnf_xwait *w)
{
    free(w->host_id);
    free(w->definition);
    free(w);
}

static void
fnf_xwait_done(json_t *execution, void *arg)
{
    struct fnf_xwait *w = arg;
    struct http_resp resp;
    json_t *body;

    memset(&resp, 0, sizeof(resp));
    if (execution) {
        body = json_pack("{s:s}", "RequestId", w->request_id);
        fnf_exec_fields(body, execution, w->definition);
        json_decref(execution);
        http_reply_json_new(&resp, 200, body);
        http_resp_header(&resp, "x-acs-request-id", w->request_id);
    } else {
        err_setn(ENG_ENOTFOUND, "ExecutionNotExists",
                 "the execution was deleted with its flow");
        compat_fnf_error_resp(&resp, ENG_ENOTFOUND, w->request_id, w->host_id);
    }
    http_park_resume(w->park, &resp);
    fnf_xwait_free(w);
}

static void
fnf_xwait_cancel(struct http_park *p, void *arg)
{
    struct fnf_xwait *w = arg;

    (void)p;
    exec_waiter_cancel(w->waiter);
    fnf_xwait_free(w);
}

int
compat_fnf_describe_execution(struct compat_call *c, struct http_resp *resp)
{
    const char *flow, *name;
    struct fnf_xwait *w;
    json_t *d = NULL;
    int64_t wait;
    int rc;

    if ((rc = compat_fnf_need(&flow, c, "FlowName")) ||
        (rc = compat_fnf_need(&name, c, "ExecutionName")) ||
        (rc = compat_fnf_int(&wait, c, "WaitTimeSeconds", 0, 0,
                             EXEC_WAIT_MAX_S)))
        return rc;
    if ((rc = exec_get(&d, fnf_xs(c), flow, name)))
        return fnf_exec_rc(c, flow, rc);
    if (wait == 0 ||
        strcmp(json_string_value(json_object_get(d, "status")), "Running"))
        return fnf_exec_send(c, resp, d);
    w = xcalloc(1, sizeof(*w));
    w->definition = fnf_definition(
        c, flow, json_string_value(json_object_get(d, "version")));
    json_decref(d);
    d = NULL;
    rc = exec_get_wait(&d, &w->waiter, fnf_xs(c), flow, name, wait * 1000,
                       fnf_xwait_done, w);
    if (rc == EXEC_PARKED) {
        memcpy(w->request_id, c->request_id, sizeof(w->request_id));
        w->host_id = compat_fnf_host_id(c);
        w->park = http_req_park(c->req, fnf_xwait_cancel, w);
        return HTTP_PARKED;
    }
    fnf_xwait_free(w);
    if (rc)
        return fnf_exec_rc(c, flow, rc);
    return fnf_exec_send(c, resp, d);
}

/* ---- ListExecutions ---- */

/* The filters of a list that the executor's list does not apply. */
struct fnf_filter {
    const char *prefix;
    int64_t begin, end; /* ms; 0: none */
};

static int
fnf_time_param(int64_t *out, const struct compat_call *c, const char *key)
{
    const char *v = compat_fnf_opt(c, key);

    *out = 0;
    if (v && timefmt_parse_rfc3339(out, v))
        return err_setn(ENG_EINVAL, "InvalidArgument",
                        "%s must be an RFC 3339 time: %s", key, err_last());
    return 0;
}

static int
fnf_match(const struct fnf_filter *ft, const json_t *item)
{
    const char *name = json_string_value(json_object_get(item, "name"));
    const char *started = json_string_value(json_object_get(item, "started"));
    int64_t t = 0;

    if (ft->prefix && strncmp(name, ft->prefix, strlen(ft->prefix)) != 0)
        return 0;
    if ((ft->begin || ft->end) && started &&
        timefmt_parse_rfc3339(&t, started) == 0) {
        if (ft->begin && t < ft->begin)
            return 0;
        if (ft->end && t > ft->end)
            return 0;
    }
    return 1;
}

static int
fnf_cursor(int64_t *out, const char *text, const char *key)
{
    char *end;
    long long n;

    *out = 0;
    if (text == NULL)
        return 0;
    n = strtoll(text, &end, 10);
    if (*end != '\0' || end == text || n < 1)
        return err_setn(ENG_EINVAL, "InvalidArgument",
                        "%s '%.40s' is not one this endpoint gave", key, text);
    *out = n;
    return 0;
}

static int
fnf_bool(int *out, const struct compat_call *c, const char *key)
{
    const char *v = compat_fnf_opt(c, key);

    *out = 0;
    if (v == NULL || strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
        return 0;
    if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0) {
        *out = 1;
        return 0;
    }
    return err_setn(ENG_EINVAL, "InvalidArgument",
                    "%s must be true or false, not '%.20s'", key, v);
}

int
compat_fnf_list_executions(struct compat_call *c, struct http_resp *resp)
{
    struct fnf_filter ft = {compat_fnf_opt(c, "ExecutionNamePrefix"), 0, 0};
    const char *flow, *status = compat_fnf_opt(c, "Status");
    json_t *f = NULL, *list = NULL, *page = NULL, *item, *body;
    int64_t limit, cursor, last = 0;
    char *def = NULL, *def_version = NULL;
    int meta_only, more = 0, rc;
    size_t i, n = 0;

    if ((rc = compat_fnf_need(&flow, c, "FlowName")) ||
        (rc = compat_fnf_int(&limit, c, "Limit", 60, 1, 100)) ||
        (rc = fnf_cursor(&cursor, compat_fnf_opt(c, "NextToken"),
                         "NextToken")) ||
        (rc = fnf_time_param(&ft.begin, c, "StartedTimeBegin")) ||
        (rc = fnf_time_param(&ft.end, c, "StartedTimeEnd")) ||
        (rc = fnf_bool(&meta_only, c, "MetadataOnly")))
        return rc;
    if (flow_defs_get(&f, c->cp->eng->flows, flow, NULL))
        return err_setn(ENG_ENOTFOUND, "FlowNotExists",
                        "flow '%.128s' does not exist", flow);
    json_decref(f);
    list = json_array();
    /* newest first, in pages of the executor's list, until one more
     * match than asked for shows there is a next page */
    while (rc == 0 && !more) {
        if ((rc = exec_list(&page, fnf_xs(c), flow, status, cursor, 100)))
            break;
        json_array_foreach(json_object_get(page, "items"), i, item) {
            const char *name = json_string_value(json_object_get(item, "name"));
            json_t *d = NULL, *o;

            if (!fnf_match(&ft, item))
                continue;
            if ((int64_t)n == limit) {
                more = 1;
                break;
            }
            if ((rc = exec_get(&d, fnf_xs(c), flow, name)))
                break;
            if (!meta_only) {
                const char *v =
                    json_string_value(json_object_get(d, "version"));

                if (def == NULL || def_version == NULL || v == NULL ||
                    strcmp(def_version, v) != 0) {
                    free(def);
                    free(def_version);
                    def = fnf_definition(c, flow, v);
                    def_version = xstrdup(v ? v : "");
                }
            }
            o = json_object();
            fnf_exec_fields(o, d, meta_only ? NULL : def);
            json_decref(d);
            json_array_append_new(list, o);
            n++;
            last = json_integer_value(json_object_get(item, "id"));
        }
        if (rc == 0 && !more && json_object_get(page, "next") == NULL) {
            json_decref(page);
            page = NULL;
            break;
        }
        if (rc == 0 && !more)
            rc = fnf_cursor(&cursor,
                            json_string_value(json_object_get(page, "next")),
                            "next");
        json_decref(page);
        page = NULL;
    }
    free(def);
    free(def_version);
    if (rc) {
        json_decref(list);
        return rc;
    }
    body = compat_fnf_obj(c);
    json_object_set_new(body, "Executions", list);
    if (more)
        json_object_set_new(body, "NextToken",
                            json_sprintf("%lld", (long long)last));
    return compat_fnf_send(c, resp, body);
}

/* ---- StopExecution ---- */

int
compat_fnf_stop_execution(struct compat_call *c, struct http_resp *resp)
{
    const char *flow, *name;
    json_t *d = NULL;
    int rc;

    if ((rc = compat_fnf_need(&flow, c, "FlowName")) ||
        (rc = compat_fnf_need(&name, c, "ExecutionName")))
        return rc;
    rc = exec_stop(&d, fnf_xs(c), flow, name, compat_fnf_opt(c, "Error"),
                   compat_fnf_opt(c, "Cause"));
    if (rc)
        return fnf_exec_rc(c, flow, rc);
    return fnf_exec_send(c, resp, d);
}

/* ---- GetExecutionHistory ---- */

int
compat_fnf_get_execution_history(struct compat_call *c, struct http_resp *resp)
{
    const char *flow, *name;
    json_t *page = NULL, *events, *ev, *body;
    int64_t limit, from, last = 0;
    size_t i;
    int rc;

    if ((rc = compat_fnf_need(&flow, c, "FlowName")) ||
        (rc = compat_fnf_need(&name, c, "ExecutionName")) ||
        (rc = compat_fnf_int(&limit, c, "Limit", 60, 1, 1000)) ||
        (rc = fnf_cursor(&from, compat_fnf_opt(c, "NextToken"), "NextToken")))
        return rc;
    /* NextToken: the id of the next event; the executor takes the last
     * one seen */
    rc = exec_history(&page, fnf_xs(c), flow, name, from ? from - 1 : 0,
                      (int)limit);
    if (rc)
        return fnf_exec_rc(c, flow, rc);
    events = json_array();
    json_array_foreach(json_object_get(page, "items"), i, ev) {
        json_t *o = json_object();

        last = json_integer_value(json_object_get(ev, "id"));
        json_object_set_new(o, "EventId", json_integer(last));
        json_object_set(o, "Type", json_object_get(ev, "type"));
        json_object_set(o, "StepName", json_object_get(ev, "step"));
        json_object_set(o, "Time", json_object_get(ev, "time"));
        json_object_set(o, "ScheduleEventId",
                        json_object_get(ev, "schedule_id"));
        json_object_set_new(o, "EventDetail",
                            fnf_text(json_object_get(ev, "detail")));
        json_array_append_new(events, o);
    }
    body = compat_fnf_obj(c);
    json_object_set_new(body, "Events", events);
    if (json_object_get(page, "next"))
        json_object_set_new(body, "NextToken",
                            json_sprintf("%lld", (long long)last + 1));
    json_decref(page);
    return compat_fnf_send(c, resp, body);
}

/* ---- ReportTaskSucceeded / ReportTaskFailed ---- */

/*
 * A callback's answer. A refused callback is journaled on its token by
 * the executor, so its error is answered without undoing the change.
 */
static int
fnf_task_answer(struct compat_call *c, struct http_resp *resp, int rc,
                json_t *out)
{
    json_t *body;

    if (rc == ENG_ENOTFOUND || rc == ENG_ECONFLICT || rc == ENG_EINVAL) {
        compat_fnf_error(c, resp, rc);
        return 0;
    }
    if (rc)
        return rc;
    body = compat_fnf_obj(c);
    json_object_set(body, "EventId", json_object_get(out, "event_id"));
    json_decref(out);
    return compat_fnf_send(c, resp, body);
}

int
compat_fnf_report_task_succeeded(struct compat_call *c, struct http_resp *resp)
{
    const char *token, *text;
    json_t *output = NULL, *out = NULL;
    int rc;

    if ((rc = compat_fnf_need(&token, c, "TaskToken")) ||
        (rc = compat_fnf_need(&text, c, "Output")))
        return rc;
    /* text that is not JSON goes as a string: the executor refuses it
     * (and records the refusal on the token) */
    if (jsonx_loads(&output, text, strlen(text)) != 0)
        output = json_string(text);
    err_clear();
    rc = exec_task_succeed(&out, fnf_xs(c), token, output);
    json_decref(output);
    return fnf_task_answer(c, resp, rc, out);
}

int
compat_fnf_report_task_failed(struct compat_call *c, struct http_resp *resp)
{
    const char *token, *error;
    json_t *out = NULL;
    int rc;

    if ((rc = compat_fnf_need(&token, c, "TaskToken")) ||
        (rc = compat_fnf_need(&error, c, "Error")))
        return rc;
    rc =
        exec_task_fail(&out, fnf_xs(c), token, error, compat_param(c, "Cause"));
    return fnf_task_answer(c, resp, rc, out);
}
