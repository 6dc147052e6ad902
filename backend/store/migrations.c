/*
 * migrations: append only. Never edit a step that has shipped; add one.
 */
#include "store/migrations.h"

const struct migration migrations[] = {
    {1, "meta, timers and journal",
     "CREATE TABLE meta ("
     "  key TEXT PRIMARY KEY,"
     "  value TEXT NOT NULL"
     ") WITHOUT ROWID;"
     "CREATE TABLE timers ("
     "  id INTEGER PRIMARY KEY,"
     "  due_ms INTEGER NOT NULL,"
     "  kind TEXT NOT NULL,"
     "  ref TEXT NOT NULL DEFAULT '',"
     "  payload TEXT"
     ");"
     "CREATE INDEX timers_due ON timers(due_ms, id);"
     "CREATE INDEX timers_ref ON timers(kind, ref);"
     "CREATE TABLE journal ("
     "  seq INTEGER PRIMARY KEY,"
     "  ts_ms INTEGER NOT NULL,"
     "  kind TEXT NOT NULL,"
     "  entity TEXT NOT NULL,"
     "  type TEXT NOT NULL,"
     "  detail TEXT"
     ");"
     "CREATE INDEX journal_entity ON journal(kind, entity, seq);"
     "CREATE INDEX journal_kind ON journal(kind, seq);"},
};

const int migrations_count = sizeof(migrations) / sizeof(migrations[0]);
