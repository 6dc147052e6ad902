/*
 * store: flowdeck's state in one SQLite database (WAL mode). Owns the
 * connection, the schema and its forward-only migrations, and a cache of
 * prepared statements. Used only by the engine thread.
 *
 * Writes and commits. Every change runs inside store_write_begin() /
 * store_write_end(), a savepoint that makes the change atomic. In batch
 * mode (the engine's) the savepoints nest in one open transaction that
 * the engine commits once per loop turn with store_batch_commit(), before
 * any request of that turn is answered: group commit. Outside batch mode
 * (tests, tools) each write commits on its own.
 */
#ifndef FLOWDECK_STORE_H
#define FLOWDECK_STORE_H

#include <sqlite3.h>
#include <stdint.h>

struct store;

/*
 * Open (creating) the database at `path` (":memory:" for tests), apply
 * pragmas and migrate to the current schema. Returns: 0 and *out, or
 * ENG_ERR with a message naming the file (*out NULL); ENG_ECONFLICT when
 * the file was written by a newer flowdeck.
 */
int store_open(struct store **out, const char *path);

/*
 * As store_open, for the engine: the database is locked exclusively for
 * as long as it is open (the engine holds the data dir's lock anyway), so
 * no file lock is taken per transaction and the WAL index lives in memory.
 */
int store_open_exclusive(struct store **out, const char *path);

/*
 * As store_open_exclusive, read-only: for a data dir the engine cannot
 * write. The files are checked as always; every write is then refused
 * with ENG_EREADONLY. Returns: 0 and *out, or the error (ENG_EREADONLY
 * when the database would need migrating, which is a write).
 */
int store_open_read_only(struct store **out, const char *path);

/* Returns: 1 when the store was opened read-only. */
int store_read_only(const struct store *st);

/* Close; finalizes statements and checkpoints. NULL-safe. */
void store_free(struct store *st);

/* Returns: the schema version this build migrates to. */
int store_schema_version(void);

/* Migrate the open database to the current schema (after a restore).
 * Returns: 0 or the error. */
int store_upgrade(struct store *st);

/* Returns: the schema version of the open database. */
int store_version(struct store *st);

/*
 * Returns: a cached prepared statement for `sql` (borrowed; reset and
 * clear it after use with store_done()). A statement that does not
 * prepare is a bug: it aborts with the SQLite message.
 */
sqlite3_stmt *store_stmt(struct store *st, const char *sql);

/* Reset and clear the bindings of a statement from store_stmt(). */
void store_done(sqlite3_stmt *q);

/* Returns: the raw connection (for the backup API and tests). */
sqlite3 *store_db(struct store *st);

/*
 * A number derived from the database that a module keeps with the store
 * (the journal's next seq). It is 0 until the module sets it, and back to
 * 0 whenever a change is rolled back (store_write_end(st, 0), a failed
 * commit) or the store's contents are replaced (store_upgrade after a
 * restore, store_truncate_all), so that the module derives it again.
 */
int64_t *store_memo(struct store *st);

/*
 * Translate the connection's last SQLite error into an ENG_* code with a
 * message: ENG_ENOSPACE for a full disk, ENG_EREADONLY for a read-only
 * data dir, ENG_ERR otherwise. Returns: the code.
 */
int store_error(struct store *st);

/* For the static analyzer only (as in err.h): store_error never returns
 * 0, which it cannot see from another file. */
#if defined(__clang_analyzer__) && !defined(FLOWDECK_STORE_IMPL)
static inline int
store_error_code(int rc)
{
    return rc < 0 ? rc : -1; /* ENG_ERR */
}
#define store_error(st) store_error_code(store_error(st))
#endif

/* Run SQL without results (schema, pragmas). Returns: 0 or store_error. */
int store_exec(struct store *st, const char *sql);

/* Step a statement expected to finish (INSERT/UPDATE/DELETE).
 * Returns: 0 or store_error. Does not reset it. */
int store_step_done(struct store *st, sqlite3_stmt *q);

/* Batch mode on or off (off commits what is open). */
void store_set_batching(struct store *st, int on);

/* Open an atomic change. Returns: 0 or the store error. */
int store_write_begin(struct store *st);

/*
 * Close the change opened by store_write_begin(): keep it when ok, undo
 * it otherwise. Outside batch mode a kept change is committed here.
 * Returns: 0, or the store error when the commit failed (undone).
 */
int store_write_end(struct store *st, int ok);

/* Returns: 1 when a batch transaction is open (uncommitted changes). */
int store_batch_open(struct store *st);

/*
 * Commit the open batch, if any. Returns: 0, or the store error after
 * rolling the batch back (nothing of it is kept).
 */
int store_batch_commit(struct store *st);

/* meta: small key/value facts (clock state, ids). */
/* Returns: a new string the caller frees, or NULL when absent. */
char *store_meta_get(struct store *st, const char *key);
int store_meta_set(struct store *st, const char *key, const char *value);

/* Returns: rows in `table` (a literal name) or -1 on error. */
int64_t store_count(struct store *st, const char *table);

/*
 * Delete every row of every table (but the schema), atomically.
 * Returns: 0 or the store error.
 */
int store_truncate_all(struct store *st);

#endif
