/*
 * views: the table of dashboard screens. A new screen is one file in
 * views/ and one row in views.c.
 */
#ifndef FLOWDECK_VIEWS_H
#define FLOWDECK_VIEWS_H

#include "view.h"

/* Returns: the view named `name`, or NULL. */
const struct view_ops *views_find(const char *name);

#endif
