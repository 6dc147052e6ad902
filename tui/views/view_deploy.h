/*
 * view_deploy: one deploy of a stack (":deploy STACK"): every resource
 * with the states it went through (Creating, Updating, Ready, Unchanged,
 * Deleting, Deleted, Failed), or the engine's message when it refused
 * the deploy; then the template's samples, where s (or Enter) starts the
 * selected sample's flow with its input and opens the execution.
 * Opened by view_deploy_open() it deploys; opened by name it shows the
 * stack's last deploy from its events.
 */
#ifndef FLOWDECK_VIEW_DEPLOY_H
#define FLOWDECK_VIEW_DEPLOY_H

#include "view.h"

#include <stddef.h>

struct app;

extern const struct view_ops view_deploy_ops;

/*
 * Open the deploy screen over the current one and POST /v1/stacks with
 * `req` ({"template", "stack"?, "params"?}; borrowed) from it. Safe from
 * a key handler. Returns: 0, or -1 with a flash.
 */
int view_deploy_open(struct app *app, const json_t *req);

/*
 * The state `status` of a resource ("ready", ...) as the console shows
 * it: "✔ Ready" (ASCII "+ Ready" unless `utf8`) into `out`, and its
 * colour in *attr. Returns: out.
 */
const char *view_deploy_status(char *out, size_t n, const char *status,
                               int utf8, attr_t *attr);

#endif
