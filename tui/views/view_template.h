/*
 * view_template: one template (":template NAME", or "repo:REPO/NAME"):
 * its README, parameters with their defaults, patterns and allowed
 * values, resources as written and samples, in one pager; or the error
 * that keeps it from loading. d deploys it through a form holding the
 * stack's name and every parameter, prefilled with the defaults, and
 * opens view_deploy.
 */
#ifndef FLOWDECK_VIEW_TEMPLATE_H
#define FLOWDECK_VIEW_TEMPLATE_H

#include "view.h"

extern const struct view_ops view_template_ops;

/*
 * Returns: a new string naming template `name` from `source` for the
 * API: the name when the source is "bundled" (or NULL), else
 * "SOURCE/NAME" ("repo:R/NAME"); NULL when `name` is NULL.
 */
char *view_template_ref(const char *name, const char *source);

#endif
