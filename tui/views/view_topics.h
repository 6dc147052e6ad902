/*
 * view_topics: every topic (GET /v1/topics) with its subscriptions,
 * messages published and deliveries pending or failed, refreshed every
 * second; '/' filters by regex, Enter opens one in view_topic.
 */
#ifndef FLOWDECK_VIEW_TOPICS_H
#define FLOWDECK_VIEW_TOPICS_H

#include "view.h"

extern const struct view_ops view_topics_ops;

#endif
