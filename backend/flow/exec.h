/*
 * exec: the flow executor (spec §1.3-1.10, §2.4). Runs executions of
 * deployed flows from Start to End: step by step, branches and
 * iterations side by side, tasks that send to queues and wait for
 * callbacks, waits, retries and timeouts on the engine clock.
 *
 * Durable state. An execution is a row of `executions` holding its
 * status and the JSON of its running frames (exec_state.c), plus its
 * events in `exec_events` and its callback tasks in `tasks`. Timers are
 * the scheduler's (kind "flow", ref = the execution's id). Nothing of a
 * waiting execution stays in memory: a callback or a timer loads it,
 * advances it as far as it can go, and saves it, all inside the caller's
 * store change, so every transition is committed before it is acted on
 * and a restart finds each execution where it was.
 *
 * Every function that changes state runs inside the caller's store change
 * (engine_write_begin/end). Engine thread only.
 */
#ifndef FLOWDECK_EXEC_H
#define FLOWDECK_EXEC_H

#include <jansson.h>
#include <stdint.h>

struct engine;
struct exec_service;
struct exec_waiter;

#define EXEC_PARKED 1
#define EXEC_MAX_EVENTS 5000          /* per execution (spec §1.11) */
#define EXEC_MAX_DATA (32 * 1024)     /* input, local and output of a step */
#define EXEC_WAIT_MAX_S 60            /* of a describe that waits */

/* Returns: a service over the engine's store, registering its timers
 * and its engine hook (which answers waiting describes whose wait is
 * over). */
struct exec_service *exec_service_create(struct engine *eng);
void exec_service_free(struct exec_service *xs);

/* Forget cached definitions and answer waiting describes (after a
 * restore or reset). */
void exec_service_reload(struct exec_service *xs);

/* Answer every waiting describe with the execution as it is (shutdown). */
void exec_service_shutdown(struct exec_service *xs);

/* Returns: new {"running", "succeeded", "failed", "waiting_tasks",
 * "oldest_task"?} for /v1/info. */
json_t *exec_service_counts(struct exec_service *xs);

/* ---- executions ---- */

/*
 * Start flow `flow` with `input` (borrowed, an object; NULL: {}), named
 * `name` (NULL: a UUID). It runs as far as it can before this returns.
 * Returns: 0, *created and the execution (as exec_get) in *out;
 * *created = 0 when `name` is running already (and nothing started);
 * ENG_ENOTFOUND (no such flow); ENG_EEXISTS (the name has finished);
 * ENG_EINVAL (bad name, input not an object or over EXEC_MAX_DATA).
 */
int exec_start(json_t **out, int *created, struct exec_service *xs,
               const char *flow, const char *name, const json_t *input);

/*
 * As exec_start, for a caller that waits in a task of its own: when the
 * execution ends, its outcome is delivered to the task holding
 * `parent_token` (NULL: none) as a child flow's is (FnF's
 * CallbackFnFTaskToken). A token that names no waiting task by then is
 * ignored. Returns: as exec_start.
 */
int exec_start_for(json_t **out, int *created, struct exec_service *xs,
                   const char *flow, const char *name, const json_t *input,
                   const char *parent_token);

/*
 * An execution by name; `flow` (may be NULL) picks one when several
 * flows have an execution of that name. Returns: 0 and the description
 * (docs/api.md, "Executions"); ENG_ENOTFOUND; ENG_ECONFLICT (ambiguous).
 */
int exec_get(json_t **out, struct exec_service *xs, const char *flow,
             const char *name);

/* Called once with the description (new reference) when a waiting
 * describe ends. */
typedef void (*exec_wait_fn)(json_t *execution, void *arg);

/*
 * As exec_get, but when the execution is still running and `wait_ms` >
 * 0, registers a waiter and returns EXEC_PARKED: `done` is called when
 * it finishes or the wait (real time) is over, unless the waiter is
 * cancelled first.
 */
int exec_get_wait(json_t **out, struct exec_waiter **waiter,
                  struct exec_service *xs, const char *flow,
                  const char *name, int64_t wait_ms, exec_wait_fn done,
                  void *arg);

void exec_waiter_cancel(struct exec_waiter *w);

/* Executions, newest first, optionally of one flow and one status;
 * cursor: the id of the last one seen. */
int exec_list(json_t **out, struct exec_service *xs, const char *flow,
              const char *status, int64_t cursor, int limit);

/* Events in order after event id `after`. */
int exec_history(json_t **out, struct exec_service *xs, const char *flow,
                 const char *name, int64_t after, int limit);

/* The definition as a tree with each node's latest status. */
int exec_graph(json_t **out, struct exec_service *xs, const char *flow,
               const char *name);

/*
 * Stop a running execution: its tasks are cancelled and its timers
 * dropped. Returns: 0 and the execution; ENG_ECONFLICT when finished.
 */
int exec_stop(json_t **out, struct exec_service *xs, const char *flow,
              const char *name, const char *error, const char *cause);

/*
 * Run a Failed or TimedOut execution again from the steps that failed.
 * Returns: 0 and the execution; ENG_ECONFLICT otherwise.
 */
int exec_redrive(json_t **out, struct exec_service *xs, const char *flow,
                 const char *name);

/* Stop and delete every execution of flow `flow` (the flow is being
 * deleted). Returns: 0 or the store error. */
int exec_forget_flow(struct exec_service *xs, const char *flow);

/* ---- tasks ---- */

/* Tasks oldest first: status "waiting" (NULL too) or "all". */
int exec_tasks_list(json_t **out, struct exec_service *xs,
                    const char *status, const char *flow, const char *cursor,
                    int limit);

int exec_task_get(json_t **out, struct exec_service *xs, const char *token);

/*
 * Callbacks. `output` (borrowed) must be an object. Each is journaled on
 * the token, accepted or not.
 * Returns: 0 and {"event_id"} in *out; ENG_ENOTFOUND (code
 * TaskNotFound); ENG_ECONFLICT (TaskNotWaiting, saying what became of
 * it); ENG_EINVAL.
 */
int exec_task_succeed(json_t **out, struct exec_service *xs,
                      const char *token, const json_t *output);
int exec_task_fail(json_t **out, struct exec_service *xs, const char *token,
                   const char *error, const char *cause);
int exec_task_heartbeat(json_t **out, struct exec_service *xs,
                        const char *token);

#endif
