/*
 * routes: THE table of the engine API. Keep it sorted by path. A new
 * endpoint is a handler, one row here and one test in tests/integration.
 */
#include "http/router.h"

#include "http/handlers.h"

#define GET HTTP_GET
#define POST HTTP_POST
#define DELETE HTTP_DELETE
#define PATCH HTTP_PATCH
#define ANY (HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_PUT | HTTP_DELETE | \
             HTTP_PATCH | HTTP_OPTIONS)

const struct route routes[] = {
    /* methods  path                            handler             flags */
    {GET,    "/healthz",                        h_health_get,       ROUTE_PUBLIC},
    {GET,    "/v1/clock",                       h_clock_get,        0},
    {POST,   "/v1/clock",                       h_clock_post,       ROUTE_JSON},
    {GET,    "/v1/executions",                  h_exec_list,        0},
    {POST,   "/v1/executions",                  h_exec_start,       ROUTE_JSON},
    {GET,    "/v1/executions/:name",            h_exec_get,         0},
    {GET,    "/v1/executions/:name/graph",      h_exec_graph,       0},
    {GET,    "/v1/executions/:name/history",    h_exec_history,     0},
    {POST,   "/v1/executions/:name/redrive",    h_exec_redrive,     ROUTE_JSON},
    {POST,   "/v1/executions/:name/stop",       h_exec_stop,        ROUTE_JSON},
    {GET,    "/v1/flows",                       h_flows_list,       0},
    {POST,   "/v1/flows",                       h_flows_deploy,     ROUTE_JSON},
    {POST,   "/v1/flows/validate",              h_flows_validate,   ROUTE_JSON | ROUTE_NOTX},
    {GET,    "/v1/flows/:name",                 h_flows_get,        0},
    {DELETE, "/v1/flows/:name",                 h_flows_delete,     0},
    {GET,    "/v1/flows/:name/diff",            h_flows_diff,       0},
    {GET,    "/v1/flows/:name/versions",        h_flows_versions,   0},
    {GET,    "/v1/functions",                   h_functions_list,   0},
    {POST,   "/v1/functions",                   h_functions_create, ROUTE_JSON},
    {GET,    "/v1/functions/:name",             h_functions_get,    0},
    {DELETE, "/v1/functions/:name",             h_functions_delete, 0},
    {ANY,    "/v1/functions/:name/http/*",      h_functions_http,   0},
    {GET,    "/v1/functions/:name/invocations", h_functions_invocations, 0},
    {POST,   "/v1/functions/:name/invocations", h_functions_invoke, ROUTE_JSON},
    {GET,    "/v1/functions/:name/invocations/:id", h_functions_invocation_get, 0},
    {GET,    "/v1/functions/:name/triggers",    h_functions_triggers, 0},
    {POST,   "/v1/functions/:name/triggers",    h_functions_trigger_create, ROUTE_JSON},
    {GET,    "/v1/functions/:name/triggers/:id", h_functions_trigger_get, 0},
    {DELETE, "/v1/functions/:name/triggers/:id", h_functions_trigger_delete, 0},
    {POST,   "/v1/functions/:name/triggers/:id/pause", h_functions_trigger_pause, ROUTE_JSON},
    {POST,   "/v1/functions/:name/triggers/:id/resume", h_functions_trigger_resume, ROUTE_JSON},
    {GET,    "/v1/info",                        h_info_get,         0},
    {GET,    "/v1/journal",                     h_journal_list,     0},
    {GET,    "/v1/logs",                        h_logs_get,         0},
    {GET,    "/v1/queues",                      h_queues_list,      0},
    {POST,   "/v1/queues",                      h_queues_create,    ROUTE_JSON},
    {GET,    "/v1/queues/:name",                h_queues_get,       0},
    {PATCH,  "/v1/queues/:name",                h_queues_set,       ROUTE_JSON},
    {DELETE, "/v1/queues/:name",                h_queues_delete,    0},
    {POST,   "/v1/queues/:name/delete",         h_queues_delete_msgs, ROUTE_JSON},
    {GET,    "/v1/queues/:name/messages",       h_queues_peek,      0},
    {POST,   "/v1/queues/:name/messages",       h_queues_send,      ROUTE_JSON},
    {POST,   "/v1/queues/:name/messages/batch", h_queues_send_batch, ROUTE_JSON},
    {GET,    "/v1/queues/:name/messages/:id",   h_queues_msg_get,   0},
    {DELETE, "/v1/queues/:name/messages/:id",   h_queues_msg_remove, 0},
    {POST,   "/v1/queues/:name/purge",          h_queues_purge,     ROUTE_JSON},
    {POST,   "/v1/queues/:name/receive",        h_queues_receive,   ROUTE_JSON},
    {POST,   "/v1/queues/:name/redrive",        h_queues_redrive,   ROUTE_JSON},
    {POST,   "/v1/queues/:name/visibility",     h_queues_visibility, ROUTE_JSON},
    {POST,   "/v1/reset",                       h_reset_post,       ROUTE_JSON | ROUTE_NOTX},
    {POST,   "/v1/shutdown",                    h_shutdown_post,    ROUTE_JSON | ROUTE_NOTX},
    {GET,    "/v1/snapshots",                   h_snapshots_list,   0},
    {POST,   "/v1/snapshots",                   h_snapshots_save,   ROUTE_JSON | ROUTE_NOTX},
    {DELETE, "/v1/snapshots/:name",             h_snapshots_delete, ROUTE_NOTX},
    {POST,   "/v1/snapshots/:name/restore",     h_snapshots_restore, ROUTE_JSON | ROUTE_NOTX},
    {GET,    "/v1/tasks",                       h_tasks_list,       0},
    {GET,    "/v1/tasks/:token",                h_tasks_get,        0},
    {POST,   "/v1/tasks/:token/fail",           h_tasks_fail,       ROUTE_JSON},
    {POST,   "/v1/tasks/:token/heartbeat",      h_tasks_heartbeat,  ROUTE_JSON},
    {POST,   "/v1/tasks/:token/succeed",        h_tasks_succeed,    ROUTE_JSON},
    {GET,    "/v1/timers",                      h_timers_list,      0},
    {POST,   "/v1/timers",                      h_timers_add,       ROUTE_JSON},
    {DELETE, "/v1/timers/:id",                  h_timers_cancel,    0},
    {0, NULL, NULL, 0},
};
