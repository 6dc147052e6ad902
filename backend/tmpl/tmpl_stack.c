/*
 * tmpl_stack: deploying a template as a stack, and the stack's records.
 * A deploy checks everything (tmpl_load.c), copies the template folder
 * into the data dir, then makes each resource through its service in one
 * nested store change; any failure undoes the change and reloads the
 * services' memory from the store, so nothing of it remains.
 */
#include "tmpl/tmpl_int.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "flow/flow_defs.h"
#include "fn/fn.h"
#include "queue/queue.h"
#include "store/store.h"
#include "topic/topic.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMPL_COPY_DEPTH 16

int
tmpl_service_create(struct tmpl_service **out, struct engine *eng,
                    const char *bundled)
{
    struct tmpl_service *ts = xcalloc(1, sizeof(*ts));

    ts->eng = eng;
    ts->bundled = bundled ? xstrdup(bundled) : NULL;
    *out = ts;
    return 0;
}

void
tmpl_service_free(struct tmpl_service *ts)
{
    if (ts == NULL)
        return;
    free(ts->bundled);
    free(ts);
}

const char *
tmpl_bundled_dir(const struct tmpl_service *ts)
{
    return ts->bundled;
}

char *
tmpl_endpoint(const struct tmpl_service *ts)
{
    return xasprintf("http://%s", ts->eng->listen);
}

/* ---- the stack's files ---- */

struct tmpl_copy {
    const struct tmpl *t;
    size_t files;
    size_t bytes;
};

/* Copy regular file `src` (already checked) to `dst`. */
static int
tmpl_copy_file(struct tmpl_copy *c, const char *src, const char *dst,
               const char *rel)
{
    int in = open(src, O_RDONLY | O_CLOEXEC), outfd = -1, rc = 0;
    struct stat st;
    char chunk[16384];
    ssize_t n;

    if (in < 0 || fstat(in, &st) != 0)
        rc = err_set(ENG_ERR, "%s: %s", rel, strerror(errno));
    else if (++c->files > TMPL_FILES_MAX)
        rc = err_set(ENG_ETOOBIG, "%s: more than %d files in the template "
                     "folder", c->t->label, TMPL_FILES_MAX);
    else if ((c->bytes += (size_t)st.st_size) > TMPL_TOTAL_MAX)
        rc = err_set(ENG_ETOOBIG, "%s: the template folder is over %d "
                     "bytes", c->t->label, TMPL_TOTAL_MAX);
    else if ((outfd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                           (st.st_mode & 0111) ? 0755 : 0644)) < 0)
        rc = err_set(ENG_ERR, "%s: %s", dst, strerror(errno));
    while (rc == 0 && (n = read(in, chunk, sizeof(chunk))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || write(outfd, chunk, (size_t)n) != n)
            rc = err_set(ENG_ERR, "copying %s: %s", rel, strerror(errno));
    }
    if (in >= 0)
        close(in);
    if (outfd >= 0 && close(outfd) != 0 && rc == 0)
        rc = err_set(ENG_ERR, "copying %s: %s", rel, strerror(errno));
    return rc;
}

/*
 * Copy the template folder's `rel` sub-folder ("" the folder) into dst.
 * Symlinks are followed only when they stay inside the folder (and then
 * copied as what they point at); one that leaves it fails the deploy.
 */
static int
tmpl_copy_dir(struct tmpl_copy *c, const char *rel, const char *dst,
              int depth)
{
    char *src = *rel ? xasprintf("%s/%s", c->t->dir, rel)
                     : xstrdup(c->t->dir);
    struct dirent *de;
    DIR *d = opendir(src);
    int rc = 0;

    if (d == NULL) {
        rc = err_set(ENG_ERR, "%s: %s", src, strerror(errno));
        free(src);
        return rc;
    }
    if (depth > TMPL_COPY_DEPTH)
        rc = err_set(ENG_ETOOBIG, "%s: folders nested deeper than %d",
                     c->t->label, TMPL_COPY_DEPTH);
    while (rc == 0 && (de = readdir(d)) != NULL) {
        char *r, *from, *to, real[PATH_MAX];
        size_t dlen = strlen(c->t->dir);
        struct stat st;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            strcmp(de->d_name, ".git") == 0)
            continue;
        r = *rel ? xasprintf("%s/%s", rel, de->d_name)
                 : xstrdup(de->d_name);
        from = xasprintf("%s/%s", src, de->d_name);
        to = xasprintf("%s/%s", dst, de->d_name);
        if (realpath(from, real) == NULL)
            rc = err_set(ENG_EINVAL, "%s: '%s' is a broken symlink",
                         c->t->label, r);
        else if (strncmp(real, c->t->dir, dlen) != 0 || real[dlen] != '/')
            rc = err_set(ENG_EINVAL, "%s: '%s' leads out of the template "
                         "folder (a symlink to %s)", c->t->label, r, real);
        else if (stat(real, &st) != 0)
            rc = err_set(ENG_ERR, "%s: %s", r, strerror(errno));
        else if (S_ISDIR(st.st_mode) && !S_ISLNK(DTTOIF(de->d_type))) {
            if (mkdir(to, 0755) != 0)
                rc = err_set(ENG_ERR, "%s: %s", to, strerror(errno));
            else
                rc = tmpl_copy_dir(c, r, to, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            rc = tmpl_copy_file(c, real, to, r);
        } else {
            rc = err_set(ENG_EINVAL, "%s: '%s' is neither a file nor a "
                         "folder", c->t->label, r);
        }
        free(r);
        free(from);
        free(to);
    }
    closedir(d);
    free(src);
    return rc;
}

/* Returns: new path of a stack's folder in the data dir, + `sub`. */
static char *
tmpl_stack_dir(struct tmpl_service *ts, const char *stack, const char *sub)
{
    return xasprintf("%s/stacks/%s%s%s", ts->eng->data_dir, stack,
                     *sub ? "/" : "", sub);
}

/* Copy the template into stacks/STACK/files.new. */
static int
tmpl_stage_files(struct tmpl_service *ts, const struct tmpl *t,
                 const char *stack)
{
    char *top = xasprintf("%s/stacks", ts->eng->data_dir);
    char *dir = tmpl_stack_dir(ts, stack, "");
    char *stage = tmpl_stack_dir(ts, stack, "files.new");
    struct tmpl_copy c = {t, 0, 0};
    int rc = 0;

    if ((mkdir(top, 0755) != 0 && errno != EEXIST) ||
        (mkdir(dir, 0755) != 0 && errno != EEXIST))
        rc = err_set(ENG_ERR, "%s: %s", dir, strerror(errno));
    paths_remove_tree(stage);
    if (rc == 0 && mkdir(stage, 0755) != 0)
        rc = err_set(ENG_ERR, "%s: %s", stage, strerror(errno));
    if (rc == 0)
        rc = tmpl_copy_dir(&c, "", stage, 0);
    if (rc)
        paths_remove_tree(stage);
    free(top);
    free(dir);
    free(stage);
    return rc;
}

/* Put the staged copy in place of the stack's files. */
static void
tmpl_swap_files(struct tmpl_service *ts, const char *stack)
{
    char *files = tmpl_stack_dir(ts, stack, "files");
    char *stage = tmpl_stack_dir(ts, stack, "files.new");
    char *old = tmpl_stack_dir(ts, stack, "files.old");

    paths_remove_tree(old);
    if (rename(files, old) != 0 && errno != ENOENT)
        log_warn("stack %s: cannot move %s aside: %s", stack, files,
                 strerror(errno));
    if (rename(stage, files) != 0)
        log_error("stack %s: cannot put its files in place: %s", stack,
                  strerror(errno));
    paths_remove_tree(old);
    free(files);
    free(stage);
    free(old);
}

/* ---- one resource through its service ---- */

/* The fields of `spec` a service takes: all but type and `drop`. */
static json_t *
tmpl_attrs(const json_t *spec, const char *drop1, const char *drop2)
{
    json_t *a = json_deep_copy(spec);

    json_object_del(a, "type");
    if (drop1)
        json_object_del(a, drop1);
    if (drop2)
        json_object_del(a, drop2);
    return a;
}

/* Returns: the part of "A/B" before or after the slash (new). */
static char *
tmpl_key_part(const char *key, int second)
{
    const char *slash = strchr(key, '/');

    if (slash == NULL)
        return xstrdup(second ? "" : key);
    return second ? xstrdup(slash + 1)
                  : xstrndup(key, (size_t)(slash - key));
}

/* Returns: 1 when the resource exists in its service (owned or not). */
static int
tmpl_res_exists(struct tmpl_service *ts, const char *type, const char *key)
{
    struct engine *eng = ts->eng;
    char *a = tmpl_key_part(key, 0), *b = tmpl_key_part(key, 1);
    json_t *j = NULL;
    int yes = 0;

    if (strcmp(type, "queue") == 0)
        yes = queue_get(&j, eng->queues, key) == 0;
    else if (strcmp(type, "topic") == 0)
        yes = topic_get(&j, eng->topics, key) == 0;
    else if (strcmp(type, "subscription") == 0)
        yes = topic_sub_get(&j, eng->topics, a, b) == 0;
    else if (strcmp(type, "function") == 0)
        yes = fn_get(&j, eng->fns, key) == 0;
    else if (strcmp(type, "flow") == 0)
        yes = flow_defs_get(&j, eng->flows, key, NULL) == 0;
    else if (strcmp(type, "trigger") == 0 &&
             fn_trigger_list(&j, eng->fns, a) == 0) {
        size_t i;
        json_t *tr;

        json_array_foreach(json_object_get(j, "items"), i, tr)
            yes |= strcmp(json_string_value(json_object_get(tr, "queue"))
                              ? json_string_value(json_object_get(tr, "queue"))
                              : "",
                          b) == 0;
    }
    json_decref(j);
    free(a);
    free(b);
    err_clear();
    return yes;
}

/* Delete a resource; one already gone is fine. */
static int
tmpl_res_delete(struct tmpl_service *ts, const char *type, const char *key,
                const char *ref)
{
    struct engine *eng = ts->eng;
    char *a = tmpl_key_part(key, 0), *b = tmpl_key_part(key, 1);
    int rc = 0;

    if (strcmp(type, "queue") == 0)
        rc = queue_delete(eng->queues, key);
    else if (strcmp(type, "topic") == 0)
        rc = topic_delete(eng->topics, key);
    else if (strcmp(type, "subscription") == 0)
        rc = topic_unsubscribe(eng->topics, a, b);
    else if (strcmp(type, "function") == 0)
        rc = fn_delete(eng->fns, key);
    else if (strcmp(type, "trigger") == 0)
        rc = ref ? fn_trigger_delete(eng->fns, a, ref) : 0;
    else if (strcmp(type, "flow") == 0)
        rc = flow_defs_delete(eng->flows, key);
    free(a);
    free(b);
    if (rc == ENG_ENOTFOUND) {
        err_clear();
        rc = 0;
    }
    return rc;
}

/* The function spec a template's function becomes. */
static json_t *
tmpl_fn_spec(struct tmpl_service *ts, const char *stack, const json_t *spec)
{
    char *files = tmpl_stack_dir(ts, stack, "files");
    char *handler = xasprintf(
        "%s/%s", files, json_string_value(json_object_get(spec, "handler")));
    json_t *f = json_pack("{s:[ss], s:s}", "command",
                          json_string_value(json_object_get(spec, "runtime")),
                          handler, "cwd", files);
    const char *keys[] = {"env", "timeout_seconds", "max_concurrency"};

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (json_object_get(spec, keys[i]))
            json_object_set(f, keys[i], json_object_get(spec, keys[i]));
    free(files);
    free(handler);
    return f;
}

/* Returns: 1 when the owned resource `old` (one that exists) is what `r`
 * asks for (a flow: the same definition text as well). */
static int
tmpl_res_same(struct tmpl_service *ts, const json_t *r, const json_t *old)
{
    const char *type = json_string_value(json_object_get(r, "type"));
    const char *key = json_string_value(json_object_get(r, "key"));
    json_t *f = NULL;
    int same;

    if (!json_equal(json_object_get(old, "spec"), json_object_get(r, "spec")))
        return 0;
    if (strcmp(type, "flow") != 0)
        return 1;
    same = flow_defs_get(&f, ts->eng->flows, key, NULL) == 0 &&
           json_equal(json_object_get(f, "definition"),
                      json_object_get(r, "text"));
    json_decref(f);
    err_clear();
    return same;
}

/*
 * Create (old NULL) or change one resource: `old` is the stack's record
 * of it, given only when it exists and differs from `r`. *ref: the
 * service's id (triggers).
 */
static int
tmpl_res_apply(char **ref, struct tmpl_service *ts, const char *stack,
               const json_t *r, const json_t *old)
{
    struct engine *eng = ts->eng;
    const char *type = json_string_value(json_object_get(r, "type"));
    const char *key = json_string_value(json_object_get(r, "key"));
    const json_t *spec = json_object_get(r, "spec");
    const char *old_ref =
        old ? json_string_value(json_object_get(old, "ref")) : NULL;
    json_t *a = NULL, *o = NULL;
    int created = 0, rc = 0;

    *ref = old_ref ? xstrdup(old_ref) : NULL;
    if (strcmp(type, "queue") == 0) {
        a = tmpl_attrs(spec, "name", NULL);
        rc = old ? queue_set(&o, eng->queues, key, a)
                 : queue_create(&o, &created, eng->queues, key, a);
    } else if (strcmp(type, "topic") == 0) {
        a = tmpl_attrs(spec, "name", NULL);
        rc = topic_create(&o, &created, eng->topics, key, a);
        if (rc == ENG_EEXISTS)
            rc = err_set(ENG_EINVAL, "a topic's attributes cannot change in "
                         "place (delete the stack and deploy it again)");
    } else if (strcmp(type, "function") == 0) {
        a = tmpl_fn_spec(ts, stack, spec);
        rc = fn_create(&o, &created, eng->fns, key, a);
    } else if (strcmp(type, "trigger") == 0) {
        char *fname = tmpl_key_part(key, 0);

        a = tmpl_attrs(spec, "function", NULL);
        if (old_ref)
            rc = fn_trigger_delete(eng->fns, fname, old_ref);
        if (rc == ENG_ENOTFOUND)
            rc = 0;
        if (rc == 0)
            rc = fn_trigger_create(&o, eng->fns, fname, a);
        if (rc == 0) {
            free(*ref);
            *ref = xstrdup(json_string_value(json_object_get(o, "id")));
        }
        free(fname);
    } else if (strcmp(type, "subscription") == 0) {
        char *topic = tmpl_key_part(key, 0), *name = tmpl_key_part(key, 1);

        a = tmpl_attrs(spec, "topic", "name");
        if (old && (rc = topic_unsubscribe(eng->topics, topic, name)) ==
                       ENG_ENOTFOUND)
            rc = 0;
        if (rc == 0)
            rc = topic_subscribe(&o, &created, eng->topics, topic, name, a);
        free(topic);
        free(name);
    } else if (strcmp(type, "flow") == 0) {
        const json_t *desc = json_object_get(spec, "description");
        const char *text = json_string_value(json_object_get(r, "text"));

        rc = flow_defs_deploy(&o, &created, eng->flows, key, text,
                              strlen(text),
                              json_is_string(desc) ? json_string_value(desc)
                                                   : NULL);
    }
    json_decref(a);
    json_decref(o);
    return rc;
}

/* ---- records ---- */

static void
tmpl_event(struct tmpl_service *ts, json_t *events, const char *stack,
           int64_t deploy, const char *type, const char *key,
           const char *status, const char *reason)
{
    struct store *st = ts->eng->store;
    int64_t now = engine_now(ts->eng);
    sqlite3_stmt *q = store_stmt(
        st, "INSERT INTO stack_events (stack, deploy, at_ms, type, key, "
            "status, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    json_t *e = json_pack("{s:I, s:o, s:s, s:s?, s:s?}", "deploy",
                          (json_int_t)deploy, "time", jsonx_time(now),
                          "status", status, "type", type, "name", key);

    sqlite3_bind_text(q, 1, stack, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, deploy);
    sqlite3_bind_int64(q, 3, now);
    sqlite3_bind_text(q, 4, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 7, reason, -1, SQLITE_STATIC);
    store_step_done(st, q);
    store_done(q);
    if (reason)
        json_object_set_new(e, "reason", json_string(reason));
    json_array_append_new(events, e);
}

/* The resources a stack owns, in creation order: [{"type", "key", "ref",
 * "status", "reason", "spec"}]. Returns: new reference. */
static json_t *
tmpl_owned(struct tmpl_service *ts, const char *stack)
{
    struct store *st = ts->eng->store;
    sqlite3_stmt *q = store_stmt(
        st, "SELECT type, key, ref, status, reason, spec FROM "
            "stack_resources WHERE stack = ?1 ORDER BY ord");
    json_t *list = json_array();

    sqlite3_bind_text(q, 1, stack, -1, SQLITE_STATIC);
    while (sqlite3_step(q) == SQLITE_ROW) {
        json_t *spec =
            json_loads((const char *)sqlite3_column_text(q, 5), 0, NULL);

        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:o}", "type",
                            sqlite3_column_text(q, 0), "key",
                            sqlite3_column_text(q, 1), "ref",
                            sqlite3_column_text(q, 2), "status",
                            sqlite3_column_text(q, 3), "reason",
                            sqlite3_column_text(q, 4), "spec",
                            spec ? spec : json_null()));
    }
    store_done(q);
    return list;
}

/* Returns: the owner of (type, key) (new), or NULL. */
static char *
tmpl_owner(struct tmpl_service *ts, const char *type, const char *key)
{
    sqlite3_stmt *q = store_stmt(ts->eng->store,
                                 "SELECT stack FROM stack_resources WHERE "
                                 "type = ?1 AND key = ?2");
    char *owner = NULL;

    sqlite3_bind_text(q, 1, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW)
        owner = xstrdup((const char *)sqlite3_column_text(q, 0));
    store_done(q);
    return owner;
}

static int
tmpl_own(struct tmpl_service *ts, const char *stack, int ord,
         const json_t *r, const char *ref)
{
    struct store *st = ts->eng->store;
    sqlite3_stmt *q = store_stmt(
        st, "INSERT OR REPLACE INTO stack_resources (type, key, stack, ord, "
            "ref, status, reason, spec, updated_ms) VALUES (?1, ?2, ?3, ?4, "
            "?5, 'ready', NULL, ?6, ?7)");
    char *spec = jsonx_dump(json_object_get(r, "spec"));
    int rc;

    sqlite3_bind_text(q, 1, json_string_value(json_object_get(r, "type")),
                      -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, json_string_value(json_object_get(r, "key")), -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(q, 3, stack, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 4, ord);
    sqlite3_bind_text(q, 5, ref, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, spec, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 7, engine_now(ts->eng));
    rc = store_step_done(st, q);
    store_done(q);
    free(spec);
    return rc;
}

static int
tmpl_disown(struct tmpl_service *ts, const char *type, const char *key)
{
    struct store *st = ts->eng->store;
    sqlite3_stmt *q = store_stmt(st, "DELETE FROM stack_resources WHERE "
                                     "type = ?1 AND key = ?2");
    int rc;

    sqlite3_bind_text(q, 1, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
    rc = store_step_done(st, q);
    store_done(q);
    return rc;
}

/* The stack's row: 0 and its fields in *out, or ENG_ENOTFOUND. */
static int
tmpl_stack_row(json_t **out, struct tmpl_service *ts, const char *name)
{
    sqlite3_stmt *q = store_stmt(
        ts->eng->store,
        "SELECT template, source, params, status, error, deploys, "
        "created_ms, updated_ms, samples FROM stacks WHERE name = ?1");
    int rc = 0;

    *out = NULL;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW) {
        json_t *params =
            json_loads((const char *)sqlite3_column_text(q, 2), 0, NULL);
        json_t *samples =
            json_loads((const char *)sqlite3_column_text(q, 8), 0, NULL);

        *out = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s?, s:I, s:o, s:o}",
                         "name", name, "template", sqlite3_column_text(q, 0),
                         "source", sqlite3_column_text(q, 1), "params",
                         params ? params : json_object(), "status",
                         sqlite3_column_text(q, 3), "error",
                         sqlite3_column_text(q, 4), "deploys",
                         (json_int_t)sqlite3_column_int64(q, 5), "created",
                         jsonx_time(sqlite3_column_int64(q, 6)), "updated",
                         jsonx_time(sqlite3_column_int64(q, 7)));
        if (json_is_null(json_object_get(*out, "error")))
            json_object_del(*out, "error");
        json_object_set_new(*out, "samples",
                            samples ? samples : json_array());
    } else {
        rc = err_setn(ENG_ENOTFOUND, "StackNotFound", "no stack '%s'", name);
    }
    store_done(q);
    return rc;
}

/* ---- deploy ---- */

/* Check each resource's files and that nothing belongs elsewhere; read
 * flow definitions into r["text"]. */
static int
tmpl_precheck(struct tmpl_service *ts, const struct tmpl *t,
              const char *stack, json_t *rendered, const json_t *vars)
{
    size_t i;
    json_t *r;

    json_array_foreach(rendered, i, r) {
        const char *type = json_string_value(json_object_get(r, "type"));
        const char *key = json_string_value(json_object_get(r, "key"));
        const char *ptr = json_string_value(json_object_get(r, "ptr"));
        const json_t *spec = json_object_get(r, "spec");
        char buf[320], *owner, *path;
        int rc = 0;

        if (strcmp(type, "function") == 0) {
            snprintf(buf, sizeof(buf), "%s/handler", ptr);
            rc = tmpl_path(&path, t,
                           json_string_value(json_object_get(spec, "handler")),
                           buf);
            free(path);
        } else if (strcmp(type, "flow") == 0) {
            char *text;
            size_t len;

            snprintf(buf, sizeof(buf), "%s/definition", ptr);
            rc = tmpl_flow_text(
                &text, &len, t,
                json_string_value(json_object_get(spec, "definition")), buf,
                vars);
            if (rc == 0)
                json_object_set_new(r, "text", json_stringn(text, len));
            free(text);
        }
        if (rc)
            return rc;
        owner = tmpl_owner(ts, type, key);
        if (owner && strcmp(owner, stack) != 0)
            tmpl_err(t, ptr, "%s '%s' belongs to stack '%s'", type, key,
                     owner);
        else if (owner == NULL && tmpl_res_exists(ts, type, key))
            tmpl_err(t, ptr, "%s '%s' exists already, outside any stack "
                     "(delete it, or deploy with another name through "
                     "--param)", type, key);
        else
            rc = 1;
        free(owner);
        if (rc != 1) { /* the message is set: keep it, as a conflict */
            char *msg = xstrdup(err_last());

            err_set(ENG_ECONFLICT, "%s", msg);
            free(msg);
            return ENG_ECONFLICT;
        }
    }
    return 0;
}

/* Returns: the entry of `list` with this type and key, or NULL. */
static json_t *
tmpl_lookup(const json_t *list, const char *type, const char *key)
{
    size_t i;
    json_t *x;

    json_array_foreach(list, i, x)
        if (strcmp(json_string_value(json_object_get(x, "type")), type) ==
                0 &&
            strcmp(json_string_value(json_object_get(x, "key")), key) == 0)
            return x;
    return NULL;
}

/* The resources' changes, inside the nested change. */
static int
tmpl_apply_all(struct tmpl_service *ts, const char *stack, int64_t deploy,
               const json_t *rendered, const json_t *owned, json_t *events)
{
    size_t i, n = json_array_size(owned);
    json_t *r;
    int rc = 0;

    /* what the template no longer lists goes first, newest rank first */
    for (i = n; i-- > 0;) {
        json_t *o = json_array_get(owned, i);
        const char *type = json_string_value(json_object_get(o, "type"));
        const char *key = json_string_value(json_object_get(o, "key"));

        if (tmpl_lookup(rendered, type, key))
            continue;
        tmpl_event(ts, events, stack, deploy, type, key, "deleting", NULL);
        rc = tmpl_res_delete(ts, type, key,
                             json_string_value(json_object_get(o, "ref")));
        if (rc == 0)
            rc = tmpl_disown(ts, type, key);
        if (rc)
            return err_wrap(rc, "%s '%s'", type, key);
        tmpl_event(ts, events, stack, deploy, type, key, "deleted", NULL);
    }
    json_array_foreach(rendered, i, r) {
        const char *type = json_string_value(json_object_get(r, "type"));
        const char *key = json_string_value(json_object_get(r, "key"));
        const json_t *old = tmpl_lookup(owned, type, key);
        const char *status;
        char *ref = NULL;

        if (old && !tmpl_res_exists(ts, type, key))
            old = NULL; /* deleted by hand: made again */
        if (old && tmpl_res_same(ts, r, old)) {
            /* kept as it is; its place in the order may have moved */
            rc = tmpl_own(ts, stack, (int)i, r,
                          json_string_value(json_object_get(old, "ref")));
            status = "unchanged";
        } else {
            tmpl_event(ts, events, stack, deploy, type, key,
                       old ? "updating" : "creating", NULL);
            rc = tmpl_res_apply(&ref, ts, stack, r, old);
            if (rc == 0)
                rc = tmpl_own(ts, stack, (int)i, r, ref);
            free(ref);
            status = "ready";
        }
        if (rc)
            return err_wrap(rc, "%s '%s'", type, key);
        tmpl_event(ts, events, stack, deploy, type, key, status, NULL);
    }
    return 0;
}

int
tmpl_deploy(json_t **out, int *created, struct tmpl_service *ts,
            const json_t *req)
{
    static const char *const keys[] = {"template", "stack", "params", NULL};
    struct engine *eng = ts->eng;
    const char *tname = NULL, *stack = NULL;
    struct tmpl *t = NULL;
    json_t *vars = NULL, *rendered = NULL, *samples = NULL, *owned = NULL;
    json_t *row = NULL, *events = json_array(), *given = NULL;
    char *endpoint = NULL, *params_text = NULL, *samples_text = NULL;
    int64_t deploy = 1, now = engine_now(eng);
    int rc, staged = 0;

    *out = NULL;
    *created = 0;
    if ((rc = jsonx_check_keys(req, keys)) ||
        (rc = jsonx_get_str(&tname, req, "template", 1)) ||
        (rc = jsonx_get_str(&stack, req, "stack", 0)))
        goto out;
    if ((rc = tmpl_find(&t, ts, tname)))
        goto out;
    if (stack == NULL)
        stack = t->name;
    if (!tmpl_name_ok(stack)) {
        rc = err_set(ENG_EINVAL, "stack must be 1-%d lower-case letters, "
                     "digits and '-', starting with a letter or digit",
                     TMPL_NAME_MAX);
        goto out;
    }
    if (tmpl_stack_row(&row, ts, stack) == 0) {
        if (strcmp(json_string_value(json_object_get(row, "template")),
                   t->name) != 0) {
            rc = err_set(ENG_ECONFLICT, "stack '%s' was deployed from "
                         "template '%s', not '%s'", stack,
                         json_string_value(json_object_get(row, "template")),
                         t->name);
            goto out;
        }
        deploy = json_integer_value(json_object_get(row, "deploys")) + 1;
        /* a redeploy keeps the values it had, but those given */
        given = json_deep_copy(json_object_get(row, "params"));
    }
    if (given == NULL)
        given = json_object();
    if (json_is_object(json_object_get(req, "params")))
        json_object_update(given, json_object_get(req, "params"));
    else if (json_object_get(req, "params") &&
             !json_is_null(json_object_get(req, "params"))) {
        rc = err_set(ENG_EINVAL, "params must be an object of parameter "
                     "names and values");
        goto out;
    }
    if (row) { /* drop what the template no longer declares */
        const json_t *decl = json_object_get(t->doc, "parameters");
        const char *k;
        json_t *v, *tmp;

        json_object_foreach_safe(given, tmp, k, v)
            if (!json_object_get(json_object_get(row, "params"), k) ||
                (json_is_object(decl) && json_object_get(decl, k)))
                continue;
            else
                json_object_del(given, k);
    }
    err_clear();
    endpoint = tmpl_endpoint(ts);
    if ((rc = tmpl_vars(&vars, t, given, stack, endpoint)) ||
        (rc = tmpl_render(&rendered, t, vars)) ||
        (rc = tmpl_samples(&samples, t, vars)) ||
        (rc = tmpl_precheck(ts, t, stack, rendered, vars)) ||
        (rc = tmpl_stage_files(ts, t, stack)))
        goto out;
    staged = 1;
    owned = tmpl_owned(ts, stack);

    if ((rc = engine_write_begin(eng)))
        goto out;
    rc = tmpl_apply_all(ts, stack, deploy, rendered, owned, events);
    if (rc == 0) {
        sqlite3_stmt *q = store_stmt(
            eng->store,
            "INSERT INTO stacks (name, template, source, params, samples, "
            "status, error, deploys, created_ms, updated_ms) VALUES (?1, ?2, "
            "?3, ?4, ?7, 'ready', NULL, ?5, ?6, ?6) ON CONFLICT(name) DO "
            "UPDATE SET params = ?4, samples = ?7, source = ?3, status = "
            "'ready', error = NULL, deploys = ?5, updated_ms = ?6");
        json_t *values = json_object(), *pv;
        const char *k;

        /* the parameters' values, without the built-in ones */
        json_object_foreach(vars, k, pv)
            if (strncmp(k, "flowdeck.", 9) != 0)
                json_object_set(values, k, pv);
        params_text = jsonx_dump(values);
        json_decref(values);
        sqlite3_bind_text(q, 1, stack, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, t->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, t->source, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, params_text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 5, deploy);
        sqlite3_bind_int64(q, 6, now);
        samples_text = jsonx_dump(samples);
        sqlite3_bind_text(q, 7, samples_text, -1, SQLITE_STATIC);
        rc = store_step_done(eng->store, q);
        store_done(q);
    }
    if (rc == 0)
        tmpl_event(ts, events, stack, deploy, "stack", stack, "ready", NULL);
    if (rc == 0)
        rc = engine_journal_text(
            eng, "stack", stack, deploy == 1 ? "created" : "deployed",
            xasprintf("{\"template\":\"%s\",\"deploy\":%lld}", t->name,
                      (long long)deploy));
    if (rc) {
        /* undo every resource made or changed, and what the services hold
         * in memory of them */
        char *why = xstrdup(err_last());
        int code = rc;

        engine_write_end(eng, 0);
        engine_reload(eng);
        rc = err_set(code == ENG_ENOTFOUND ? ENG_EINVAL : code,
                     "stack '%s': %s; nothing was deployed", stack, why);
        free(why);
        goto out;
    }
    if ((rc = engine_write_end(eng, 1)))
        goto out;
    tmpl_swap_files(ts, stack);
    staged = 0;
    *created = deploy == 1;
    if ((rc = tmpl_stack_get(out, ts, stack)) == 0)
        json_object_set(*out, "events", events);
out:
    if (staged) {
        char *stage = tmpl_stack_dir(ts, stack, "files.new");

        paths_remove_tree(stage);
        free(stage);
    }
    tmpl_free(t);
    json_decref(vars);
    json_decref(rendered);
    json_decref(samples);
    json_decref(owned);
    json_decref(row);
    json_decref(given);
    json_decref(events);
    free(endpoint);
    free(params_text);
    free(samples_text);
    return rc;
}

/* ---- reading and deleting stacks ---- */

int
tmpl_stack_get(json_t **out, struct tmpl_service *ts, const char *name)
{
    json_t *s, *owned, *res = json_array(), *o;
    size_t i;
    int rc;

    if ((rc = tmpl_stack_row(&s, ts, name))) {
        json_decref(res);
        return rc;
    }
    owned = tmpl_owned(ts, name);
    json_array_foreach(owned, i, o) {
        json_t *r = json_pack("{s:O, s:O, s:s}", "type",
                              json_object_get(o, "type"), "name",
                              json_object_get(o, "key"), "status",
                              tmpl_res_exists(ts,
                                              json_string_value(
                                                  json_object_get(o, "type")),
                                              json_string_value(
                                                  json_object_get(o, "key")))
                                  ? json_string_value(
                                        json_object_get(o, "status"))
                                  : "missing");

        if (json_is_string(json_object_get(o, "ref")))
            json_object_set(r, "ref", json_object_get(o, "ref"));
        if (json_is_string(json_object_get(o, "reason")))
            json_object_set(r, "reason", json_object_get(o, "reason"));
        json_array_append_new(res, r);
    }
    json_decref(owned);
    json_object_set_new(s, "resources", res);
    *out = s;
    return 0;
}

int
tmpl_stack_list(json_t **out, struct tmpl_service *ts)
{
    sqlite3_stmt *q = store_stmt(
        ts->eng->store,
        "SELECT s.name, (SELECT count(*) FROM stack_resources r WHERE "
        "r.stack = s.name) FROM stacks s ORDER BY s.name");
    json_t *items = json_array();

    while (sqlite3_step(q) == SQLITE_ROW) {
        json_t *s;

        if (tmpl_stack_row(&s, ts, (const char *)sqlite3_column_text(q, 0)))
            continue;
        json_object_del(s, "samples");
        json_object_set_new(s, "resources",
                            json_integer(sqlite3_column_int(q, 1)));
        json_array_append_new(items, s);
    }
    store_done(q);
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int
tmpl_stack_events(json_t **out, struct tmpl_service *ts, const char *name,
                  int64_t after, int limit)
{
    json_t *row, *items = json_array();
    sqlite3_stmt *q;
    int64_t last = 0;
    int rc, n = 0;

    if ((rc = tmpl_stack_row(&row, ts, name))) {
        json_decref(items);
        return rc;
    }
    json_decref(row);
    q = store_stmt(ts->eng->store,
                   "SELECT id, deploy, at_ms, type, key, status, reason FROM "
                   "stack_events WHERE stack = ?1 AND id > ?2 ORDER BY id "
                   "LIMIT ?3");
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, after);
    sqlite3_bind_int(q, 3, limit + 1);
    while (sqlite3_step(q) == SQLITE_ROW) {
        json_t *e;

        if (n++ == limit)
            break;
        last = sqlite3_column_int64(q, 0);
        e = json_pack("{s:I, s:I, s:o, s:s?, s:s?, s:s}", "id",
                      (json_int_t)last, "deploy",
                      (json_int_t)sqlite3_column_int64(q, 1), "time",
                      jsonx_time(sqlite3_column_int64(q, 2)), "type",
                      sqlite3_column_text(q, 3), "name",
                      sqlite3_column_text(q, 4), "status",
                      sqlite3_column_text(q, 5));
        if (sqlite3_column_type(q, 6) != SQLITE_NULL)
            json_object_set_new(
                e, "reason",
                json_string((const char *)sqlite3_column_text(q, 6)));
        json_array_append_new(items, e);
    }
    store_done(q);
    *out = json_pack("{s:o}", "items", items);
    if (n > limit) {
        char next[32];

        snprintf(next, sizeof(next), "%lld", (long long)last);
        json_object_set_new(*out, "next", json_string(next));
    }
    return 0;
}

int
tmpl_stack_delete(json_t **out, struct tmpl_service *ts, const char *name)
{
    struct engine *eng = ts->eng;
    json_t *row, *owned, *events = json_array();
    int64_t deploy;
    size_t i;
    int rc;

    *out = NULL;
    if ((rc = tmpl_stack_row(&row, ts, name))) {
        json_decref(events);
        return rc;
    }
    deploy = json_integer_value(json_object_get(row, "deploys"));
    json_decref(row);
    if ((rc = engine_write_begin(eng))) {
        json_decref(events);
        return rc;
    }
    owned = tmpl_owned(ts, name);
    for (i = json_array_size(owned); rc == 0 && i-- > 0;) {
        json_t *o = json_array_get(owned, i);
        const char *type = json_string_value(json_object_get(o, "type"));
        const char *key = json_string_value(json_object_get(o, "key"));

        tmpl_event(ts, events, name, deploy, type, key, "deleting", NULL);
        rc = tmpl_res_delete(ts, type, key,
                             json_string_value(json_object_get(o, "ref")));
        if (rc == 0)
            rc = tmpl_disown(ts, type, key);
        if (rc)
            rc = err_wrap(rc, "%s '%s'", type, key);
        else
            tmpl_event(ts, events, name, deploy, type, key, "deleted", NULL);
    }
    json_decref(owned);
    if (rc == 0) {
        const char *sql[] = {"DELETE FROM stack_events WHERE stack = ?1",
                             "DELETE FROM stacks WHERE name = ?1"};

        for (size_t k = 0; rc == 0 && k < 2; k++) {
            sqlite3_stmt *q = store_stmt(eng->store, sql[k]);

            sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
            rc = store_step_done(eng->store, q);
            store_done(q);
        }
    }
    if (rc == 0)
        rc = engine_journal(eng, "stack", name, "deleted", NULL);
    if (rc) {
        engine_write_end(eng, 0);
        engine_reload(eng); /* the services forget what was undone */
    } else {
        rc = engine_write_end(eng, 1);
    }
    if (rc == 0) {
        char *dir = tmpl_stack_dir(ts, name, "");

        paths_remove_tree(dir);
        free(dir);
        *out = json_pack("{s:s, s:O}", "name", name, "events", events);
    }
    json_decref(events);
    return rc;
}
