/*
 * h_exec: /v1/executions (start, describe and wait, list, history, graph,
 * stop, redrive) and /v1/tasks (list, show, succeed, fail, heartbeat).
 */
#include "http/handlers.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "flow/exec.h"

#include <stdlib.h>
#include <string.h>

static struct exec_service *
h_xs(struct http_req *req)
{
    return req->eng->execs;
}

int
h_exec_start(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"flow", "name", "input", NULL};
    const char *flow = NULL, *name = NULL;
    const json_t *input = json_object_get(req->json, "input");
    json_t *out, *parsed = NULL;
    int created, rc;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = jsonx_get_str(&flow, req->json, "flow", 1)) ||
        (rc = jsonx_get_str(&name, req->json, "name", 0)))
        return rc;
    if (json_is_string(input)) { /* JSON text of an object, as FnF sends */
        if ((rc = jsonx_loads(&parsed, json_string_value(input),
                              json_string_length(input))))
            return err_wrap(rc, "field 'input'");
        input = parsed;
    }
    if (input && !json_is_object(input)) {
        json_decref(parsed);
        return err_setn(ENG_EINVAL, "InvalidInput",
                        "field 'input' must be a JSON object");
    }
    rc = exec_start(&out, &created, h_xs(req), flow, name, input);
    json_decref(parsed);
    if (rc)
        return rc;
    return http_reply_json_new(resp, created ? 201 : 200, out);
}

int
h_exec_list(struct http_req *req, struct http_resp *resp)
{
    int64_t limit, cursor;
    json_t *out;
    int rc;

    if ((rc = http_req_query_int(&limit, req, "limit", 50, 1, 1000)) ||
        (rc = http_req_query_cursor(&cursor, req, "cursor")) ||
        (rc = exec_list(&out, h_xs(req), http_req_query(req, "flow"),
                        http_req_query(req, "status"), cursor, (int)limit)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

/* A describe that waits for the execution to finish. */
struct h_xwait {
    struct http_park *park;
    struct exec_waiter *waiter;
};

static void
h_exec_wait_done(json_t *execution, void *arg)
{
    struct h_xwait *hw = arg;
    struct http_resp resp;

    memset(&resp, 0, sizeof(resp));
    if (execution) {
        http_reply_json_new(&resp, 200, execution);
    } else {
        err_setn(ENG_ENOTFOUND, "ExecutionNotFound",
                 "the execution was deleted with its flow");
        http_error_resp(&resp, ENG_ENOTFOUND);
    }
    http_park_resume(hw->park, &resp);
    free(hw);
}

static void
h_exec_wait_cancel(struct http_park *p, void *arg)
{
    struct h_xwait *hw = arg;

    (void)p;
    exec_waiter_cancel(hw->waiter);
    free(hw);
}

int
h_exec_get(struct http_req *req, struct http_resp *resp)
{
    struct h_xwait *hw;
    int64_t wait;
    json_t *out;
    int rc;

    if ((rc = http_req_query_int(&wait, req, "wait", 0, 0, EXEC_WAIT_MAX_S)))
        return rc;
    hw = xcalloc(1, sizeof(*hw));
    rc = exec_get_wait(&out, &hw->waiter, h_xs(req),
                       http_req_query(req, "flow"), req->params[0],
                       wait * 1000, h_exec_wait_done, hw);
    if (rc == EXEC_PARKED) {
        hw->park = http_req_park(req, h_exec_wait_cancel, hw);
        return HTTP_PARKED;
    }
    free(hw);
    return rc ? rc : http_reply_json_new(resp, 200, out);
}

int
h_exec_history(struct http_req *req, struct http_resp *resp)
{
    int64_t limit, cursor;
    json_t *out;
    int rc;

    if ((rc = http_req_query_int(&limit, req, "limit", 100, 1, 1000)) ||
        (rc = http_req_query_cursor(&cursor, req, "cursor")) ||
        (rc = exec_history(&out, h_xs(req), http_req_query(req, "flow"),
                           req->params[0], cursor, (int)limit)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_exec_graph(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = exec_graph(&out, h_xs(req), http_req_query(req, "flow"),
                        req->params[0]);

    return rc ? rc : http_reply_json_new(resp, 200, out);
}

int
h_exec_stop(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"error", "cause", NULL};
    const char *error = NULL, *cause = NULL;
    json_t *out;
    int rc;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = jsonx_get_str(&error, req->json, "error", 0)) ||
        (rc = jsonx_get_str(&cause, req->json, "cause", 0)) ||
        (rc = exec_stop(&out, h_xs(req), http_req_query(req, "flow"),
                        req->params[0], error, cause)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_exec_redrive(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {NULL};
    json_t *out;
    int rc;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = exec_redrive(&out, h_xs(req), http_req_query(req, "flow"),
                           req->params[0])))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

/* ---- tasks ---- */

int
h_tasks_list(struct http_req *req, struct http_resp *resp)
{
    int64_t limit;
    json_t *out;
    int rc;

    if ((rc = http_req_query_int(&limit, req, "limit", 50, 1, 1000)) ||
        (rc = exec_tasks_list(&out, h_xs(req), http_req_query(req, "status"),
                              http_req_query(req, "flow"),
                              http_req_query(req, "cursor"), (int)limit)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_tasks_get(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = exec_task_get(&out, h_xs(req), req->params[0]);

    return rc ? rc : http_reply_json_new(resp, 200, out);
}

/*
 * A callback's answer. A refused callback is journaled on its token, so
 * its error is answered without undoing the change: the record commits.
 */
static int
h_task_answer(struct http_resp *resp, int rc, json_t *out)
{
    if (rc == ENG_ENOTFOUND || rc == ENG_ECONFLICT || rc == ENG_EINVAL) {
        http_error_resp(resp, rc);
        return 0;
    }
    return rc ? rc : http_reply_json_new(resp, 200, out);
}

int
h_tasks_succeed(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"output", NULL};
    const json_t *output = json_object_get(req->json, "output");
    json_t *out = NULL, *parsed = NULL, *empty = NULL;
    int rc;

    if ((rc = jsonx_check_keys(req->json, keys)))
        return rc;
    if (output == NULL) {
        output = empty = json_object();
    } else if (json_is_string(output)) { /* JSON text, as FnF's Output */
        if (jsonx_loads(&parsed, json_string_value(output),
                        json_string_length(output)) != 0)
            parsed = json_string(json_string_value(output));
        output = parsed;
    }
    rc = exec_task_succeed(&out, h_xs(req), req->params[0], output);
    json_decref(parsed);
    json_decref(empty);
    return h_task_answer(resp, rc, out);
}

int
h_tasks_fail(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"error", "cause", NULL};
    const char *error = NULL, *cause = NULL;
    json_t *out = NULL;
    int rc;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = jsonx_get_str(&error, req->json, "error", 0)) ||
        (rc = jsonx_get_str(&cause, req->json, "cause", 0)))
        return rc;
    rc = exec_task_fail(&out, h_xs(req), req->params[0], error, cause);
    return h_task_answer(resp, rc, out);
}

int
h_tasks_heartbeat(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {NULL};
    json_t *out = NULL;
    int rc;

    if ((rc = jsonx_check_keys(req->json, keys)))
        return rc;
    rc = exec_task_heartbeat(&out, h_xs(req), req->params[0]);
    return h_task_answer(resp, rc, out);
}
