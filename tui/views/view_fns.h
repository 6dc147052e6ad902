/*
 * view_fns: every function (GET /v1/functions) with its command or URL,
 * its queue triggers and how its last invocation went, refreshed every
 * second; '/' filters by regex, Enter opens one in view_fn.
 */
#ifndef FLOWDECK_VIEW_FNS_H
#define FLOWDECK_VIEW_FNS_H

#include "view.h"

#include <stddef.h>

extern const struct view_ops view_fns_ops;

/* Write a function's command line (argv joined by spaces) or its URL
 * into out; `f` is borrowed. */
void view_fns_what(char *out, size_t n, const json_t *f);

#endif
