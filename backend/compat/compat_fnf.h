/*
 * compat_fnf: what the Serverless Workflow (FnF 2019-03-15) adapter's
 * files share: its parameter readers, its reply and its actions. Not
 * for outside backend/compat/compat_fnf*.c. Engine thread only.
 */
#ifndef FLOWDECK_COMPAT_FNF_H
#define FLOWDECK_COMPAT_FNF_H

#include "compat/compat_int.h"

#include <stdint.h>

/*
 * A required parameter: present and not empty.
 * Returns: 0 and borrowed *out; ENG_EINVAL (MissingRequiredParams).
 */
int compat_fnf_need(const char **out, const struct compat_call *c,
                    const char *key);

/* Returns: borrowed; an optional parameter, NULL when absent or empty. */
const char *compat_fnf_opt(const struct compat_call *c, const char *key);

/*
 * An integer parameter in [min, max], `def` when absent or empty.
 * Returns: 0; ENG_EINVAL (InvalidArgument) naming it and its range.
 */
int compat_fnf_int(int64_t *out, const struct compat_call *c, const char *key,
                   int64_t def, int64_t min, int64_t max);

/* Returns: new object {"RequestId": ...}, the start of every answer. */
json_t *compat_fnf_obj(const struct compat_call *c);

/* Answer 200 with `body` (stolen) and the request id header. Returns: 0. */
int compat_fnf_send(const struct compat_call *c, struct http_resp *resp,
                    json_t *body);

/* Fill resp with the error envelope for `rc` and err_last(), as
 * compat_fnf_error; for a parked request (no call any more) `request_id`
 * and `host_id` are given. */
void compat_fnf_error_resp(struct http_resp *resp, int rc,
                           const char *request_id, const char *host_id);

/* Returns: new; the HostId of the answers (the address the client used). */
char *compat_fnf_host_id(const struct compat_call *c);

/* The executions and tasks actions (compat_fnf_exec.c). */
int compat_fnf_start_execution(struct compat_call *c, struct http_resp *resp);
int compat_fnf_describe_execution(struct compat_call *c,
                                  struct http_resp *resp);
int compat_fnf_list_executions(struct compat_call *c, struct http_resp *resp);
int compat_fnf_stop_execution(struct compat_call *c, struct http_resp *resp);
int compat_fnf_get_execution_history(struct compat_call *c,
                                     struct http_resp *resp);
int compat_fnf_report_task_succeeded(struct compat_call *c,
                                     struct http_resp *resp);
int compat_fnf_report_task_failed(struct compat_call *c,
                                  struct http_resp *resp);

#endif
