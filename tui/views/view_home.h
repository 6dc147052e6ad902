/*
 * view_home: the dashboard's home screen: the engine, its clock and how
 * much it holds, from /v1/info.
 */
#ifndef FLOWDECK_VIEW_HOME_H
#define FLOWDECK_VIEW_HOME_H

#include "view.h"

extern const struct view_ops view_home_ops;

#endif
