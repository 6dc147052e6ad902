/*
 * snapshot: whole-state copies with the SQLite backup API. Saving copies
 * the live database page by page into a temporary file and renames it
 * into place; restoring copies a snapshot over the live database inside
 * the engine's connection, then every service reloads.
 */
#include "core/snapshot.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SNAPSHOT_NAME_MAX 64

int
snapshot_check_name(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > SNAPSHOT_NAME_MAX || name[0] == '.')
        goto bad;
    for (const char *p = name; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
              *p == '-'))
            goto bad;
    }
    return 0;
bad:
    return err_set(ENG_EINVAL,
                   "snapshot name '%.80s' must be 1 to %d letters, digits, "
                   "'.', '_' or '-', not starting with '.'",
                   name, SNAPSHOT_NAME_MAX);
}

static char *
snapshot_dir(struct engine *eng)
{
    return xasprintf("%s/snapshots", eng->data_dir);
}

static char *
snapshot_path(struct engine *eng, const char *name)
{
    return xasprintf("%s/snapshots/%s.db", eng->data_dir, name);
}

static json_t *
snapshot_entry(const char *name, const struct stat *st)
{
    return json_pack("{s:s, s:I, s:o}", "name", name, "size",
                     (json_int_t)st->st_size, "created",
                     jsonx_time((int64_t)st->st_mtim.tv_sec * 1000 +
                                st->st_mtim.tv_nsec / 1000000));
}

/* Copy database `src` (schema "main") into `dst`. Returns: SQLite rc. */
static int
snapshot_copy(sqlite3 *dst, sqlite3 *src)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    int rc;

    if (b == NULL)
        return sqlite3_errcode(dst);
    rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void
snapshot_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int
snapshot_save(json_t **out, struct engine *eng, const char *name,
              int overwrite)
{
    char *dir = NULL, *path = NULL, *tmp = NULL;
    sqlite3 *dst = NULL;
    struct stat st;
    int rc;

    *out = NULL;
    if ((rc = snapshot_check_name(name)))
        return rc;
    if ((rc = engine_commit(eng)))
        return rc;
    dir = snapshot_dir(eng);
    path = snapshot_path(eng, name);
    tmp = xasprintf("%s/.%s.tmp", dir, name);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        rc = err_set(ENG_EREADONLY, "cannot create %s: %s", dir,
                     strerror(errno));
        goto out;
    }
    if (!overwrite && stat(path, &st) == 0) {
        rc = err_set(ENG_EEXISTS,
                     "snapshot '%s' exists: pass overwrite to replace it",
                     name);
        goto out;
    }
    unlink(tmp);
    if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL) != SQLITE_OK ||
        snapshot_copy(dst, store_db(eng->store)) != SQLITE_OK ||
        sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
                     NULL) != SQLITE_OK) {
        rc = err_set(ENG_ERR, "cannot save snapshot '%s': %s", name,
                     dst ? sqlite3_errmsg(dst) : "out of memory");
        goto out;
    }
    sqlite3_close(dst);
    dst = NULL;
    if (rename(tmp, path) != 0) {
        rc = err_set(ENG_ERR, "cannot save snapshot '%s': %s", name,
                     strerror(errno));
        goto out;
    }
    snapshot_sync_dir(dir);
    if (stat(path, &st) != 0) {
        rc = err_set(ENG_ERR, "snapshot '%s' vanished", name);
        goto out;
    }
    *out = snapshot_entry(name, &st);
    log_info("snapshot '%s' saved", name);
out:
    if (dst)
        sqlite3_close(dst);
    if (rc)
        unlink(tmp);
    free(dir);
    free(path);
    free(tmp);
    return rc;
}

/* Is `db` a flowdeck database this build can take? */
static int
snapshot_check_file(sqlite3 *db, const char *name)
{
    sqlite3_stmt *q = NULL;
    int version = -1, has_meta = 0;

    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE "
                               "type = 'table' AND name = 'meta'",
                           -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        has_meta = sqlite3_column_int(q, 0) == 1;
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL) ==
            SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        version = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (!has_meta || version < 1)
        return err_set(ENG_EINVAL, "snapshot '%s' is not a flowdeck snapshot",
                       name);
    if (version > store_schema_version())
        return err_set(ENG_ECONFLICT,
                       "snapshot '%s' comes from a newer flowdeck (schema %d, "
                       "this one knows %d)",
                       name, version, store_schema_version());
    return 0;
}

int
snapshot_restore(struct engine *eng, const char *name)
{
    char *path = NULL;
    sqlite3 *src = NULL;
    json_t *detail;
    struct stat st;
    int rc;

    if ((rc = snapshot_check_name(name)))
        return rc;
    path = snapshot_path(eng, name);
    if (stat(path, &st) != 0) {
        rc = err_set(ENG_ENOTFOUND, "no snapshot '%s'", name);
        goto out;
    }
    if ((rc = engine_commit(eng)))
        goto out;
    if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = err_set(ENG_EINVAL, "snapshot '%s' cannot be opened: %s", name,
                     src ? sqlite3_errmsg(src) : "out of memory");
        goto out;
    }
    if ((rc = snapshot_check_file(src, name)))
        goto out;
    if (snapshot_copy(store_db(eng->store), src) != SQLITE_OK) {
        rc = err_set(ENG_ERR, "cannot restore snapshot '%s': %s", name,
                     sqlite3_errmsg(store_db(eng->store)));
        goto out;
    }
    if ((rc = store_upgrade(eng->store)) || (rc = engine_reload(eng)))
        goto out;
    detail = json_pack("{s:s}", "snapshot", name);
    if ((rc = engine_write_begin(eng)) == 0) {
        int end;

        rc = engine_journal(eng, "engine", "state", "restored", detail);
        end = engine_write_end(eng, rc == 0);
        rc = rc ? rc : end;
    }
    json_decref(detail);
    if (rc == 0)
        rc = engine_commit(eng);
    log_info("snapshot '%s' restored", name);
out:
    sqlite3_close(src);
    free(path);
    return rc;
}

int
snapshot_delete(struct engine *eng, const char *name)
{
    char *path;
    int rc;

    if ((rc = snapshot_check_name(name)))
        return rc;
    path = snapshot_path(eng, name);
    if (unlink(path) != 0)
        rc = errno == ENOENT
                 ? err_set(ENG_ENOTFOUND, "no snapshot '%s'", name)
                 : err_set(ENG_ERR, "cannot delete snapshot '%s': %s", name,
                           strerror(errno));
    free(path);
    return rc;
}

static int
snapshot_cmp(const void *a, const void *b)
{
    const char *x = json_string_value(
        json_object_get(*(json_t *const *)a, "name"));
    const char *y = json_string_value(
        json_object_get(*(json_t *const *)b, "name"));

    return strcmp(x, y);
}

int
snapshot_list(json_t **out, struct engine *eng)
{
    char *dir = snapshot_dir(eng);
    DIR *d = opendir(dir);
    json_t **entries = NULL, *items = json_array();
    size_t n = 0;
    struct dirent *de;

    while (d && (de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        char *name, *path;
        struct stat st;

        if (len < 4 || strcmp(de->d_name + len - 3, ".db") != 0)
            continue;
        name = xstrndup(de->d_name, len - 3);
        path = snapshot_path(eng, name);
        if (snapshot_check_name(name) == 0 && stat(path, &st) == 0) {
            entries = xreallocarray(entries, n + 1, sizeof(*entries));
            entries[n++] = snapshot_entry(name, &st);
        }
        free(name);
        free(path);
    }
    if (d)
        closedir(d);
    if (n)
        qsort(entries, n, sizeof(*entries), snapshot_cmp);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, entries[i]);
    free(entries);
    free(dir);
    err_clear();
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int64_t
snapshot_count(struct engine *eng)
{
    json_t *l;
    int64_t n;

    snapshot_list(&l, eng);
    n = (int64_t)json_array_size(json_object_get(l, "items"));
    json_decref(l);
    return n;
}

int
snapshot_reset(struct engine *eng)
{
    int rc;

    if ((rc = engine_commit(eng)))
        return rc;
    if ((rc = store_truncate_all(eng->store)) == 0 &&
        (rc = engine_commit(eng)) == 0)
        rc = engine_reload(eng);
    if (rc == 0) {
        if ((rc = engine_write_begin(eng)) == 0) {
            int end;

            rc = engine_journal(eng, "engine", "state", "reset", NULL);
            end = engine_write_end(eng, rc == 0);
            rc = rc ? rc : end;
        }
        if (rc == 0)
            rc = engine_commit(eng);
    }
    if (rc == 0)
        log_info("state reset");
    return rc;
}
