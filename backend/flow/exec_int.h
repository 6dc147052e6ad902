/*
 * exec_int: what the executor's files share. An execution in memory is
 * a tree of frames: a frame is one activation of a step list (the flow's,
 * a choice branch's, a parallel branch's, a foreach iteration's) with its
 * input, its local and the state of its current step. A compound step in
 * phase XP_KIDS holds the frames of its branches or iterations.
 */
#ifndef FLOWDECK_EXEC_INT_H
#define FLOWDECK_EXEC_INT_H

#include "flow/exec.h"
#include "flow/flow.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct http_park;

enum xstatus {
    XS_RUNNING,
    XS_SUCCEEDED,
    XS_FAILED,
    XS_STOPPED,
    XS_TIMED_OUT
};

/* The phase of a frame's current step. */
enum xphase {
    XP_ENTER,  /* to be entered (first time, after a redrive or a cancel) */
    XP_TASK,   /* a task waits for its callback (token) */
    XP_SLEEP,  /* a wait step waits for its timer */
    XP_RETRY,  /* a task waits for its next attempt (timer) */
    XP_KIDS,   /* a compound step waits for its frames */
    XP_FAILED  /* it failed; a redrive enters it again */
};

enum xfstatus { XF_RUNNING, XF_DONE, XF_FAILED };

struct xframe;

struct xstep {
    enum xphase phase;
    json_t *input;    /* the step's input; NULL before it is entered */
    char *token;      /* task: the current attempt's token */
    int64_t timer;    /* sleep, retry or task timeout timer id; 0 none */
    int64_t hb_timer; /* task heartbeat timer id; 0 none */
    int64_t since_ms; /* engine time the phase began */
    int64_t entered_ev; /* the StepEntered event */
    int attempt;      /* task attempts begun (1 = the first) */
    int *retries;     /* task: retries used, per retry policy */
    size_t nretries;
    int chosen;       /* choice: the branch taken; -1 the default */
    struct xframe **kids; /* compound: its frames */
    size_t nkids;
    size_t next_kid;  /* foreach: the next iteration to begin */
    json_t *items;    /* foreach: the collection */
    char *error;      /* XP_FAILED */
    char *cause;
};

struct xframe {
    enum xfstatus status;
    int index;         /* branch or iteration index; 0 at the top */
    size_t pc;         /* the current step */
    json_t *input;
    json_t *local;
    int64_t last_ev;   /* the frame's latest event: the next one's cause */
    int exited;        /* Branch/IterationExited was written */
    char *error;       /* XF_FAILED */
    char *cause;
    struct xstep cur;
};

struct xexec {
    int64_t id;
    char *flow;
    char *name;
    char *version;
    const struct flow *def; /* borrowed from the service's cache */
    enum xstatus status;
    json_t *input;          /* the execution input */
    json_t *output;
    char *error;
    char *cause;
    char *parent_token;     /* a parent task waits for this one */
    int64_t started_ms;
    int64_t stopped_ms;
    int64_t next_event;
    struct xframe *root;
    int finished_now;       /* it finished in this change */
    int overflow;           /* past EXEC_MAX_EVENTS: it fails */
};

/* A flow version parsed once (cache entry). */
struct xdef {
    char *version;
    struct flow *flow;
    struct xdef *next;
};

struct exec_waiter {
    struct exec_service *xs;
    int64_t exec_id;
    int64_t deadline; /* monotonic ms */
    exec_wait_fn done;
    void *arg;
    struct exec_waiter *next;
};

/* A callback to deliver once the current operation has saved what it
 * holds: a child execution finished while its parent was in memory. */
struct xpending {
    char *token;
    int ok;
    json_t *output;
    char *error;
    char *cause;
    struct xpending *next;
};

struct exec_service {
    struct engine *eng;
    struct xdef *defs;
    size_t ndefs;
    struct exec_waiter *waiters;
    struct xpending *pending;
    int depth; /* nested operations (child executions) */
    int64_t delivered; /* pending callbacks delivered, ever */
    /* executions by status, kept as they change so /v1/info never scans;
     * counted again after anything that may have undone a change */
    int64_t counts[XS_TIMED_OUT + 1];
    int counts_ok;
};

/* ---- exec_state.c: frames, their JSON, traversal ---- */

const char *xstatus_name(enum xstatus s);
int xstatus_parse(enum xstatus *out, const char *s);
struct xframe *xframe_new(int index, json_t *input, json_t *local);
void xframe_free(struct xframe *f);
void xstep_clear(struct xstep *s);
/* `kid`: a branch or iteration, whose input is derived, not saved. */
json_t *xframe_to_json(const struct xframe *f, int kid);
/* Returns: 0 and a frame, or ENG_ERR for state this build cannot read;
 * derived inputs are NULL until xrun_rebuild(). */
int xframe_from_json(struct xframe **out, const json_t *j);
void xexec_free(struct xexec *x);

/* The step list of kid frame `k` of compound step `s`. */
const struct flow_steps *xkid_list(const struct flow_step *s,
                                   const struct xstep *st);

/* Visit every frame of the tree, depth first, parents first. Stop and
 * return what fn returns when it is not 0. */
typedef int (*xvisit_fn)(struct xframe *f, const struct flow_steps *list,
                         void *arg);
int xvisit(struct xframe *f, const struct flow_steps *list, xvisit_fn fn,
           void *arg);

/* ---- exec_run.c: the interpreter ---- */

/* Advance every frame as far as it goes; finish the execution when its
 * top frame ends. Returns: 0 or the store error. */
int xrun_advance(struct exec_service *xs, struct xexec *x);

/* A task's outcome arrived for the step `f` is on (phase XP_TASK). */
int xrun_task_done(struct exec_service *xs, struct xexec *x,
                   struct xframe *f, const struct flow_steps *list,
                   const json_t *output);
int xrun_task_failed(struct exec_service *xs, struct xexec *x,
                     struct xframe *f, const struct flow_steps *list,
                     const char *error, const char *cause, int timed_out);

/* The timer `timer_id` of the step `f` is on fired. */
int xrun_timer(struct exec_service *xs, struct xexec *x, struct xframe *f,
               const struct flow_steps *list, int64_t timer_id);

/* Drop every task and timer of the tree (stop, failure); tasks get
 * `task_status`. Frames keep their step so a redrive can enter it. */
int xrun_cancel(struct exec_service *xs, struct xexec *x,
                const char *task_status);

/* End a running execution as Stopped. */
int xrun_stop(struct exec_service *xs, struct xexec *x, const char *error,
              const char *cause);

/* Derive the inputs a loaded execution's state leaves out. */
void xrun_rebuild(struct xexec *x);

/* Make the failed steps enterable again (redrive). */
void xrun_unfail(struct xframe *f);

/* Append an event of frame `f` (NULL: the execution's) for `step`
 * ("" for execution events); `detail` is stolen (may be NULL).
 * Returns: 0 and the event id in *id (may be NULL), or the store error. */
int xrun_event(struct exec_service *xs, struct xexec *x, struct xframe *f,
               const char *type, const char *step, json_t *detail,
               int64_t *id);

/* ---- exec.c: the store ---- */

int64_t xs_now(struct exec_service *xs);
struct store *xs_store(struct exec_service *xs);
/* Load an execution by name (and flow: see exec_get). */
int xs_load_named(struct xexec **out, struct exec_service *xs,
                  const char *flow, const char *name);
/* Save the execution's row (status, output, state...). */
int xs_save(struct exec_service *xs, struct xexec *x);
/* The execution finished (in this change): journal, waiters, parent. */
int xs_finished(struct exec_service *xs, struct xexec *x);
/* Describe an execution (docs/api.md). Returns: new reference. */
json_t *xs_describe(struct exec_service *xs, const struct xexec *x);
/* Start a child execution for a task (child flows). */
int xs_start_child(json_t **out, struct exec_service *xs,
                   struct xexec *parent, const char *flow,
                   const json_t *input, const char *parent_token);

/*
 * Apply a callback to execution `exec_id`, whose task holds `token`:
 * what = 's' (succeed with output), 'f' (fail with error, cause) or 'h'
 * (heartbeat: *hb_due, the next one's deadline, 0 when the step has
 * none). *event_id: the TaskSucceeded / TaskFailed event.
 * Returns: 0; ENG_ECONFLICT (TaskNotWaiting); the store error.
 */
int xs_callback(int64_t *event_id, struct exec_service *xs, int64_t exec_id,
                const char *token, int what, const json_t *output,
                const char *error, const char *cause, int64_t *hb_due);

/* ---- exec_task.c: task rows and tokens ---- */

/* Deliver a child execution's outcome to its parent's task. */
int xs_deliver(struct exec_service *xs, struct xpending *p);

/* A new token: base64url("v1#flow#execution#eventId#nonce"). */
char *xtask_token(const struct xexec *x, int64_t event_id);
int xtask_insert(struct exec_service *xs, const struct xexec *x,
                 const char *token, const char *step, int64_t timeout_ms,
                 int64_t heartbeat_ms, const json_t *target);
int xtask_set_status(struct exec_service *xs, const char *token,
                     const char *status);

#endif
