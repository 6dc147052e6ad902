/*
 * view_flows: every deployed flow (GET /v1/flows) with its version,
 * modification time and description, refreshed every second; '/'
 * filters by regex, Enter opens one in view_flow, s starts an execution
 * of the selected flow, e shows its executions.
 */
#ifndef FLOWDECK_VIEW_FLOWS_H
#define FLOWDECK_VIEW_FLOWS_H

#include "view.h"

extern const struct view_ops view_flows_ops;

#endif
