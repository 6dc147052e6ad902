/*
 * h_engine: health, info, shutdown and the engine log.
 */
#include "http/handlers.h"

#include "common/err.h"
#include "core/engine.h"
#include "core/logread.h"

#include <stdlib.h>

int
h_health_get(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    return http_reply_json_new(
        resp, 200, json_pack("{s:s, s:s}", "status", "ok", "name", "flowdeck"));
}

int
h_info_get(struct http_req *req, struct http_resp *resp)
{
    return http_reply_json_new(resp, 200, engine_info(req->eng));
}

int
h_shutdown_post(struct http_req *req, struct http_resp *resp)
{
    engine_request_stop(req->eng);
    return http_reply_json_new(resp, 202,
                               json_pack("{s:b}", "stopping", 1));
}

int
h_logs_get(struct http_req *req, struct http_resp *resp)
{
    int64_t tail, limit, offset = -1;
    json_t *out;
    int rc;

    if ((rc = http_req_query_int(&tail, req, "tail", 100, 1, 10000)) ||
        (rc = http_req_query_int(&limit, req, "limit", 1000, 1, 10000)))
        return rc;
    if (http_req_query(req, "cursor") &&
        (rc = http_req_query_cursor(&offset, req, "cursor")))
        return rc;
    if ((rc = logread(&out, req->eng->log_path, offset,
                      (int)(offset >= 0 ? limit : tail))))
        return rc;
    return http_reply_json_new(resp, 200, out);
}
