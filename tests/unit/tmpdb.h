/*
 * tmpdb: for unit tests that need a database file: a fresh temp dir with
 * a path for it, and their removal with SQLite's side files.
 */
#ifndef FLOWDECK_TEST_TMPDB_H
#define FLOWDECK_TEST_TMPDB_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Make a temp dir into dir (ndir bytes, 32 or more) and put
 * "<dir>/state.db" into path. Returns: 0, or -1 (dir is then ""). */
static inline int
tmpdb_make(char *dir, size_t ndir, char *path, size_t npath)
{
    snprintf(dir, ndir, "/tmp/flowdeck-unit-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        dir[0] = '\0';
        return -1;
    }
    snprintf(path, npath, "%s/state.db", dir);
    return 0;
}

/* Remove path with its side files (-wal, -shm, -journal, -seal), then dir;
 * a dir never made ("") is left alone. Returns: rmdir's result. */
static inline int
tmpdb_remove(const char *dir, const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal",
                                           "-seal"};

    if (dir[0] == '\0')
        return 0;
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        char p[256];

        snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
        unlink(p);
    }
    return rmdir(dir);
}

#endif
