/*
 * store_check: is the database whole before the engine trusts it? Cheap
 * checks of the files at every start, without SQLite: the database
 * header (magic, page size, a page count the file really holds) and the
 * write-ahead log (its header, and no committed transaction behind a
 * frame that fails its checksum, which SQLite would silently drop with
 * everything after it). A damaged file is reported, never reset.
 *
 * The seal: after the engine last changed the database file (a
 * checkpoint, a clean close) it records the file's identity, size and
 * change time next to it (PATH-seal). A file that no longer matches its
 * seal was changed by something else, or the engine stopped in the
 * middle of a checkpoint: the store then runs SQLite's quick_check,
 * which reads every page (about 60 ms for 100,000 messages), before the
 * engine serves. A file that matches is not read again at start-up.
 */
#ifndef FLOWDECK_STORE_CHECK_H
#define FLOWDECK_STORE_CHECK_H

#include <stddef.h>

/*
 * Check the database file `path` and its WAL (path-wal) before opening.
 * *out_sealed: 1 when the file matches its seal, or there is nothing to
 * read (no file yet, ":memory:"). Returns: 0, or ENG_ERR with a message
 * naming the file and what is wrong with it.
 */
int store_check_files(int *out_sealed, const char *path);

/*
 * Record the seal of `path` as it is now (nothing for ":memory:").
 * Returns: 0, or ENG_ERR (the next start then checks every page).
 */
int store_check_seal(const char *path);

/*
 * SQLite's WAL checksum over `n` bytes (n a multiple of 8) of `data`,
 * continuing s[0], s[1]; words big-endian when `big`. For tests.
 */
void store_check_wal_sum(unsigned s[2], const unsigned char *data, size_t n,
                         int big);

#endif
