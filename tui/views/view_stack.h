/*
 * view_stack: one stack (":stack NAME"): its template, parameters and
 * status, the resources it owns with their states, and the history of
 * every state change of its deploys, newest last, refreshed every
 * second. Enter on a resource opens its screen (queue, flow, topic,
 * function; a subscription its topic, a trigger its function) when the
 * console has one; D deletes the stack after a confirmation, r deploys
 * it again from its template with the same parameters.
 */
#ifndef FLOWDECK_VIEW_STACK_H
#define FLOWDECK_VIEW_STACK_H

#include "view.h"

extern const struct view_ops view_stack_ops;

#endif
