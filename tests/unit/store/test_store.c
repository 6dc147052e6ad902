/*
 * Unit tests for store/store: migrations, meta, savepoints and the
 * group-commit batch. Most tests use ":memory:"; the ones about files,
 * reopening and a second connection use a database in a fresh temp dir
 * that teardown removes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/err.h"
#include "store/store.h"
#include "store/store_wal.h"
#include "tmpdb.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct fixture {
    struct store *st;
    char dir[64];
    char path[128];
};

static int
setup_mem(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    if (store_open(&f->st, ":memory:") != 0) {
        fprintf(stderr, "store_open: %s\n", err_last());
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

/* A temp dir and a path in it; the database is not opened yet. */
static int
setup_file(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    if (tmpdb_make(f->dir, sizeof(f->dir), f->path, sizeof(f->path)) != 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    store_free(f->st);
    if (tmpdb_remove(f->dir, f->path) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    free(f);
    return 0;
}

/* Returns: 1 when `name` is a table of db. */
static int
table_exists(sqlite3 *db, const char *name)
{
    sqlite3_stmt *q = NULL;
    int found;

    assert_int_equal(SQLITE_OK,
                     sqlite3_prepare_v2(db,
                                        "SELECT 1 FROM sqlite_master WHERE "
                                        "type = 'table' AND name = ?",
                                        -1, &q, NULL));
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return found;
}

/* The meta value for key read through another connection: a new string
 * or NULL. */
static char *
meta_via(sqlite3 *db, const char *key)
{
    sqlite3_stmt *q = NULL;
    char *v = NULL;

    assert_int_equal(SQLITE_OK,
                     sqlite3_prepare_v2(db,
                                        "SELECT value FROM meta WHERE key = ?",
                                        -1, &q, NULL));
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW)
        v = strdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return v;
}

/* Assert the meta value of key (NULL: absent). */
static void
assert_meta(struct store *st, const char *key, const char *want)
{
    char *v = store_meta_get(st, key);

    if (want == NULL && v != NULL)
        fail_msg("meta '%s' is '%s', want absent", key, v);
    if (want != NULL && (v == NULL || strcmp(v, want) != 0))
        fail_msg("meta '%s' is '%s', want '%s'", key, v ? v : "(absent)",
                 want);
    free(v);
}

static void
test_store_fresh_migrated(void **state)
{
    struct fixture *f = *state;
    sqlite3 *db = store_db(f->st);

    assert_true(store_schema_version() >= 1);
    assert_int_equal(store_schema_version(), store_version(f->st));
    assert_true(table_exists(db, "meta"));
    assert_true(table_exists(db, "timers"));
    assert_true(table_exists(db, "journal"));
    assert_false(table_exists(db, "no_such_table"));
    assert_int_equal(0, store_count(f->st, "meta"));
    assert_int_equal(0, store_count(f->st, "timers"));
    assert_int_equal(0, store_count(f->st, "journal"));
    assert_int_equal(0, store_batch_open(f->st));
    /* upgrading a current database is a no-op */
    assert_int_equal(0, store_upgrade(f->st));
    assert_int_equal(store_schema_version(), store_version(f->st));
}

static void
test_store_reopen_file(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(0, store_open(&f->st, f->path));
    assert_int_equal(store_schema_version(), store_version(f->st));
    assert_int_equal(0, store_meta_set(f->st, "k", "v"));
    store_free(f->st);
    f->st = NULL;
    assert_int_equal(0, access(f->path, F_OK));

    /* migrations do not run again (they would fail on existing tables),
     * and the data is still there */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(0, store_open(&f->st, f->path));
        assert_int_equal(store_schema_version(), store_version(f->st));
        assert_meta(f->st, "k", "v");
        assert_int_equal(1, store_count(f->st, "meta"));
        store_free(f->st);
        f->st = NULL;
    }
}

static void
test_store_newer_version_refused(void **state)
{
    struct fixture *f = *state;
    int newer = store_schema_version() + 7;
    char sql[64], num[32];
    sqlite3 *db = NULL;
    struct store *st;

    assert_int_equal(SQLITE_OK, sqlite3_open(f->path, &db));
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", newer);
    assert_int_equal(SQLITE_OK, sqlite3_exec(db, sql, NULL, NULL, NULL));
    sqlite3_close(db);

    st = (struct store *)&db; /* must be cleared */
    err_clear();
    assert_int_equal(ENG_ECONFLICT, store_open(&st, f->path));
    assert_null(st);
    snprintf(num, sizeof(num), "version %d", newer);
    assert_non_null(strstr(err_last(), num));
    assert_non_null(strstr(err_last(), f->path));

    /* the file is left as it was */
    assert_int_equal(SQLITE_OK, sqlite3_open(f->path, &db));
    assert_false(table_exists(db, "meta"));
    sqlite3_close(db);
}

static void
test_store_open_bad_path(void **state)
{
    struct fixture *f = *state;
    char path[160];
    int rc;

    snprintf(path, sizeof(path), "%s/no/such/dir/state.db", f->dir);
    err_clear();
    rc = store_open(&f->st, path);
    assert_true(rc < 0);
    assert_null(f->st);
    assert_non_null(strstr(err_last(), path));
}

static void
test_store_free_null(void **state)
{
    (void)state;
    store_free(NULL);
}

static void
test_store_meta(void **state)
{
    struct fixture *f = *state;

    assert_meta(f->st, "owner", NULL);
    assert_int_equal(0, store_meta_set(f->st, "owner", "alice"));
    assert_meta(f->st, "owner", "alice");
    assert_int_equal(0, store_meta_set(f->st, "owner", "bob"));
    assert_meta(f->st, "owner", "bob");
    assert_int_equal(1, store_count(f->st, "meta"));
    assert_int_equal(0, store_meta_set(f->st, "clock", ""));
    assert_meta(f->st, "clock", "");
    assert_meta(f->st, "owner", "bob");
    assert_int_equal(2, store_count(f->st, "meta"));
    assert_meta(f->st, "Owner", NULL); /* keys are case-sensitive */
}

static void
test_store_write_rollback(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_meta_set(f->st, "a", "1"));
    assert_meta(f->st, "a", "1"); /* visible inside the change */
    assert_int_equal(0, store_write_end(f->st, 0));
    assert_meta(f->st, "a", NULL);
    assert_int_equal(0, store_batch_open(f->st));

    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_meta_set(f->st, "a", "2"));
    assert_int_equal(0, store_write_end(f->st, 1));
    assert_meta(f->st, "a", "2");
    assert_int_equal(0, store_batch_open(f->st)); /* committed */

    /* a rolled-back overwrite restores the old value */
    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_meta_set(f->st, "a", "3"));
    assert_int_equal(0, store_write_end(f->st, 0));
    assert_meta(f->st, "a", "2");
}

static void
test_store_write_end_unbalanced(void **state)
{
    struct fixture *f = *state;

    err_clear();
    assert_int_equal(ENG_ERR, store_write_end(f->st, 1));
    assert_non_null(strstr(err_last(), "write_begin"));
    /* and the store still works */
    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_meta_set(f->st, "k", "v"));
    assert_int_equal(0, store_write_end(f->st, 1));
    assert_meta(f->st, "k", "v");
}

static void
test_store_nested_savepoints(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_meta_set(f->st, "outer", "1"));

    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_meta_set(f->st, "undone", "1"));
    assert_int_equal(0, store_meta_set(f->st, "outer", "changed"));
    assert_int_equal(0, store_write_end(f->st, 0)); /* inner undone only */
    assert_meta(f->st, "undone", NULL);
    assert_meta(f->st, "outer", "1");
    assert_int_equal(1, store_batch_open(f->st)); /* outer still open */

    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_meta_set(f->st, "kept", "1"));
    assert_int_equal(0, store_write_begin(f->st)); /* three deep */
    assert_int_equal(0, store_meta_set(f->st, "deep", "1"));
    assert_int_equal(0, store_write_end(f->st, 1));
    assert_int_equal(0, store_write_end(f->st, 1));

    assert_int_equal(0, store_write_end(f->st, 1));
    assert_int_equal(0, store_batch_open(f->st));
    assert_meta(f->st, "outer", "1");
    assert_meta(f->st, "kept", "1");
    assert_meta(f->st, "deep", "1");
    assert_meta(f->st, "undone", NULL);
    assert_int_equal(3, store_count(f->st, "meta"));
}

static void
test_store_nested_outer_rollback(void **state)
{
    struct fixture *f = *state;

    /* an outer rollback undoes inner changes that were kept */
    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_meta_set(f->st, "outer", "1"));
    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_meta_set(f->st, "inner", "1"));
    assert_int_equal(0, store_write_end(f->st, 1));
    assert_meta(f->st, "inner", "1");
    assert_int_equal(0, store_write_end(f->st, 0));
    assert_meta(f->st, "outer", NULL);
    assert_meta(f->st, "inner", NULL);
    assert_int_equal(0, store_count(f->st, "meta"));
    assert_int_equal(0, store_batch_open(f->st));
}

static void
test_store_batching(void **state)
{
    struct fixture *f = *state;
    sqlite3 *other = NULL;
    char *v;

    assert_int_equal(0, store_open(&f->st, f->path));
    assert_int_equal(SQLITE_OK, sqlite3_open(f->path, &other));
    store_set_batching(f->st, 1);

    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_meta_set(f->st, "a", "1"));
    assert_int_equal(0, store_write_end(f->st, 1));
    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_meta_set(f->st, "b", "2"));
    assert_int_equal(0, store_write_end(f->st, 0)); /* undone */
    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_meta_set(f->st, "c", "3"));
    assert_int_equal(0, store_write_end(f->st, 1));

    /* kept, but not committed: this connection sees it, others do not */
    assert_int_equal(1, store_batch_open(f->st));
    assert_meta(f->st, "a", "1");
    assert_meta(f->st, "c", "3");
    assert_null(meta_via(other, "a"));
    assert_null(meta_via(other, "c"));

    assert_int_equal(0, store_batch_commit(f->st));
    assert_int_equal(0, store_batch_open(f->st));
    v = meta_via(other, "a");
    assert_non_null(v);
    assert_string_equal("1", v);
    free(v);
    v = meta_via(other, "c");
    assert_non_null(v);
    assert_string_equal("3", v);
    free(v);
    assert_null(meta_via(other, "b"));

    /* committing with nothing open is fine */
    assert_int_equal(0, store_batch_commit(f->st));

    /* leaving batch mode commits what is open */
    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_meta_set(f->st, "d", "4"));
    assert_int_equal(0, store_write_end(f->st, 1));
    assert_null(meta_via(other, "d"));
    store_set_batching(f->st, 0);
    assert_int_equal(0, store_batch_open(f->st));
    v = meta_via(other, "d");
    assert_non_null(v);
    assert_string_equal("4", v);
    free(v);

    /* and out of batch mode each change commits by itself */
    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_meta_set(f->st, "e", "5"));
    assert_int_equal(0, store_write_end(f->st, 1));
    v = meta_via(other, "e");
    assert_non_null(v);
    free(v);
    sqlite3_close(other);
}

static void
test_store_batch_commit_waits_for_depth(void **state)
{
    struct fixture *f = *state;
    sqlite3 *other = NULL;

    assert_int_equal(0, store_open(&f->st, f->path));
    assert_int_equal(SQLITE_OK, sqlite3_open(f->path, &other));
    store_set_batching(f->st, 1);
    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_meta_set(f->st, "a", "1"));
    /* a change is still open: the commit must not cut it in half */
    assert_int_equal(0, store_batch_commit(f->st));
    assert_int_equal(1, store_batch_open(f->st));
    assert_null(meta_via(other, "a"));
    assert_int_equal(0, store_write_end(f->st, 0));
    assert_int_equal(0, store_batch_commit(f->st));
    assert_null(meta_via(other, "a"));
    assert_meta(f->st, "a", NULL);
    sqlite3_close(other);
}

static void
test_store_free_commits_batch(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(0, store_open(&f->st, f->path));
    store_set_batching(f->st, 1);
    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_meta_set(f->st, "a", "1"));
    assert_int_equal(0, store_write_end(f->st, 1));
    store_free(f->st);
    f->st = NULL;
    assert_int_equal(0, store_open(&f->st, f->path));
    assert_meta(f->st, "a", "1");
}

static void
test_store_truncate_all(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(0, store_meta_set(f->st, "k", "v"));
    assert_int_equal(0, store_exec(f->st,
                                   "INSERT INTO timers(due_ms, kind, ref) "
                                   "VALUES (1, 'x', 'r'), (2, 'y', '');"
                                   "INSERT INTO journal(ts_ms, kind, entity, "
                                   "type) VALUES (1, 'k', 'e', 't');"));
    assert_int_equal(1, store_count(f->st, "meta"));
    assert_int_equal(2, store_count(f->st, "timers"));
    assert_int_equal(1, store_count(f->st, "journal"));

    assert_int_equal(0, store_truncate_all(f->st));
    assert_int_equal(0, store_count(f->st, "meta"));
    assert_int_equal(0, store_count(f->st, "timers"));
    assert_int_equal(0, store_count(f->st, "journal"));
    /* the schema stays */
    assert_int_equal(store_schema_version(), store_version(f->st));
    assert_true(table_exists(store_db(f->st), "timers"));
    assert_int_equal(0, store_batch_open(f->st));
    assert_int_equal(0, store_meta_set(f->st, "k", "again"));
    assert_meta(f->st, "k", "again");
}

static void
test_store_truncate_all_in_change(void **state)
{
    struct fixture *f = *state;

    /* inside a change that is then undone, the truncation is undone */
    assert_int_equal(0, store_meta_set(f->st, "k", "v"));
    assert_int_equal(0, store_write_begin(f->st));
    assert_int_equal(0, store_truncate_all(f->st));
    assert_int_equal(0, store_count(f->st, "meta"));
    assert_int_equal(0, store_write_end(f->st, 0));
    assert_meta(f->st, "k", "v");
}

static void
test_store_stmt_cached(void **state)
{
    struct fixture *f = *state;
    sqlite3_stmt *a = store_stmt(f->st, "SELECT 1");
    sqlite3_stmt *b = store_stmt(f->st, "SELECT 2");

    assert_ptr_equal(a, store_stmt(f->st, "SELECT 1"));
    assert_ptr_not_equal(a, b);
    assert_int_equal(SQLITE_ROW, sqlite3_step(b));
    assert_int_equal(2, sqlite3_column_int(b, 0));
    store_done(b);
}

/* The statement cache keys on the SQL's address first: a buffer reused
 * for other text must still get the statement of its text. */
static void
test_store_stmt_same_buffer(void **state)
{
    struct fixture *f = *state;
    char sql[32];
    sqlite3_stmt *a, *b;

    snprintf(sql, sizeof(sql), "SELECT 1");
    a = store_stmt(f->st, sql);
    snprintf(sql, sizeof(sql), "SELECT 2");
    b = store_stmt(f->st, sql);
    assert_ptr_not_equal(a, b);
    assert_int_equal(SQLITE_ROW, sqlite3_step(b));
    assert_int_equal(2, sqlite3_column_int(b, 0));
    store_done(b);
    snprintf(sql, sizeof(sql), "SELECT 1");
    assert_ptr_equal(a, store_stmt(f->st, sql));
}

/* The value written under key i: long enough that commits span many WAL
 * frames, and one commit is past the WAL writer's gathering cap. */
static void
kill_value(char *out, size_t len, int i)
{
    size_t n = i == 7 ? len - 1 : 3000;

    memset(out, 'a' + i % 26, n);
    out[n] = '\0';
}

/* The child: commit 20 changes as the engine does, leave one more
 * uncommitted, and die by SIGKILL without closing anything. */
static void
kill_child(const char *path)
{
    static char value[400 * 1024];
    struct store *st;
    char key[16];

    if (store_open_exclusive(&st, path) != 0)
        _exit(2);
    store_set_batching(st, 1);
    for (int i = 0; i < 21; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        kill_value(value, sizeof(value), i);
        if (store_write_begin(st) || store_meta_set(st, key, value) ||
            store_write_end(st, 1))
            _exit(3);
        if (i < 20 && store_batch_commit(st) != 0) {
            fprintf(stderr, "commit %d: %s\n", i, err_last());
            _exit(4);
        }
    }
    raise(SIGKILL);
    _exit(5);
}

/* What was committed survives kill -9; what was not, is gone. */
static void
test_store_commit_survives_kill(void **state)
{
    static char want[400 * 1024];
    struct fixture *f = *state;
    sqlite3_stmt *q;
    int status = 0;
    pid_t pid;

    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        kill_child(f->path);
    assert_int_equal(pid, waitpid(pid, &status, 0));
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
        fail_msg("the child did not die by SIGKILL (status %d)", status);
    assert_int_equal(0, store_open(&f->st, f->path));
    for (int i = 0; i < 20; i++) {
        char key[16];

        snprintf(key, sizeof(key), "k%d", i);
        kill_value(want, sizeof(want), i);
        assert_meta(f->st, key, want);
    }
    assert_meta(f->st, "k20", NULL);
    q = store_stmt(f->st, "PRAGMA integrity_check");
    assert_int_equal(SQLITE_ROW, sqlite3_step(q));
    assert_string_equal("ok", (const char *)sqlite3_column_text(q, 0));
    store_done(q);
}

/* Returns: the integer a one-value pragma gives on db. */
static int
pragma_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q = NULL;
    int v;

    assert_int_equal(SQLITE_OK, sqlite3_prepare_v2(db, sql, -1, &q, NULL));
    assert_int_equal(SQLITE_ROW, sqlite3_step(q));
    v = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* Returns: the size of the file at path, in bytes. */
static long long
file_size(const char *path)
{
    struct stat sb;

    assert_int_equal(0, stat(path, &sb));
    return (long long)sb.st_size;
}

/* Write `mib` MiB in commits of 1 MiB each. */
static void
write_mib(struct store *st, int mib)
{
    for (int i = 0; i < mib; i++)
        assert_int_equal(0, store_exec(st, "INSERT INTO big(b) VALUES "
                                           "(randomblob(1048576))"));
}

/* A new database has pages of 2048 bytes (a lone send's commit writes
 * four pages), and is checkpointed after 16 MiB of WAL, not after a
 * number of pages: 10 MiB (5,000 pages, past the old 4,000) stay in the
 * WAL, 18 MiB reach the database file. */
static void
test_store_new_page_size(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(0, store_open(&f->st, f->path));
    assert_int_equal(2048, pragma_int(store_db(f->st), "PRAGMA page_size"));
    assert_int_equal(0, store_exec(f->st, "CREATE TABLE big(b BLOB)"));
    write_mib(f->st, 10);
    assert_true(file_size(f->path) < (1 << 20));
    write_mib(f->st, 8);
    assert_true(file_size(f->path) >= (16 << 20));
    store_free(f->st);
    assert_int_equal(0, store_open(&f->st, f->path));
    assert_int_equal(2048, pragma_int(store_db(f->st), "PRAGMA page_size"));
}

/* Copy the file at `from` to `to`. */
static void
copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[65536];
    size_t n;

    assert_non_null(in);
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        assert_int_equal(n, fwrite(buf, 1, n, out));
    assert_int_equal(0, fclose(in));
    assert_int_equal(0, fclose(out));
}

/* Checkpoint the whole WAL. Returns: the frames it copied. */
static int
checkpoint_all(struct store *st)
{
    int frames = -1, done = -1;

    assert_int_equal(SQLITE_OK,
                     sqlite3_wal_checkpoint_v2(store_db(st), NULL,
                                               SQLITE_CHECKPOINT_PASSIVE,
                                               &frames, &done));
    assert_int_equal(frames, done);
    return done;
}

/* Open a copy of the database file alone, without its WAL (the copy
 * goes at close_alone). Returns: the connection. */
static sqlite3 *
open_alone(const struct fixture *f)
{
    char copy[300], uri[320];
    sqlite3 *db = NULL;

    snprintf(copy, sizeof(copy), "%s/copy.db", f->dir);
    snprintf(uri, sizeof(uri), "file:%s?immutable=1", copy);
    copy_file(f->path, copy);
    assert_int_equal(SQLITE_OK,
                     sqlite3_open_v2(uri, &db,
                                     SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                                     NULL));
    return db;
}

static void
close_alone(const struct fixture *f, sqlite3 *db)
{
    char copy[300];

    sqlite3_close(db);
    snprintf(copy, sizeof(copy), "%s/copy.db", f->dir);
    assert_int_equal(0, unlink(copy));
}

/* The database file alone holds the 2,000 rows of checkpoint_runs,
 * `marked` of them changed. */
static void
assert_file_alone(const struct fixture *f, int marked)
{
    sqlite3 *db = open_alone(f);

    assert_int_equal(2000, pragma_int(db, "SELECT count(*) FROM t"));
    assert_int_equal(2000 * 3000 + marked,
                     pragma_int(db, "SELECT sum(length(v)) FROM t"));
    assert_int_equal(marked, pragma_int(db, "SELECT count(*) FROM t "
                                            "WHERE substr(v, 1, 1) = x'01'"));
    assert_int_equal(1, pragma_int(db, "SELECT count(*) FROM "
                                       "pragma_integrity_check "
                                       "WHERE integrity_check = 'ok'"));
    close_alone(f, db);
}

/* A checkpoint hands the database file its pages a run at a time, not a
 * write a page, reads the WAL's frames ahead, not a read a frame, and
 * all the pages are there when it returns: pages that follow one another
 * (new rows), and pages apart (every seventh row changed, in a WAL
 * written anew over the frames read ahead before). */
static void
test_store_checkpoint_runs(void **state)
{
    struct fixture *f = *state;
    struct store_wal_stats s0, s1;
    int done;

    assert_int_equal(0, store_open(&f->st, f->path));
    assert_int_equal(0, store_exec(f->st, "CREATE TABLE t(k INTEGER "
                                          "PRIMARY KEY, v BLOB)"));
    for (int i = 0; i < 20; i++)
        assert_int_equal(0, store_exec(f->st,
                                       "WITH RECURSIVE n(x) AS (SELECT 1 "
                                       "UNION ALL SELECT x + 1 FROM n "
                                       "WHERE x < 100) INSERT INTO t(v) "
                                       "SELECT zeroblob(3000) FROM n"));
    store_wal_stats(&s0);
    done = checkpoint_all(f->st);
    store_wal_stats(&s1);
    /* some 3,000 pages: under SQLite's own VFS, a write and a read each */
    assert_true(done > 2000);
    assert_true(s1.db_writes > s0.db_writes);
    assert_true(s1.db_writes - s0.db_writes < (uint64_t)done / 8);
    assert_true(s1.wal_reads > s0.wal_reads);
    assert_true(s1.wal_reads - s0.wal_reads < (uint64_t)done / 8);
    assert_file_alone(f, 0);
    assert_int_equal(0, store_exec(f->st, "UPDATE t SET v = "
                                          "CAST(x'01' || v AS BLOB) "
                                          "WHERE k % 7 = 0"));
    done = checkpoint_all(f->st);
    assert_true(done > 0);
    assert_file_alone(f, 2000 / 7);
}

/* A WAL written anew after a checkpoint, over the frames that checkpoint
 * read ahead, is read anew: the next checkpoint copies the new pages. */
static void
test_store_wal_read_anew(void **state)
{
    struct fixture *f = *state;
    sqlite3 *db;

    assert_int_equal(0, store_open(&f->st, f->path));
    assert_int_equal(0, store_exec(f->st, "CREATE TABLE t(k INTEGER "
                                          "PRIMARY KEY, v TEXT)"));
    checkpoint_all(f->st); /* the schema's pages: the rows' WAL alone next */
    assert_int_equal(0, store_exec(f->st,
                                   "WITH RECURSIVE n(x) AS (SELECT 1 "
                                   "UNION ALL SELECT x + 1 FROM n "
                                   "WHERE x < 20) INSERT INTO t(v) SELECT "
                                   "replace(hex(zeroblob(500)), '0', 'a') "
                                   "FROM n"));
    checkpoint_all(f->st);
    assert_int_equal(0, store_exec(f->st, "UPDATE t SET v = "
                                          "replace(v, 'a', 'b')"));
    checkpoint_all(f->st);
    db = open_alone(f);
    assert_int_equal(20, pragma_int(db, "SELECT count(*) FROM t WHERE v = "
                                        "replace(hex(zeroblob(500)), '0', "
                                        "'b')"));
    close_alone(f, db);
}

/* A database made with another page size keeps it, and is migrated. */
static void
test_store_old_page_size_kept(void **state)
{
    struct fixture *f = *state;
    sqlite3 *db = NULL;

    assert_int_equal(SQLITE_OK, sqlite3_open(f->path, &db));
    assert_int_equal(SQLITE_OK,
                     sqlite3_exec(db, "PRAGMA page_size = 4096;"
                                      "PRAGMA journal_mode = WAL;"
                                      "CREATE TABLE old(x);",
                                  NULL, NULL, NULL));
    sqlite3_close(db);
    assert_int_equal(0, store_open(&f->st, f->path));
    assert_int_equal(4096, pragma_int(store_db(f->st), "PRAGMA page_size"));
    assert_int_equal(store_schema_version(), store_version(f->st));
    assert_true(table_exists(store_db(f->st), "old"));
    assert_true(table_exists(store_db(f->st), "messages"));
}

static void
test_store_exec_error(void **state)
{
    struct fixture *f = *state;

    err_clear();
    assert_int_equal(ENG_ERR, store_exec(f->st, "INSERT INTO nope VALUES (1)"));
    assert_non_null(strstr(err_last(), "nope"));
}

#define TM(fn) cmocka_unit_test_setup_teardown(fn, setup_mem, teardown)
#define TF(fn) cmocka_unit_test_setup_teardown(fn, setup_file, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        TM(test_store_fresh_migrated),
        TF(test_store_reopen_file),
        TF(test_store_newer_version_refused),
        TF(test_store_open_bad_path),
        cmocka_unit_test(test_store_free_null),
        TM(test_store_meta),
        TM(test_store_write_rollback),
        TM(test_store_write_end_unbalanced),
        TM(test_store_nested_savepoints),
        TM(test_store_nested_outer_rollback),
        TF(test_store_batching),
        TF(test_store_batch_commit_waits_for_depth),
        TF(test_store_free_commits_batch),
        TM(test_store_truncate_all),
        TM(test_store_truncate_all_in_change),
        TM(test_store_stmt_cached),
        TM(test_store_stmt_same_buffer),
        TF(test_store_commit_survives_kill),
        TM(test_store_exec_error),
        TF(test_store_new_page_size),
        TF(test_store_old_page_size_kept),
        TF(test_store_checkpoint_runs),
        TF(test_store_wal_read_anew),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
