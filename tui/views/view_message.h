/*
 * view_message: one message in full: every system field, attributes,
 * the body (pretty-printed when it is JSON) and its journal. Opened with
 * "<queue>/<id>".
 */
#ifndef FLOWDECK_VIEW_MESSAGE_H
#define FLOWDECK_VIEW_MESSAGE_H

#include "view.h"

extern const struct view_ops view_message_ops;

#endif
