/*
 * store_wal: a VFS over SQLite's own that gathers the writes of one WAL
 * commit into one pwrite. SQLite writes each frame of a commit as two
 * writes (its 24-byte header, then the page), so a commit of six pages
 * cost twelve system calls; the frames are consecutive, so they go as one.
 * A checkpoint's writes to the main database are gathered the same way:
 * it writes the pages in page order, one call a page, and the pages that
 * follow one another go as one; its sync hands them over first. And the
 * checkpoint's reads of the WAL's frames, which walk it forward, are
 * served from one read of up to 112 KiB ahead of them.
 *
 * Durability is unchanged: the write that completes a commit frame (the
 * frame whose header carries the database size) hands everything pending
 * to the OS before it returns, so when COMMIT returns the transaction is
 * in the WAL in the OS page cache, as before, and survives kill -9. Any
 * other access to a file (a read, sync, truncate, size, close, a write
 * out of sequence) hands its pending bytes over first.
 * Engine thread only, like the store.
 */
#ifndef FLOWDECK_STORE_WAL_H
#define FLOWDECK_STORE_WAL_H

#include <stdint.h>

/* The VFS's name, registered on first use (never the default). Returns:
 * the name, or NULL (with the reason logged) when it cannot register; the
 * store then opens with SQLite's default VFS. */
const char *store_wal_vfs(void);

/*
 * Hand whatever any file holds pending to the OS. A commit does so by
 * itself when its last frame is written; the store calls this after each
 * COMMIT too, so that durability never rests on recognising that frame.
 * Returns: SQLITE_OK, or the first write error (errno says why).
 */
int store_wal_flush(void);

/* What was handed to the OS so far in this process (for tests). */
struct store_wal_stats {
    uint64_t db_writes;  /* writes to main databases */
    uint64_t wal_writes; /* writes to WALs */
    uint64_t wal_reads;  /* reads of WALs */
};

void store_wal_stats(struct store_wal_stats *out);

/* Returns: the errno of the last failed write to a WAL (ENOSPC for a
 * short write), or 0; and forgets it. */
int store_wal_last_errno(void);

#endif
