/*
 * handlers: every route handler, one h_<resource>.c file each; routes.c
 * lists them in THE table. A handler reads the request, calls services
 * and fills the response; it never touches MHD or formats errors.
 */
#ifndef FLOWDECK_HANDLERS_H
#define FLOWDECK_HANDLERS_H

#include "http/http.h"

/* h_engine.c */
int h_health_get(struct http_req *req, struct http_resp *resp);
int h_info_get(struct http_req *req, struct http_resp *resp);
int h_shutdown_post(struct http_req *req, struct http_resp *resp);
int h_logs_get(struct http_req *req, struct http_resp *resp);

/* h_clock.c */
int h_clock_get(struct http_req *req, struct http_resp *resp);
int h_clock_post(struct http_req *req, struct http_resp *resp);

/* h_timers.c */
int h_timers_list(struct http_req *req, struct http_resp *resp);
int h_timers_add(struct http_req *req, struct http_resp *resp);
int h_timers_cancel(struct http_req *req, struct http_resp *resp);

/* h_journal.c */
int h_journal_list(struct http_req *req, struct http_resp *resp);

/* h_snapshots.c */
int h_snapshots_list(struct http_req *req, struct http_resp *resp);
int h_snapshots_save(struct http_req *req, struct http_resp *resp);
int h_snapshots_restore(struct http_req *req, struct http_resp *resp);
int h_snapshots_delete(struct http_req *req, struct http_resp *resp);
int h_reset_post(struct http_req *req, struct http_resp *resp);

/* h_flows.c */
int h_flows_list(struct http_req *req, struct http_resp *resp);
int h_flows_deploy(struct http_req *req, struct http_resp *resp);
int h_flows_validate(struct http_req *req, struct http_resp *resp);
int h_flows_get(struct http_req *req, struct http_resp *resp);
int h_flows_delete(struct http_req *req, struct http_resp *resp);
int h_flows_versions(struct http_req *req, struct http_resp *resp);
int h_flows_diff(struct http_req *req, struct http_resp *resp);

/* h_exec.c */
int h_exec_start(struct http_req *req, struct http_resp *resp);
int h_exec_list(struct http_req *req, struct http_resp *resp);
int h_exec_get(struct http_req *req, struct http_resp *resp);
int h_exec_history(struct http_req *req, struct http_resp *resp);
int h_exec_graph(struct http_req *req, struct http_resp *resp);
int h_exec_stop(struct http_req *req, struct http_resp *resp);
int h_exec_redrive(struct http_req *req, struct http_resp *resp);
int h_tasks_list(struct http_req *req, struct http_resp *resp);
int h_tasks_get(struct http_req *req, struct http_resp *resp);
int h_tasks_succeed(struct http_req *req, struct http_resp *resp);
int h_tasks_fail(struct http_req *req, struct http_resp *resp);
int h_tasks_heartbeat(struct http_req *req, struct http_resp *resp);

/* h_queues.c */
int h_queues_list(struct http_req *req, struct http_resp *resp);
int h_queues_create(struct http_req *req, struct http_resp *resp);
int h_queues_get(struct http_req *req, struct http_resp *resp);
int h_queues_set(struct http_req *req, struct http_resp *resp);
int h_queues_delete(struct http_req *req, struct http_resp *resp);
int h_queues_purge(struct http_req *req, struct http_resp *resp);
int h_queues_send(struct http_req *req, struct http_resp *resp);
int h_queues_send_batch(struct http_req *req, struct http_resp *resp);
int h_queues_receive(struct http_req *req, struct http_resp *resp);
int h_queues_delete_msgs(struct http_req *req, struct http_resp *resp);
int h_queues_visibility(struct http_req *req, struct http_resp *resp);
int h_queues_peek(struct http_req *req, struct http_resp *resp);
int h_queues_msg_get(struct http_req *req, struct http_resp *resp);
int h_queues_msg_remove(struct http_req *req, struct http_resp *resp);
int h_queues_redrive(struct http_req *req, struct http_resp *resp);

/* h_functions.c */
int h_functions_list(struct http_req *req, struct http_resp *resp);
int h_functions_create(struct http_req *req, struct http_resp *resp);
int h_functions_get(struct http_req *req, struct http_resp *resp);
int h_functions_delete(struct http_req *req, struct http_resp *resp);
int h_functions_invoke(struct http_req *req, struct http_resp *resp);
int h_functions_http(struct http_req *req, struct http_resp *resp);
int h_functions_invocations(struct http_req *req, struct http_resp *resp);
int h_functions_invocation_get(struct http_req *req, struct http_resp *resp);
int h_functions_triggers(struct http_req *req, struct http_resp *resp);
int h_functions_trigger_create(struct http_req *req, struct http_resp *resp);
int h_functions_trigger_get(struct http_req *req, struct http_resp *resp);
int h_functions_trigger_delete(struct http_req *req, struct http_resp *resp);
int h_functions_trigger_pause(struct http_req *req, struct http_resp *resp);
int h_functions_trigger_resume(struct http_req *req, struct http_resp *resp);

/* h_repos.c */
int h_repos_list(struct http_req *req, struct http_resp *resp);
int h_repos_add(struct http_req *req, struct http_resp *resp);
int h_repos_get(struct http_req *req, struct http_resp *resp);
int h_repos_remove(struct http_req *req, struct http_resp *resp);
int h_repos_update(struct http_req *req, struct http_resp *resp);

/* h_templates.c */
int h_templates_list(struct http_req *req, struct http_resp *resp);
int h_templates_get(struct http_req *req, struct http_resp *resp);
int h_stacks_deploy(struct http_req *req, struct http_resp *resp);
int h_stacks_list(struct http_req *req, struct http_resp *resp);
int h_stacks_get(struct http_req *req, struct http_resp *resp);
int h_stacks_events(struct http_req *req, struct http_resp *resp);
int h_stacks_delete(struct http_req *req, struct http_resp *resp);

/* h_topics.c */
int h_topics_list(struct http_req *req, struct http_resp *resp);
int h_topics_create(struct http_req *req, struct http_resp *resp);
int h_topics_get(struct http_req *req, struct http_resp *resp);
int h_topics_delete(struct http_req *req, struct http_resp *resp);
int h_topics_subs_list(struct http_req *req, struct http_resp *resp);
int h_topics_subscribe(struct http_req *req, struct http_resp *resp);
int h_topics_sub_get(struct http_req *req, struct http_resp *resp);
int h_topics_unsubscribe(struct http_req *req, struct http_resp *resp);
int h_topics_publish(struct http_req *req, struct http_resp *resp);
int h_topics_explain(struct http_req *req, struct http_resp *resp);
int h_topics_message_get(struct http_req *req, struct http_resp *resp);
int h_topics_deliveries(struct http_req *req, struct http_resp *resp);
int h_topics_sub_deliveries(struct http_req *req, struct http_resp *resp);
int h_topics_redeliver(struct http_req *req, struct http_resp *resp);

#endif
