/*
 * flow_defs: deployed flow definitions, in the store and in git.
 */
#include "flow/flow_defs.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "flow/flow.h"
#include "store/gitrepo.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct flow_defs {
    struct engine *eng;
    char *git_path;
    struct gitrepo *git; /* opened on first use */
};

int
flow_defs_create(struct flow_defs **out, struct engine *eng,
                 const char *git_path)
{
    struct flow_defs *d = xcalloc(1, sizeof(*d));

    d->eng = eng;
    d->git_path = xstrdup(git_path);
    *out = d;
    return 0;
}

void
flow_defs_free(struct flow_defs *d)
{
    if (d == NULL)
        return;
    if (d->git) {
        gitrepo_free(d->git);
        gitrepo_global_shutdown();
    }
    free(d->git_path);
    free(d);
}

/* The repository, opened (and libgit2 started) the first time a version
 * is needed: start-up pays for neither. */
static int
flow_defs_git(struct gitrepo **out, struct flow_defs *d)
{
    int rc;

    if (d->git == NULL) {
        if ((rc = gitrepo_global_init()))
            return rc;
        if ((rc = gitrepo_open(&d->git, d->git_path))) {
            gitrepo_global_shutdown();
            return rc;
        }
    }
    *out = d->git;
    return 0;
}

int
flow_defs_check_name(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > 128 ||
        !((name[0] >= 'a' && name[0] <= 'z') ||
          (name[0] >= 'A' && name[0] <= 'Z') || name[0] == '_'))
        goto bad;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-'))
            goto bad;
    }
    return 0;
bad:
    return err_setn(ENG_EINVAL, "InvalidFlowName",
                    "flow name '%.80s' must be 1 to 128 letters, digits, '_' "
                    "or '-', starting with a letter or '_'",
                    name);
}

/* Parse and validate. Returns: 0 and the flow, or ENG_EINVAL. */
static int
flow_defs_parse(struct flow **out, const char *text, size_t len,
                const char *label)
{
    int rc = flow_parse(out, text, len, label);

    if (rc == 0 && (rc = flow_validate(*out)) != 0) {
        flow_free(*out);
        *out = NULL;
    }
    if (rc) /* the parser's message, under this API's code name */
        err_setn(rc, "InvalidDefinition", "%s", err_last());
    return rc;
}

int
flow_defs_validate(json_t **out, const char *definition, size_t len)
{
    struct flow *f;
    int rc = flow_defs_parse(&f, definition, len, "definition");

    *out = NULL;
    if (rc)
        return rc;
    *out = json_pack("{s:b, s:o}", "valid", 1, "graph", flow_to_json(f));
    flow_free(f);
    return 0;
}

static char *
flow_defs_file(const char *name)
{
    return xasprintf("%s.yaml", name);
}

/* The row of flow `name` as JSON (without graph), or NULL. */
static json_t *
flow_defs_row(struct flow_defs *d, const char *name)
{
    sqlite3_stmt *q = store_stmt(d->eng->store,
                                 "SELECT name, description, definition, "
                                 "version, created_ms, modified_ms "
                                 "FROM flows WHERE name = ?");
    json_t *j = NULL;

    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW)
        j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "name",
                      (const char *)sqlite3_column_text(q, 0), "description",
                      (const char *)sqlite3_column_text(q, 1), "definition",
                      (const char *)sqlite3_column_text(q, 2), "version",
                      (const char *)sqlite3_column_text(q, 3), "created",
                      jsonx_time(sqlite3_column_int64(q, 4)), "modified",
                      jsonx_time(sqlite3_column_int64(q, 5)));
    store_done(q);
    return j;
}

int
flow_defs_deploy(json_t **out, int *created, struct flow_defs *d,
                 const char *name, const char *definition, size_t len,
                 const char *description)
{
    struct store *st = d->eng->store;
    struct gitrepo *git;
    char version[GITREPO_OID_HEX], *file = NULL, *label, *message;
    struct flow *f = NULL;
    json_t *old;
    sqlite3_stmt *q;
    int64_t now = engine_now(d->eng);
    int rc;

    *out = NULL;
    *created = 0;
    if ((rc = flow_defs_check_name(name)))
        return rc;
    label = xasprintf("%s.yaml", name);
    rc = flow_defs_parse(&f, definition, len, label);
    free(label);
    if (rc)
        return rc;
    flow_free(f);
    if (description && strlen(description) > 1024)
        return err_set(ENG_EINVAL, "field 'description' is longer than 1024 "
                                   "bytes");
    old = flow_defs_row(d, name);
    *created = old == NULL;
    file = flow_defs_file(name);
    message = xasprintf("%s %s%s%s", *created ? "create" : "update", name,
                        description && *description ? ": " : "",
                        description ? description : "");
    rc = flow_defs_git(&git, d);
    if (rc == 0)
        rc = gitrepo_commit_file(version, git, file, definition, len, message,
                                 now);
    free(message);
    free(file);
    if (rc) {
        json_decref(old);
        return rc;
    }
    q = store_stmt(st, "INSERT INTO flows(name, description, definition, "
                       "version, created_ms, modified_ms) "
                       "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE "
                       "SET description = coalesce(?7, description), "
                       "definition = excluded.definition, "
                       "version = excluded.version, "
                       "modified_ms = excluded.modified_ms");
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, description ? description : "", -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(q, 3, definition, (int)len, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, version, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, now);
    sqlite3_bind_int64(q, 6, now);
    if (description)
        sqlite3_bind_text(q, 7, description, -1, SQLITE_STATIC);
    rc = store_step_done(st, q);
    store_done(q);
    if (rc == 0) {
        json_t *detail = json_pack("{s:s}", "version", version);

        rc = engine_journal(d->eng, "flow", name,
                            *created ? "created" : "updated", detail);
        json_decref(detail);
    }
    json_decref(old);
    if (rc)
        return rc;
    return flow_defs_get(out, d, name, NULL);
}

int
flow_defs_get(json_t **out, struct flow_defs *d, const char *name,
              const char *version)
{
    json_t *j = flow_defs_row(d, name);
    struct gitrepo *git = NULL;
    struct flow *f = NULL;
    const char *text;
    char *old = NULL, *file;
    size_t len;
    int rc = 0;

    *out = NULL;
    if (j == NULL)
        return err_setn(ENG_ENOTFOUND, "FlowNotFound", "no flow '%.128s'",
                        name);
    if (version && (rc = flow_defs_git(&git, d)) != 0) {
        json_decref(j);
        return rc;
    }
    if (version) {
        file = flow_defs_file(name);
        rc = gitrepo_read(&old, &len, git, file, version);
        free(file);
        if (rc) {
            json_decref(j);
            return rc;
        }
        json_object_set_new(j, "definition", json_stringn(old, len));
        json_object_set_new(j, "version", json_string(version));
        free(old);
    }
    text = json_string_value(json_object_get(j, "definition"));
    if (text && flow_parse(&f, text, strlen(text), name) == 0) {
        json_object_set_new(j, "graph", flow_to_json(f));
        flow_free(f);
    }
    err_clear();
    *out = j;
    return 0;
}

int
flow_defs_list(json_t **out, struct flow_defs *d, const char *cursor,
               int limit)
{
    sqlite3_stmt *q = store_stmt(d->eng->store,
                                 "SELECT name, description, version, "
                                 "modified_ms FROM flows WHERE name > ? "
                                 "ORDER BY name LIMIT ?");
    json_t *items = json_array();
    int n = 0, more = 0;

    sqlite3_bind_text(q, 1, cursor ? cursor : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, limit + 1);
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (n == limit) {
            more = 1;
            break;
        }
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s, s:o}", "name",
                             (const char *)sqlite3_column_text(q, 0),
                             "description",
                             (const char *)sqlite3_column_text(q, 1),
                             "version",
                             (const char *)sqlite3_column_text(q, 2),
                             "modified",
                             jsonx_time(sqlite3_column_int64(q, 3))));
        n++;
    }
    store_done(q);
    *out = json_pack("{s:o}", "items", items);
    if (more)
        json_object_set(*out, "next",
                        json_object_get(json_array_get(items, n - 1), "name"));
    return 0;
}

int
flow_defs_delete(struct flow_defs *d, const char *name)
{
    struct store *st = d->eng->store;
    sqlite3_stmt *q = store_stmt(st, "DELETE FROM flows WHERE name = ?");
    struct gitrepo *git;
    char *file, *message;
    int rc;

    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    rc = store_step_done(st, q);
    store_done(q);
    if (rc)
        return rc;
    if (sqlite3_changes(store_db(st)) == 0)
        return err_setn(ENG_ENOTFOUND, "FlowNotFound", "no flow '%.128s'",
                        name);
    if ((rc = flow_defs_git(&git, d)))
        return rc;
    file = flow_defs_file(name);
    message = xasprintf("delete %s", name);
    rc = gitrepo_remove_file(git, file, message, engine_now(d->eng));
    if (rc == ENG_ENOTFOUND)
        rc = 0; /* the history lost it: the row is what counts */
    free(file);
    free(message);
    if (rc == 0)
        rc = engine_journal(d->eng, "flow", name, "deleted", NULL);
    return rc;
}

int
flow_defs_versions(json_t **out, struct flow_defs *d, const char *name)
{
    struct gitrepo *git;
    json_t *log = NULL;
    char *file;
    int rc;

    *out = NULL;
    if ((rc = flow_defs_check_name(name)) || (rc = flow_defs_git(&git, d)))
        return rc;
    file = flow_defs_file(name);
    rc = gitrepo_log(&log, git, file, 1000);
    free(file);
    if (rc)
        return rc;
    if (json_array_size(log) == 0) {
        json_decref(log);
        return err_setn(ENG_ENOTFOUND, "FlowNotFound",
                        "no flow '%.128s' was ever deployed", name);
    }
    *out = json_pack("{s:o}", "items", log);
    return 0;
}

int
flow_defs_diff(json_t **out, struct flow_defs *d, const char *name,
               const char *from, const char *to)
{
    struct gitrepo *git;
    char *file, *diff = NULL;
    int rc;

    *out = NULL;
    if ((rc = flow_defs_check_name(name)) || (rc = flow_defs_git(&git, d)))
        return rc;
    file = flow_defs_file(name);
    rc = gitrepo_diff(&diff, git, file, from, to);
    free(file);
    if (rc)
        return rc;
    *out = json_pack("{s:s}", "diff", diff);
    free(diff);
    return 0;
}
