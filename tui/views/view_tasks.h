/*
 * view_tasks: the callback inbox: the tasks waiting for a callback (GET
 * /v1/tasks), oldest first, refreshed every second; a shows every task,
 * S / F / H succeed, fail or heartbeat the selected one, Enter opens its
 * execution.
 *
 * It also exports the callback forms, which the execution screen uses
 * for the task its selected step waits on.
 */
#ifndef FLOWDECK_VIEW_TASKS_H
#define FLOWDECK_VIEW_TASKS_H

#include "view.h"
#include "widgets/w_form.h"

#include <stddef.h>

extern const struct view_ops view_tasks_ops;

struct app;

enum view_tasks_call { VIEW_TASKS_SUCCEED, VIEW_TASKS_FAIL };

/* a callback form for one task token */
struct view_tasks_act {
    struct w_form form;
    enum view_tasks_call call;
    char *token; /* of the task, or NULL when closed */
    char *what;  /* "exec-7f3a / charge", for titles and messages */
    char *sent;  /* what the last callback sent did, for its answer */
};

/* Open the succeed or fail form for `token`; `what` names the task. */
void view_tasks_act_open(struct view_tasks_act *a, enum view_tasks_call call,
                         const char *token, const char *what);

/*
 * Give the open form a key. On Enter it checks what was typed (succeed:
 * the output is a JSON object, empty meaning {}; fail: an error name),
 * refusing in place, else POSTs the callback with `done` and `arg` (the
 * calling view's state) as app_request() takes them, and closes.
 * Returns: VIEW_* bits.
 */
int view_tasks_act_key(struct view_tasks_act *a, struct app *app, int ch,
                       void (*done)(int rc, json_t *body, void *arg),
                       void *arg);

/* POST a heartbeat for `token` (what: as for view_tasks_act_open). */
void view_tasks_heartbeat(struct view_tasks_act *a, struct app *app,
                          const char *token, const char *what,
                          void (*done)(int rc, json_t *body, void *arg),
                          void *arg);

/* The key of a screen that calls back the task of `token`: 'S' opens the
 * succeed form, 'F' the fail form, 'H' sends a heartbeat (with `done`
 * and `arg`, as above). */
void view_tasks_act_call(struct view_tasks_act *a, struct app *app,
                         int which, const char *token, const char *what,
                         void (*done)(int rc, json_t *body, void *arg),
                         void *arg);

/* For the `done` of the two above: say how it went. */
void view_tasks_act_done(struct view_tasks_act *a, struct app *app, int rc);

void view_tasks_act_draw(struct view_tasks_act *a, WINDOW *win, int utf8);
void view_tasks_act_free(struct view_tasks_act *a);

/* Write where a task's token went, from its `target` (borrowed; may be
 * NULL): "queue jobs · message 5F2C…", into out. */
void view_tasks_target(char *out, size_t n, const json_t *target, int utf8);

#endif
