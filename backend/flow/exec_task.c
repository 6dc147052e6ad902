/*
 * exec_task: task tokens and the tasks table: a row for every task that
 * waited for a callback (waitForCallback, child flows), what became of
 * it, and the callbacks (succeed, fail, heartbeat) that find their
 * execution through it. Every callback is journaled on its token (kind
 * "task"), refused ones too: the caller commits the journal record even
 * when it answers with the error.
 */
#include "flow/exec_int.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/rand.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XT_NONCE 18 /* random bytes of a token: 144 bits */

char *
xtask_token(const struct xexec *x, int64_t event_id)
{
    unsigned char nonce[XT_NONCE];
    char n64[XT_NONCE * 2], *plain, *out;
    size_t len;

    rand_bytes(nonce, sizeof(nonce));
    rand_b64url(n64, nonce, sizeof(nonce));
    plain = xasprintf("v1#%s#%s#%lld#%s", x->flow, x->name,
                      (long long)event_id, n64);
    len = strlen(plain);
    out = xmalloc(len * 4 / 3 + 4);
    rand_b64url(out, plain, len);
    free(plain);
    return out;
}

int
xtask_insert(struct exec_service *xs, const struct xexec *x,
             const char *token, const char *step, int64_t timeout_ms,
             int64_t heartbeat_ms, const json_t *target)
{
    struct store *st = xs_store(xs);
    sqlite3_stmt *q = store_stmt(
        st, "INSERT INTO tasks (token, exec_id, step, status, created_ms, "
            "timeout_ms, heartbeat_ms, target) VALUES (?, ?, ?, 'waiting', "
            "?, ?, ?, ?)");
    int rc;

    sqlite3_bind_text(q, 1, token, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, x->id);
    sqlite3_bind_text(q, 3, step, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, xs_now(xs));
    if (timeout_ms)
        sqlite3_bind_int64(q, 5, timeout_ms);
    if (heartbeat_ms)
        sqlite3_bind_int64(q, 6, heartbeat_ms);
    if (target)
        sqlite3_bind_text(q, 7, jsonx_dump(target), -1, free);
    rc = store_step_done(st, q);
    store_done(q);
    return rc;
}

int
xtask_set_status(struct exec_service *xs, const char *token,
                 const char *status)
{
    struct store *st = xs_store(xs);
    sqlite3_stmt *q = store_stmt(st, "UPDATE tasks SET status = ?, "
                                     "done_ms = ? WHERE token = ?");
    int rc;

    sqlite3_bind_text(q, 1, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, xs_now(xs));
    sqlite3_bind_text(q, 3, token, -1, SQLITE_STATIC);
    rc = store_step_done(st, q);
    store_done(q);
    return rc;
}

static int
xt_set_heartbeat(struct exec_service *xs, const char *token, int64_t due)
{
    struct store *st = xs_store(xs);
    sqlite3_stmt *q = store_stmt(st, "UPDATE tasks SET heartbeat_ms = ? "
                                     "WHERE token = ?");
    int rc;

    sqlite3_bind_int64(q, 1, due);
    sqlite3_bind_text(q, 2, token, -1, SQLITE_STATIC);
    rc = store_step_done(st, q);
    store_done(q);
    return rc;
}

/* ---- reading ---- */

#define XT_COLS                                                              \
    "t.token, e.flow, e.name, t.step, t.status, t.created_ms, "             \
    "t.timeout_ms, t.heartbeat_ms, t.done_ms, t.target, t.exec_id "

static json_t *
xt_row(sqlite3_stmt *q)
{
    json_t *t = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "token",
                          (const char *)sqlite3_column_text(q, 0), "flow",
                          (const char *)sqlite3_column_text(q, 1), "execution",
                          (const char *)sqlite3_column_text(q, 2), "step",
                          (const char *)sqlite3_column_text(q, 3), "status",
                          (const char *)sqlite3_column_text(q, 4), "since",
                          jsonx_time(sqlite3_column_int64(q, 5)));
    json_t *target = NULL;

    if (sqlite3_column_type(q, 6) != SQLITE_NULL)
        json_object_set_new(t, "timeout",
                            jsonx_time(sqlite3_column_int64(q, 6)));
    if (sqlite3_column_type(q, 7) != SQLITE_NULL)
        json_object_set_new(t, "heartbeat_due",
                            jsonx_time(sqlite3_column_int64(q, 7)));
    if (sqlite3_column_type(q, 8) != SQLITE_NULL)
        json_object_set_new(t, "done",
                            jsonx_time(sqlite3_column_int64(q, 8)));
    if (sqlite3_column_type(q, 9) != SQLITE_NULL &&
        jsonx_loads(&target, (const char *)sqlite3_column_text(q, 9),
                    (size_t)sqlite3_column_bytes(q, 9)) == 0)
        json_object_set_new(t, "target", target);
    return t;
}

int
exec_tasks_list(json_t **out, struct exec_service *xs, const char *status,
                const char *flow, const char *cursor, int limit)
{
    struct store *st = xs_store(xs);
    int all = status && strcmp(status, "all") == 0;
    int64_t c_ms = -1;
    const char *c_tok = "";
    char *tokbuf = NULL;
    sqlite3_stmt *q;
    json_t *items;
    int rc;

    *out = NULL;
    if (status && !all && strcmp(status, "waiting") != 0)
        return err_set(ENG_EINVAL, "parameter 'status' must be waiting or "
                       "all");
    if (cursor && *cursor) {
        const char *comma = strchr(cursor, ',');
        char *end;

        c_ms = strtoll(cursor, &end, 10);
        if (comma == NULL || end != comma)
            return err_set(ENG_EINVAL, "parameter 'cursor' is not a cursor "
                           "this list gave");
        c_tok = tokbuf = xstrdup(comma + 1);
    }
    q = store_stmt(st, all
        ? "SELECT " XT_COLS "FROM tasks t JOIN executions e ON e.id = "
          "t.exec_id WHERE (?1 IS NULL OR e.flow = ?1) AND (t.created_ms, "
          "t.token) > (?2, ?3) ORDER BY t.created_ms, t.token LIMIT ?4"
        : "SELECT " XT_COLS "FROM tasks t JOIN executions e ON e.id = "
          "t.exec_id WHERE t.status = 'waiting' AND (?1 IS NULL OR e.flow = "
          "?1) AND (t.created_ms, t.token) > (?2, ?3) ORDER BY t.created_ms, "
          "t.token LIMIT ?4");
    if (flow)
        sqlite3_bind_text(q, 1, flow, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, c_ms);
    sqlite3_bind_text(q, 3, c_tok, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 4, limit + 1);
    items = json_array();
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        json_array_append_new(items, xt_row(q));
    store_done(q);
    free(tokbuf);
    if (rc != SQLITE_DONE) {
        json_decref(items);
        return store_error(st);
    }
    *out = json_object();
    if ((int)json_array_size(items) > limit) {
        json_t *last = json_array_get(items, (size_t)limit - 1);
        int64_t ms = 0;

        timefmt_parse_rfc3339(&ms, json_string_value(
                                       json_object_get(last, "since")));
        json_object_set_new(
            *out, "next",
            json_sprintf("%lld,%s", (long long)ms,
                         json_string_value(json_object_get(last, "token"))));
        json_array_remove(items, (size_t)limit);
    }
    json_object_set_new(*out, "items", items);
    return 0;
}

/* The row of `token`: 0 and *out (with "exec_id"), or ENG_ENOTFOUND. */
static int
xt_get(json_t **out, int64_t *exec_id, struct exec_service *xs,
       const char *token)
{
    struct store *st = xs_store(xs);
    sqlite3_stmt *q = store_stmt(st, "SELECT " XT_COLS "FROM tasks t JOIN "
                                     "executions e ON e.id = t.exec_id "
                                     "WHERE t.token = ?");
    int rc;

    *out = NULL;
    sqlite3_bind_text(q, 1, token, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *out = xt_row(q);
        if (exec_id)
            *exec_id = sqlite3_column_int64(q, 10);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_setn(ENG_ENOTFOUND, "TaskNotFound",
                      "no task has token '%.24s%s'", token,
                      strlen(token) > 24 ? "..." : "");
    } else {
        rc = store_error(st);
    }
    store_done(q);
    return rc;
}

int
exec_task_get(json_t **out, struct exec_service *xs, const char *token)
{
    return xt_get(out, NULL, xs, token);
}

/* ---- callbacks ---- */

static const char *const xt_whats[] = {
    ['s'] = "succeed", ['f'] = "fail", ['h'] = "heartbeat",
};

/* Journal a callback on its token; `detail` stolen. */
static int
xt_journal(struct exec_service *xs, const char *token, const char *type,
           json_t *detail)
{
    int rc = engine_journal(xs->eng, "task", token, type, detail);

    json_decref(detail);
    return rc;
}

/* Refuse a callback: journal why, keep the error (a journal write that
 * succeeds leaves the thread's error as it was). */
static int
xt_refuse(struct exec_service *xs, const char *token, int what, int code)
{
    int rc = xt_journal(xs, token, "refused",
                        json_pack("{s:s, s:s, s:s}", "callback",
                                  xt_whats[what], "code", err_last_name(),
                                  "reason", err_last()));

    return rc ? rc : code;
}

static int
xt_callback(json_t **out, struct exec_service *xs, const char *token,
            int what, const json_t *output, const char *error,
            const char *cause)
{
    json_t *row = NULL;
    int64_t exec_id = 0, event_id = 0, hb_due = 0;
    const char *status;
    int rc;

    *out = NULL;
    if ((rc = xt_get(&row, &exec_id, xs, token)))
        return rc == ENG_ENOTFOUND ? xt_refuse(xs, token, what, rc) : rc;
    status = json_string_value(json_object_get(row, "status"));
    if (strcmp(status, "waiting") != 0) {
        static const struct {
            const char *status, *says;
        } says[] = {
            {"succeeded", "succeeded already"},
            {"failed", "failed already"},
            {"timed_out", "timed out"},
            {"cancelled", "was cancelled (its execution stopped, or a "
                          "branch beside it failed)"},
        };
        const char *said = status;
        const json_t *done = json_object_get(row, "done");

        for (size_t i = 0; i < sizeof(says) / sizeof(says[0]); i++)
            if (strcmp(says[i].status, status) == 0)
                said = says[i].says;
        err_setn(ENG_ECONFLICT, "TaskNotWaiting",
                 "the task of step '%s' in execution %s/%s %s%s%s: it no "
                 "longer waits for a callback",
                 json_string_value(json_object_get(row, "step")),
                 json_string_value(json_object_get(row, "flow")),
                 json_string_value(json_object_get(row, "execution")), said,
                 done ? " at " : "", done ? json_string_value(done) : "");
        json_decref(row);
        return xt_refuse(xs, token, what, ENG_ECONFLICT);
    }
    json_decref(row);
    rc = xs_callback(&event_id, xs, exec_id, token, what, output, error,
                     cause, &hb_due);
    if (rc == ENG_ECONFLICT)
        return xt_refuse(xs, token, what, rc);
    if (rc == 0 && what == 'h' && hb_due)
        rc = xt_set_heartbeat(xs, token, hb_due);
    if (rc == 0 && what != 'h')
        rc = xtask_set_status(xs, token,
                              what == 's' ? "succeeded" : "failed");
    if (rc)
        return rc;
    if (what == 'h') {
        *out = json_object();
        if (hb_due)
            json_object_set_new(*out, "heartbeat_due", jsonx_time(hb_due));
    } else {
        *out = json_pack("{s:I}", "event_id", (json_int_t)event_id);
    }
    rc = xt_journal(
        xs, token,
        what == 's' ? "succeeded" : what == 'f' ? "failed" : "heartbeat",
        what == 's'   ? json_pack("{s:O}", "output", output)
        : what == 'f' ? json_pack("{s:s, s:s}", "error", error, "cause",
                                  cause ? cause : "")
                      : NULL);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int
exec_task_succeed(json_t **out, struct exec_service *xs, const char *token,
                  const json_t *output)
{
    *out = NULL;
    if (!json_is_object(output)) {
        err_setn(ENG_EINVAL, "InvalidOutput",
                 "the callback output must be a JSON object");
        return xt_refuse(xs, token, 's', ENG_EINVAL);
    }
    if (json_dumpb(output, NULL, 0, JSON_COMPACT) > EXEC_MAX_DATA) {
        err_setn(ENG_EINVAL, "InvalidOutput",
                 "the callback output is over 32 KiB");
        return xt_refuse(xs, token, 's', ENG_EINVAL);
    }
    return xt_callback(out, xs, token, 's', output, NULL, NULL);
}

int
exec_task_fail(json_t **out, struct exec_service *xs, const char *token,
               const char *error, const char *cause)
{
    *out = NULL;
    if (error == NULL || *error == '\0' || strlen(error) > 128) {
        err_setn(ENG_EINVAL, "InvalidArgument",
                 "field 'error' is required: the error name, 1 to 128 "
                 "characters");
        return xt_refuse(xs, token, 'f', ENG_EINVAL);
    }
    if (cause && strlen(cause) > EXEC_MAX_DATA) {
        err_setn(ENG_EINVAL, "InvalidArgument",
                 "field 'cause' is over 32 KiB");
        return xt_refuse(xs, token, 'f', ENG_EINVAL);
    }
    return xt_callback(out, xs, token, 'f', NULL, error, cause);
}

int
exec_task_heartbeat(json_t **out, struct exec_service *xs, const char *token)
{
    return xt_callback(out, xs, token, 'h', NULL, NULL, NULL);
}

int
xs_deliver(struct exec_service *xs, struct xpending *p)
{
    json_t *out = NULL;
    int rc;

    if (p->ok) {
        json_t *o = json_is_object(p->output) ? json_incref(p->output)
                                              : json_object();

        rc = exec_task_succeed(&out, xs, p->token, o);
        json_decref(o);
    } else
        rc = exec_task_fail(&out, xs, p->token, p->error, p->cause);
    json_decref(out);
    return rc;
}
