/*
 * h_snapshots: save, list, restore and delete snapshots; reset.
 */
#include "http/handlers.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "core/engine.h"
#include "core/snapshot.h"

int
h_snapshots_list(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = snapshot_list(&out, req->eng);

    if (rc)
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_snapshots_save(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"name", "overwrite", NULL};
    const char *name = NULL;
    int overwrite = 0, rc;
    json_t *out;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = jsonx_get_str(&name, req->json, "name", 1)) ||
        (rc = jsonx_get_bool(&overwrite, req->json, "overwrite", 0)) ||
        (rc = snapshot_save(&out, req->eng, name, overwrite)))
        return rc;
    return http_reply_json_new(resp, 201, out);
}

int
h_snapshots_restore(struct http_req *req, struct http_resp *resp)
{
    int rc = snapshot_restore(req->eng, req->params[0]);

    if (rc)
        return rc;
    return http_reply_json_new(resp, 200,
                               json_pack("{s:s}", "restored", req->params[0]));
}

int
h_snapshots_delete(struct http_req *req, struct http_resp *resp)
{
    int rc = snapshot_delete(req->eng, req->params[0]);

    if (rc)
        return rc;
    return http_reply_empty(resp, 204);
}

int
h_reset_post(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"confirm", NULL};
    int confirm = 0, rc;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = jsonx_get_bool(&confirm, req->json, "confirm", 0)))
        return rc;
    if (!confirm)
        return err_set(ENG_EINVAL, "reset empties the whole state: send "
                                   "{\"confirm\": true}");
    if ((rc = snapshot_reset(req->eng)))
        return rc;
    return http_reply_json_new(resp, 200, json_pack("{s:b}", "reset", 1));
}
