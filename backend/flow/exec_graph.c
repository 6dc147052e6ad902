/*
 * exec_graph: an execution's definition as a tree for the console to
 * draw, Start to End, each step with its latest status, attempts and
 * duration, read from the history (and from the running frames for what
 * a step waits on now).
 */
#include "flow/exec_int.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/xalloc.h"
#include "store/store.h"

#include <string.h>

/* What the history says of one step: {status, attempts, first, last,
 * entered, iterations_started, iterations_done}. */
static json_t *
xg_stat(json_t *stats, const char *step)
{
    json_t *s = json_object_get(stats, step);

    if (s == NULL) {
        s = json_pack("{s:s, s:i, s:i, s:I, s:I, s:i, s:i}", "status",
                      "pending", "attempts", 0, "entered", 0, "first",
                      (json_int_t)0, "last", (json_int_t)0, "it_started", 0,
                      "it_done", 0);
        json_object_set_new(stats, step, s);
    }
    return s;
}

static void
xg_inc(json_t *s, const char *key)
{
    json_object_set_new(
        s, key, json_integer(json_integer_value(json_object_get(s, key)) + 1));
}

static int
xg_scan(json_t *stats, struct exec_service *xs, int64_t exec_id)
{
    struct store *st = xs_store(xs);
    sqlite3_stmt *q = store_stmt(
        st, "SELECT type, step, ts_ms, CASE WHEN type = 'StepFailed' THEN "
            "detail END FROM exec_events WHERE exec_id = ? AND step != '' "
            "ORDER BY event_id");
    int rc;

    sqlite3_bind_int64(q, 1, exec_id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(q, 0);
        json_t *s = xg_stat(stats, (const char *)sqlite3_column_text(q, 1));
        int64_t ts = sqlite3_column_int64(q, 2);
        const char *status = NULL;

        if (strcmp(type, "StepEntered") == 0) {
            xg_inc(s, "entered");
            if (json_integer_value(json_object_get(s, "first")) == 0)
                json_object_set_new(s, "first", json_integer(ts));
            status = "running";
        } else if (strcmp(type, "TaskScheduled") == 0) {
            xg_inc(s, "attempts");
            status = "running";
        } else if (strcmp(type, "TaskSubmitted") == 0) {
            status = "waiting";
        } else if (strcmp(type, "TaskFailed") == 0 ||
                   strcmp(type, "TaskTimedOut") == 0 ||
                   strcmp(type, "TaskSubmitFailed") == 0) {
            status = "failed";
        } else if (strcmp(type, "StepSucceeded") == 0) {
            status = "succeeded";
        } else if (strcmp(type, "StepFailed") == 0) {
            const char *d = (const char *)sqlite3_column_text(q, 3);

            status = d && strstr(d, "\"caught\"") ? "caught" : "failed";
        } else if (strcmp(type, "IterationEntered") == 0) {
            xg_inc(s, "it_started");
        } else if (strcmp(type, "IterationExited") == 0) {
            xg_inc(s, "it_done");
        }
        if (status)
            json_object_set_new(s, "status", json_string(status));
        json_object_set_new(s, "last", json_integer(ts));
    }
    store_done(q);
    return rc == SQLITE_DONE ? 0 : store_error(st);
}

/* What runs now overrides the history: waiting, sleeping, retrying. */
static int
xg_current(struct xframe *f, const struct flow_steps *list, void *arg)
{
    static const char *const states[] = {
        [XP_TASK] = "waiting", [XP_SLEEP] = "sleeping",
        [XP_RETRY] = "retrying",
    };
    json_t *stats = arg;

    if (f->status == XF_RUNNING && list && f->pc < list->n &&
        (f->cur.phase == XP_TASK || f->cur.phase == XP_SLEEP ||
         f->cur.phase == XP_RETRY))
        json_object_set_new(xg_stat(stats, list->v[f->pc].name), "status",
                            json_string(states[f->cur.phase]));
    return 0;
}

static json_t *xg_nodes(const struct flow_steps *list, json_t *stats,
                        const struct xexec *x, int64_t now);

static json_t *
xg_node(const struct flow_step *s, json_t *stats, const struct xexec *x,
        int64_t now)
{
    json_t *st = xg_stat(stats, s->name);
    const char *status = json_string_value(json_object_get(st, "status"));
    int64_t first = json_integer_value(json_object_get(st, "first"));
    int64_t last = json_integer_value(json_object_get(st, "last"));
    int64_t attempts = json_integer_value(json_object_get(st, "attempts"));
    json_t *n;

    if (x->status != XS_RUNNING &&
        (strcmp(status, "running") == 0 || strcmp(status, "waiting") == 0 ||
         strcmp(status, "sleeping") == 0 || strcmp(status, "retrying") == 0))
        status = x->status == XS_STOPPED ? "stopped" : "failed";
    if (attempts == 0)
        attempts = json_integer_value(json_object_get(st, "entered"));
    n = json_pack("{s:s, s:s, s:s, s:I}", "name", s->name, "type",
                  flow_step_type_name(s->type), "status", status, "attempts",
                  (json_int_t)attempts);
    if (first) {
        int live = strcmp(status, "running") == 0 ||
                   strcmp(status, "waiting") == 0 ||
                   strcmp(status, "sleeping") == 0 ||
                   strcmp(status, "retrying") == 0;

        json_object_set_new(n, "started", jsonx_time(first));
        json_object_set_new(n, "duration_ms",
                            json_integer((live ? now : last) - first));
    }
    switch (s->type) {
    case FLOW_STEP_TASK:
        json_object_set_new(n, "resource", json_string(s->task.resource_arn));
        json_object_set_new(n, "pattern",
                            json_string(flow_pattern_name(s->task.pattern)));
        break;
    case FLOW_STEP_CHOICE: {
        json_t *cs = json_array();

        for (size_t i = 0; i < s->nchoices; i++)
            json_array_append_new(
                cs, json_pack("{s:s, s:o}", "condition",
                              flow_cond_text(s->choices[i].cond), "steps",
                              xg_nodes(&s->choices[i].steps, stats, x, now)));
        json_object_set_new(n, "choices", cs);
        if (s->deflt)
            json_object_set_new(
                n, "default",
                json_pack("{s:o}", "steps",
                          xg_nodes(&s->deflt->steps, stats, x, now)));
        break;
    }
    case FLOW_STEP_PARALLEL: {
        json_t *bs = json_array();

        for (size_t i = 0; i < s->nbranches; i++)
            json_array_append_new(bs,
                                  xg_nodes(&s->branches[i], stats, x, now));
        json_object_set_new(n, "branches", bs);
        break;
    }
    case FLOW_STEP_FOREACH:
        json_object_set_new(n, "steps", xg_nodes(&s->steps, stats, x, now));
        json_object_set_new(
            n, "iterations",
            json_pack("{s:O, s:O}", "started",
                      json_object_get(st, "it_started"), "done",
                      json_object_get(st, "it_done")));
        break;
    default:
        break;
    }
    return n;
}

static json_t *
xg_nodes(const struct flow_steps *list, json_t *stats, const struct xexec *x,
         int64_t now)
{
    json_t *a = json_array();

    for (size_t i = 0; i < list->n; i++)
        json_array_append_new(a, xg_node(&list->v[i], stats, x, now));
    return a;
}

int
exec_graph(json_t **out, struct exec_service *xs, const char *flow,
           const char *name)
{
    static const char *const end_status[] = {
        [XS_RUNNING] = "pending",  [XS_SUCCEEDED] = "succeeded",
        [XS_FAILED] = "failed",    [XS_STOPPED] = "stopped",
        [XS_TIMED_OUT] = "failed",
    };
    struct xexec *x = NULL;
    json_t *stats, *nodes, *top;
    int rc;

    *out = NULL;
    if ((rc = xs_load_named(&x, xs, flow, name)))
        return rc;
    stats = json_object();
    if ((rc = xg_scan(stats, xs, x->id)) != 0) {
        json_decref(stats);
        xexec_free(x);
        return rc;
    }
    if (x->status == XS_RUNNING)
        xvisit(x->root, &x->def->steps, xg_current, stats);
    nodes = json_array();
    json_array_append_new(
        nodes, json_pack("{s:s, s:s, s:s, s:i, s:o}", "name", "Start", "type",
                         "start", "status", "succeeded", "attempts", 1,
                         "started", jsonx_time(x->started_ms)));
    top = xg_nodes(&x->def->steps, stats, x, xs_now(xs));
    json_array_extend(nodes, top);
    json_decref(top);
    json_array_append_new(
        nodes, json_pack("{s:s, s:s, s:s, s:i}", "name", "End", "type", "end",
                         "status", end_status[x->status], "attempts",
                         x->status == XS_RUNNING ? 0 : 1));
    *out = json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", x->name, "flow",
                     x->flow, "version", x->version, "status",
                     xstatus_name(x->status), "nodes", nodes);
    json_decref(stats);
    xexec_free(x);
    return 0;
}
