/*
 * view_logs: the engine's log (GET /v1/logs), the last lines and then
 * the new ones as they come, one per row; '/' filters by regex, Enter
 * shows a line's whole object.
 */
#ifndef FLOWDECK_VIEW_LOGS_H
#define FLOWDECK_VIEW_LOGS_H

#include "view.h"

extern const struct view_ops view_logs_ops;

#endif
