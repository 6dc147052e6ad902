/*
 * store_wal: see store_wal.h. Wraps the default VFS; files other than
 * WALs and main databases are the default VFS's own files, untouched. A
 * wrapped file keeps one run of pending bytes [off, off + len) that
 * extends only by writes that continue it.
 */
#include "store/store_wal.h"

#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

#define STORE_WAL_NAME "flowdeck-wal"
#define STORE_WAL_FRAME_HDR 24
/* under 128 KiB: SQLite's unix VFS takes at most 0x1ffff bytes a write */
#define STORE_WAL_PENDING_MAX (112 * 1024)
/* a WAL read that starts at most this far past where the last one ended
 * reads this much ahead (a checkpoint, or recovery, walks the frames) */
#define STORE_WAL_AHEAD_GAP (16 * 1024)
#define STORE_WAL_AHEAD_MAX (112 * 1024)

struct store_wal_file {
    sqlite3_file base;  /* our methods */
    sqlite3_file *real; /* the default VFS's file, right after us */
    char *buf;
    size_t len, cap;
    sqlite3_int64 off;
    int wal;                     /* a WAL; else a main database */
    char *ahead;                 /* a WAL's bytes [ahead_off, + ahead_len) */
    size_t ahead_len;
    sqlite3_int64 ahead_off;
    sqlite3_int64 read_end; /* where the last read ended; -1: none yet */
    int commit_page;             /* the next write ends a commit frame */
    struct store_wal_file *next; /* every open file, for store_wal_flush */
};

static struct store_wal_file *store_wal_files;
static int store_wal_errno; /* of the last failed write */
static struct store_wal_stats store_wal_stats_s;

static sqlite3_vfs store_wal_vfs_s;
static sqlite3_vfs *store_wal_base;

/* One write to the base's file, counted; a failure's errno is kept.
 * Returns: SQLITE_OK or its error. */
static int
store_wal_write_through(struct store_wal_file *f, const void *data, int n,
                        sqlite3_int64 off)
{
    int rc;

    if (f->wal)
        store_wal_stats_s.wal_writes++;
    else
        store_wal_stats_s.db_writes++;
    errno = 0;
    rc = f->real->pMethods->xWrite(f->real, data, n, off);
    if (rc != SQLITE_OK)
        store_wal_errno = (rc & 0xff) == SQLITE_FULL ? ENOSPC : errno;
    return rc;
}

/* Hand the pending bytes to the OS. Returns: SQLITE_OK or its error. */
static int
store_wal_flush_file(struct store_wal_file *f)
{
    int rc;

    if (f->len == 0)
        return SQLITE_OK;
    rc = store_wal_write_through(f, f->buf, (int)f->len, f->off);
    f->len = 0;
    return rc;
}

static int
store_wal_close(sqlite3_file *p)
{
    struct store_wal_file *f = (struct store_wal_file *)p;
    int rc = store_wal_flush_file(f), rc2;

    rc2 = f->real->pMethods->xClose(f->real);
    for (struct store_wal_file **at = &store_wal_files; *at;
         at = &(*at)->next) {
        if (*at == f) {
            *at = f->next;
            break;
        }
    }
    free(f->buf);
    free(f->ahead);
    f->buf = f->ahead = NULL;
    return rc != SQLITE_OK ? rc : rc2;
}

/*
 * Fill f->ahead from off: as much of the file as is there, up to
 * STORE_WAL_AHEAD_MAX. Returns: 1 when it holds [off, off + n), else 0
 * (the caller reads as it would have).
 */
static int
store_wal_read_ahead(struct store_wal_file *f, int n, sqlite3_int64 off)
{
    sqlite3_int64 size;
    size_t len;

    f->ahead_len = 0;
    if (f->real->pMethods->xFileSize(f->real, &size) != SQLITE_OK ||
        size - off < (sqlite3_int64)n)
        return 0; /* a short read: SQLite's own answer */
    len = size - off < STORE_WAL_AHEAD_MAX ? (size_t)(size - off)
                                           : STORE_WAL_AHEAD_MAX;
    if (f->ahead == NULL)
        f->ahead = xmalloc(STORE_WAL_AHEAD_MAX);
    store_wal_stats_s.wal_reads++;
    if (f->real->pMethods->xRead(f->real, f->ahead, (int)len, off) !=
        SQLITE_OK)
        return 0;
    f->ahead_off = off;
    f->ahead_len = len;
    return 1;
}

/* A WAL's reads that walk it forward (a checkpoint copying its frames in
 * page order, which for appended pages is their order in the WAL, or the
 * recovery after a kill) are served from one read ahead of them; the
 * bytes go stale at the WAL's next write or truncation. */
static int
store_wal_read(sqlite3_file *p, void *out, int n, sqlite3_int64 off)
{
    struct store_wal_file *f = (struct store_wal_file *)p;
    sqlite3_int64 last = f->read_end;
    int rc = store_wal_flush_file(f);

    if (rc)
        return rc;
    f->read_end = off + n;
    if (f->wal && off >= f->ahead_off &&
        off + n <= f->ahead_off + (sqlite3_int64)f->ahead_len) {
        memcpy(out, f->ahead + (off - f->ahead_off), (size_t)n);
        return SQLITE_OK;
    }
    if (f->wal && last >= 0 && off >= last &&
        off - last <= STORE_WAL_AHEAD_GAP && store_wal_read_ahead(f, n, off)) {
        memcpy(out, f->ahead, (size_t)n);
        return SQLITE_OK;
    }
    if (f->wal)
        store_wal_stats_s.wal_reads++;
    return f->real->pMethods->xRead(f->real, out, n, off);
}

static int
store_wal_write(sqlite3_file *p, const void *data, int n, sqlite3_int64 off)
{
    struct store_wal_file *f = (struct store_wal_file *)p;
    const unsigned char *d = data;
    int ends_commit = f->commit_page, rc = SQLITE_OK;

    f->commit_page = 0;
    f->ahead_len = 0; /* stale */
    if (f->wal && n == STORE_WAL_FRAME_HDR && (d[4] | d[5] | d[6] | d[7]))
        f->commit_page = 1; /* a commit frame's header: its page is next */
    if (f->len && off != f->off + (sqlite3_int64)f->len)
        rc = store_wal_flush_file(f); /* out of sequence: keep the order */
    if (rc == SQLITE_OK && f->len + (size_t)n > STORE_WAL_PENDING_MAX)
        rc = store_wal_flush_file(f);
    if (rc != SQLITE_OK)
        return rc;
    if ((size_t)n > STORE_WAL_PENDING_MAX)
        return store_wal_write_through(f, data, n, off);
    if (f->len == 0)
        f->off = off;
    if (f->len + (size_t)n > f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16384;
        while (f->cap < f->len + (size_t)n)
            f->cap *= 2;
        f->buf = xrealloc(f->buf, f->cap);
    }
    memcpy(f->buf + f->len, data, (size_t)n);
    f->len += (size_t)n;
    return ends_commit ? store_wal_flush_file(f) : SQLITE_OK;
}

static int
store_wal_truncate(sqlite3_file *p, sqlite3_int64 size)
{
    struct store_wal_file *f = (struct store_wal_file *)p;
    int rc = store_wal_flush_file(f);

    f->ahead_len = 0; /* stale */
    return rc ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int
store_wal_sync(sqlite3_file *p, int flags)
{
    struct store_wal_file *f = (struct store_wal_file *)p;
    int rc = store_wal_flush_file(f);

    return rc ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int
store_wal_size(sqlite3_file *p, sqlite3_int64 *size)
{
    struct store_wal_file *f = (struct store_wal_file *)p;
    int rc = store_wal_flush_file(f);

    return rc ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int
store_wal_lock(sqlite3_file *p, int level)
{
    struct store_wal_file *f = (struct store_wal_file *)p;

    return f->real->pMethods->xLock(f->real, level);
}

static int
store_wal_unlock(sqlite3_file *p, int level)
{
    struct store_wal_file *f = (struct store_wal_file *)p;

    return f->real->pMethods->xUnlock(f->real, level);
}

static int
store_wal_reserved(sqlite3_file *p, int *out)
{
    struct store_wal_file *f = (struct store_wal_file *)p;

    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int
store_wal_fcntl(sqlite3_file *p, int op, void *arg)
{
    struct store_wal_file *f = (struct store_wal_file *)p;
    int rc = store_wal_flush_file(f);

    return rc ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int
store_wal_sector(sqlite3_file *p)
{
    struct store_wal_file *f = (struct store_wal_file *)p;

    return f->real->pMethods->xSectorSize(f->real);
}

static int
store_wal_caps(sqlite3_file *p)
{
    struct store_wal_file *f = (struct store_wal_file *)p;

    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* A main database's shared memory and mapping, the base's own; the
 * pending bytes go first to anything that reads the file. */
static int
store_db_shm_map(sqlite3_file *p, int page, int size, int extend,
                 void volatile **out)
{
    struct store_wal_file *f = (struct store_wal_file *)p;

    return f->real->pMethods->xShmMap(f->real, page, size, extend, out);
}

static int
store_db_shm_lock(sqlite3_file *p, int off, int n, int flags)
{
    struct store_wal_file *f = (struct store_wal_file *)p;

    return f->real->pMethods->xShmLock(f->real, off, n, flags);
}

static void
store_db_shm_barrier(sqlite3_file *p)
{
    struct store_wal_file *f = (struct store_wal_file *)p;

    f->real->pMethods->xShmBarrier(f->real);
}

static int
store_db_shm_unmap(sqlite3_file *p, int del)
{
    struct store_wal_file *f = (struct store_wal_file *)p;

    return f->real->pMethods->xShmUnmap(f->real, del);
}

static int
store_db_fetch(sqlite3_file *p, sqlite3_int64 off, int n, void **out)
{
    struct store_wal_file *f = (struct store_wal_file *)p;
    int rc = store_wal_flush_file(f);

    *out = NULL;
    return rc ? rc : f->real->pMethods->xFetch(f->real, off, n, out);
}

static int
store_db_unfetch(sqlite3_file *p, sqlite3_int64 off, void *page)
{
    struct store_wal_file *f = (struct store_wal_file *)p;

    return f->real->pMethods->xUnfetch(f->real, off, page);
}

/* The version 3 methods, as the base's unix files have (store_wal_open
 * wraps no main database with fewer). SQLite asks a WAL for the version 1
 * methods alone: it never maps one or uses it for shared memory. A main
 * database only a checkpoint writes in WAL mode, its pages in page
 * order: the pages that follow one another go as one write, where SQLite
 * makes one a page. */
static const sqlite3_io_methods store_wal_methods = {
    3,
    store_wal_close,
    store_wal_read,
    store_wal_write,
    store_wal_truncate,
    store_wal_sync,
    store_wal_size,
    store_wal_lock,
    store_wal_unlock,
    store_wal_reserved,
    store_wal_fcntl,
    store_wal_sector,
    store_wal_caps,
    store_db_shm_map,
    store_db_shm_lock,
    store_db_shm_barrier,
    store_db_shm_unmap,
    store_db_fetch,
    store_db_unfetch,
};

static int
store_wal_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *p,
               int flags, int *out_flags)
{
    struct store_wal_file *f = (struct store_wal_file *)p;
    int wal = (flags & SQLITE_OPEN_WAL) != 0, rc;

    (void)vfs;
    if (!wal && !(flags & SQLITE_OPEN_MAIN_DB))
        return store_wal_base->xOpen(store_wal_base, name, p, flags, out_flags);
    memset(f, 0, sizeof(*f));
    f->real = (sqlite3_file *)(f + 1);
    rc = store_wal_base->xOpen(store_wal_base, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK || f->real->pMethods == NULL)
        return rc; /* base.pMethods NULL: SQLite will not close it */
    if (!wal && f->real->pMethods->iVersion < 3) {
        /* a base without the methods store_wal_methods passes on: its own
         * file, opened anew where SQLite looks */
        f->real->pMethods->xClose(f->real);
        return store_wal_base->xOpen(store_wal_base, name, p, flags, out_flags);
    }
    f->wal = wal;
    f->read_end = -1;
    f->base.pMethods = &store_wal_methods;
    f->next = store_wal_files;
    store_wal_files = f;
    return SQLITE_OK;
}

int
store_wal_last_errno(void)
{
    int e = store_wal_errno;

    store_wal_errno = 0;
    return e;
}

void
store_wal_stats(struct store_wal_stats *out)
{
    *out = store_wal_stats_s;
}

int
store_wal_flush(void)
{
    int rc = SQLITE_OK;

    for (struct store_wal_file *f = store_wal_files; f; f = f->next) {
        int r = store_wal_flush_file(f);

        if (rc == SQLITE_OK)
            rc = r;
    }
    if (rc != SQLITE_OK)
        errno = store_wal_errno;
    return rc;
}

const char *
store_wal_vfs(void)
{
    sqlite3_vfs *base;

    if (store_wal_base)
        return STORE_WAL_NAME;
    base = sqlite3_vfs_find(NULL);
    if (base == NULL) {
        log_warn("store: no default SQLite VFS to wrap");
        return NULL;
    }
    store_wal_vfs_s = *base;
    store_wal_vfs_s.zName = STORE_WAL_NAME;
    store_wal_vfs_s.szOsFile =
        (int)sizeof(struct store_wal_file) + base->szOsFile;
    store_wal_vfs_s.xOpen = store_wal_open;
    store_wal_vfs_s.pNext = NULL;
    /* the other methods are the base's, pAppData with them */
    store_wal_base = base;
    if (sqlite3_vfs_register(&store_wal_vfs_s, 0) != SQLITE_OK) {
        store_wal_base = NULL;
        log_warn("store: cannot register the WAL-gathering VFS");
        return NULL;
    }
    return STORE_WAL_NAME;
}
