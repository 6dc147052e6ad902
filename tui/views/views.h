/*
 * views: the table of dashboard screens. A new screen is one file in
 * views/ and one row in views.c.
 */
#ifndef FLOWDECK_VIEWS_H
#define FLOWDECK_VIEWS_H

#include "view.h"

/* Returns: the i-th view (0: the first one shown), or NULL past the end. */
const struct view_ops *views_at(size_t i);

/* Returns: the view named `name`, or NULL. */
const struct view_ops *views_find(const char *name);

#endif
