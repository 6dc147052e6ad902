/*
 * migrations: the schema as a forward-only list of steps. A database at
 * version N has run steps 1..N; PRAGMA user_version records N.
 */
#ifndef FLOWDECK_MIGRATIONS_H
#define FLOWDECK_MIGRATIONS_H

struct migration {
    int version;
    const char *what;
    const char *sql;
};

extern const struct migration migrations[];
extern const int migrations_count;

#endif
