/*
 * fn: local functions. A function is a command (argv, cwd, env, timeout,
 * max concurrency) run as a real child process, or the URL of an HTTP
 * service the developer runs. The engine never blocks on one: a child's
 * pipes and its pidfd, and an HTTP function's sockets (libcurl multi),
 * are watched by the engine loop; timeouts and queued invocations are
 * handled from an engine hook.
 *
 * A command gets the event JSON on stdin and answers with JSON on
 * stdout; stderr (its last FN_LOG_MAX bytes) is the invocation's log.
 * Exit 0 is success; anything else, a timeout (SIGKILL to its process
 * group), output that is not JSON or larger than FN_OUT_MAX, is a failed
 * invocation with an error name and a cause.
 *
 * Durable state: definitions (`fn_functions`), queue triggers
 * (`fn_triggers`) and finished invocations (`fn_invocations`), each
 * journaled (kind "function", "invocation", "trigger"). Engine thread only.
 */
#ifndef FLOWDECK_FN_H
#define FLOWDECK_FN_H

#include <jansson.h>
#include <stdint.h>

struct engine;
struct fn_service;

#define FN_LOG_MAX (64 * 1024)    /* stderr tail kept per invocation */
#define FN_OUT_MAX (1024 * 1024)  /* stdout or HTTP answer, at most */
#define FN_TIMEOUT_DEFAULT_S 30
#define FN_CONCURRENCY_DEFAULT 10

/* Returns: a service over the engine's store; registers its hook. */
struct fn_service *fn_service_create(struct engine *eng);

/* Kill every running child (SIGKILL to its group), stop watching, free.
 * `done` callbacks of what still runs are dropped. NULL-safe. */
void fn_service_free(struct fn_service *fs);

#define FN_FAILING_MAX 20

/*
 * Returns: new {"functions", "running", "queued", "triggers" (queue
 * triggers), "failing_triggers", "failing": [{"function", "trigger_id",
 * "queue", "state", "invocation", "status", "started", "error"?,
 * "cause"?}]}: the queue triggers whose newest finished invocation did
 * not succeed (FN_FAILING_MAX listed at most). No scan of invocations.
 */
json_t *fn_service_counts(struct fn_service *fs);

/*
 * Invocations recorded as running that do not run in this engine (left
 * by an engine killed while they ran, or brought back by a snapshot
 * restore) are marked failed, error "EngineInterrupted". Called at
 * create and when the store was replaced. Returns: 0 or the store error.
 */
int fn_service_reload(struct fn_service *fs);

/* ---- definitions ---- */

/*
 * Create or replace function `name` from `spec` (borrowed): either
 * {"command": [argv...], "cwd"?, "env"? {K: V}, "timeout_seconds"?
 * (1..3600, default 30), "max_concurrency"? (1..1000, default 10)} or
 * {"url": "http://...", "timeout_seconds"?, "max_concurrency"?}.
 * Inside the caller's store change. Returns: 0, *created and the function
 * in *out (new); ENG_EINVAL naming the field.
 */
int fn_create(json_t **out, int *created, struct fn_service *fs,
              const char *name, const json_t *spec);

/* Returns: 0 and the function (new) in *out; ENG_ENOTFOUND
 * (FunctionNotFound). */
int fn_get(json_t **out, struct fn_service *fs, const char *name);

/* Returns: 0 and {"items": [...]} (new) in *out, by name. */
int fn_list(json_t **out, struct fn_service *fs);

/* Delete a function, its triggers and its invocation records (running
 * invocations finish). Returns: 0 or ENG_ENOTFOUND. */
int fn_delete(struct fn_service *fs, const char *name);

/* ---- invocations ---- */

typedef void (*fn_done_fn)(const json_t *invocation, void *arg);

/*
 * Invoke `name` with `event` (borrowed). trigger: "cli", "http", "flow",
 * "topic:T", "queue:Q". done (may be NULL) is called once on the engine
 * thread INSIDE an open store change with the finished invocation
 * {"id","function","trigger","status":"succeeded"|"failed"|"timed_out",
 * "result"?,"error"?,"cause"?,"duration_ms","log"?} (borrowed). It is
 * never called before fn_invoke returns: at the earliest later in the
 * same loop turn. When the engine stops with invocations running or
 * queued, they are killed and done is called with status "failed", error
 * "EngineStopping" and cause "engine stopping".
 * Returns 0 and a new invocation id in *id (may be NULL; the caller
 * frees it), ENG_ENOTFOUND for an unknown function (code
 * FunctionNotFound). Never blocks.
 */
int fn_invoke(char **id, struct fn_service *fs, const char *name,
              const json_t *event, const char *trigger, fn_done_fn done,
              void *arg);

/*
 * Finished invocations of `name`, newest first; cursor: the "seq" of the
 * last one seen (0: from the newest). Returns: 0 and {"items", "next"?}.
 */
int fn_invocations(json_t **out, struct fn_service *fs, const char *name,
                   int64_t cursor, int limit);

/* Returns: 0 and one invocation (finished, or {"status": "running"});
 * ENG_ENOTFOUND. */
int fn_invocation_get(json_t **out, struct fn_service *fs, const char *id);

/*
 * For the flow executor: invoke `name` for the task `token` of an
 * execution. requestResponse and sync (wait_callback 0): the result
 * succeeds the task, a failure fails it with "FC.<error>" (or the
 * function's own errorType) and the cause. waitForCallback
 * (wait_callback 1): the function reports the token itself; only a
 * failed invocation fails the task. Returns: as fn_invoke.
 */
int fn_invoke_task(char **id, struct fn_service *fs, const char *name,
                   const json_t *event, const char *token,
                   int wait_callback);

/* ---- queue triggers (fn_trigger.c) ---- */

/*
 * Create a trigger on `fname` from `spec` {"queue", "batch_size" (1..10,
 * default 10), "batching_window_seconds" (0..300), "max_concurrency"
 * (1..100, default 2), "enabled" (default true)}. Inside the caller's
 * store change. Returns: 0 and the trigger (new); ENG_ENOTFOUND (no
 * function or queue); ENG_EINVAL.
 */
int fn_trigger_create(json_t **out, struct fn_service *fs, const char *fname,
                      const json_t *spec);
int fn_trigger_list(json_t **out, struct fn_service *fs, const char *fname);
int fn_trigger_get(json_t **out, struct fn_service *fs, const char *fname,
                   const char *id);
/* Pause (enabled 0) or resume (1). Returns: 0 and the trigger. */
int fn_trigger_enable(json_t **out, struct fn_service *fs, const char *fname,
                      const char *id, int enabled);
int fn_trigger_delete(struct fn_service *fs, const char *fname,
                      const char *id);

#endif
