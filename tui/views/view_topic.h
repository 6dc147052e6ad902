/*
 * view_topic: one topic (":topic NAME"): its subscriptions with their
 * endpoint, format and filters, and its deliveries with their status,
 * attempts and next retry, one pane at a time (Tab), refreshed every
 * second. a publishes through a form, x explains which subscriptions a
 * message would reach and why, R sends the selected delivery again,
 * Enter shows a delivery's attempts (or a subscription's deliveries).
 */
#ifndef FLOWDECK_VIEW_TOPIC_H
#define FLOWDECK_VIEW_TOPIC_H

#include "view.h"

extern const struct view_ops view_topic_ops;

#endif
