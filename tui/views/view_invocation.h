/*
 * view_invocation: one invocation (":invocation FUNCTION/ID"): its
 * status, trigger, duration and exit status, its input, its result or
 * error, and its log, in a pager; asked again every second until it has
 * finished.
 */
#ifndef FLOWDECK_VIEW_INVOCATION_H
#define FLOWDECK_VIEW_INVOCATION_H

#include "view.h"

extern const struct view_ops view_invocation_ops;

#endif
