/*
 * view_queues: every queue with its counts (GET /v1/queues), refreshed
 * every second; '/' filters by regex, Enter opens one in view_queue.
 */
#ifndef FLOWDECK_VIEW_QUEUES_H
#define FLOWDECK_VIEW_QUEUES_H

#include "view.h"

extern const struct view_ops view_queues_ops;

#endif
