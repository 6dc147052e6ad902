/*
 * view_queue: one queue's messages, browsed a page at a time with peek
 * (GET /v1/queues/{q}/messages), which never receives and so never
 * changes a count. Opens view_message on Enter; sends, deletes, purges
 * and, in a dead-letter queue, redrives.
 */
#ifndef FLOWDECK_VIEW_QUEUE_H
#define FLOWDECK_VIEW_QUEUE_H

#include "view.h"

extern const struct view_ops view_queue_ops;

#endif
