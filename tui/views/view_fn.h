/*
 * view_fn: one function (":function NAME"): what it runs, its limits and
 * queue triggers, and its finished invocations, newest first, with their
 * trigger, duration and status, refreshed every second. i invokes it
 * with an input typed in a form (ctrl-e: in $EDITOR), '/' filters,
 * Enter opens an invocation in view_invocation.
 */
#ifndef FLOWDECK_VIEW_FN_H
#define FLOWDECK_VIEW_FN_H

#include "view.h"

extern const struct view_ops view_fn_ops;

#endif
