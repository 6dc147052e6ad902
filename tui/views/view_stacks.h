/*
 * view_stacks: every stack deployed from a template (GET /v1/stacks):
 * its template, status, resource count, deploys and last update,
 * refreshed every second; '/' filters by regex on the name and the
 * template, Enter opens one in view_stack.
 */
#ifndef FLOWDECK_VIEW_STACKS_H
#define FLOWDECK_VIEW_STACKS_H

#include "view.h"

extern const struct view_ops view_stacks_ops;

#endif
