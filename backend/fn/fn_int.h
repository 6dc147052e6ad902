/*
 * fn_int: what fn.c, fn_run.c and fn_trigger.c share. Engine thread only.
 */
#ifndef FLOWDECK_FN_INT_H
#define FLOWDECK_FN_INT_H

#include "common/buf.h"
#include "fn/fn.h"

#include "common/lazycurl.h"
#include <sys/types.h>

struct engine_watch;

enum fn_inv_state { FN_QUEUED, FN_RUNNING, FN_FINISHED };

struct fn_inv {
    struct fn_service *fs;
    char id[40];
    char *function;
    char *trigger;
    json_t *event; /* owned */
    json_t *spec;  /* owned: the definition when invoked */
    fn_done_fn done;
    void *arg;
    enum fn_inv_state state;
    int64_t queued_mono, started_mono, deadline_mono;
    int64_t started_ms; /* engine time */
    int timed_out;
    /* a command */
    pid_t pid;
    int pidfd, in_fd, out_fd, err_fd;
    struct engine_watch *w_pid, *w_in, *w_out, *w_err;
    char *in_data;
    size_t in_len, in_off;
    struct buf out;
    int out_flood;
    char *err;     /* the tail of stderr, FN_LOG_MAX at most */
    size_t err_len;
    int err_cut;
    /* an HTTP function */
    CURL *easy;
    struct curl_slist *hdrs;
    long http_status;
    struct fn_inv *next; /* on fs->invs */
};

struct fn_trig_rt; /* fn_trigger.c */

struct fn_service {
    struct engine *eng;
    struct fn_inv *invs; /* queued and running, oldest first */
    CURLM *multi;
    int64_t curl_due; /* monotonic; INT64_MAX none */
    int stopping_done;
    /* queue triggers */
    struct fn_trig_rt *trigs;
    int64_t poll_at; /* monotonic */
    int have_triggers;
    int orphans; /* look for flow tasks left waiting on a lost invocation */
};

/* fn_run.c: start a queued invocation. Returns: 0, or an error already
 * turned into a failed finish (the invocation is then finished). */
void fn_run_start(struct fn_inv *inv);
/* Kill a running invocation's child or transfer (no finish). */
void fn_run_kill(struct fn_inv *inv);
/* Release the process and transfer resources of an invocation. */
void fn_run_release(struct fn_inv *inv);
/* Drive libcurl's timeouts; read finished transfers. */
void fn_run_curl_timeout(struct fn_service *fs);

/* fn.c: finish an invocation: record, journal, call done, unlink and
 * free it. `result` stolen (may be NULL). */
void fn_finish(struct fn_inv *inv, const char *status, json_t *result,
               const char *error, const char *cause, int exit_status);

/* fn.c: record a started invocation as "running" (in its own store
 * change; a failure is logged, fn_finish records it all the same). */
void fn_record_start(struct fn_inv *inv);

/* fn_trigger.c: poll the queues of enabled triggers (from the hook). */
void fn_trigger_poll(struct fn_service *fs);
void fn_trigger_free_all(struct fn_service *fs);

/*
 * Read a queue trigger's answer (`result`, borrowed; may be NULL) for the
 * batch `msgs` ([{"id", "receipt"}], borrowed). Returns: 0 when every
 * message succeeded (no, null or empty batchItemFailures; any other
 * answer); 1 when it is a valid partial failure, appending each failed
 * message id to `keep`; -1 when batchItemFailures is malformed or names
 * an id not in the batch (the whole batch failed).
 */
int fn_trigger_parse_failures(json_t *keep, const json_t *result,
                              const json_t *msgs);

#endif
