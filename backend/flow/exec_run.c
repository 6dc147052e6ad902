/*
 * exec_run: the interpreter. It moves each frame of an execution from
 * step to step until every frame waits (a callback, a timer) or the
 * execution ends, writing the history as it goes (spec §1.10):
 *
 *   StepEntered {input, local} -> StepStarted {input}
 *     task: TaskScheduled {resource, input, attempt} -> TaskStarted ->
 *           TaskSubmitted | TaskSucceeded | TaskFailed | TaskTimedOut
 *     parallel / foreach: BranchEntered..BranchExited per branch,
 *           IterationEntered..IterationExited per element
 *   -> StepSucceeded {output} | StepFailed {error, cause}
 *   -> StepExited {local: the parent's local after the merge}
 *
 * Step failures go through the task's retry policies, then its catches,
 * then fail the frame, its parent step, and up to the execution.
 */
#include "flow/exec_int.h"

#include "common/digest.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/rand.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/sched.h"
#include "core/engine.h"
#include "fn/fn.h"
#include "queue/queue.h"
#include "store/store.h"
#include "topic/topic.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XR_FOREACH_MAX 100 /* iterations at once (spec §1.11) */

static int xr_frame(struct exec_service *xs, struct xexec *x,
                    struct xframe *f, const struct flow_steps *list,
                    int *progress);
static int xr_step_failed(struct exec_service *xs, struct xexec *x,
                          struct xframe *f, const struct flow_steps *list,
                          const char *error, const char *cause);

/* ---- events ---- */

int
xrun_event(struct exec_service *xs, struct xexec *x, struct xframe *f,
           const char *type, const char *step, json_t *detail, int64_t *id)
{
    struct store *st = xs_store(xs);
    sqlite3_stmt *q = store_stmt(
        st, "INSERT INTO exec_events (exec_id, event_id, schedule_id, type, "
            "step, ts_ms, detail) VALUES (?, ?, ?, ?, ?, ?, ?)");
    int64_t ev = x->next_event++;
    int64_t sched = f ? f->last_ev : (ev > 1 ? ev - 1 : 0);
    char *text = detail ? jsonx_dump(detail) : NULL;
    int rc;

    json_decref(detail);
    if (ev > EXEC_MAX_EVENTS)
        x->overflow = 1;
    sqlite3_bind_int64(q, 1, x->id);
    sqlite3_bind_int64(q, 2, ev);
    sqlite3_bind_int64(q, 3, sched);
    sqlite3_bind_text(q, 4, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, step, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 6, xs_now(xs));
    if (text)
        sqlite3_bind_text(q, 7, text, -1, free);
    rc = store_step_done(st, q);
    store_done(q);
    if (rc)
        return rc;
    if (f)
        f->last_ev = ev;
    if (id)
        *id = ev;
    return 0;
}

static json_t *
xr_err_detail(const char *error, const char *cause)
{
    return json_pack("{s:s, s:s}", "error", error ? error : "",
                     "cause", cause ? cause : "");
}

static json_t *
xr_context(const struct xexec *x, const char *step, const char *token)
{
    return flow_context_build(x->flow, x->name, step, token);
}

/* Returns: the serialized size of `v` (0 for NULL). */
static size_t
xr_size(const json_t *v)
{
    return v ? json_dumpb(v, NULL, 0, JSON_COMPACT) : 0;
}

/* The step's data is over the limit: the name of the part, or NULL. */
static int
xr_too_big(const json_t *input, const json_t *local, const json_t *output)
{
    return xr_size(input) + xr_size(local) + xr_size(output) > EXEC_MAX_DATA;
}

static int
xr_step_index(const struct flow_steps *list, const char *name, size_t *out)
{
    for (size_t i = 0; i < list->n; i++) {
        if (strcmp(list->v[i].name, name) == 0) {
            *out = i;
            return 0;
        }
    }
    return -1; /* the parser checked every goto */
}

/* ---- timers ---- */

static int
xr_timer_add(struct exec_service *xs, struct xexec *x, int64_t due,
             const char *what, const char *step, const char *token,
             int64_t *out)
{
    char ref[32];
    json_t *payload = json_pack("{s:s, s:s, s:s}", "what", what, "execution",
                                x->name, "step", step);
    int rc;

    if (token)
        json_object_set_new(payload, "token", json_string(token));
    snprintf(ref, sizeof(ref), "%lld", (long long)x->id);
    rc = sched_add(out, xs->eng->sched, due, "flow", ref, payload);
    json_decref(payload);
    return rc;
}

static int
xr_timer_cancel(struct exec_service *xs, int64_t *id)
{
    int rc = 0;

    if (*id) {
        rc = sched_cancel(xs->eng->sched, *id);
        if (rc == ENG_ENOTFOUND)
            rc = 0;
        *id = 0;
    }
    return rc;
}

/* ---- ending steps ---- */

/*
 * The step on `f` ends with `output` (stolen): merge it into the frame's
 * local, write StepExited, and move to `go_to`, the next step, or the
 * end of the list.
 */
static int
xr_step_finish(struct exec_service *xs, struct xexec *x, struct xframe *f,
               const struct flow_steps *list, json_t *output,
               const char *go_to)
{
    const struct flow_step *s = &list->v[f->pc];
    int rc;

    json_object_update(f->local, output);
    json_decref(output);
    if ((rc = xrun_event(xs, x, f, "StepExited", s->name,
                         json_pack("{s:O}", "local", f->local), NULL)))
        return rc;
    xstep_clear(&f->cur);
    if (go_to) {
        if (xr_step_index(list, go_to, &f->pc) != 0)
            f->status = XF_DONE;
    } else if (s->end || s->type == FLOW_STEP_SUCCEED ||
               ++f->pc >= list->n) {
        f->status = XF_DONE;
    }
    return 0;
}

/* The step on `f` succeeded with `local` (stolen). */
static int
xr_step_done(struct exec_service *xs, struct xexec *x, struct xframe *f,
             const struct flow_steps *list, json_t *local)
{
    const struct flow_step *s = &list->v[f->pc];
    const char *go_to = NULL;
    json_t *ctx = xr_context(x, s->name, f->cur.token);
    json_t *output = NULL;
    int rc;

    rc = flow_step_output(&output, s, f->cur.input, local, ctx);
    json_decref(ctx);
    if (rc) {
        json_decref(local);
        return xr_step_failed(xs, x, f, list, "FnF.InvalidMapping",
                              err_last());
    }
    if (xr_too_big(f->cur.input, local, output)) {
        json_decref(local);
        json_decref(output);
        return xr_step_failed(xs, x, f, list, "FnF.DataLimitExceeded",
                              "the step's input, local and output are "
                              "over 32 KiB together");
    }
    json_decref(local);
    if ((rc = xrun_event(xs, x, f, "StepSucceeded", s->name,
                         json_pack("{s:O}", "output", output), NULL))) {
        json_decref(output);
        return rc;
    }
    if (s->type == FLOW_STEP_CHOICE) {
        if (f->cur.chosen >= 0)
            go_to = s->choices[f->cur.chosen].go_to;
        else if (s->deflt)
            go_to = s->deflt->go_to;
    }
    return xr_step_finish(xs, x, f, list, output, go_to);
}

/*
 * The step on `f` failed: retry it, catch it, or fail the frame. The
 * step's timers are gone already.
 */
static int
xr_step_failed(struct exec_service *xs, struct xexec *x, struct xframe *f,
               const struct flow_steps *list, const char *error,
               const char *cause)
{
    const struct flow_step *s = &list->v[f->pc];
    struct xstep *st = &f->cur;
    int rc;

    if (s->type == FLOW_STEP_TASK) {
        const struct flow_retry *r = flow_task_find_retry(s, error);
        const struct flow_catch *c;

        if (r != NULL) {
            size_t pi = (size_t)(r - s->task.retry);

            if (st->nretries < s->task.nretry) {
                st->retries = xreallocarray(st->retries, s->task.nretry,
                                            sizeof(*st->retries));
                memset(st->retries + st->nretries, 0,
                       (s->task.nretry - st->nretries) *
                           sizeof(*st->retries));
                st->nretries = s->task.nretry;
            }
            if (st->retries[pi] < r->max_attempts) {
                int64_t delay =
                    flow_retry_delay_ms(r, ++st->retries[pi]);

                st->phase = XP_RETRY;
                st->since_ms = xs_now(xs);
                return xr_timer_add(xs, x, xs_now(xs) + delay, "retry",
                                    s->name, NULL, &st->timer);
            }
        }
        if ((c = flow_task_find_catch(s, error)) != NULL) {
            const struct flow_mapping *em =
                c->error_mappings ? c->error_mappings
                                  : s->task.error_mappings;
            json_t *local = xr_err_detail(error, cause);
            json_t *ctx = xr_context(x, s->name, st->token);
            json_t *output = NULL;

            if (em)
                rc = flow_mapping_apply(&output, em, st->input, local, ctx);
            else
                rc = (output = json_deep_copy(local)) ? 0 : ENG_ERR;
            json_decref(ctx);
            json_decref(local);
            if (rc)
                output = json_object();
            if ((rc = xrun_event(xs, x, f, "StepFailed", s->name,
                                 json_pack("{s:s, s:s, s:s, s:O}", "error",
                                           error, "cause",
                                           cause ? cause : "", "caught",
                                           c->go_to, "output", output),
                                 NULL))) {
                json_decref(output);
                return rc;
            }
            return xr_step_finish(xs, x, f, list, output, c->go_to);
        }
    }
    if ((rc = xrun_event(xs, x, f, "StepFailed", s->name,
                         xr_err_detail(error, cause), NULL)))
        return rc;
    free(st->error);
    free(st->cause);
    st->error = xstrdup(error);
    st->cause = xstrdup(cause ? cause : "");
    st->phase = XP_FAILED;
    st->since_ms = xs_now(xs);
    f->status = XF_FAILED;
    free(f->error);
    free(f->cause);
    f->error = xstrdup(error);
    f->cause = xstrdup(cause ? cause : "");
    return 0;
}

/* ---- tasks ---- */

/* serviceParams value `v` (a constant or "$..." path) over the input. */
static json_t *
xr_param(const json_t *params, const char *key, json_t *input)
{
    const json_t *v = json_object_get(params, key);
    struct flow_value *fv = NULL;
    json_t *out;

    if (v == NULL)
        return NULL;
    if (flow_value_create(&fv, v, NULL) != 0)
        return json_null();
    out = flow_value_eval(fv, input, NULL, NULL);
    flow_value_free(fv);
    return out;
}

/* A param as text: strings as they are, anything else as compact JSON. */
static char *
xr_param_text(json_t *v)
{
    return json_is_string(v) ? xstrdup(json_string_value(v)) : jsonx_dump(v);
}

/* A param as an integer: a number, or a string of digits. */
static int
xr_param_int(int64_t *out, json_t *v)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    if (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v)) {
        *out = (int64_t)json_real_value(v);
        return 0;
    }
    if (json_is_string(v) && *json_string_value(v)) {
        char *end;
        long long n = strtoll(json_string_value(v), &end, 10);

        if (*end == '\0') {
            *out = n;
            return 0;
        }
    }
    return -1;
}

static const char *
xr_queue_error(int rc)
{
    switch (rc) {
    case ENG_ENOTFOUND: return "MNS.QueueNotExist";
    case ENG_EINVAL: return "MNS.InvalidArgument";
    case ENG_ETOOBIG: return "MNS.MessageTooLarge";
    default: return NULL;
    }
}

/*
 * Send the step's message to its queue. Returns: 0 and the send result
 * ({MessageId, MessageBodyMD5, RequestId}) in *local; 1 with *error and
 * *cause (new) when the send failed in a way the flow can handle; or a
 * store error.
 */
static int
xr_send_queue(json_t **local, char **error, char **cause,
              struct exec_service *xs, const struct flow_step *s,
              json_t *input)
{
    const json_t *params = s->task.service_params;
    json_t *msg = json_object(), *v, *res = NULL;
    char md5[33], rid[37];
    int64_t n;
    int rc;

    *local = NULL;
    v = xr_param(params, "MessageBody", input);
    json_object_set_new(msg, "body", json_string(""));
    if (v) {
        char *body = xr_param_text(v);

        json_object_set_new(msg, "body", json_string(body));
        free(body);
        json_decref(v);
    }
    if ((v = xr_param(params, "Priority", input)) != NULL) {
        if (xr_param_int(&n, v) != 0) {
            *error = xstrdup("MNS.InvalidArgument");
            *cause = xstrdup("serviceParams Priority is not an integer");
            json_decref(v);
            json_decref(msg);
            return 1;
        }
        json_object_set_new(msg, "priority", json_integer(n));
        json_decref(v);
    }
    if ((v = xr_param(params, "DelaySeconds", input)) != NULL) {
        if (xr_param_int(&n, v) != 0) {
            *error = xstrdup("MNS.InvalidArgument");
            *cause = xstrdup("serviceParams DelaySeconds is not an "
                             "integer");
            json_decref(v);
            json_decref(msg);
            return 1;
        }
        json_object_set_new(msg, "delay_seconds", json_integer(n));
        json_decref(v);
    }
    rc = queue_send(&res, xs->eng->queues, s->task.resource_name, msg);
    json_decref(msg);
    if (rc) {
        const char *name = xr_queue_error(rc);

        if (name == NULL)
            return rc;
        *error = xstrdup(name);
        *cause = xstrdup(err_last());
        return 1;
    }
    snprintf(md5, sizeof(md5), "%s",
             json_string_value(json_object_get(res, "body_md5")));
    for (char *p = md5; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    rand_uuid(rid);
    *local = json_pack("{s:O, s:s, s:s}", "MessageId",
                       json_object_get(res, "id"), "MessageBodyMD5", md5,
                       "RequestId", rid);
    json_decref(res);
    return 0;
}

static const char *
xr_topic_error(int rc)
{
    switch (rc) {
    case ENG_ENOTFOUND: return "MNS.TopicNotExist";
    case ENG_EINVAL: return "MNS.InvalidArgument";
    case ENG_ETOOBIG: return "MNS.MessageTooLarge";
    default: return NULL;
    }
}

/*
 * Publish the step's message to its topic. Returns: 0 and the publish
 * result ({MessageId, MessageBodyMD5, RequestId}) in *local; 1 with
 * *error and *cause (new) when the publish failed in a way the flow can
 * handle; or a store error.
 */
static int
xr_publish_topic(json_t **local, char **error, char **cause,
                 struct exec_service *xs, const struct flow_step *s,
                 json_t *input)
{
    const json_t *params = s->task.service_params;
    json_t *msg = json_object(), *v, *res = NULL;
    char md5[33], rid[37];
    int rc;

    *local = NULL;
    v = xr_param(params, "MessageBody", input);
    json_object_set_new(msg, "body", json_string(""));
    if (v) {
        char *body = xr_param_text(v);

        json_object_set_new(msg, "body", json_string(body));
        free(body);
        json_decref(v);
    }
    if ((v = xr_param(params, "MessageTag", input)) != NULL) {
        if (!json_is_null(v)) {
            char *tag = xr_param_text(v);

            json_object_set_new(msg, "tag", json_string(tag));
            free(tag);
        }
        json_decref(v);
    }
    if ((v = xr_param(params, "MessageAttributes", input)) != NULL) {
        if (!json_is_object(v) && !json_is_null(v)) {
            *error = xstrdup("MNS.InvalidArgument");
            *cause = xstrdup("serviceParams MessageAttributes is not an "
                             "object");
            json_decref(v);
            json_decref(msg);
            return 1;
        }
        if (json_is_object(v))
            json_object_set(msg, "attributes", v);
        json_decref(v);
    }
    rc = topic_publish(&res, xs->eng->topics, s->task.resource_name, msg);
    json_decref(msg);
    if (rc) {
        const char *name = xr_topic_error(rc);

        if (name == NULL)
            return rc;
        *error = xstrdup(name);
        *cause = xstrdup(err_last());
        return 1;
    }
    snprintf(md5, sizeof(md5), "%s",
             json_string_value(json_object_get(res, "body_md5")));
    for (char *p = md5; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    rand_uuid(rid);
    *local = json_pack("{s:O, s:s, s:s}", "MessageId",
                       json_object_get(res, "id"), "MessageBodyMD5", md5,
                       "RequestId", rid);
    json_decref(res);
    return 0;
}

/* The step's task reached the thing it calls and now waits for its
 * callback: a task row, timers, phase XP_TASK. */
static int
xr_task_wait(struct exec_service *xs, struct xexec *x, struct xframe *f,
             const struct flow_step *s, json_t *target)
{
    struct xstep *st = &f->cur;
    int64_t now = xs_now(xs);
    int64_t tdue = s->task.timeout_s ? now + s->task.timeout_s * 1000LL : 0;
    int64_t hdue = s->task.heartbeat_s ? now + s->task.heartbeat_s * 1000LL
                                       : 0;
    json_t *detail = json_pack("{s:s, s:O}", "resource", s->task.resource_arn,
                               "target", target);
    int rc;

    if ((rc = xrun_event(xs, x, f, "TaskSubmitted", s->name, detail,
                         NULL)) ||
        (rc = xtask_insert(xs, x, st->token, s->name, tdue, hdue, target)))
        return rc;
    st->phase = XP_TASK;
    st->since_ms = now;
    if (tdue && (rc = xr_timer_add(xs, x, tdue, "timeout", s->name,
                                   st->token, &st->timer)))
        return rc;
    if (hdue && (rc = xr_timer_add(xs, x, hdue, "heartbeat", s->name,
                                   st->token, &st->hb_timer)))
        return rc;
    return 0;
}

static int
xr_task_attempt(struct exec_service *xs, struct xexec *x, struct xframe *f,
                const struct flow_steps *list)
{
    const struct flow_step *s = &list->v[f->pc];
    struct xstep *st = &f->cur;
    const char *what = NULL;
    char *error = NULL, *cause = NULL;
    json_t *local = NULL;
    int rc;

    if (++st->attempt > 1) {
        /* a new attempt, a new token: a late callback for the last one
         * must not complete this one */
        json_t *ctx, *input = NULL;

        free(st->token);
        st->token = xtask_token(x, x->next_event);
        ctx = xr_context(x, s->name, st->token);
        rc = flow_step_input(&input, s, f->input, f->local, ctx);
        json_decref(ctx);
        if (rc)
            return xr_step_failed(xs, x, f, list, "FnF.InvalidMapping",
                                  err_last());
        json_decref(st->input);
        st->input = input;
    }
    if ((rc = xrun_event(xs, x, f, "TaskScheduled", s->name,
                         json_pack("{s:s, s:s, s:O, s:i}", "resource",
                                   s->task.resource_arn, "pattern",
                                   flow_pattern_name(s->task.pattern),
                                   "input", st->input, "attempt",
                                   st->attempt),
                         NULL)) ||
        (rc = xrun_event(xs, x, f, "TaskStarted", s->name, NULL, NULL)))
        return rc;

    switch (s->task.resource) {
    case FLOW_RES_QUEUE:
        rc = xr_send_queue(&local, &error, &cause, xs, s, st->input);
        break;
    case FLOW_RES_TOPIC:
        rc = xr_publish_topic(&local, &error, &cause, xs, s, st->input);
        break;
    case FLOW_RES_FUNCTION: {
        /* the function answers in a later turn, through the task token:
         * requestResponse and sync wait like a child flow */
        char *iid = NULL;
        json_t *target;

        rc = fn_invoke_task(&iid, xs->eng->fns, s->task.resource_name,
                            st->input, st->token,
                            s->task.pattern ==
                                FLOW_PATTERN_WAIT_FOR_CALLBACK);
        if (rc == ENG_ENOTFOUND) {
            error = xstrdup("FC.FunctionNotFound");
            cause = xstrdup(err_last());
            rc = 1;
            break;
        }
        if (rc < 0)
            return rc;
        target = json_pack("{s:s, s:s}", "function", s->task.resource_name,
                           "invocation", iid);
        free(iid);
        rc = xr_task_wait(xs, x, f, s, target);
        json_decref(target);
        return rc;
    }
    case FLOW_RES_FLOW: {
        json_t *child = NULL;

        rc = xs_start_child(&child, xs, x, s->task.resource_name, st->input,
                            s->task.pattern == FLOW_PATTERN_REQUEST_RESPONSE
                                ? NULL
                                : st->token);
        if (rc == 0) {
            local = json_pack("{s:O, s:O}", "ExecutionName",
                              json_object_get(child, "name"), "FlowName",
                              json_object_get(child, "flow"));
            json_decref(child);
        } else if (rc == ENG_ENOTFOUND || rc == ENG_EINVAL ||
                   rc == ENG_EEXISTS) {
            error = xstrdup(rc == ENG_ENOTFOUND ? "FnF.FlowNotExists"
                                                : "FnF.InvalidArgument");
            cause = xstrdup(err_last());
            rc = 1;
        }
        break;
    }
    }
    if (what) {
        error = xstrdup("FnF.IntegrationUnavailable");
        cause = xasprintf("%s is not available in this flowdeck yet "
                          "(resourceArn %s)", what, s->task.resource_arn);
        rc = 1;
    }
    if (rc < 0)
        return rc;
    if (rc == 1) {
        int prc = xrun_event(
            xs, x, f,
            s->task.pattern == FLOW_PATTERN_REQUEST_RESPONSE
                ? "TaskFailed"
                : "TaskSubmitFailed",
            s->name, xr_err_detail(error, cause), NULL);

        if (prc == 0)
            prc = xr_step_failed(xs, x, f, list, error, cause);
        free(error);
        free(cause);
        return prc;
    }
    if (s->task.pattern == FLOW_PATTERN_REQUEST_RESPONSE) {
        if ((rc = xrun_event(xs, x, f, "TaskSucceeded", s->name,
                             json_pack("{s:O}", "output", local), NULL))) {
            json_decref(local);
            return rc;
        }
        return xr_step_done(xs, x, f, list, local);
    }
    /* waitForCallback, or a child flow run to its end (sync) */
    {
        json_t *target;

        if (s->task.resource == FLOW_RES_QUEUE)
            target = json_pack("{s:s, s:O}", "queue", s->task.resource_name,
                               "message_id",
                               json_object_get(local, "MessageId"));
        else if (s->task.resource == FLOW_RES_TOPIC)
            target = json_pack("{s:s, s:O}", "topic", s->task.resource_name,
                               "message_id",
                               json_object_get(local, "MessageId"));
        else
            target = json_pack("{s:O, s:O}", "flow",
                               json_object_get(local, "FlowName"),
                               "execution",
                               json_object_get(local, "ExecutionName"));
        json_decref(local);
        /* the child may have finished already: its report waits in
         * xs->pending until this execution is saved */
        rc = xr_task_wait(xs, x, f, s, target);
        json_decref(target);
        return rc;
    }
}

int
xrun_task_done(struct exec_service *xs, struct xexec *x, struct xframe *f,
               const struct flow_steps *list, const json_t *output)
{
    const struct flow_step *s = &list->v[f->pc];
    int rc;

    if ((rc = xr_timer_cancel(xs, &f->cur.timer)) ||
        (rc = xr_timer_cancel(xs, &f->cur.hb_timer)) ||
        (rc = xrun_event(xs, x, f, "TaskSucceeded", s->name,
                         json_pack("{s:O}", "output", output), NULL)))
        return rc;
    return xr_step_done(xs, x, f, list, json_deep_copy(output));
}

int
xrun_task_failed(struct exec_service *xs, struct xexec *x, struct xframe *f,
                 const struct flow_steps *list, const char *error,
                 const char *cause, int timed_out)
{
    const struct flow_step *s = &list->v[f->pc];
    int rc;

    if ((rc = xr_timer_cancel(xs, &f->cur.timer)) ||
        (rc = xr_timer_cancel(xs, &f->cur.hb_timer)) ||
        (rc = xrun_event(xs, x, f, timed_out ? "TaskTimedOut" : "TaskFailed",
                         s->name, xr_err_detail(error, cause), NULL)))
        return rc;
    return xr_step_failed(xs, x, f, list, error, cause);
}

int
xrun_timer(struct exec_service *xs, struct xexec *x, struct xframe *f,
           const struct flow_steps *list, int64_t timer_id)
{
    const struct flow_step *s = &list->v[f->pc];
    struct xstep *st = &f->cur;
    char cause[160];

    switch (st->phase) {
    case XP_SLEEP:
        st->timer = 0;
        return xr_step_done(xs, x, f, list, json_object());
    case XP_RETRY:
        st->timer = 0;
        st->phase = XP_ENTER; /* an attempt is in progress */
        return xr_task_attempt(xs, x, f, list);
    case XP_TASK:
        if (timer_id == st->hb_timer) {
            st->hb_timer = 0;
            snprintf(cause, sizeof(cause),
                     "no heartbeat for %d s (heartbeatSeconds)",
                     s->task.heartbeat_s);
        } else {
            st->timer = 0;
            snprintf(cause, sizeof(cause),
                     "no callback within %d s (timeoutSeconds)",
                     s->task.timeout_s);
        }
        {
            int rc = xtask_set_status(xs, st->token, "timed_out");

            return rc ? rc
                      : xrun_task_failed(xs, x, f, list, "FnF.Timeout",
                                         cause, 1);
        }
    default:
        return 0;
    }
}

/* ---- entering steps ---- */

static int
xr_wait_due(int64_t *due, char *why, size_t whylen, struct exec_service *xs,
            const struct flow_step *s, json_t *input)
{
    int64_t now = xs_now(xs);
    json_t *v;

    if (s->duration) {
        double secs;

        v = flow_value_eval(s->duration, input, NULL, NULL);
        if (json_is_string(v)) {
            char *end;

            secs = strtod(json_string_value(v), &end);
            if (*end || end == json_string_value(v))
                secs = -1;
        } else {
            secs = json_is_number(v) ? json_number_value(v) : -1;
        }
        json_decref(v);
        if (!(secs >= 0 && secs <= FLOW_WAIT_MAX_S)) {
            snprintf(why, whylen, "wait duration must be 0 to %d seconds",
                     FLOW_WAIT_MAX_S);
            return -1;
        }
        *due = now + (int64_t)(secs * 1000);
        return 0;
    }
    v = flow_value_eval(s->timestamp, input, NULL, NULL);
    if (!json_is_string(v) ||
        timefmt_parse_rfc3339(due, json_string_value(v)) != 0) {
        json_decref(v);
        snprintf(why, whylen, "wait timestamp must be RFC 3339 text "
                 "(2026-05-02T15:04:05Z)");
        return -1;
    }
    json_decref(v);
    if (*due - now > FLOW_WAIT_MAX_S * 1000LL) {
        snprintf(why, whylen, "wait timestamp is more than 2 days away");
        return -1;
    }
    return 0;
}

static int
xr_enter_kids(struct exec_service *xs, struct xexec *x, struct xframe *f,
              const struct flow_steps *list, int64_t started_ev)
{
    const struct flow_step *s = &list->v[f->pc];
    struct xstep *st = &f->cur;
    int rc;

    switch (s->type) {
    case FLOW_STEP_CHOICE: {
        json_t *ctx = xr_context(x, s->name, NULL);
        const struct flow_steps *kl;

        st->chosen = -1;
        for (size_t i = 0; i < s->nchoices; i++) {
            if (flow_cond_eval(s->choices[i].cond, st->input, f->local,
                               ctx)) {
                st->chosen = (int)i;
                break;
            }
        }
        json_decref(ctx);
        kl = xkid_list(s, st);
        if (kl == NULL || kl->n == 0)
            return xr_step_done(xs, x, f, list, json_object());
        st->kids = xcalloc(1, sizeof(*st->kids));
        st->nkids = 1;
        st->kids[0] = xframe_new(0, json_incref(st->input), NULL);
        st->kids[0]->last_ev = started_ev;
        st->phase = XP_KIDS;
        return 0;
    }
    case FLOW_STEP_PARALLEL:
        st->kids = xcalloc(s->nbranches, sizeof(*st->kids));
        st->nkids = s->nbranches;
        for (size_t i = 0; i < s->nbranches; i++) {
            struct xframe *k = xframe_new((int)i, json_incref(st->input),
                                          NULL);

            st->kids[i] = k;
            k->last_ev = started_ev;
            if ((rc = xrun_event(xs, x, k, "BranchEntered", s->name,
                                 json_pack("{s:i}", "index", (int)i), NULL)))
                return rc;
        }
        st->phase = XP_KIDS;
        return 0;
    case FLOW_STEP_FOREACH: {
        json_t *coll = flow_path_eval(s->collection, st->input, NULL, NULL);
        char cause[200];

        if (!json_is_array(coll)) {
            snprintf(cause, sizeof(cause),
                     "iterationMapping collection '%s' is not an array",
                     flow_path_text(s->collection));
            json_decref(coll);
            return xr_step_failed(xs, x, f, list, "FnF.InvalidArgument",
                                  cause);
        }
        st->items = coll;
        st->nkids = json_array_size(coll);
        st->kids = xcalloc(st->nkids ? st->nkids : 1, sizeof(*st->kids));
        st->next_kid = 0;
        st->phase = XP_KIDS;
        return 0;
    }
    default:
        return err_set(ENG_ERR, "step '%s' has no branches", s->name);
    }
}

static int
xr_enter(struct exec_service *xs, struct xexec *x, struct xframe *f,
         const struct flow_steps *list)
{
    const struct flow_step *s = &list->v[f->pc];
    struct xstep *st = &f->cur;
    json_t *ctx, *input = NULL;
    int64_t started;
    int rc;

    xstep_clear(st);
    st->since_ms = xs_now(xs);
    if (s->type == FLOW_STEP_TASK)
        st->token = xtask_token(x, x->next_event);
    ctx = xr_context(x, s->name, st->token);
    rc = flow_step_input(&input, s, f->input, f->local, ctx);
    json_decref(ctx);
    if (rc) {
        st->input = json_object();
        return xr_step_failed(xs, x, f, list, "FnF.InvalidMapping",
                              err_last());
    }
    st->input = input;
    if ((rc = xrun_event(xs, x, f, "StepEntered", s->name,
                         json_pack("{s:O, s:O}", "input", input, "local",
                                   f->local),
                         &st->entered_ev)) ||
        (rc = xrun_event(xs, x, f, "StepStarted", s->name,
                         json_pack("{s:O}", "input", input), &started)))
        return rc;
    if (xr_size(input) > EXEC_MAX_DATA)
        return xr_step_failed(xs, x, f, list, "FnF.DataLimitExceeded",
                              "the step's input is over 32 KiB");

    switch (s->type) {
    case FLOW_STEP_PASS:
    case FLOW_STEP_SUCCEED:
        return xr_step_done(xs, x, f, list, json_object());
    case FLOW_STEP_FAIL:
        return xr_step_failed(xs, x, f, list,
                              s->error ? s->error : "FnF.Failed",
                              s->cause ? s->cause : "");
    case FLOW_STEP_WAIT: {
        char why[120];
        int64_t due;

        if (xr_wait_due(&due, why, sizeof(why), xs, s, input) != 0)
            return xr_step_failed(xs, x, f, list, "FnF.InvalidArgument",
                                  why);
        if (due <= xs_now(xs))
            return xr_step_done(xs, x, f, list, json_object());
        st->phase = XP_SLEEP;
        return xr_timer_add(xs, x, due, "sleep", s->name, NULL, &st->timer);
    }
    case FLOW_STEP_TASK:
        return xr_task_attempt(xs, x, f, list);
    case FLOW_STEP_CHOICE:
    case FLOW_STEP_PARALLEL:
    case FLOW_STEP_FOREACH:
        return xr_enter_kids(xs, x, f, list, started);
    }
    return 0;
}

/* ---- compound steps ---- */

/* Cancel what the frames of `f`'s subtree wait for. */
static int
xr_cancel_visit(struct xframe *f, const struct flow_steps *list, void *arg)
{
    struct exec_service *xs = ((void **)arg)[0];
    const char *status = ((void **)arg)[1];
    struct xstep *st = &f->cur;
    int rc;

    (void)list;
    if (f->status != XF_RUNNING)
        return 0;
    if ((rc = xr_timer_cancel(xs, &st->timer)) ||
        (rc = xr_timer_cancel(xs, &st->hb_timer)))
        return rc;
    if (st->phase == XP_TASK && st->token &&
        (rc = xtask_set_status(xs, st->token, status)))
        return rc;
    if (st->phase == XP_TASK || st->phase == XP_SLEEP ||
        st->phase == XP_RETRY)
        st->phase = XP_ENTER; /* a redrive enters it again */
    return 0;
}

static int
xr_cancel_frame(struct exec_service *xs, struct xframe *f,
                const struct flow_steps *list, const char *status)
{
    void *arg[2] = {xs, (void *)status};

    return xvisit(f, list, xr_cancel_visit, arg);
}

int
xrun_cancel(struct exec_service *xs, struct xexec *x, const char *status)
{
    return xr_cancel_frame(xs, x->root, &x->def->steps, status);
}

static int
xr_foreach_start(struct exec_service *xs, struct xexec *x, struct xframe *f,
                 const struct flow_step *s, int *started)
{
    struct xstep *st = &f->cur;
    size_t running = 0;
    int rc;

    for (size_t i = 0; i < st->next_kid; i++)
        if (st->kids[i] && st->kids[i]->status == XF_RUNNING)
            running++;
    while (running < XR_FOREACH_MAX && st->next_kid < st->nkids) {
        size_t i = st->next_kid++;
        json_t *extra = json_object(), *input;
        struct xframe *k;

        json_object_set(extra, s->item, json_array_get(st->items, i));
        if (s->index)
            json_object_set_new(extra, s->index, json_integer((int64_t)i));
        input = flow_data_merge(st->input, extra);
        json_decref(extra);
        k = xframe_new((int)i, input, NULL);
        k->last_ev = f->last_ev;
        st->kids[i] = k;
        if ((rc = xrun_event(xs, x, k, "IterationEntered", s->name,
                             json_pack("{s:i, s:O}", "index", (int)i,
                                       "input", input),
                             NULL)))
            return rc;
        running++;
        *started = 1;
    }
    return 0;
}

/*
 * Run the frames of compound step `f` is on; end the step when they are
 * all done, fail it when one fails. *moved: something happened.
 */
static int
xr_kids(struct exec_service *xs, struct xexec *x, struct xframe *f,
        const struct flow_steps *list, int *moved)
{
    const struct flow_step *s = &list->v[f->pc];
    struct xstep *st = &f->cur;
    int rc = 0;

    for (;;) {
        int started = 0, ended = 0;
        size_t done = 0;
        struct xframe *failed = NULL;

        if (s->type == FLOW_STEP_FOREACH &&
            (rc = xr_foreach_start(xs, x, f, s, &started)))
            return rc;
        for (size_t i = 0; i < st->nkids; i++) {
            struct xframe *k = st->kids[i];
            const struct flow_steps *kl;
            int p = 0;

            if (k == NULL)
                continue;
            kl = s->type == FLOW_STEP_PARALLEL ? &s->branches[k->index]
                                               : xkid_list(s, st);
            if (k->status == XF_RUNNING &&
                (rc = xr_frame(xs, x, k, kl, &p)))
                return rc;
            if (x->overflow)
                return 0;
            if (k->status == XF_DONE && !k->exited &&
                s->type != FLOW_STEP_CHOICE) {
                k->exited = 1;
                ended = 1;
                if ((rc = xrun_event(
                         xs, x, k,
                         s->type == FLOW_STEP_PARALLEL ? "BranchExited"
                                                       : "IterationExited",
                         s->name,
                         json_pack("{s:i, s:O}", "index", k->index, "local",
                                   k->local),
                         NULL)))
                    return rc;
                /* keep only what the step's local needs */
                xstep_clear(&k->cur);
                json_decref(k->input);
                k->input = json_object();
            }
            if (k->status == XF_DONE)
                done++;
            if (k->status == XF_FAILED && failed == NULL)
                failed = k;
            ended |= p;
        }
        if (failed) {
            char *error = xstrdup(failed->error ? failed->error : "");
            char *cause = xstrdup(failed->cause ? failed->cause : "");

            *moved = 1;
            for (size_t i = 0; i < st->nkids && rc == 0; i++) {
                struct xframe *k = st->kids[i];

                if (k && k->status == XF_RUNNING)
                    rc = xr_cancel_frame(
                        xs, k,
                        s->type == FLOW_STEP_PARALLEL
                            ? &s->branches[k->index]
                            : xkid_list(s, st),
                        "cancelled");
            }
            if (rc == 0)
                rc = xr_step_failed(xs, x, f, list, error, cause);
            free(error);
            free(cause);
            return rc;
        }
        if (done == st->nkids &&
            (s->type != FLOW_STEP_FOREACH || st->next_kid == st->nkids)) {
            json_t *local;

            *moved = 1;
            if (s->type == FLOW_STEP_CHOICE) {
                local = json_incref(st->kids[0]->local);
            } else {
                local = json_array();
                for (size_t i = 0; i < st->nkids; i++)
                    json_array_append(local, st->kids[i]->local);
            }
            return xr_step_done(xs, x, f, list, local);
        }
        if (!started && !ended)
            return 0;
        *moved = 1;
    }
}

/* ---- frames ---- */

static int
xr_frame(struct exec_service *xs, struct xexec *x, struct xframe *f,
         const struct flow_steps *list, int *progress)
{
    int rc = 0;

    while (f->status == XF_RUNNING && !x->overflow) {
        int moved = 0;

        if (list == NULL || f->pc >= list->n) {
            f->status = XF_DONE;
            break;
        }
        switch (f->cur.phase) {
        case XP_ENTER:
            rc = xr_enter(xs, x, f, list);
            moved = 1;
            break;
        case XP_KIDS:
            rc = xr_kids(xs, x, f, list, &moved);
            break;
        default:
            return 0;
        }
        if (rc)
            return rc;
        if (!moved)
            return 0;
        *progress = 1;
    }
    return 0;
}

/* ---- the execution ---- */

static int
xr_exec_end(struct exec_service *xs, struct xexec *x, enum xstatus status,
            const char *error, const char *cause)
{
    static const char *const types[] = {
        [XS_SUCCEEDED] = "ExecutionSucceeded",
        [XS_FAILED] = "ExecutionFailed",
        [XS_STOPPED] = "ExecutionStopped",
        [XS_TIMED_OUT] = "ExecutionTimedOut",
    };
    json_t *detail;
    int rc;

    if (status == XS_SUCCEEDED) {
        json_t *ctx = xr_context(x, NULL, NULL);
        json_t *out = NULL;

        if (x->def->output_mappings) {
            rc = flow_mapping_apply(&out, x->def->output_mappings,
                                    x->root->input, x->root->local, ctx);
        } else {
            out = json_deep_copy(x->root->local);
            rc = 0;
        }
        json_decref(ctx);
        if (rc)
            return xr_exec_end(xs, x, XS_FAILED, "FnF.InvalidMapping",
                               err_last());
        json_decref(x->output);
        x->output = out;
        detail = json_pack("{s:O}", "output", out);
    } else {
        if ((rc = xrun_cancel(xs, x, "cancelled")))
            return rc;
        free(x->error);
        free(x->cause);
        x->error = xstrdup(error ? error : "");
        x->cause = xstrdup(cause ? cause : "");
        detail = xr_err_detail(error, cause);
    }
    x->status = status;
    x->stopped_ms = xs_now(xs);
    if ((rc = xrun_event(xs, x, status == XS_STOPPED ? NULL : x->root,
                         types[status], "", detail, NULL)))
        return rc;
    return xs_finished(xs, x);
}

int
xrun_advance(struct exec_service *xs, struct xexec *x)
{
    int rc, progress;

    if (x->status != XS_RUNNING)
        return 0;
    do {
        progress = 0;
        if ((rc = xr_frame(xs, x, x->root, &x->def->steps, &progress)))
            return rc;
        if (x->overflow)
            return xr_exec_end(xs, x, XS_FAILED, "FnF.EventLimitExceeded",
                               "the execution wrote more than 5000 events");
    } while (progress && x->root->status == XF_RUNNING);
    if (x->root->status == XF_DONE)
        return xr_exec_end(xs, x, XS_SUCCEEDED, NULL, NULL);
    if (x->root->status == XF_FAILED)
        return xr_exec_end(xs, x,
                           strcmp(x->root->error, "FnF.Timeout") == 0
                               ? XS_TIMED_OUT
                               : XS_FAILED,
                           x->root->error, x->root->cause);
    return 0;
}

int
xrun_stop(struct exec_service *xs, struct xexec *x, const char *error,
          const char *cause)
{
    return xr_exec_end(xs, x, XS_STOPPED, error, cause);
}

static int
xr_rebuild_visit(struct xframe *f, const struct flow_steps *list, void *arg)
{
    struct xexec *x = arg;
    struct xstep *st = &f->cur;
    const struct flow_step *s;

    if (f->input == NULL)
        f->input = json_object(); /* a finished kid: nothing needs it */
    if (list == NULL || f->pc >= list->n || f->status == XF_DONE ||
        st->phase == XP_ENTER)
        return 0;
    s = &list->v[f->pc];
    if (st->input == NULL) {
        json_t *ctx = xr_context(x, s->name, st->token);

        if (flow_step_input(&st->input, s, f->input, f->local, ctx) != 0)
            st->input = json_object(); /* as xr_enter left it */
        json_decref(ctx);
    }
    for (size_t i = 0; i < st->nkids; i++) {
        struct xframe *k = st->kids[i];

        if (k == NULL || k->input != NULL || k->status == XF_DONE)
            continue;
        if (s->type == FLOW_STEP_FOREACH) {
            json_t *extra = json_object();

            json_object_set(extra, s->item,
                            json_array_get(st->items, (size_t)k->index));
            if (s->index)
                json_object_set_new(extra, s->index,
                                    json_integer(k->index));
            k->input = flow_data_merge(st->input, extra);
            json_decref(extra);
        } else {
            k->input = json_incref(st->input);
        }
    }
    return 0;
}

void
xrun_rebuild(struct xexec *x)
{
    xvisit(x->root, &x->def->steps, xr_rebuild_visit, x);
}

void
xrun_unfail(struct xframe *f)
{
    struct xstep *st = &f->cur;

    if (f->status == XF_FAILED) {
        f->status = XF_RUNNING;
        free(f->error);
        free(f->cause);
        f->error = f->cause = NULL;
    }
    for (size_t i = 0; i < st->nkids; i++)
        if (st->kids[i])
            xrun_unfail(st->kids[i]);
    if (st->phase == XP_FAILED) {
        free(st->error);
        free(st->cause);
        st->error = st->cause = NULL;
        if (st->nkids || st->items) {
            st->phase = XP_KIDS;
        } else {
            st->phase = XP_ENTER;
        }
    }
}
