/*
 * migrations: append only. Never edit a step that has shipped; add one.
 */
#include "store/migrations.h"

/* SQL for the value of 16 upper-case hex digits at the start of column
 * c (SQLite 3.40 has no unhex()); digit i is shifted by 60 - 4i. */
#define MIGRATION_HEXD(c, i, shift)                                          \
    "((instr('0123456789ABCDEF', substr(" c ", " #i ", 1)) - 1) << " #shift ")"
#define MIGRATION_HEX16(c)                                                   \
    MIGRATION_HEXD(c, 1, 60) " | " MIGRATION_HEXD(c, 2, 56) " | "            \
    MIGRATION_HEXD(c, 3, 52) " | " MIGRATION_HEXD(c, 4, 48) " | "            \
    MIGRATION_HEXD(c, 5, 44) " | " MIGRATION_HEXD(c, 6, 40) " | "            \
    MIGRATION_HEXD(c, 7, 36) " | " MIGRATION_HEXD(c, 8, 32) " | "            \
    MIGRATION_HEXD(c, 9, 28) " | " MIGRATION_HEXD(c, 10, 24) " | "           \
    MIGRATION_HEXD(c, 11, 20) " | " MIGRATION_HEXD(c, 12, 16) " | "          \
    MIGRATION_HEXD(c, 13, 12) " | " MIGRATION_HEXD(c, 14, 8) " | "           \
    MIGRATION_HEXD(c, 15, 4) " | " MIGRATION_HEXD(c, 16, 0)
#define MIGRATION_GLOB_HEX "[0-9A-F]"
#define MIGRATION_GLOB_HEX5                                                  \
    MIGRATION_GLOB_HEX MIGRATION_GLOB_HEX MIGRATION_GLOB_HEX                 \
        MIGRATION_GLOB_HEX MIGRATION_GLOB_HEX
#define MIGRATION_GLOB_HEX15                                                 \
    MIGRATION_GLOB_HEX5 MIGRATION_GLOB_HEX5 MIGRATION_GLOB_HEX5

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
    {5, "local functions, their queue triggers and invocations",
     /* spec: the normalized definition (fn.c) */
     "CREATE TABLE fn_functions ("
     "  name TEXT PRIMARY KEY,"
     "  spec TEXT NOT NULL,"
     "  created_ms INTEGER NOT NULL"
     ") WITHOUT ROWID;"
     "CREATE TABLE fn_triggers ("
     "  id TEXT PRIMARY KEY,"
     "  function TEXT NOT NULL,"
     "  queue TEXT NOT NULL,"
     "  batch_size INTEGER NOT NULL,"
     "  window_ms INTEGER NOT NULL,"
     "  max_concurrency INTEGER NOT NULL,"
     "  enabled INTEGER NOT NULL,"
     "  created_ms INTEGER NOT NULL"
     ") WITHOUT ROWID;"
     "CREATE INDEX fn_triggers_function ON fn_triggers(function);"
     /* finished invocations; seq orders them */
     "CREATE TABLE fn_invocations ("
     "  seq INTEGER PRIMARY KEY,"
     "  id TEXT NOT NULL UNIQUE,"
     "  function TEXT NOT NULL,"
     "  trigger TEXT NOT NULL,"
     "  status TEXT NOT NULL,"
     "  input TEXT NOT NULL,"
     "  result TEXT,"
     "  error TEXT,"
     "  cause TEXT,"
     "  exit_status INTEGER,"
     "  started_ms INTEGER NOT NULL,"
     "  duration_ms INTEGER NOT NULL,"
     "  log TEXT"
     ");"
     "CREATE INDEX fn_invocations_function ON fn_invocations(function, seq);"},
    {6, "topics, subscriptions, published messages and deliveries",
     /* attrs: JSON of the topic's or subscription's attributes */
     "CREATE TABLE topics ("
     "  name TEXT PRIMARY KEY,"
     "  created_ms INTEGER NOT NULL,"
     "  modified_ms INTEGER NOT NULL,"
     "  attrs TEXT NOT NULL"
     ") WITHOUT ROWID;"
     "CREATE TABLE subscriptions ("
     "  topic TEXT NOT NULL,"
     "  name TEXT NOT NULL,"
     "  endpoint TEXT NOT NULL,"
     "  created_ms INTEGER NOT NULL,"
     "  attrs TEXT NOT NULL,"
     "  PRIMARY KEY (topic, name)"
     ") WITHOUT ROWID;"
     "CREATE TABLE topic_messages ("
     "  id INTEGER PRIMARY KEY,"
     "  topic TEXT NOT NULL,"
     "  msg_id TEXT NOT NULL UNIQUE,"
     "  published_ms INTEGER NOT NULL,"
     "  body TEXT NOT NULL,"
     "  md5 TEXT NOT NULL,"
     "  tag TEXT,"
     "  attrs TEXT"
     ");"
     "CREATE INDEX topic_messages_topic ON topic_messages(topic);"
     /* one row per message and matching subscription; status: sending,
      * pending (to push), retry_wait, delivered, failed, cancelled;
      * AUTOINCREMENT: a delivery id the user saw never names another */
     "CREATE TABLE deliveries ("
     "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
     "  topic TEXT NOT NULL,"
     "  sub TEXT NOT NULL,"
     "  msg_id TEXT NOT NULL,"
     "  endpoint TEXT NOT NULL,"
     "  kind TEXT NOT NULL,"
     "  status TEXT NOT NULL,"
     "  attempts INTEGER NOT NULL DEFAULT 0,"
     "  created_ms INTEGER NOT NULL,"
     "  updated_ms INTEGER NOT NULL,"
     "  next_ms INTEGER,"
     "  strategy TEXT NOT NULL,"
     "  format TEXT NOT NULL,"
     "  payload TEXT NOT NULL,"
     "  last TEXT"
     ");"
     "CREATE INDEX deliveries_topic ON deliveries(topic, sub, id);"
     "CREATE INDEX deliveries_active ON deliveries(status) "
     "  WHERE status IN ('pending', 'retry_wait');"},
    {7, "stacks deployed from templates, and template repositories",
     /* one row per stack; params: the JSON object the deploy used;
      * samples: the template's, with those values, as deployed;
      * status: ready or failed (error says why) */
     "CREATE TABLE stacks ("
     "  name TEXT PRIMARY KEY,"
     "  template TEXT NOT NULL,"
     "  source TEXT NOT NULL,"
     "  params TEXT NOT NULL,"
     "  samples TEXT NOT NULL,"
     "  status TEXT NOT NULL,"
     "  error TEXT,"
     "  deploys INTEGER NOT NULL,"
     "  created_ms INTEGER NOT NULL,"
     "  updated_ms INTEGER NOT NULL"
     ") WITHOUT ROWID;"
     /* what a stack owns: (type, key) is owned by one stack at most;
      * key: "NAME", "TOPIC/NAME" (subscription), "FUNCTION/QUEUE"
      * (trigger); ref: the service's own id (a trigger's); spec: the
      * resource as deployed, parameters substituted */
     "CREATE TABLE stack_resources ("
     "  type TEXT NOT NULL,"
     "  key TEXT NOT NULL,"
     "  stack TEXT NOT NULL,"
     "  ord INTEGER NOT NULL,"
     "  ref TEXT,"
     "  status TEXT NOT NULL,"
     "  reason TEXT,"
     "  spec TEXT NOT NULL,"
     "  updated_ms INTEGER NOT NULL,"
     "  PRIMARY KEY (type, key)"
     ") WITHOUT ROWID;"
     "CREATE INDEX stack_resources_stack ON stack_resources(stack, ord);"
     /* every state change of every deploy and delete of a stack */
     "CREATE TABLE stack_events ("
     "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
     "  stack TEXT NOT NULL,"
     "  deploy INTEGER NOT NULL,"
     "  at_ms INTEGER NOT NULL,"
     "  type TEXT,"
     "  key TEXT,"
     "  status TEXT NOT NULL,"
     "  reason TEXT"
     ");"
     "CREATE INDEX stack_events_stack ON stack_events(stack, id);"
     /* git repositories of templates, cloned into catalogs/NAME of the
      * data dir; seq: the order they were added (lookup order);
      * status: cloning, ready, failed (error says why) */
     "CREATE TABLE tmpl_repos ("
     "  name TEXT PRIMARY KEY,"
     "  url TEXT NOT NULL,"
     "  ref TEXT,"
     "  commit_id TEXT,"
     "  status TEXT NOT NULL,"
     "  error TEXT,"
     "  seq INTEGER NOT NULL,"
     "  added_ms INTEGER NOT NULL,"
     "  updated_ms INTEGER NOT NULL"
     ") WITHOUT ROWID;"},
    {8, "indexes for counting failing deliveries and invocations cheaply",
     /* failed deliveries per topic and subscription (the home screen's
      * failing pushes, the topics list); the latest invocation of each
      * trigger (failing triggers) and failures per function (the
      * functions list); invocations still marked running
      * (recorded at start; a restart marks what was left interrupted) */
     "CREATE INDEX deliveries_failed ON deliveries(topic, sub) "
     "  WHERE status = 'failed';"
     "CREATE INDEX deliveries_open ON deliveries(topic, sub) "
     "  WHERE status IN ('sending', 'pending', 'retry_wait');"
     "CREATE INDEX fn_invocations_trigger "
     "  ON fn_invocations(function, trigger, seq);"
     "CREATE INDEX fn_invocations_running ON fn_invocations(seq) "
     "  WHERE status = 'running';"
     "CREATE INDEX fn_invocations_failed ON fn_invocations(function) "
     "  WHERE status IN ('failed', 'timed_out');"},
    {9, "message journal records in a table of their own",
     /* most records are a message's: in their own table their rowid
      * order is their kind's order, so each needs one index (the
      * message), not journal's two; seq stays one sequence over both
      * tables (the journal module hands it out) */
     "CREATE TABLE journal_msg ("
     "  seq INTEGER PRIMARY KEY,"
     "  ts_ms INTEGER NOT NULL,"
     "  entity TEXT NOT NULL,"
     "  type TEXT NOT NULL,"
     "  detail TEXT"
     ");"
     "CREATE INDEX journal_msg_entity ON journal_msg(entity, seq);"
     "INSERT INTO journal_msg(seq, ts_ms, entity, type, detail) "
     "  SELECT seq, ts_ms, entity, type, detail FROM journal "
     "  WHERE kind = 'message';"
     "DELETE FROM journal WHERE kind = 'message';"},
    {10, "message journal records indexed by the message's row",
     /* entity_key: the row in a message id ("%016X-%016X", its first 16
      * hex digits), 0 for any other entity (journal_msg_key computes it
      * for new records). An index entry is a small integer and the seq,
      * not the 33-byte id: a drain's "received" and "deleted" records
      * land amid the "sent" ones of older messages, and every index page
      * they dirty is written at the commit and again at the checkpoint */
     "ALTER TABLE journal_msg ADD COLUMN entity_key INTEGER NOT NULL "
     "  DEFAULT 0;"
     "UPDATE journal_msg SET entity_key = "
     MIGRATION_HEX16("entity")
     "  WHERE length(entity) = 33 AND substr(entity, 17, 1) = '-'"
     "    AND substr(entity, 1, 16) GLOB '[0-7]" MIGRATION_GLOB_HEX15 "';"
     "DROP INDEX journal_msg_entity;"
     "CREATE INDEX journal_msg_key ON journal_msg(entity_key);"},
};

const int migrations_count = sizeof(migrations) / sizeof(migrations[0]);
