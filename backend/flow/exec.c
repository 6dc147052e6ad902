/*
 * exec: the executions service: start, describe (and wait), list,
 * history, stop, redrive; loading and saving executions; the "flow"
 * timers; child executions and the callbacks they owe their parents.
 */
#include "flow/exec_int.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/rand.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "core/sched.h"
#include "flow/flow_defs.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XS_DEFS_MAX 64 /* parsed flow versions kept */

static int xs_fire(const struct sched_timer *t, void *arg);
static int64_t xs_hook_next(void *arg);
static void xs_hook_run(void *arg);

struct exec_service *
exec_service_create(struct engine *eng)
{
    struct exec_service *xs = xcalloc(1, sizeof(*xs));

    xs->eng = eng;
    sched_register(eng->sched, "flow", xs_fire, xs);
    engine_hook_add(eng, xs_hook_next, xs_hook_run, xs);
    return xs;
}

static void
xs_defs_clear(struct exec_service *xs)
{
    while (xs->defs) {
        struct xdef *d = xs->defs;

        xs->defs = d->next;
        free(d->version);
        flow_free(d->flow);
        free(d);
    }
    xs->ndefs = 0;
}

static void
xs_pending_free(struct xpending *p)
{
    free(p->token);
    json_decref(p->output);
    free(p->error);
    free(p->cause);
    free(p);
}

void
exec_service_free(struct exec_service *xs)
{
    if (xs == NULL)
        return;
    exec_service_shutdown(xs);
    xs_defs_clear(xs);
    while (xs->pending) {
        struct xpending *p = xs->pending;

        xs->pending = p->next;
        xs_pending_free(p);
    }
    free(xs);
}

int64_t
xs_now(struct exec_service *xs)
{
    return engine_now(xs->eng);
}

struct store *
xs_store(struct exec_service *xs)
{
    return xs->eng->store;
}

/* ---- definitions ---- */

/* The parsed definition of `version` (borrowed; cached). */
static int
xs_def(const struct flow **out, struct exec_service *xs, const char *version)
{
    struct xdef **pp, *d;
    sqlite3_stmt *q;
    struct flow *f = NULL;
    int rc;

    for (pp = &xs->defs; (d = *pp) != NULL; pp = &d->next) {
        if (strcmp(d->version, version) == 0) {
            *pp = d->next; /* to the front */
            d->next = xs->defs;
            xs->defs = d;
            *out = d->flow;
            return 0;
        }
    }
    q = store_stmt(xs->eng->store,
                   "SELECT definition FROM flow_versions WHERE version = ?");
    sqlite3_bind_text(q, 1, version, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        rc = flow_parse(&f, (const char *)sqlite3_column_text(q, 0),
                        (size_t)sqlite3_column_bytes(q, 0), "flow");
    } else {
        rc = rc == SQLITE_DONE
                 ? err_set(ENG_ERR, "flow version %s is missing", version)
                 : store_error(xs->eng->store);
    }
    store_done(q);
    if (rc)
        return rc;
    if (xs->ndefs >= XS_DEFS_MAX && xs->defs) { /* drop the least used */
        for (pp = &xs->defs; (*pp)->next; pp = &(*pp)->next)
            ;
        free((*pp)->version);
        flow_free((*pp)->flow);
        free(*pp);
        *pp = NULL;
        xs->ndefs--;
    }
    d = xcalloc(1, sizeof(*d));
    d->version = xstrdup(version);
    d->flow = f;
    d->next = xs->defs;
    xs->defs = d;
    xs->ndefs++;
    *out = f;
    return 0;
}

/* ---- loading and saving ---- */

static char *
xs_col_str(sqlite3_stmt *q, int i)
{
    const char *s = (const char *)sqlite3_column_text(q, i);

    return s ? xstrdup(s) : NULL;
}

static json_t *
xs_col_json(sqlite3_stmt *q, int i)
{
    json_t *j = NULL;

    if (sqlite3_column_type(q, i) == SQLITE_NULL)
        return NULL;
    if (jsonx_loads(&j, (const char *)sqlite3_column_text(q, i),
                    (size_t)sqlite3_column_bytes(q, i)) != 0)
        return json_null();
    return j;
}

static int
xs_load(struct xexec **out, struct exec_service *xs, int64_t id)
{
    sqlite3_stmt *q = store_stmt(
        xs->eng->store,
        "SELECT flow, name, version, status, input, output, error, cause, "
        "started_ms, stopped_ms, next_event, parent_token, state "
        "FROM executions WHERE id = ?");
    struct xexec *x;
    json_t *state = NULL;
    int rc;

    *out = NULL;
    sqlite3_bind_int64(q, 1, id);
    rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE
                 ? err_setn(ENG_ENOTFOUND, "ExecutionNotFound",
                            "no execution has id %lld", (long long)id)
                 : store_error(xs->eng->store);
        store_done(q);
        return rc;
    }
    x = xcalloc(1, sizeof(*x));
    x->id = id;
    x->flow = xs_col_str(q, 0);
    x->name = xs_col_str(q, 1);
    x->version = xs_col_str(q, 2);
    rc = xstatus_parse(&x->status, (const char *)sqlite3_column_text(q, 3));
    x->input = xs_col_json(q, 4);
    x->output = xs_col_json(q, 5);
    x->error = xs_col_str(q, 6);
    x->cause = xs_col_str(q, 7);
    x->started_ms = sqlite3_column_int64(q, 8);
    x->stopped_ms = sqlite3_column_int64(q, 9);
    x->next_event = sqlite3_column_int64(q, 10);
    x->parent_token = xs_col_str(q, 11);
    state = xs_col_json(q, 12);
    store_done(q);
    if (rc == 0)
        rc = xs_def(&x->def, xs, x->version);
    if (rc == 0 && json_is_object(state))
        rc = xframe_from_json(&x->root, state);
    else if (rc == 0)
        x->root = xframe_new(0, NULL, NULL);
    json_decref(state);
    if (rc == 0) {
        if (x->root->input == NULL)
            x->root->input = json_object();
        xrun_rebuild(x);
    }
    if (rc) {
        xexec_free(x);
        return rc;
    }
    *out = x;
    return 0;
}

static void
xs_bind_json(sqlite3_stmt *q, int i, const json_t *j)
{
    if (j)
        sqlite3_bind_text(q, i, jsonx_dump(j), -1, free);
    else
        sqlite3_bind_null(q, i);
}

static void
xs_bind_str(sqlite3_stmt *q, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, i);
}

int
xs_save(struct exec_service *xs, struct xexec *x)
{
    sqlite3_stmt *q = store_stmt(
        xs->eng->store,
        "UPDATE executions SET status = ?, output = ?, error = ?, cause = ?, "
        "stopped_ms = ?, next_event = ?, state = ? WHERE id = ?");
    int rc;

    sqlite3_bind_text(q, 1, xstatus_name(x->status), -1, SQLITE_STATIC);
    xs_bind_json(q, 2, x->output);
    xs_bind_str(q, 3, x->error);
    xs_bind_str(q, 4, x->cause);
    if (x->stopped_ms)
        sqlite3_bind_int64(q, 5, x->stopped_ms);
    sqlite3_bind_int64(q, 6, x->next_event);
    /* what a redrive needs; a succeeded or stopped one needs nothing */
    if (x->status == XS_RUNNING || x->status == XS_FAILED ||
        x->status == XS_TIMED_OUT) {
        json_t *state = xframe_to_json(x->root, 0);

        sqlite3_bind_text(q, 7, jsonx_dump(state), -1, free);
        json_decref(state);
    }
    sqlite3_bind_int64(q, 8, x->id);
    rc = store_step_done(xs->eng->store, q);
    store_done(q);
    return rc;
}

/* Find an execution by name (and flow). */
static int
xs_find(int64_t *id, struct exec_service *xs, const char *flow,
        const char *name)
{
    sqlite3_stmt *q;
    char flows[2][140];
    int n = 0, rc;

    if (flow) {
        q = store_stmt(xs->eng->store, "SELECT id FROM executions "
                                       "WHERE flow = ? AND name = ?");
        sqlite3_bind_text(q, 1, flow, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
    } else {
        q = store_stmt(xs->eng->store, "SELECT id, flow FROM executions "
                                       "WHERE name = ? LIMIT 2");
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    }
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == 0)
            *id = sqlite3_column_int64(q, 0);
        if (!flow)
            snprintf(flows[n], sizeof(flows[n]), "%s",
                     (const char *)sqlite3_column_text(q, 1));
        n++;
    }
    store_done(q);
    if (rc != SQLITE_DONE)
        return store_error(xs->eng->store);
    if (n == 0)
        return flow ? err_setn(ENG_ENOTFOUND, "ExecutionNotFound",
                               "flow '%.128s' has no execution '%.128s'",
                               flow, name)
                    : err_setn(ENG_ENOTFOUND, "ExecutionNotFound",
                               "no execution is named '%.128s'", name);
    if (n > 1)
        return err_set(ENG_ECONFLICT, "executions of flows '%s' and '%s' "
                       "(at least) are named '%.128s': say which flow",
                       flows[0], flows[1], name);
    return 0;
}

int
xs_load_named(struct xexec **out, struct exec_service *xs, const char *flow,
              const char *name)
{
    int64_t id = 0;
    int rc = xs_find(&id, xs, flow, name);

    return rc ? rc : xs_load(out, xs, id);
}

/* ---- descriptions ---- */

static const char *const xs_phase_state[] = {
    [XP_ENTER] = "running", [XP_TASK] = "waiting", [XP_SLEEP] = "sleeping",
    [XP_RETRY] = "retrying", [XP_KIDS] = "running", [XP_FAILED] = "failed",
};

static int
xs_current_visit(struct xframe *f, const struct flow_steps *list, void *arg)
{
    json_t *a = arg, *c;

    if (f->status != XF_RUNNING || list == NULL || f->pc >= list->n ||
        f->cur.phase == XP_KIDS || f->cur.phase == XP_FAILED)
        return 0;
    c = json_pack("{s:s, s:s, s:o}", "step", list->v[f->pc].name, "state",
                  xs_phase_state[f->cur.phase], "since",
                  jsonx_time(f->cur.since_ms));
    if (f->cur.phase == XP_TASK && f->cur.token)
        json_object_set_new(c, "token", json_string(f->cur.token));
    json_array_append_new(a, c);
    return 0;
}

json_t *
xs_describe(struct exec_service *xs, const struct xexec *x)
{
    json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:O, s:o, s:I}", "name",
                          x->name, "flow", x->flow, "version", x->version,
                          "status", xstatus_name(x->status), "input",
                          x->input ? x->input : json_null(), "started",
                          jsonx_time(x->started_ms), "events",
                          (json_int_t)(x->next_event - 1));
    json_t *cur = json_array();

    (void)xs;
    if (x->output)
        json_object_set(d, "output", x->output);
    if (x->error)
        json_object_set_new(d, "error", json_string(x->error));
    if (x->cause)
        json_object_set_new(d, "cause", json_string(x->cause));
    if (x->stopped_ms)
        json_object_set_new(d, "stopped", jsonx_time(x->stopped_ms));
    if (x->status == XS_RUNNING && x->root)
        xvisit(x->root, &x->def->steps, xs_current_visit, cur);
    json_object_set_new(d, "current", cur);
    return d;
}

/* ---- finishing, waiters, parents ---- */

static void
xs_count(struct exec_service *xs, enum xstatus from, enum xstatus to)
{
    if (xs->counts_ok) {
        xs->counts[from]--;
        xs->counts[to]++;
    }
}

static const char *const xs_journal_types[] = {
    [XS_RUNNING] = "running", [XS_SUCCEEDED] = "succeeded",
    [XS_FAILED] = "failed",   [XS_STOPPED] = "stopped",
    [XS_TIMED_OUT] = "timed_out",
};

static int
xs_journal(struct exec_service *xs, const struct xexec *x, const char *type,
           json_t *detail)
{
    char *entity = xasprintf("%s/%s", x->flow, x->name);
    int rc = engine_journal(xs->eng, "execution", entity, type, detail);

    free(entity);
    json_decref(detail);
    return rc;
}

static void
xs_wake(struct exec_service *xs, int64_t id, json_t *desc)
{
    struct exec_waiter **pp = &xs->waiters, *w;

    while ((w = *pp) != NULL) {
        if (w->exec_id == id) {
            *pp = w->next;
            w->done(desc ? json_incref(desc) : NULL, w->arg);
            free(w);
        } else {
            pp = &w->next;
        }
    }
}

int
xs_finished(struct exec_service *xs, struct xexec *x)
{
    json_t *desc;
    int rc;

    x->finished_now = 1;
    xs_count(xs, XS_RUNNING, x->status);
    rc = xs_journal(
        xs, x, xs_journal_types[x->status],
        x->status == XS_SUCCEEDED
            ? NULL
            : json_pack("{s:s, s:s}", "error", x->error ? x->error : "",
                        "cause", x->cause ? x->cause : ""));
    if (rc)
        return rc;
    desc = xs_describe(xs, x);
    xs_wake(xs, x->id, desc);
    json_decref(desc);
    if (x->parent_token) {
        struct xpending *p = xcalloc(1, sizeof(*p)), **pp;

        p->token = xstrdup(x->parent_token);
        p->ok = x->status == XS_SUCCEEDED;
        if (p->ok) {
            p->output = json_deep_copy(x->output);
        } else {
            p->error = xstrdup(x->status == XS_STOPPED
                                   ? "FnF.ChildExecutionStopped"
                                   : x->error ? x->error : "");
            p->cause = xasprintf("child execution %s/%s %s%s%s", x->flow,
                                 x->name, xstatus_name(x->status),
                                 x->cause && *x->cause ? ": " : "",
                                 x->cause ? x->cause : "");
        }
        for (pp = &xs->pending; *pp; pp = &(*pp)->next)
            ;
        *pp = p;
    }
    return 0;
}

/* Deliver the callbacks child executions owe (outermost operation only). */
static int
xs_op_end(struct exec_service *xs, int rc)
{
    while (rc == 0 && xs->depth == 0 && xs->pending) {
        struct xpending *p = xs->pending;

        xs->pending = p->next;
        rc = xs_deliver(xs, p);
        xs_pending_free(p);
        xs->delivered++;
        if (rc == ENG_ENOTFOUND || rc == ENG_ECONFLICT)
            rc = 0; /* the parent moved on (stopped, timed out) */
    }
    if (rc)
        xs->counts_ok = 0; /* the caller's change will be undone */
    return rc;
}

/* ---- starting ---- */

static int
xs_check_input(const json_t *input)
{
    if (!json_is_object(input))
        return err_setn(ENG_EINVAL, "InvalidInput",
                        "the execution input must be a JSON object");
    if (json_dumpb(input, NULL, 0, JSON_COMPACT) > EXEC_MAX_DATA)
        return err_setn(ENG_EINVAL, "InvalidInput",
                        "the execution input is over 32 KiB");
    return 0;
}

static int
xs_create(struct xexec **out, struct exec_service *xs, const char *flow,
          const char *name, const json_t *input, const char *parent_token)
{
    struct store *st = xs->eng->store;
    sqlite3_stmt *q;
    char *def_text = NULL, *version = NULL;
    struct xexec *x;
    json_t *ctx, *flow_input = NULL;
    int rc;

    *out = NULL;
    q = store_stmt(st, "SELECT definition, version FROM flows WHERE name = ?");
    sqlite3_bind_text(q, 1, flow, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        def_text = xs_col_str(q, 0);
        version = xs_col_str(q, 1);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE
                 ? err_setn(ENG_ENOTFOUND, "FlowNotFound",
                            "flow '%.128s' does not exist", flow)
                 : store_error(st);
    }
    store_done(q);
    if (rc)
        return rc;
    q = store_stmt(st, "INSERT OR IGNORE INTO flow_versions (version, "
                       "definition) VALUES (?, ?)");
    sqlite3_bind_text(q, 1, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, def_text, -1, SQLITE_STATIC);
    rc = store_step_done(st, q);
    store_done(q);
    free(def_text);
    x = xcalloc(1, sizeof(*x));
    x->flow = xstrdup(flow);
    x->name = xstrdup(name);
    x->version = version;
    x->status = XS_RUNNING;
    x->input = json_deep_copy(input);
    x->parent_token = parent_token ? xstrdup(parent_token) : NULL;
    x->started_ms = xs_now(xs);
    x->next_event = 1;
    if (rc == 0)
        rc = xs_def(&x->def, xs, version);
    if (rc == 0) {
        q = store_stmt(st, "INSERT INTO executions (flow, name, version, "
                           "status, input, started_ms, next_event, "
                           "parent_token) VALUES (?, ?, ?, 'Running', ?, ?, "
                           "1, ?)");
        sqlite3_bind_text(q, 1, flow, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, version, -1, SQLITE_STATIC);
        xs_bind_json(q, 4, x->input);
        sqlite3_bind_int64(q, 5, x->started_ms);
        xs_bind_str(q, 6, parent_token);
        rc = store_step_done(st, q);
        store_done(q);
        x->id = sqlite3_last_insert_rowid(store_db(st));
    }
    if (rc == 0)
        rc = xrun_event(xs, x, NULL, "ExecutionStarted", "",
                        json_pack("{s:O}", "input", x->input), NULL);
    if (rc) {
        xexec_free(x);
        return rc;
    }
    ctx = flow_context_build(flow, name, NULL, NULL);
    if (x->def->input_mappings)
        rc = flow_mapping_apply(&flow_input, x->def->input_mappings,
                                x->input, NULL, ctx);
    else
        flow_input = json_deep_copy(x->input);
    json_decref(ctx);
    x->root = xframe_new(0, flow_input ? flow_input : json_object(), NULL);
    x->root->last_ev = 1;
    if (rc) { /* only a hand-built mapping fails; end it as failed */
        x->root->status = XF_FAILED;
        x->root->error = xstrdup("FnF.InvalidMapping");
        x->root->cause = xstrdup(err_last());
    }
    if ((rc = xs_journal(xs, x, "started",
                         json_pack("{s:s}", "version", x->version)))) {
        xexec_free(x);
        return rc;
    }
    if (xs->counts_ok)
        xs->counts[XS_RUNNING]++;
    *out = x;
    return 0;
}

static int
xs_start(json_t **out, int *created, struct exec_service *xs,
         const char *flow, const char *name, const json_t *input,
         const char *parent_token)
{
    char uuid[37];
    json_t *empty = NULL;
    struct xexec *x = NULL;
    int64_t id;
    int rc;

    *out = NULL;
    *created = 0;
    if (name == NULL) {
        rand_uuid(uuid);
        name = uuid;
    } else if (flow_defs_check_name(name)) {
        return err_setn(ENG_EINVAL, "InvalidExecutionName",
                        "execution name '%.80s' must be 1 to 128 letters, "
                        "digits, '_' or '-', starting with a letter or '_'",
                        name);
    }
    if (input == NULL)
        input = empty = json_object();
    rc = xs_check_input(input);
    if (rc == 0 && (rc = xs_find(&id, xs, flow, name)) == 0) {
        if ((rc = xs_load(&x, xs, id)) == 0) {
            if (x->status == XS_RUNNING) {
                *out = xs_describe(xs, x);
            } else {
                rc = err_setn(ENG_EEXISTS, "ExecutionAlreadyExists",
                              "execution '%.128s' of flow '%.128s' has "
                              "finished (%s); names are not reused",
                              name, flow, xstatus_name(x->status));
            }
        }
        json_decref(empty);
        xexec_free(x);
        return rc;
    }
    if (rc != ENG_ENOTFOUND) {
        json_decref(empty);
        return rc;
    }
    err_clear();
    rc = xs_create(&x, xs, flow, name, input, parent_token);
    json_decref(empty);
    if (rc)
        return rc;
    xs->depth++;
    rc = xrun_advance(xs, x);
    if (rc == 0)
        rc = xs_save(xs, x);
    xs->depth--;
    if (rc == 0) {
        *created = 1;
        *out = xs_describe(xs, x);
    }
    xexec_free(x);
    return rc;
}

int
exec_start(json_t **out, int *created, struct exec_service *xs,
           const char *flow, const char *name, const json_t *input)
{
    return exec_start_for(out, created, xs, flow, name, input, NULL);
}

int
exec_start_for(json_t **out, int *created, struct exec_service *xs,
               const char *flow, const char *name, const json_t *input,
               const char *parent_token)
{
    int64_t delivered = xs->delivered;
    int rc = xs_start(out, created, xs, flow, name, input, parent_token);

    if ((rc = xs_op_end(xs, rc))) {
        json_decref(*out);
        *out = NULL;
    } else if (xs->delivered != delivered) {
        /* a child finished and its parent (this one) moved on */
        json_t *again = NULL;
        const char *n = json_string_value(json_object_get(*out, "name"));

        if (exec_get(&again, xs, flow, n) == 0) {
            json_decref(*out);
            *out = again;
        }
    }
    return rc;
}

int
xs_start_child(json_t **out, struct exec_service *xs, struct xexec *parent,
               const char *flow, const json_t *input,
               const char *parent_token)
{
    char *name = xasprintf("%.60s-%lld", parent->name,
                           (long long)parent->next_event);
    int created, rc;

    rc = xs_start(out, &created, xs, flow, name, input, parent_token);
    free(name);
    if (rc == 0 && !created) {
        json_decref(*out);
        *out = NULL;
        rc = err_set(ENG_EEXISTS, "a child execution of that name runs");
    }
    return rc;
}

/* ---- reading ---- */

int
exec_get(json_t **out, struct exec_service *xs, const char *flow,
         const char *name)
{
    struct xexec *x;
    int rc = xs_load_named(&x, xs, flow, name);

    *out = NULL;
    if (rc)
        return rc;
    *out = xs_describe(xs, x);
    xexec_free(x);
    return 0;
}

int
exec_get_wait(json_t **out, struct exec_waiter **waiter,
              struct exec_service *xs, const char *flow, const char *name,
              int64_t wait_ms, exec_wait_fn done, void *arg)
{
    struct xexec *x;
    struct exec_waiter *w;
    int rc = xs_load_named(&x, xs, flow, name);

    *out = NULL;
    *waiter = NULL;
    if (rc)
        return rc;
    if (x->status != XS_RUNNING || wait_ms <= 0 || engine_stopping(xs->eng)) {
        *out = xs_describe(xs, x);
        xexec_free(x);
        return 0;
    }
    w = xcalloc(1, sizeof(*w));
    w->xs = xs;
    w->exec_id = x->id;
    w->deadline = timefmt_mono_ms() + wait_ms;
    w->done = done;
    w->arg = arg;
    w->next = xs->waiters;
    xs->waiters = w;
    *waiter = w;
    xexec_free(x);
    return EXEC_PARKED;
}

void
exec_waiter_cancel(struct exec_waiter *w)
{
    struct exec_waiter **pp;

    for (pp = &w->xs->waiters; *pp; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            free(w);
            return;
        }
    }
}

/* Answer waiter `w` (unlinked) with the execution as it is now. */
static void
xs_answer(struct exec_service *xs, struct exec_waiter *w)
{
    struct xexec *x = NULL;
    json_t *desc = NULL;

    if (xs_load(&x, xs, w->exec_id) == 0)
        desc = xs_describe(xs, x);
    xexec_free(x);
    w->done(desc, w->arg);
    free(w);
}

/* engine hook: when the next waiting describe times out */
static int64_t
xs_hook_next(void *arg)
{
    struct exec_service *xs = arg;
    int64_t t = INT64_MAX;

    for (struct exec_waiter *w = xs->waiters; w; w = w->next)
        if (w->deadline < t)
            t = w->deadline;
    return t;
}

/* engine hook: answer waiting describes whose wait is over */
static void
xs_hook_run(void *arg)
{
    struct exec_service *xs = arg;
    struct exec_waiter **pp = &xs->waiters, *w;
    int64_t now;

    if (xs->waiters == NULL)
        return;
    now = timefmt_mono_ms();
    while ((w = *pp) != NULL) {
        if (w->deadline <= now) {
            *pp = w->next;
            xs_answer(xs, w);
        } else {
            pp = &w->next;
        }
    }
}

void
exec_service_shutdown(struct exec_service *xs)
{
    while (xs->waiters) {
        struct exec_waiter *w = xs->waiters;

        xs->waiters = w->next;
        xs_answer(xs, w);
    }
}

void
exec_service_reload(struct exec_service *xs)
{
    xs->counts_ok = 0;
    xs_defs_clear(xs);
    exec_service_shutdown(xs);
}

json_t *
exec_service_counts(struct exec_service *xs)
{
    struct store *st = xs->eng->store;
    sqlite3_stmt *q;
    json_t *c = json_object();

    if (!xs->counts_ok) {
        q = store_stmt(st, "SELECT status, count(*) FROM executions "
                           "GROUP BY status");
        memset(xs->counts, 0, sizeof(xs->counts));
        while (sqlite3_step(q) == SQLITE_ROW) {
            enum xstatus s;

            if (xstatus_parse(&s, (const char *)sqlite3_column_text(q, 0)) ==
                0)
                xs->counts[s] = sqlite3_column_int64(q, 1);
        }
        store_done(q);
        xs->counts_ok = 1;
    }
    for (int s = XS_RUNNING; s <= XS_TIMED_OUT; s++)
        json_object_set_new(c, xs_journal_types[s],
                            json_integer(xs->counts[s]));
    q = store_stmt(st, "SELECT count(*), min(created_ms) FROM tasks "
                       "WHERE status = 'waiting'");
    if (sqlite3_step(q) == SQLITE_ROW) {
        json_object_set_new(c, "waiting_tasks",
                            json_integer(sqlite3_column_int64(q, 0)));
        if (sqlite3_column_type(q, 1) != SQLITE_NULL)
            json_object_set_new(c, "oldest_task",
                                jsonx_time(sqlite3_column_int64(q, 1)));
    }
    store_done(q);
    err_clear();
    return c;
}

static int
xs_limit_next(json_t *items, int limit)
{
    return (int)json_array_size(items) > limit;
}

int
exec_list(json_t **out, struct exec_service *xs, const char *flow,
          const char *status, int64_t cursor, int limit)
{
    struct store *st = xs->eng->store;
    sqlite3_stmt *q;
    json_t *items = json_array();
    enum xstatus s;
    int rc;

    *out = NULL;
    if (status && strcmp(status, "Starting") == 0) {
        /* never seen: an execution starts within the request that
         * starts it */
        *out = json_pack("{s:o}", "items", items);
        return 0;
    }
    if (status && (rc = xstatus_parse(&s, status))) {
        json_decref(items);
        return rc;
    }
    q = store_stmt(st, "SELECT id, flow, name, status, started_ms, "
                       "stopped_ms FROM executions WHERE (?1 IS NULL OR "
                       "flow = ?1) AND (?2 IS NULL OR status = ?2) AND "
                       "(?3 = 0 OR id < ?3) ORDER BY id DESC LIMIT ?4");
    xs_bind_str(q, 1, flow);
    xs_bind_str(q, 2, status);
    sqlite3_bind_int64(q, 3, cursor);
    sqlite3_bind_int(q, 4, limit + 1);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        json_t *e = json_pack(
            "{s:I, s:s, s:s, s:s, s:o}", "id",
            (json_int_t)sqlite3_column_int64(q, 0), "flow",
            (const char *)sqlite3_column_text(q, 1), "name",
            (const char *)sqlite3_column_text(q, 2), "status",
            (const char *)sqlite3_column_text(q, 3), "started",
            jsonx_time(sqlite3_column_int64(q, 4)));

        if (sqlite3_column_type(q, 5) != SQLITE_NULL)
            json_object_set_new(e, "stopped",
                                jsonx_time(sqlite3_column_int64(q, 5)));
        json_array_append_new(items, e);
    }
    store_done(q);
    if (rc != SQLITE_DONE) {
        json_decref(items);
        return store_error(st);
    }
    *out = json_object();
    if (xs_limit_next(items, limit)) {
        json_array_remove(items, (size_t)limit);
        json_object_set_new(
            *out, "next",
            json_sprintf("%lld",
                         (long long)json_integer_value(json_object_get(
                             json_array_get(items, (size_t)limit - 1),
                             "id"))));
    }
    json_object_set_new(*out, "items", items);
    return 0;
}

int
exec_history(json_t **out, struct exec_service *xs, const char *flow,
             const char *name, int64_t after, int limit)
{
    struct store *st = xs->eng->store;
    sqlite3_stmt *q;
    json_t *items;
    int64_t id = 0, last = 0;
    int rc;

    *out = NULL;
    if ((rc = xs_find(&id, xs, flow, name)))
        return rc;
    items = json_array();
    q = store_stmt(st, "SELECT event_id, schedule_id, type, step, ts_ms, "
                       "detail FROM exec_events WHERE exec_id = ? AND "
                       "event_id > ? ORDER BY event_id LIMIT ?");
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, after);
    sqlite3_bind_int(q, 3, limit + 1);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        json_t *detail = xs_col_json(q, 5);

        last = sqlite3_column_int64(q, 0);
        json_array_append_new(
            items,
            json_pack("{s:I, s:I, s:s, s:s, s:o, s:o}", "id",
                      (json_int_t)last, "schedule_id",
                      (json_int_t)sqlite3_column_int64(q, 1), "type",
                      (const char *)sqlite3_column_text(q, 2), "step",
                      (const char *)sqlite3_column_text(q, 3), "time",
                      jsonx_time(sqlite3_column_int64(q, 4)), "detail",
                      detail ? detail : json_object()));
    }
    store_done(q);
    if (rc != SQLITE_DONE) {
        json_decref(items);
        return store_error(st);
    }
    *out = json_object();
    if (xs_limit_next(items, limit)) {
        json_array_remove(items, (size_t)limit);
        json_object_set_new(*out, "next",
                            json_sprintf("%lld", (long long)(last - 1)));
    }
    json_object_set_new(*out, "items", items);
    return 0;
}

/* ---- stop, redrive, delete ---- */

/*
 * Stop the running child executions `x` waits for (child flow tasks),
 * and theirs, before `x` stops: a stopped parent leaves nothing running.
 */
static int
xs_stop_children(struct exec_service *xs, const struct xexec *x, int depth)
{
    struct store *st = xs->eng->store;
    sqlite3_stmt *q = store_stmt(st, "SELECT target FROM tasks WHERE "
                                     "exec_id = ? AND status = 'waiting'");
    json_t *kids = json_array();
    size_t i;
    json_t *t;
    int rc = 0;

    sqlite3_bind_int64(q, 1, x->id);
    while (sqlite3_step(q) == SQLITE_ROW) {
        json_t *target = xs_col_json(q, 0);

        if (json_is_string(json_object_get(target, "execution")))
            json_array_append(kids, target);
        json_decref(target);
    }
    store_done(q);
    json_array_foreach(kids, i, t) {
        struct xexec *child = NULL;
        char *cause;
        int64_t id;

        if (rc != 0 || depth > FLOW_MAX_DEPTH)
            break;
        if (xs_find(&id, xs, json_string_value(json_object_get(t, "flow")),
                    json_string_value(json_object_get(t, "execution"))) ||
            xs_load(&child, xs, id)) {
            err_clear(); /* gone already */
            continue;
        }
        if (child->status == XS_RUNNING) {
            cause = xasprintf("its parent execution %s/%s was stopped",
                              x->flow, x->name);
            rc = xs_stop_children(xs, child, depth + 1);
            if (rc == 0)
                rc = xrun_stop(xs, child, "FnF.ParentStopped", cause);
            if (rc == 0)
                rc = xs_save(xs, child);
            free(cause);
        }
        xexec_free(child);
    }
    json_decref(kids);
    return rc;
}

int
exec_stop(json_t **out, struct exec_service *xs, const char *flow,
          const char *name, const char *error, const char *cause)
{
    struct xexec *x;
    int rc = xs_load_named(&x, xs, flow, name);

    *out = NULL;
    if (rc)
        return rc;
    if (x->status != XS_RUNNING) {
        rc = err_set(ENG_ECONFLICT, "execution '%s' has finished (%s): "
                     "there is nothing to stop", x->name,
                     xstatus_name(x->status));
    } else {
        xs->depth++;
        rc = xs_stop_children(xs, x, 0);
        if (rc == 0)
            rc = xrun_stop(xs, x, error ? error : "FnF.Stopped",
                           cause ? cause : "stopped by request");
        if (rc == 0)
            rc = xs_save(xs, x);
        xs->depth--;
    }
    if (rc == 0)
        *out = xs_describe(xs, x);
    xexec_free(x);
    if ((rc = xs_op_end(xs, rc))) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int
exec_redrive(json_t **out, struct exec_service *xs, const char *flow,
             const char *name)
{
    struct xexec *x;
    int rc = xs_load_named(&x, xs, flow, name);

    *out = NULL;
    if (rc)
        return rc;
    if (x->status != XS_FAILED && x->status != XS_TIMED_OUT) {
        rc = err_set(ENG_ECONFLICT, "execution '%s' is %s: only a Failed "
                     "or TimedOut execution can be redriven", x->name,
                     xstatus_name(x->status));
        xexec_free(x);
        return rc;
    }
    xrun_unfail(x->root);
    xs_count(xs, x->status, XS_RUNNING);
    x->status = XS_RUNNING;
    x->stopped_ms = 0;
    free(x->error);
    free(x->cause);
    x->error = x->cause = NULL;
    xs->depth++;
    rc = xrun_event(xs, x, x->root, "ExecutionRedriven", "", NULL, NULL);
    if (rc == 0)
        rc = xs_journal(xs, x, "redriven", NULL);
    if (rc == 0)
        rc = xrun_advance(xs, x);
    if (rc == 0)
        rc = xs_save(xs, x);
    xs->depth--;
    if (rc == 0)
        *out = xs_describe(xs, x);
    xexec_free(x);
    if ((rc = xs_op_end(xs, rc))) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int
exec_forget_flow(struct exec_service *xs, const char *flow)
{
    struct store *st = xs->eng->store;
    sqlite3_stmt *q = store_stmt(st, "SELECT id FROM executions "
                                     "WHERE flow = ?");
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;

    sqlite3_bind_text(q, 1, flow, -1, SQLITE_STATIC);
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            ids = xreallocarray(ids, cap, sizeof(*ids));
        }
        ids[n++] = sqlite3_column_int64(q, 0);
    }
    store_done(q);
    for (size_t i = 0; i < n && rc == 0; i++) {
        static const char *const dels[] = {
            "DELETE FROM exec_events WHERE exec_id = ?",
            "DELETE FROM tasks WHERE exec_id = ?",
            "DELETE FROM executions WHERE id = ?",
        };
        char ref[32];

        snprintf(ref, sizeof(ref), "%lld", (long long)ids[i]);
        rc = sched_cancel_ref(xs->eng->sched, "flow", ref);
        for (size_t k = 0; k < 3 && rc == 0; k++) {
            q = store_stmt(st, dels[k]);
            sqlite3_bind_int64(q, 1, ids[i]);
            rc = store_step_done(st, q);
            store_done(q);
        }
        xs_wake(xs, ids[i], NULL);
    }
    free(ids);
    xs->counts_ok = 0;
    return rc;
}

/* ---- timers ---- */

struct xs_timer_find {
    int64_t id;
    struct xframe *f;
    const struct flow_steps *list;
};

static int
xs_timer_visit(struct xframe *f, const struct flow_steps *list, void *arg)
{
    struct xs_timer_find *tf = arg;

    if (f->status == XF_RUNNING &&
        (f->cur.timer == tf->id || f->cur.hb_timer == tf->id)) {
        tf->f = f;
        tf->list = list;
        return 1;
    }
    return 0;
}

static int
xs_fire(const struct sched_timer *t, void *arg)
{
    struct exec_service *xs = arg;
    struct xs_timer_find tf = {t->id, NULL, NULL};
    struct xexec *x;
    int rc = xs_load(&x, xs, strtoll(t->ref, NULL, 10));

    if (rc == ENG_ENOTFOUND)
        return 0; /* its execution is gone */
    if (rc)
        return rc;
    if (x->status == XS_RUNNING &&
        xvisit(x->root, &x->def->steps, xs_timer_visit, &tf) == 1) {
        xs->depth++;
        rc = xrun_timer(xs, x, tf.f, tf.list, t->id);
        if (rc == 0)
            rc = xrun_advance(xs, x);
        if (rc == 0)
            rc = xs_save(xs, x);
        xs->depth--;
    }
    xexec_free(x);
    return xs_op_end(xs, rc);
}

/* ---- task callbacks (exec_task.c finds the task) ---- */

struct xs_token_find {
    const char *token;
    struct xframe *f;
    const struct flow_steps *list;
};

static int
xs_token_visit(struct xframe *f, const struct flow_steps *list, void *arg)
{
    struct xs_token_find *tf = arg;

    if (f->status == XF_RUNNING && f->cur.phase == XP_TASK &&
        f->cur.token && strcmp(f->cur.token, tf->token) == 0) {
        tf->f = f;
        tf->list = list;
        return 1;
    }
    return 0;
}

/*
 * Apply a callback to the execution `exec_id` whose task holds `token`:
 * what = 's'ucceed, 'f'ail or 'h'eartbeat. *event_id: the event written.
 */
int
xs_callback(int64_t *event_id, struct exec_service *xs, int64_t exec_id,
            const char *token, int what, const json_t *output,
            const char *error, const char *cause, int64_t *hb_due)
{
    struct xs_token_find tf = {token, NULL, NULL};
    struct xexec *x;
    int rc = xs_load(&x, xs, exec_id);

    if (rc)
        return rc;
    if (x->status != XS_RUNNING ||
        xvisit(x->root, &x->def->steps, xs_token_visit, &tf) != 1) {
        xexec_free(x);
        return err_setn(ENG_ECONFLICT, "TaskNotWaiting",
                        "the task of this token is no longer waiting");
    }
    *event_id = x->next_event;
    xs->depth++;
    if (what == 's') {
        rc = xrun_task_done(xs, x, tf.f, tf.list, output);
    } else if (what == 'f') {
        rc = xrun_task_failed(xs, x, tf.f, tf.list, error, cause, 0);
    } else {
        const struct flow_step *s = &tf.list->v[tf.f->pc];

        *event_id = 0;
        *hb_due = 0;
        if (s->task.heartbeat_s) {
            *hb_due = xs_now(xs) + s->task.heartbeat_s * 1000LL;
            if (tf.f->cur.hb_timer &&
                (rc = sched_cancel(xs->eng->sched, tf.f->cur.hb_timer)) ==
                    ENG_ENOTFOUND)
                rc = 0;
            tf.f->cur.hb_timer = 0;
            if (rc == 0) {
                char ref[32];
                json_t *payload = json_pack(
                    "{s:s, s:s, s:s, s:s}", "what", "heartbeat",
                    "execution", x->name, "step", s->name, "token", token);

                snprintf(ref, sizeof(ref), "%lld", (long long)x->id);
                rc = sched_add(&tf.f->cur.hb_timer, xs->eng->sched, *hb_due,
                               "flow", ref, payload);
                json_decref(payload);
            }
        }
    }
    if (rc == 0 && what != 'h')
        rc = xrun_advance(xs, x);
    if (rc == 0)
        rc = xs_save(xs, x);
    xs->depth--;
    xexec_free(x);
    return xs_op_end(xs, rc);
}
