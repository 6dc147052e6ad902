/*
 * view_templates: the catalog of application templates (GET
 * /v1/templates): name, source, resource count and description, and
 * the load error of a template that does not load, in red. '/' filters
 * by regex on the name, description and error; Enter opens one in
 * view_template.
 */
#ifndef FLOWDECK_VIEW_TEMPLATES_H
#define FLOWDECK_VIEW_TEMPLATES_H

#include "view.h"

extern const struct view_ops view_templates_ops;

#endif
