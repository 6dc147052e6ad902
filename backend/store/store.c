/*
 * store: SQLite connection, migrations, statement cache, savepoints and
 * the group-commit batch. Engine thread only. SQLite result codes are
 * translated into ENG_* codes here and nowhere else. Databases open
 * through store_wal's VFS, which writes each WAL commit in one call.
 */
#define FLOWDECK_STORE_IMPL /* store_error itself, not store.h's macro */
#include "store/store.h"

#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "common/timefmt.h"
#include "store/migrations.h"
#include "store/store_check.h"
#include "store/store_wal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STORE_BUCKETS 256
#define STORE_RECENT 64
/* checkpoint less often than SQLite's 1000 pages: a page rewritten many
 * times reaches the database file once */
#define STORE_CHECKPOINT_BYTES (16 << 20)
/* of a new database (an existing one keeps its own): a lone send's
 * commit writes four pages whatever their size (message, body, journal
 * record and its index entry), and larger pages cost batches nothing
 * (bench/README.md) */
#define STORE_PAGE_SIZE 2048
#define STORE_STR_(x) #x
#define STORE_STR(x) STORE_STR_(x)

struct store_entry {
    struct store_entry *next;
    uint64_t hash;
    char *sql;
    sqlite3_stmt *stmt;
};

struct store {
    sqlite3 *db;
    char *path;    /* the database file, for messages */
    int seal;      /* opened whole and writable: seal the file on close */
    int read_only; /* store_open_read_only: every write is refused */
    struct store_entry *buckets[STORE_BUCKETS];
    /* by the address of the SQL text: callers pass literals, so a hit
     * (checked with strcmp, as a buffer may be reused for other text)
     * skips hashing the whole statement on every call */
    struct {
        const char *sql;
        struct store_entry *e;
    } recent[STORE_RECENT];
    int batching;  /* commit once per engine loop turn */
    int in_tx;     /* BEGIN issued, not yet committed */
    int depth;     /* open savepoints */
    int64_t memo;  /* store_memo: 0 after a rollback or a new content */
    int checkpoint_frames; /* WAL frames that make a checkpoint due */
};

static uint64_t
store_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* The data dir (the database's folder) into out, for messages. */
static void
store_dir(char *out, size_t n, const struct store *st)
{
    const char *slash = st->path ? strrchr(st->path, '/') : NULL;

    if (st->path == NULL || strcmp(st->path, ":memory:") == 0)
        snprintf(out, n, "(in memory)");
    else if (slash == NULL)
        snprintf(out, n, ".");
    else
        snprintf(out, n, "%.*s", (int)(slash - st->path), st->path);
}

/*
 * Returns: what a write the system refused with `sys` is: ENG_ENOSPACE
 * for a full disk (ENOSPC, a quota, a file size limit), ENG_EREADONLY for
 * a data dir that cannot be written (read-only file system, permissions),
 * or 0 for neither.
 */
static int
store_fault_code(int sys)
{
    switch (sys) {
    case ENOSPC:
    case EDQUOT:
    case EFBIG: return ENG_ENOSPACE;
    case EROFS:
    case EACCES:
    case EPERM: return ENG_EREADONLY;
    default: return 0;
    }
}

/*
 * The refusal of a write the system refused with `sys`. Returns:
 * store_fault_code(sys) with a message naming the data dir, or 0.
 */
static int
store_fault(struct store *st, int sys, const char *what)
{
    int code = store_fault_code(sys);
    char dir[512];

    store_dir(dir, sizeof(dir), st);
    if (code == ENG_ENOSPACE)
        return err_set(ENG_ENOSPACE,
                       "the disk of the data dir %s is full (%s): writes "
                       "are refused until space is freed; reads still "
                       "work",
                       dir, what);
    if (code == ENG_EREADONLY)
        return err_set(ENG_EREADONLY,
                       "the data dir %s cannot be written (%s): writes "
                       "are refused; reads still work",
                       dir, what);
    return 0;
}

int
store_error(struct store *st)
{
    int ext = sqlite3_extended_errcode(st->db), code = ext & 0xff;
    int sys = sqlite3_system_errno(st->db), wal = store_wal_last_errno(), rc;
    const char *msg = sqlite3_errmsg(st->db);
    char what[256];

    if (code == SQLITE_IOERR && wal && store_fault_code(sys) == 0)
        sys = wal; /* SQLite's errno was read after other calls */
    snprintf(what, sizeof(what), "%s%s%s", msg, sys ? ": " : "",
             sys ? strerror(sys) : "");
    switch (code) {
    case SQLITE_FULL:
        return store_fault(st, ENOSPC, msg);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        /* the system's errno says what the I/O error was: a file size
         * limit gives EFBIG, a read-only remount EROFS */
        if ((rc = store_fault(st, sys, what)))
            return rc;
        return code == SQLITE_CANTOPEN ? store_fault(st, EACCES, what)
                                       : err_set(ENG_ERR, "store: %s", what);
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return store_fault(st, EROFS, msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return err_set(ENG_ERR, "the database is damaged: %s", msg);
    default:
        return err_set(ENG_ERR, "store: %s", msg);
    }
}

/* After a failed store_wal_flush(): errno says why. Returns: the code. */
static int
store_wal_error(struct store *st)
{
    int sys = errno, rc;
    char what[256];

    snprintf(what, sizeof(what), "cannot write the WAL: %s", strerror(sys));
    if ((rc = store_fault(st, sys, what)))
        return rc;
    return err_set(ENG_ERR, "store: %s", what);
}

int
store_exec(struct store *st, const char *sql)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_error(st);
    if (store_wal_flush() != SQLITE_OK) /* sql may have committed */
        return store_wal_error(st);
    return 0;
}

int
store_schema_version(void)
{
    return migrations[migrations_count - 1].version;
}

/* Returns: the integer a one-value pragma gives, or `none`. */
static int
store_pragma_int(struct store *st, const char *sql, int none)
{
    sqlite3_stmt *q = store_stmt(st, sql);
    int v = none;

    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int(q, 0);
    store_done(q);
    return v;
}

int
store_version(struct store *st)
{
    return store_pragma_int(st, "PRAGMA user_version", -1);
}

static int
store_migrate(struct store *st, const char *path)
{
    int have = store_version(st), want = store_schema_version(), rc = 0;

    if (have < 0)
        return err_wrap(store_error(st), "%s", path);
    if (have > want)
        return err_set(ENG_ECONFLICT,
                       "%s has schema version %d, newer than this flowdeck "
                       "understands (%d): use a newer flowdeck",
                       path, have, want);
    for (int i = 0; i < migrations_count; i++) {
        const struct migration *m = &migrations[i];
        char *set;

        if (m->version <= have)
            continue;
        if ((rc = store_exec(st, "BEGIN IMMEDIATE")))
            return rc;
        set = xasprintf("PRAGMA user_version = %d", m->version);
        rc = store_exec(st, m->sql);
        if (rc == 0)
            rc = store_exec(st, set);
        if (rc == 0)
            rc = store_exec(st, "COMMIT");
        free(set);
        if (rc) {
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return err_wrap(rc, "migrating %s to version %d (%s)", path,
                            m->version, m->what);
        }
        log_info("store migrated to schema version %d: %s", m->version,
                 m->what);
    }
    return 0;
}

int
store_upgrade(struct store *st)
{
    st->memo = 0;
    return store_migrate(st, sqlite3_db_filename(st->db, "main"));
}

enum { STORE_SHARED, STORE_EXCLUSIVE, STORE_READ_ONLY };

/*
 * The URI that opens `path` read-only and immutable: SQLite then needs
 * neither a WAL nor a lock file, which it could not create in a data dir
 * it cannot write. Returns: a new string, or NULL (ENG_EREADONLY) when a
 * WAL holds transactions: replaying them needs a write.
 */
static char *
store_read_only_uri(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    char *wal = xasprintf("%s-wal", path), *uri;
    struct stat stw;
    size_t n;

    if (stat(wal, &stw) == 0 && stw.st_size > 0) {
        err_set(ENG_EREADONLY,
                "%s cannot be written, and its write-ahead log %s holds "
                "transactions the engine stopped before folding in: reading "
                "them needs a write; make the data dir writable for one "
                "start",
                path, wal);
        free(wal);
        return NULL;
    }
    free(wal);
    uri = xmalloc(strlen(path) * 3 + 32);
    n = (size_t)snprintf(uri, 8, "file:");
    for (const char *c = path; *c; c++) {
        unsigned char ch = (unsigned char)*c;

        if (ch == '%' || ch == '?' || ch == '#' || ch < 0x20 || ch >= 0x7f) {
            uri[n++] = '%';
            uri[n++] = hex[ch >> 4];
            uri[n++] = hex[ch & 15];
        } else {
            uri[n++] = (char)ch;
        }
    }
    snprintf(uri + n, 32, "?mode=ro&immutable=1");
    return uri;
}

static int store_open_mode(struct store **out, const char *path, int mode);

/*
 * SQLite's automatic checkpoint, and the seal after it: the database file
 * changed, and it was the engine that changed it.
 */
static int
store_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    struct store *st = arg;

    if (frames < st->checkpoint_frames)
        return SQLITE_OK;
    if (sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                  NULL) == SQLITE_OK &&
        store_check_seal(st->path) != 0)
        log_warn("store: %s", err_last());
    return SQLITE_OK;
}

/*
 * Read every page (SQLite's quick_check) of a database that changed since
 * the engine last sealed it. Returns: 0, or ENG_ERR saying what is wrong.
 */
static int
store_quick_check(struct store *st, const char *path)
{
    sqlite3_stmt *q = NULL;
    int64_t t0 = timefmt_mono_ms();
    int rc = 0, step;

    if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check(1)", -1, &q, NULL) !=
        SQLITE_OK)
        return err_wrap(store_error(st), "%s", path);
    step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        const char *res = (const char *)sqlite3_column_text(q, 0);
        char what[256];

        snprintf(what, sizeof(what), "%s", res ? res : "no answer");
        for (char *c = what; *c; c++)
            if (*c == '\n')
                *c = ' '; /* one line */
        if (strcmp(what, "ok") != 0)
            rc = err_set(ENG_ERR,
                         "%s is damaged: SQLite's quick_check finds \"%s\"; "
                         "flowdeckd leaves the file as it is: restore a copy "
                         "of the data dir, or move the file aside to start "
                         "with an empty one",
                         path, what);
    } else {
        rc = err_wrap(store_error(st), "%s", path);
    }
    sqlite3_finalize(q);
    if (rc == 0)
        log_info("store: %s changed since flowdeck last wrote it: all its "
                 "pages read back whole in %lld ms",
                 path, (long long)(timefmt_mono_ms() - t0));
    return rc;
}

int
store_open(struct store **out, const char *path)
{
    return store_open_mode(out, path, STORE_SHARED);
}

int
store_open_exclusive(struct store **out, const char *path)
{
    return store_open_mode(out, path, STORE_EXCLUSIVE);
}

int
store_open_read_only(struct store **out, const char *path)
{
    return store_open_mode(out, path, STORE_READ_ONLY);
}

int
store_read_only(const struct store *st)
{
    return st->read_only;
}

/* The refusal of every write to a read-only store. Returns: the code. */
static int
store_refuse_write(struct store *st)
{
    char dir[512];

    store_dir(dir, sizeof(dir), st);
    return err_set(ENG_EREADONLY,
                   "the data dir %s cannot be written (flowdeckd started "
                   "read-only on it): writes are refused; reads still work",
                   dir);
}

static int
store_open_mode(struct store **out, const char *path, int mode)
{
    struct store *st = xcalloc(1, sizeof(*st));
    char *uri = NULL;
    int rc, sealed = 1;

    *out = NULL;
    st->path = xstrdup(path);
    if ((rc = store_check_files(&sealed, path)))
        goto out;
    st->read_only = mode == STORE_READ_ONLY;
    if (st->read_only && (uri = store_read_only_uri(path)) == NULL) {
        rc = ENG_EREADONLY;
        goto out;
    }
    if (sqlite3_open_v2(uri ? uri : path, &st->db,
                        (st->read_only
                             ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
                             : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                            SQLITE_OPEN_NOMUTEX,
                        store_wal_vfs()) != SQLITE_OK) {
        rc = err_set(ENG_ERR, "cannot open database %s: %s", path,
                     st->db ? sqlite3_errmsg(st->db) : "out of memory");
        goto out;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, 5000);
    /* WAL with synchronous=NORMAL: a committed transaction survives the
     * process being killed (it is in the WAL, in the OS page cache); only
     * a power loss can take the last commits. */
    if (mode != STORE_SHARED &&
        (rc = store_exec(st, "PRAGMA locking_mode = EXCLUSIVE"))) {
        err_wrap(rc, "%s", path);
        goto out;
    }
    if (!st->read_only)
        rc = store_exec(st, "PRAGMA page_size = " STORE_STR(STORE_PAGE_SIZE)
                            "; PRAGMA journal_mode = WAL;"
                            "PRAGMA synchronous = NORMAL;");
    if (rc == 0)
        rc = store_exec(st, "PRAGMA foreign_keys = ON;"
                            "PRAGMA temp_store = MEMORY;");
    if (rc) {
        err_wrap(rc, "%s", path);
        goto out;
    }
    st->checkpoint_frames =
        STORE_CHECKPOINT_BYTES /
        store_pragma_int(st, "PRAGMA page_size", STORE_PAGE_SIZE);
    sqlite3_wal_hook(st->db, store_wal_hook, st);
    if (!sealed && (rc = store_quick_check(st, path)))
        goto out;
    if (st->read_only) {
        int have = store_version(st);

        if (have < 0)
            rc = err_wrap(store_error(st), "%s", path);
        else if (have < store_schema_version())
            rc = err_set(ENG_EREADONLY,
                         "%s has schema version %d and this flowdeck "
                         "migrates it to %d, which is a write, but it cannot "
                         "be written: make the data dir writable for one "
                         "start",
                         path, have, store_schema_version());
        else if (have > store_schema_version())
            rc = store_migrate(st, path); /* says: newer than this one */
        goto out;
    }
    rc = store_migrate(st, path);
    if (rc == 0 && (st->seal = 1) && store_check_seal(path) != 0)
        log_warn("store: %s", err_last());
out:
    free(uri);
    if (rc) {
        store_free(st);
        return rc;
    }
    *out = st;
    return 0;
}

void
store_free(struct store *st)
{
    if (st == NULL)
        return;
    if (st->in_tx && store_batch_commit(st) != 0)
        log_error("store: final commit failed: %s", err_last());
    for (int i = 0; i < STORE_BUCKETS; i++) {
        struct store_entry *e = st->buckets[i], *next;

        for (; e; e = next) {
            next = e->next;
            sqlite3_finalize(e->stmt);
            free(e->sql);
            free(e);
        }
    }
    if (sqlite3_close(st->db) == SQLITE_OK && st->seal &&
        store_check_seal(st->path) != 0)
        log_warn("store: %s", err_last());
    free(st->path);
    free(st);
}

sqlite3 *
store_db(struct store *st)
{
    return st->db;
}

int64_t *
store_memo(struct store *st)
{
    return &st->memo;
}

sqlite3_stmt *
store_stmt(struct store *st, const char *sql)
{
    size_t r = ((uintptr_t)sql >> 3) % STORE_RECENT;
    uint64_t h;
    struct store_entry **slot, *e;

    if (st->recent[r].sql == sql && strcmp(st->recent[r].e->sql, sql) == 0)
        return st->recent[r].e->stmt;
    h = store_hash(sql);
    slot = &st->buckets[h % STORE_BUCKETS];
    for (e = *slot; e; e = e->next) {
        if (e->hash == h && strcmp(e->sql, sql) == 0) {
            st->recent[r].sql = sql;
            st->recent[r].e = e;
            return e->stmt;
        }
    }
    e = xcalloc(1, sizeof(*e));
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                           &e->stmt, NULL) != SQLITE_OK) {
        fprintf(stderr, "flowdeckd: bug: statement does not prepare: %s\n"
                        "  %s\n", sqlite3_errmsg(st->db), sql);
        abort();
    }
    e->hash = h;
    e->sql = xstrdup(sql);
    e->next = *slot;
    *slot = e;
    st->recent[r].sql = sql;
    st->recent[r].e = e;
    return e->stmt;
}

void
store_done(sqlite3_stmt *q)
{
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
}

int
store_step_done(struct store *st, sqlite3_stmt *q)
{
    int rc = sqlite3_step(q);

    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return store_error(st);
    return 0;
}

static int
store_run(struct store *st, const char *sql)
{
    sqlite3_stmt *q = store_stmt(st, sql);
    int rc = store_step_done(st, q);

    store_done(q);
    return rc;
}

void
store_set_batching(struct store *st, int on)
{
    st->batching = on;
    if (!on && st->in_tx && st->depth == 0 && store_batch_commit(st) != 0)
        log_error("store: commit failed: %s", err_last());
}

int
store_write_begin(struct store *st)
{
    int rc;

    if (st->read_only)
        return store_refuse_write(st);
    if (!st->in_tx) {
        if ((rc = store_run(st, "BEGIN IMMEDIATE")))
            return rc;
        st->in_tx = 1;
    }
    if ((rc = store_run(st, "SAVEPOINT w"))) {
        if (st->depth == 0) {
            store_run(st, "ROLLBACK");
            st->in_tx = 0;
            st->memo = 0;
        }
        return rc;
    }
    st->depth++;
    return 0;
}

int
store_write_end(struct store *st, int ok)
{
    int rc = 0;

    if (st->depth <= 0)
        return err_set(ENG_ERR, "store: write_end without write_begin");
    if (!ok) {
        store_run(st, "ROLLBACK TO w");
        st->memo = 0;
    }
    if (store_run(st, "RELEASE w") != 0 && ok)
        rc = store_error(st);
    st->depth--;
    if (rc == 0 && !st->batching && st->depth == 0)
        rc = store_batch_commit(st);
    return rc;
}

int
store_batch_open(struct store *st)
{
    return st->in_tx;
}

int
store_batch_commit(struct store *st)
{
    int rc;

    if (!st->in_tx || st->depth > 0)
        return 0;
    rc = store_run(st, "COMMIT");
    if (rc == 0 && store_wal_flush() != SQLITE_OK)
        rc = store_wal_error(st);
    if (rc) {
        int keep = rc;

        if (sqlite3_get_autocommit(st->db) == 0)
            store_run(st, "ROLLBACK");
        st->memo = 0;
        err_set(keep, "%s", err_last()); /* keep the COMMIT's message */
    }
    st->in_tx = 0;
    return rc;
}

char *
store_meta_get(struct store *st, const char *key)
{
    sqlite3_stmt *q = store_stmt(st, "SELECT value FROM meta WHERE key = ?");
    char *v = NULL;

    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW)
        v = xstrdup((const char *)sqlite3_column_text(q, 0));
    store_done(q);
    return v;
}

int
store_meta_set(struct store *st, const char *key, const char *value)
{
    sqlite3_stmt *q = store_stmt(
        st, "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    int rc;

    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
    rc = store_step_done(st, q);
    store_done(q);
    return rc;
}

int64_t
store_count(struct store *st, const char *table)
{
    char *sql = xasprintf("SELECT count(*) FROM \"%s\"", table);
    sqlite3_stmt *q = store_stmt(st, sql);
    int64_t n = -1;

    free(sql);
    if (sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
    store_done(q);
    return n;
}

int
store_truncate_all(struct store *st)
{
    sqlite3_stmt *q = NULL;
    char **names = NULL;
    size_t n = 0;
    int rc, end;

    rc = store_write_begin(st);
    if (rc)
        return rc;
    q = store_stmt(st, "SELECT name FROM sqlite_master WHERE type = 'table' "
                       "AND name NOT LIKE 'sqlite_%' ORDER BY name");
    while (sqlite3_step(q) == SQLITE_ROW) {
        names = xreallocarray(names, n + 1, sizeof(*names));
        names[n++] = xstrdup((const char *)sqlite3_column_text(q, 0));
    }
    store_done(q);
    for (size_t i = 0; i < n && rc == 0; i++) {
        /* names come from sqlite_master, quoted as identifiers */
        char *sql = sqlite3_mprintf("DELETE FROM \"%w\"", names[i]);

        rc = sql ? store_exec(st, sql) : err_set(ENG_ERR, "out of memory");
        sqlite3_free(sql);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    end = store_write_end(st, rc == 0);
    st->memo = 0;
    return rc ? rc : end;
}
