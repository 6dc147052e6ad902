/*
 * fn: function definitions, the invocation queue with its per-function
 * concurrency limit, finishing invocations (record, journal, callback),
 * and the engine hook that starts queued invocations, enforces timeouts
 * and polls queue triggers. fn_run.c runs the processes and transfers.
 * Engine thread only.
 */
#include "fn/fn.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/rand.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "flow/exec.h"
#include "fn/fn_int.h"
#include "store/store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FN_JOURNAL_LOG 1024 /* log excerpt in the journal */

/* ---- definitions ---- */

static int
fn_check_name(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > 64)
        goto bad;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '-' &&
            name[i] != '_')
            goto bad;
    return 0;
bad:
    return err_set(ENG_EINVAL, "name '%s' must be 1 to 64 letters, digits, "
                               "'-' or '_'", name);
}

/* Validate spec and return the normalized definition (new). */
static int
fn_spec_normalize(json_t **out, const char *name, const json_t *spec)
{
    static const char *const keys[] = {"name", "command", "cwd", "env",
                                       "timeout_seconds", "max_concurrency",
                                       "url", NULL};
    const json_t *cmd = json_object_get(spec, "command");
    const json_t *env = json_object_get(spec, "env");
    const char *url = NULL, *cwd = NULL, *k;
    int64_t timeout = FN_TIMEOUT_DEFAULT_S, conc = FN_CONCURRENCY_DEFAULT;
    json_t *d, *v;
    size_t i;
    int rc;

    *out = NULL;
    if ((rc = fn_check_name(name)) || (rc = jsonx_check_keys(spec, keys)) ||
        (rc = jsonx_get_str(&url, spec, "url", 0)) ||
        (rc = jsonx_get_str(&cwd, spec, "cwd", 0)) ||
        (rc = jsonx_get_int(&timeout, spec, "timeout_seconds", 0, 1, 3600)) ||
        (rc = jsonx_get_int(&conc, spec, "max_concurrency", 0, 1, 1000)))
        return rc;
    if ((cmd && !json_is_null(cmd)) == (url != NULL))
        return err_set(ENG_EINVAL, "a function needs either 'command' (an "
                                   "array of strings) or 'url'");
    d = json_pack("{s:s, s:I, s:I}", "name", name, "timeout_seconds",
                  (json_int_t)timeout, "max_concurrency", (json_int_t)conc);
    if (url) {
        if (strncmp(url, "http://", 7) != 0 &&
            strncmp(url, "https://", 8) != 0) {
            json_decref(d);
            return err_set(ENG_EINVAL, "'url' must start with http:// or "
                                       "https://");
        }
        json_object_set_new(d, "kind", json_string("http"));
        json_object_set_new(d, "url", json_string(url));
        *out = d;
        return 0;
    }
    if (!json_is_array(cmd) || json_array_size(cmd) == 0 ||
        json_array_size(cmd) > 256) {
        json_decref(d);
        return err_set(ENG_EINVAL, "'command' must be an array of 1 to 256 "
                                   "strings: the program and its arguments");
    }
    json_array_foreach(cmd, i, v) {
        if (!json_is_string(v) || (i == 0 && *json_string_value(v) == '\0')) {
            json_decref(d);
            return err_set(ENG_EINVAL, "'command[%zu]' must be a%s string", i,
                           i == 0 ? " non-empty" : "");
        }
    }
    if (env && !json_is_null(env)) {
        if (!json_is_object(env)) {
            json_decref(d);
            return err_set(ENG_EINVAL, "'env' must be an object of strings");
        }
        json_object_foreach((json_t *)env, k, v) {
            if (!json_is_string(v) || *k == '\0' || strchr(k, '=')) {
                json_decref(d);
                return err_set(ENG_EINVAL, "'env.%s' must be a string, and "
                                           "its name have no '='", k);
            }
        }
    }
    json_object_set_new(d, "kind", json_string("command"));
    json_object_set_new(d, "command", json_deep_copy(cmd));
    if (cwd)
        json_object_set_new(d, "cwd", json_string(cwd));
    json_object_set_new(d, "env",
                        json_is_object(env) ? json_deep_copy(env)
                                            : json_object());
    *out = d;
    return 0;
}

static int
fn_load(json_t **out, struct fn_service *fs, const char *name)
{
    struct store *st = fs->eng->store;
    sqlite3_stmt *q = store_stmt(
        st, "SELECT spec, created_ms FROM fn_functions WHERE name = ?1");
    int rc;

    *out = NULL;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *out = json_loads((const char *)sqlite3_column_text(q, 0), 0, NULL);
        if (*out)
            json_object_set_new(*out, "created",
                                jsonx_time(sqlite3_column_int64(q, 1)));
        rc = *out ? 0 : err_set(ENG_ERR, "function '%s': bad record", name);
    } else if (rc == SQLITE_DONE) {
        rc = err_setn(ENG_ENOTFOUND, "FunctionNotFound",
                      "no function '%s'", name);
    } else {
        rc = store_error(st);
    }
    store_done(q);
    return rc;
}

int
fn_create(json_t **out, int *created, struct fn_service *fs,
          const char *name, const json_t *spec)
{
    struct store *st = fs->eng->store;
    json_t *d = NULL, *old = NULL;
    sqlite3_stmt *q;
    char *text;
    int rc;

    *out = NULL;
    *created = 0;
    if ((rc = fn_spec_normalize(&d, name, spec)))
        return rc;
    rc = fn_load(&old, fs, name);
    if (rc && rc != ENG_ENOTFOUND)
        goto out;
    *created = rc == ENG_ENOTFOUND;
    text = jsonx_dump(d);
    q = store_stmt(st, "INSERT INTO fn_functions (name, spec, created_ms) "
                       "VALUES (?1, ?2, ?3) ON CONFLICT(name) DO UPDATE "
                       "SET spec = excluded.spec");
    sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 3, engine_now(fs->eng));
    rc = store_step_done(st, q);
    store_done(q);
    free(text);
    if (rc == 0)
        rc = engine_journal(fs->eng, "function", name,
                            *created ? "created" : "updated", d);
    if (rc == 0)
        rc = fn_load(out, fs, name);
out:
    json_decref(old);
    json_decref(d);
    return rc;
}

static int
fn_running(struct fn_service *fs, const char *function)
{
    int n = 0;

    for (struct fn_inv *i = fs->invs; i; i = i->next)
        if (i->state == FN_RUNNING && strcmp(i->function, function) == 0)
            n++;
    return n;
}

int
fn_get(json_t **out, struct fn_service *fs, const char *name)
{
    return fn_load(out, fs, name);
}

int
fn_list(json_t **out, struct fn_service *fs)
{
    /* one query: the counts come from the indexes fn_invocations_function
     * and fn_invocations_failed, the newest invocation from the first */
    sqlite3_stmt *q = store_stmt(
        fs->eng->store,
        "SELECT f.spec, f.created_ms, (SELECT count(*) FROM fn_invocations i "
        "WHERE i.function = f.name), (SELECT count(*) FROM fn_invocations i "
        "WHERE i.function = f.name AND i.status IN ('failed', 'timed_out')), "
        "(SELECT json_object('id', i.id, 'trigger', i.trigger, 'status', "
        "i.status, 'started_ms', i.started_ms, 'duration_ms', i.duration_ms, "
        "'error', i.error) FROM fn_invocations i WHERE i.function = f.name "
        "ORDER BY i.seq DESC LIMIT 1), (SELECT json_group_array(json_object("
        "'id', t.id, 'queue', t.queue, 'state', CASE t.enabled WHEN 0 THEN "
        "'paused' ELSE 'enabled' END)) FROM fn_triggers t WHERE t.function = "
        "f.name) FROM fn_functions f ORDER BY f.name");
    json_t *items = json_array();
    int rc;

    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        json_t *f =
            json_loads((const char *)sqlite3_column_text(q, 0), 0, NULL);
        json_t *last = NULL, *trig = NULL;

        if (f == NULL)
            continue;
        json_object_set_new(f, "created",
                            jsonx_time(sqlite3_column_int64(q, 1)));
        json_object_set_new(f, "invocations",
                            json_integer(sqlite3_column_int64(q, 2)));
        json_object_set_new(f, "failures",
                            json_integer(sqlite3_column_int64(q, 3)));
        json_object_set_new(
            f, "running",
            json_integer(fn_running(fs, json_string_value(
                                            json_object_get(f, "name")))));
        if (sqlite3_column_type(q, 4) != SQLITE_NULL)
            last = json_loads((const char *)sqlite3_column_text(q, 4), 0,
                              NULL);
        if (last) {
            json_t *ms = json_object_get(last, "started_ms");

            json_object_set_new(last, "started",
                                jsonx_time(json_integer_value(ms)));
            json_object_del(last, "started_ms");
            if (json_is_null(json_object_get(last, "error")))
                json_object_del(last, "error");
            if (strcmp(json_string_value(json_object_get(last, "status")),
                       "running") == 0)
                json_object_del(last, "duration_ms");
            json_object_set_new(f, "last", last);
        }
        if (sqlite3_column_type(q, 5) != SQLITE_NULL)
            trig = json_loads((const char *)sqlite3_column_text(q, 5), 0,
                              NULL);
        json_object_set_new(f, "triggers", trig ? trig : json_array());
        json_array_append_new(items, f);
    }
    store_done(q);
    if (rc != SQLITE_DONE) {
        json_decref(items);
        *out = NULL;
        return store_error(fs->eng->store);
    }
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int
fn_delete(struct fn_service *fs, const char *name)
{
    static const char *const sql[] = {
        "DELETE FROM fn_triggers WHERE function = ?1",
        "DELETE FROM fn_invocations WHERE function = ?1",
        "DELETE FROM fn_functions WHERE name = ?1"};
    struct store *st = fs->eng->store;
    json_t *old = NULL;
    int rc;

    if ((rc = fn_load(&old, fs, name)))
        return rc;
    json_decref(old);
    for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
        sqlite3_stmt *q = store_stmt(st, sql[i]);

        sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
        rc = store_step_done(st, q);
        store_done(q);
        if (rc)
            return rc;
    }
    return engine_journal(fs->eng, "function", name, "deleted", NULL);
}

/* ---- invocations ---- */

int
fn_invoke(char **id, struct fn_service *fs, const char *name,
          const json_t *event, const char *trigger, fn_done_fn done,
          void *arg)
{
    struct fn_inv *inv, **pp;
    json_t *spec = NULL;
    int rc;

    if (id)
        *id = NULL;
    if ((rc = fn_load(&spec, fs, name)))
        return rc;
    inv = xcalloc(1, sizeof(*inv));
    inv->fs = fs;
    rand_uuid(inv->id);
    inv->function = xstrdup(name);
    inv->trigger = xstrdup(trigger ? trigger : "cli");
    inv->event = event ? json_deep_copy(event) : json_object();
    inv->spec = spec;
    inv->done = done;
    inv->arg = arg;
    inv->state = FN_QUEUED;
    inv->queued_mono = timefmt_mono_ms();
    inv->pid = -1;
    inv->pidfd = inv->in_fd = inv->out_fd = inv->err_fd = -1;
    buf_init(&inv->out, FN_OUT_MAX);
    for (pp = &fs->invs; *pp; pp = &(*pp)->next)
        ;
    *pp = inv;
    if (id)
        *id = xstrdup(inv->id);
    return 0;
}

static json_t *
fn_inv_json(const struct fn_inv *inv, const char *status, const json_t *result,
            const char *error, const char *cause, int64_t duration)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:o}", "id", inv->id,
                          "function", inv->function, "trigger", inv->trigger,
                          "status", status, "duration_ms",
                          (json_int_t)duration, "started",
                          jsonx_time(inv->started_ms));

    if (result)
        json_object_set(j, "result", (json_t *)result);
    if (error)
        json_object_set_new(j, "error", json_string(error));
    if (cause)
        json_object_set_new(j, "cause", json_string(cause));
    if (inv->err_len)
        json_object_set_new(j, "log", json_stringn_nocheck(inv->err,
                                                           inv->err_len));
    return j;
}

/* Make bytes valid UTF-8 for JSON: invalid bytes become '?'. */
static void
fn_utf8_scrub(char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3
                                 : (c >> 3) == 30 ? 4 : 0;
        size_t k;

        if (len == 0 || i + len > n) {
            s[i++] = '?';
            continue;
        }
        for (k = 1; k < len; k++)
            if (((unsigned char)s[i + k] >> 6) != 2)
                break;
        if (k < len) {
            s[i++] = '?';
            continue;
        }
        if (c == 0)
            s[i] = ' ';
        i += len;
    }
}

void
fn_finish(struct fn_inv *inv, const char *status, json_t *result,
          const char *error, const char *cause, int exit_status)
{
    struct fn_service *fs = inv->fs;
    struct store *st = fs->eng->store;
    int64_t duration = inv->started_mono
                           ? timefmt_mono_ms() - inv->started_mono
                           : 0;
    json_t *j, *detail;
    char *input, *res = NULL;
    sqlite3_stmt *q;
    int rc, wrc;

    fn_run_release(inv);
    if (inv->started_ms == 0)
        inv->started_ms = engine_now(fs->eng);
    if (inv->err_len)
        fn_utf8_scrub(inv->err, inv->err_len);
    j = fn_inv_json(inv, status, result, error, cause, duration);
    if (exit_status != -1000)
        json_object_set_new(j, "exit_status", json_integer(exit_status));
    input = jsonx_dump(inv->event);
    if (result)
        res = json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY);

    wrc = engine_write_begin(fs->eng);
    if (wrc == 0) {
        q = store_stmt(st,
                       "INSERT INTO fn_invocations (id, function, trigger, "
                       "status, input, result, error, cause, exit_status, "
                       "started_ms, duration_ms, log) VALUES (?1, ?2, ?3, "
                       "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT "
                       "(id) DO UPDATE SET status = excluded.status, "
                       "result = excluded.result, error = excluded.error, "
                       "cause = excluded.cause, exit_status = "
                       "excluded.exit_status, duration_ms = "
                       "excluded.duration_ms, log = excluded.log");
        sqlite3_bind_text(q, 1, inv->id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 2, inv->function, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 3, inv->trigger, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 4, status, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 5, input, -1, SQLITE_TRANSIENT);
        if (res)
            sqlite3_bind_text(q, 6, res, -1, SQLITE_TRANSIENT);
        if (error)
            sqlite3_bind_text(q, 7, error, -1, SQLITE_TRANSIENT);
        if (cause)
            sqlite3_bind_text(q, 8, cause, -1, SQLITE_TRANSIENT);
        if (exit_status != -1000)
            sqlite3_bind_int(q, 9, exit_status);
        sqlite3_bind_int64(q, 10, inv->started_ms);
        sqlite3_bind_int64(q, 11, duration);
        if (inv->err_len)
            sqlite3_bind_text(q, 12, inv->err, (int)inv->err_len,
                              SQLITE_TRANSIENT);
        rc = store_step_done(st, q);
        store_done(q);
        if (rc == 0) {
            size_t off = inv->err_len > FN_JOURNAL_LOG
                             ? inv->err_len - FN_JOURNAL_LOG
                             : 0;

            /* an excerpt may start inside a UTF-8 sequence: skip to a
             * lead byte */
            while (off < inv->err_len &&
                   ((unsigned char)inv->err[off] >> 6) == 2)
                off++;
            detail = json_pack("{s:s, s:s, s:O, s:I}", "function",
                               inv->function, "trigger", inv->trigger,
                               "input", inv->event, "duration_ms",
                               (json_int_t)duration);
            if (result)
                json_object_set(detail, "output", result);
            if (error)
                json_object_set_new(detail, "error", json_string(error));
            if (cause)
                json_object_set_new(detail, "cause", json_string(cause));
            if (exit_status != -1000)
                json_object_set_new(detail, "exit_status",
                                    json_integer(exit_status));
            if (inv->err_len)
                json_object_set_new(
                    detail, "log",
                    json_stringn_nocheck(inv->err + off, inv->err_len - off));
            rc = engine_journal(fs->eng, "invocation", inv->id, status,
                                detail);
            json_decref(detail);
        }
        if (rc)
            log_error("invocation %s of %s: not recorded: %s", inv->id,
                      inv->function, err_last());
        if (inv->done)
            inv->done(j, inv->arg);
        engine_write_end(fs->eng, 1);
    } else {
        log_error("invocation %s of %s: cannot record: %s", inv->id,
                  inv->function, err_last());
    }
    free(input);
    free(res);
    json_decref(j);
    json_decref(result);
    inv->state = FN_FINISHED; /* unlinked and freed by the hook */
}

void
fn_record_start(struct fn_inv *inv)
{
    struct fn_service *fs = inv->fs;
    struct store *st = fs->eng->store;
    char *input;
    sqlite3_stmt *q;
    int rc;

    if (engine_write_begin(fs->eng)) {
        log_error("invocation %s of %s: start not recorded: %s", inv->id,
                  inv->function, err_last());
        return;
    }
    input = jsonx_dump(inv->event);
    q = store_stmt(st, "INSERT INTO fn_invocations (id, function, trigger, "
                       "status, input, started_ms, duration_ms) VALUES "
                       "(?1, ?2, ?3, 'running', ?4, ?5, 0)");
    sqlite3_bind_text(q, 1, inv->id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, inv->function, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, inv->trigger, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, input, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 5, inv->started_ms);
    rc = store_step_done(st, q);
    store_done(q);
    free(input);
    if (rc) /* the finish records it all the same */
        log_error("invocation %s of %s: start not recorded: %s", inv->id,
                  inv->function, err_last());
    engine_write_end(fs->eng, rc == 0);
}

json_t *
fn_service_counts(struct fn_service *fs)
{
    /* fn_triggers is small (what the user set up); each trigger's newest
     * finished invocation is one seek in fn_invocations_trigger */
    sqlite3_stmt *q = store_stmt(
        fs->eng->store,
        "SELECT t.id, t.function, t.queue, t.enabled, (SELECT json_object("
        "'id', i.id, 'status', i.status, 'error', i.error, 'cause', i.cause, "
        "'started_ms', i.started_ms) FROM fn_invocations i WHERE i.function "
        "= t.function AND i.trigger = 'queue:' || t.queue AND i.status != "
        "'running' ORDER BY i.seq DESC LIMIT 1) FROM fn_triggers t ORDER BY "
        "t.function, t.queue");
    json_t *failing = json_array();
    json_int_t running = 0, queued = 0, triggers = 0;

    while (sqlite3_step(q) == SQLITE_ROW) {
        json_t *last = NULL;
        const char *st;

        triggers++;
        if (sqlite3_column_type(q, 4) != SQLITE_NULL)
            last = json_loads((const char *)sqlite3_column_text(q, 4), 0,
                              NULL);
        st = json_string_value(json_object_get(last, "status"));
        if (st && strcmp(st, "succeeded") != 0 &&
            json_array_size(failing) < FN_FAILING_MAX) {
            json_t *f = json_pack(
                "{s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "function",
                (const char *)sqlite3_column_text(q, 1), "trigger_id",
                (const char *)sqlite3_column_text(q, 0), "queue",
                (const char *)sqlite3_column_text(q, 2), "state",
                sqlite3_column_int(q, 3) ? "enabled" : "paused", "started",
                jsonx_time(json_integer_value(
                    json_object_get(last, "started_ms"))),
                "invocation",
                json_string_value(json_object_get(last, "id")), "status", st);

            if (json_is_string(json_object_get(last, "error")))
                json_object_set(f, "error", json_object_get(last, "error"));
            if (json_is_string(json_object_get(last, "cause")))
                json_object_set(f, "cause", json_object_get(last, "cause"));
            json_array_append_new(failing, f);
        }
        json_decref(last);
    }
    store_done(q);
    for (struct fn_inv *i = fs->invs; i; i = i->next) {
        if (i->state == FN_RUNNING)
            running++;
        else if (i->state == FN_QUEUED)
            queued++;
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "functions",
                     (json_int_t)store_count(fs->eng->store, "fn_functions"),
                     "running", running, "queued", queued, "triggers",
                     triggers, "failing_triggers",
                     (json_int_t)json_array_size(failing), "failing",
                     failing);
}

int
fn_service_reload(struct fn_service *fs)
{
    struct store *st = fs->eng->store;
    sqlite3_stmt *q = store_stmt(
        st, "SELECT id FROM fn_invocations WHERE status = 'running'");
    json_t *left = json_array(), *v;
    size_t i;
    int rc = 0;

    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(q, 0);
        struct fn_inv *inv;

        for (inv = fs->invs; inv; inv = inv->next)
            if (inv->state == FN_RUNNING && strcmp(inv->id, id) == 0)
                break;
        if (inv == NULL)
            json_array_append_new(left, json_string(id));
    }
    store_done(q);
    fs->orphans = 1;
    if (json_array_size(left) == 0)
        goto out;
    if ((rc = engine_write_begin(fs->eng)))
        goto out;
    json_array_foreach(left, i, v) {
        q = store_stmt(st, "UPDATE fn_invocations SET status = 'failed', "
                           "error = 'EngineInterrupted', cause = 'the engine "
                           "stopped while it ran' WHERE id = ?1 AND status = "
                           "'running'");
        sqlite3_bind_text(q, 1, json_string_value(v), -1, SQLITE_TRANSIENT);
        rc = store_step_done(st, q);
        store_done(q);
        if (rc == 0)
            rc = engine_journal(fs->eng, "invocation", json_string_value(v),
                                "failed", NULL);
        if (rc)
            break;
    }
    engine_write_end(fs->eng, rc == 0);
    if (rc == 0)
        log_info("%zu function invocations left running by the last engine "
                 "are marked failed (EngineInterrupted)",
                 json_array_size(left));
out:
    json_decref(left);
    return rc;
}

static void
fn_inv_free(struct fn_inv *inv)
{
    fn_run_release(inv);
    free(inv->function);
    free(inv->trigger);
    json_decref(inv->event);
    json_decref(inv->spec);
    buf_free(&inv->out);
    free(inv->err);
    free(inv->in_data);
    free(inv);
}

/* Unlink and free finished invocations. */
static void
fn_reap(struct fn_service *fs)
{
    struct fn_inv **pp = &fs->invs;

    while (*pp) {
        struct fn_inv *inv = *pp;

        if (inv->state == FN_FINISHED) {
            *pp = inv->next;
            fn_inv_free(inv);
        } else {
            pp = &inv->next;
        }
    }
}

static void fn_orphan_tasks(struct fn_service *fs);

static int64_t
fn_hook_next(void *arg)
{
    struct fn_service *fs = arg;
    int64_t t = fs->curl_due;

    if (fs->orphans)
        return 0;

    for (struct fn_inv *i = fs->invs; i; i = i->next) {
        if (i->state == FN_QUEUED &&
            fn_running(fs, i->function) <
                json_integer_value(json_object_get(i->spec,
                                                   "max_concurrency")))
            return 0;
        if (i->state == FN_RUNNING && i->deadline_mono < t)
            t = i->deadline_mono;
    }
    if (fs->poll_at < t)
        t = fs->poll_at;
    return t;
}

static void
fn_hook_run(void *arg)
{
    struct fn_service *fs = arg;
    int64_t now = timefmt_mono_ms();

    if (engine_stopping(fs->eng)) {
        /* finish everything while the loop still commits */
        for (struct fn_inv *i = fs->invs; i; i = i->next) {
            if (i->state == FN_FINISHED)
                continue;
            fn_run_kill(i);
            fn_finish(i, "failed", NULL, "EngineStopping",
                      "engine stopping", -1000);
        }
        fn_reap(fs);
        return;
    }
    if (fs->orphans) {
        fs->orphans = 0;
        fn_orphan_tasks(fs);
    }
    fn_run_curl_timeout(fs);
    for (struct fn_inv *i = fs->invs; i; i = i->next) {
        if (i->state == FN_RUNNING && i->deadline_mono <= now &&
            !i->timed_out) {
            i->timed_out = 1;
            fn_run_kill(i);
            /* a command finishes when its pidfd says it died */
            if (i->easy) {
                char *cause = xasprintf(
                    "no answer within %lld s",
                    (long long)json_integer_value(
                        json_object_get(i->spec, "timeout_seconds")));

                fn_finish(i, "timed_out", NULL, "FunctionTimeout", cause,
                          -1000);
                free(cause);
            }
        }
    }
    for (struct fn_inv *i = fs->invs; i; i = i->next)
        if (i->state == FN_QUEUED &&
            fn_running(fs, i->function) <
                json_integer_value(json_object_get(i->spec,
                                                   "max_concurrency")))
            fn_run_start(i);
    if (now >= fs->poll_at)
        fn_trigger_poll(fs);
    fn_reap(fs);
}

struct fn_service *
fn_service_create(struct engine *eng)
{
    struct fn_service *fs = xcalloc(1, sizeof(*fs));

    fs->eng = eng;
    fs->curl_due = INT64_MAX;
    fs->poll_at = 0;
    engine_hook_add(eng, fn_hook_next, fn_hook_run, fs);
    if (fn_service_reload(fs))
        log_error("invocations left running: not marked: %s", err_last());
    return fs;
}

void
fn_service_free(struct fn_service *fs)
{
    if (fs == NULL)
        return;
    while (fs->invs) {
        struct fn_inv *inv = fs->invs;

        fs->invs = inv->next;
        fn_run_kill(inv);
        fn_inv_free(inv);
    }
    fn_trigger_free_all(fs);
    if (fs->multi)
        sym_curl_multi_cleanup(fs->multi);
    free(fs);
}

static json_t *
fn_row_json(sqlite3_stmt *q)
{
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:I, s:I}", "id", sqlite3_column_text(q, 0),
        "function", sqlite3_column_text(q, 1), "trigger",
        sqlite3_column_text(q, 2), "status", sqlite3_column_text(q, 3),
        "started", jsonx_time(sqlite3_column_int64(q, 9)), "duration_ms",
        (json_int_t)sqlite3_column_int64(q, 10), "seq",
        (json_int_t)sqlite3_column_int64(q, 12));
    static const int textcols[] = {4, 5};
    static const char *const names[] = {"input", "result"};

    if (j == NULL)
        return NULL;
    for (int k = 0; k < 2; k++)
        if (sqlite3_column_type(q, textcols[k]) != SQLITE_NULL)
            json_object_set_new(
                j, names[k],
                json_loads((const char *)sqlite3_column_text(q, textcols[k]),
                           JSON_DECODE_ANY, NULL));
    {
        static const int cols[] = {6, 7, 11};
        static const char *const keys[] = {"error", "cause", "log"};

        for (int k = 0; k < 3; k++)
            if (sqlite3_column_type(q, cols[k]) != SQLITE_NULL)
                json_object_set_new(
                    j, keys[k],
                    json_string((const char *)sqlite3_column_text(q,
                                                                  cols[k])));
    }
    if (sqlite3_column_type(q, 8) != SQLITE_NULL)
        json_object_set_new(j, "exit_status",
                            json_integer(sqlite3_column_int(q, 8)));
    if (strcmp((const char *)sqlite3_column_text(q, 3), "running") == 0)
        json_object_del(j, "duration_ms"); /* not known yet */
    return j;
}

#define FN_INV_COLS                                                          \
    "id, function, trigger, status, input, result, error, cause, "           \
    "exit_status, started_ms, duration_ms, log, seq"

int
fn_invocations(json_t **out, struct fn_service *fs, const char *name,
               int64_t cursor, int limit)
{
    sqlite3_stmt *q = store_stmt(
        fs->eng->store, "SELECT " FN_INV_COLS " FROM fn_invocations WHERE "
                        "function = ?1 AND seq < ?2 ORDER BY seq DESC "
                        "LIMIT ?3");
    json_t *items = json_array(), *f = NULL;
    int64_t last = 0;
    int rc, n = 0;

    *out = NULL;
    if ((rc = fn_load(&f, fs, name))) {
        json_decref(items);
        return rc;
    }
    json_decref(f);
    sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, cursor > 0 ? cursor : INT64_MAX);
    sqlite3_bind_int(q, 3, limit + 1);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (n++ == limit)
            break;
        last = sqlite3_column_int64(q, 12);
        json_array_append_new(items, fn_row_json(q));
    }
    store_done(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        json_decref(items);
        return store_error(fs->eng->store);
    }
    *out = json_pack("{s:o}", "items", items);
    if (n > limit) {
        char c[32];

        snprintf(c, sizeof(c), "%lld", (long long)last);
        json_object_set_new(*out, "next", json_string(c));
    }
    return 0;
}

int
fn_invocation_get(json_t **out, struct fn_service *fs, const char *id)
{
    sqlite3_stmt *q;
    int rc;

    *out = NULL;
    for (struct fn_inv *i = fs->invs; i; i = i->next)
        if (strcmp(i->id, id) == 0 && i->state != FN_FINISHED) {
            *out = json_pack("{s:s, s:s, s:s, s:s}", "id", i->id, "function",
                             i->function, "trigger", i->trigger, "status",
                             i->state == FN_QUEUED ? "queued" : "running");
            return 0;
        }
    q = store_stmt(fs->eng->store, "SELECT " FN_INV_COLS
                                   " FROM fn_invocations WHERE id = ?1");
    sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *out = fn_row_json(q);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_setn(ENG_ENOTFOUND, "InvocationNotFound",
                      "no invocation '%s'", id);
    } else {
        rc = store_error(fs->eng->store);
    }
    store_done(q);
    return rc;
}

/* ---- the flow executor's tasks ---- */

struct fn_task {
    struct exec_service *xs;
    char *token;
    int wait_callback;
};

static void
fn_task_done(const json_t *inv, void *arg)
{
    struct fn_task *t = arg;
    const char *status = json_string_value(json_object_get(inv, "status"));
    const json_t *result = json_object_get(inv, "result");
    json_t *out = NULL;
    int rc = 0;

    if (strcmp(status, "succeeded") == 0) {
        if (!t->wait_callback) {
            json_t *obj = json_is_object(result)
                              ? json_incref((json_t *)result)
                              : json_pack("{s:O}", "result",
                                          result ? (json_t *)result
                                                 : json_null());

            rc = exec_task_succeed(&out, t->xs, t->token, obj);
            json_decref(obj);
            if (rc == ENG_EINVAL || rc == ENG_ETOOBIG) {
                /* a result the task cannot take (too large): the task
                 * fails rather than waiting for ever */
                char *why = xstrdup(err_last());

                json_decref(out);
                out = NULL;
                rc = exec_task_fail(&out, t->xs, t->token, "FC.InvalidResult",
                                    why);
                free(why);
            }
        }
    } else {
        const char *error = json_string_value(json_object_get(inv, "error"));
        const char *cause = json_string_value(json_object_get(inv, "cause"));
        const char *own = json_string_value(
            json_object_get(result, "errorType"));
        char *name = own && *own && strlen(own) <= 128 ? xstrdup(own)
                         : xasprintf("FC.%s", error ? error : "Failed");

        rc = exec_task_fail(&out, t->xs, t->token, name, cause ? cause : "");
        free(name);
    }
    if (rc && rc != ENG_ECONFLICT && rc != ENG_ENOTFOUND)
        log_error("task %s: the function's answer was not delivered: %s",
                  t->token, err_last());
    json_decref(out);
    free(t->token);
    free(t);
}

/*
 * Flow tasks waiting on an invocation that no longer runs: an engine
 * killed while it was queued (never recorded) or running (recorded, then
 * marked EngineInterrupted by fn_service_reload) took with it the link
 * that would have answered the task, and the execution would wait for
 * ever. Each such task fails as its invocation did, FC.EngineInterrupted,
 * so a retry or catch of the flow takes it. Run from the hook, once the
 * services are all up.
 */
static void
fn_orphan_tasks(struct fn_service *fs)
{
    struct store *st = fs->eng->store;
    sqlite3_stmt *q = store_stmt(
        st, "SELECT t.token, json_extract(t.target, '$.invocation') FROM "
            "tasks t LEFT JOIN fn_invocations i ON i.id = "
            "json_extract(t.target, '$.invocation') WHERE t.status = "
            "'waiting' AND json_extract(t.target, '$.function') IS NOT NULL "
            "AND (i.id IS NULL OR i.error = 'EngineInterrupted')");
    json_t *tokens = json_array(), *v;
    size_t k;
    int rc;

    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(q, 1);
        struct fn_inv *inv = NULL;

        if (id)
            for (inv = fs->invs; inv; inv = inv->next)
                if (inv->state != FN_FINISHED && strcmp(inv->id, id) == 0)
                    break;
        if (inv == NULL)
            json_array_append_new(
                tokens, json_string((const char *)sqlite3_column_text(q, 0)));
    }
    store_done(q);
    if (json_array_size(tokens) == 0 || engine_write_begin(fs->eng)) {
        json_decref(tokens);
        return;
    }
    json_array_foreach(tokens, k, v) {
        json_t *out = NULL;

        rc = exec_task_fail(&out, fs->eng->execs, json_string_value(v),
                            "FC.EngineInterrupted",
                            "the engine stopped while the function ran");
        json_decref(out);
        if (rc && rc != ENG_ECONFLICT && rc != ENG_ENOTFOUND)
            log_error("task %s: its lost invocation was not reported: %s",
                      json_string_value(v), err_last());
    }
    engine_write_end(fs->eng, 1);
    log_info("%zu flow tasks waiting on invocations the last engine ran "
             "failed (FC.EngineInterrupted)",
             json_array_size(tokens));
    json_decref(tokens);
}

int
fn_invoke_task(char **id, struct fn_service *fs, const char *name,
               const json_t *event, const char *token, int wait_callback)
{
    struct fn_task *t = xcalloc(1, sizeof(*t));
    int rc;

    t->xs = fs->eng->execs;
    t->token = xstrdup(token);
    t->wait_callback = wait_callback;
    rc = fn_invoke(id, fs, name, event, "flow", fn_task_done, t);
    if (rc) {
        free(t->token);
        free(t);
    }
    return rc;
}
