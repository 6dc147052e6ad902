/*
 * view_flow: one flow (":flow NAME"): its definition in a pager with
 * line numbers and its versions, newest first; v switches to the
 * versions, where Enter shows that version's definition. s starts an
 * execution (a name and an input object) and opens it; e shows the
 * flow's executions.
 *
 * It also exports the start form, which the flow list uses too.
 */
#ifndef FLOWDECK_VIEW_FLOW_H
#define FLOWDECK_VIEW_FLOW_H

#include "view.h"
#include "widgets/w_form.h"

extern const struct view_ops view_flow_ops;

struct app;

/* the "Start an execution" form */
struct view_flow_start {
    struct w_form form;
    char *flow; /* the flow it starts, or NULL when closed */
};

/* Open the form for `flow`. */
void view_flow_start_open(struct view_flow_start *s, const char *flow);

/*
 * Give the open form a key. On Enter it checks the name and that the
 * input is a JSON object (refusing in place), then POSTs /v1/executions
 * with `done` and `arg` (the calling view's state) as app_request()
 * takes them, and closes. Returns: VIEW_* bits.
 */
int view_flow_start_key(struct view_flow_start *s, struct app *app, int ch,
                        void (*done)(int rc, json_t *body, void *arg),
                        void *arg);

/* For the `done` of view_flow_start_key(): say how it went and open the
 * execution started. */
void view_flow_start_done(struct app *app, int rc, json_t *body);

void view_flow_start_draw(struct view_flow_start *s, WINDOW *win, int utf8);
void view_flow_start_free(struct view_flow_start *s);

#endif
