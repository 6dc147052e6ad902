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
     /* AUTOINCREMENT: a timer id is never reused, so cancelling the id
      * a user saw never cancels another timer */
     "CREATE TABLE timers ("
     "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
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
    {2, "queues and messages",
     "CREATE TABLE queues ("
     "  id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL UNIQUE,"
     "  created_ms INTEGER NOT NULL,"
     "  modified_ms INTEGER NOT NULL,"
     "  attrs TEXT NOT NULL,"      /* JSON: the queue's attributes */
     "  next_seq INTEGER NOT NULL DEFAULT 1"
     ");"
     /* one narrow row a message, found by id; the service indexes them
      * in memory, so sends pay for no secondary index, and start-up reads
      * only these rows; bodies live apart, read when a message is */
     "CREATE TABLE messages ("
     "  id INTEGER PRIMARY KEY,"
     "  queue_id INTEGER NOT NULL,"
     "  msg_id TEXT NOT NULL,"
     "  priority INTEGER NOT NULL,"
     "  enqueued_ms INTEGER NOT NULL,"
     "  visible_ms INTEGER NOT NULL,"
     "  first_dequeue_ms INTEGER,"
     "  dequeue_count INTEGER NOT NULL DEFAULT 0,"
     "  receipt BLOB,"
     "  group_id TEXT,"
     "  dedup_id TEXT,"
     "  seq INTEGER,"
     "  source TEXT"
     ");"
     "CREATE TABLE bodies ("
     "  id INTEGER PRIMARY KEY,"
     "  body TEXT NOT NULL,"
     "  md5 TEXT NOT NULL,"
     "  attrs TEXT,"
     "  sys TEXT"
     ");"
     "CREATE TABLE dedup ("
     "  queue_id INTEGER NOT NULL,"
     "  key TEXT NOT NULL,"
     "  msg_id TEXT NOT NULL,"
     "  expires_ms INTEGER NOT NULL,"
     "  PRIMARY KEY (queue_id, key)"
     ") WITHOUT ROWID;"},
    {3, "flow definitions",
     /* the deployed definition of each flow; every version of it is a
      * commit in the data dir's flows.git, named by `version` */
     "CREATE TABLE flows ("
     "  name TEXT PRIMARY KEY,"
     "  description TEXT NOT NULL DEFAULT '',"
     "  definition TEXT NOT NULL,"
     "  version TEXT NOT NULL,"
     "  created_ms INTEGER NOT NULL,"
     "  modified_ms INTEGER NOT NULL"
     ") WITHOUT ROWID;"},
    {4, "executions, their events and tasks",
     /* one copy of each flow version an execution ran, so executions
      * keep their definition whatever happens to the flow */
     "CREATE TABLE flow_versions ("
     "  version TEXT PRIMARY KEY,"
     "  definition TEXT NOT NULL"
     ") WITHOUT ROWID;"
     /* state: the JSON of the running frames (exec_state.c); a finished
      * execution keeps its own for redrive */
     "CREATE TABLE executions ("
     "  id INTEGER PRIMARY KEY,"
     "  flow TEXT NOT NULL,"
     "  name TEXT NOT NULL,"
     "  version TEXT NOT NULL,"
     "  status TEXT NOT NULL,"
     "  input TEXT NOT NULL,"
     "  output TEXT,"
     "  error TEXT,"
     "  cause TEXT,"
     "  started_ms INTEGER NOT NULL,"
     "  stopped_ms INTEGER,"
     "  next_event INTEGER NOT NULL,"
     "  parent_token TEXT,"
     "  state TEXT,"
     "  UNIQUE (flow, name)"
     ");"
     "CREATE INDEX executions_name ON executions(name);"
     "CREATE TABLE exec_events ("
     "  exec_id INTEGER NOT NULL,"
     "  event_id INTEGER NOT NULL,"
     "  schedule_id INTEGER NOT NULL,"
     "  type TEXT NOT NULL,"
     "  step TEXT NOT NULL,"
     "  ts_ms INTEGER NOT NULL,"
     "  detail TEXT,"
     "  PRIMARY KEY (exec_id, event_id)"
     ") WITHOUT ROWID;"
     /* tasks that waited for a callback, and what became of them */
     "CREATE TABLE tasks ("
     "  token TEXT PRIMARY KEY,"
     "  exec_id INTEGER NOT NULL,"
     "  step TEXT NOT NULL,"
     "  status TEXT NOT NULL,"
     "  created_ms INTEGER NOT NULL,"
     "  timeout_ms INTEGER,"
     "  heartbeat_ms INTEGER,"
     "  done_ms INTEGER,"
     "  target TEXT"
     ") WITHOUT ROWID;"
     "CREATE INDEX tasks_exec ON tasks(exec_id);"
     "CREATE INDEX tasks_waiting ON tasks(created_ms) "
     "  WHERE status = 'waiting';"},
};

const int migrations_count = sizeof(migrations) / sizeof(migrations[0]);
