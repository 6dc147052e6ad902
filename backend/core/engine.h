/*
 * engine: owns flowdeckd's state and its one loop. The engine thread
 * serves HTTP (external epoll), fires timers on the engine clock and
 * commits the store once per loop turn before any response of that turn
 * is sent (group commit). Services reach the store, clock, scheduler and
 * journal through the engine.
 */
#ifndef FLOWDECK_ENGINE_H
#define FLOWDECK_ENGINE_H

#include "common/clock.h"
#include "common/log.h"
#include "compat/compat.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define ENGINE_DEFAULT_LISTEN "127.0.0.1:9460"
#define ENGINE_BODY_MAX (4u << 20)
#define ENGINE_CONN_TIMEOUT 120 /* idle seconds before a connection closes */
#define ENGINE_MAX_CONNS 1000   /* connections served at once */
#define ENGINE_BUSY_POLL_US 100 /* default busy poll for a lone client */
#define ENGINE_BUSY_POLL_MAX 100000

struct store;
struct sched;
struct http_server;
struct queue_service;
struct topic_service;
struct flow_defs;
struct exec_service;
struct fn_service;
struct tmpl_repos;
struct tmpl_service;
struct engine_watch;
struct engine_hook;

struct engine_config {
    const char *listen;     /* "127.0.0.1:9460", "[::1]:0", ":9460" */
    const char *data_dir;
    const char *templates;  /* bundled templates folder; NULL: none */
    const char *auth_token; /* NULL: no token */
    enum log_level log_level;
    int foreground;         /* log to stderr too */
    size_t body_max;        /* 0: ENGINE_BODY_MAX */
    unsigned conn_timeout;  /* seconds; 0: ENGINE_CONN_TIMEOUT */
    unsigned max_conns;     /* 0: ENGINE_MAX_CONNS */
    int busy_poll_us;       /* 0: ENGINE_BUSY_POLL_US; -1: none */
    struct compat_config compat; /* the wire protocols' names, keys */
};

struct engine {
    char *data_dir;
    char *listen;     /* the address actually bound, "127.0.0.1:9460" */
    char *auth_token; /* NULL: none */
    char *log_path;
    struct store *store;
    struct clock clock;
    struct sched *sched;
    struct queue_service *queues;
    struct topic_service *topics;
    struct flow_defs *flows;
    struct exec_service *execs;
    struct fn_service *fns;
    struct tmpl_repos *repos; /* template catalogs cloned from git */
    struct tmpl_service *tmpl; /* templates and stacks */
    struct compat *compat;     /* SQS, SNS, MNS, Serverless Workflow */
    struct http_server *http;
    int lock_fd;
    int read_only; /* the data dir cannot be written: writes refused */
    int epfd, timer_fd, signal_fd;
    int64_t started_ms;   /* real time */
    int64_t started_mono; /* monotonic */
    int stop;             /* a stop was asked for */
    int quiesced;
    int64_t stop_deadline;
    int64_t armed_at;     /* monotonic ms the timerfd is set for; -1 none */
    int64_t retry_at; /* monotonic ms: after a failed commit, timers and
                       * background work wait until then */
    /* busy polling for a lone client: how long (0: never), the request
     * count when it was last considered, and how often it ran and caught
     * a request */
    int64_t busy_poll_ns;
    unsigned busy_seen;
    uint64_t busy_polls, busy_caught;
    struct engine_watch *watch_dead; /* unwatched this turn, freed after */
    struct engine_hook *hooks;
};

/*
 * Start an engine: make and lock the data dir, open the log and the
 * store, re-arm timers, bind and start serving. Returns: 0 and *out, or
 * an ENG_* code with a one-line message (ENG_EBUSY: the data dir is in
 * use by another engine or the address by another program; ENG_EAUTH: a
 * non-loopback address without a token).
 */
int engine_start(struct engine **out, const struct engine_config *cfg);

/* Serve until a stop is asked for, then drain. Returns: 0. */
int engine_run(struct engine *eng);

/* Close everything and release the data dir. NULL-safe. */
void engine_free(struct engine *eng);

/* Ask the loop to stop after this turn (signals, POST /v1/shutdown). */
void engine_request_stop(struct engine *eng);
int engine_stopping(const struct engine *eng);

/* Returns: engine time now (ms). */
int64_t engine_now(const struct engine *eng);

/* A change to state: see store_write_begin/end. */
int engine_write_begin(struct engine *eng);
int engine_write_end(struct engine *eng, int ok);

/*
 * Commit what this turn changed and release the responses that waited
 * for it. Returns: 0, or the store error (they then get the error).
 */
int engine_commit(struct engine *eng);

/* Append to the journal at engine time; detail borrowed (may be NULL). */
int engine_journal(struct engine *eng, const char *kind, const char *entity,
                   const char *type, const json_t *detail);

/* As engine_journal, with the detail as JSON object text (stolen; may be
 * NULL). */
int engine_journal_text(struct engine *eng, const char *kind,
                        const char *entity, const char *type, char *detail);

/* The clock was changed by hand: save it (in the caller's change) and
 * re-arm the timer. Returns: 0 or the store error. */
int engine_clock_changed(struct engine *eng);

/* Reload every service's memory from the store (after a restore, a
 * reset or a failed commit). Returns: 0 or an error. */
int engine_reload(struct engine *eng);

/* Returns: new reference; GET /v1/info. */
json_t *engine_info(struct engine *eng);

/*
 * Services with work of their own in the loop (child processes' pipes,
 * HTTP pushes) watch file descriptors and ask for turns here, so the
 * engine never blocks on them.
 *
 * A watch calls fn(fd, events, arg) on the engine thread when epoll
 * reports `events` (EPOLLIN, EPOLLOUT, ...) for fd, outside any store
 * change: a callback that changes state opens its own with
 * engine_write_begin/end, and the loop commits it this turn.
 */
typedef void (*engine_watch_fn)(int fd, uint32_t events, void *arg);

/* Returns: 0 and *out, or ENG_ERR (epoll refused the fd). */
int engine_watch_add(struct engine_watch **out, struct engine *eng, int fd,
                     uint32_t events, engine_watch_fn fn, void *arg);
/* Change the events watched. Returns: 0 or ENG_ERR. */
int engine_watch_mod(struct engine_watch *w, uint32_t events);
/* Stop watching (before closing the fd); fn is not called again. Safe
 * from inside fn. NULL-safe. */
void engine_watch_del(struct engine_watch *w);

/*
 * A hook: every loop turn, before the commit, run(arg) is called (outside
 * any store change); next(arg) returns the monotonic ms at which the
 * service next needs a turn (INT64_MAX: none), and the loop wakes by
 * then. Hooks live as long as the engine. Either function may be NULL.
 */
typedef int64_t (*engine_next_fn)(void *arg);
typedef void (*engine_run_fn)(void *arg);
void engine_hook_add(struct engine *eng, engine_next_fn next,
                     engine_run_fn run, void *arg);

/* Drop every hook (engine_free does; so do engines built by hand). */
void engine_hooks_clear(struct engine *eng);

/*
 * Parse and check a listen address. Returns: 0 with host and port in
 * out (NUL-terminated, brackets stripped), or ENG_EINVAL.
 */
int engine_parse_listen(char *host, size_t hostlen, char *port,
                        size_t portlen, const char *listen);

#endif
