/*
 * h_timers: list the durable schedule; add and cancel "note" timers.
 */
#include "http/handlers.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/timefmt.h"
#include "core/engine.h"
#include "core/sched.h"

#include <stdlib.h>
#include <string.h>

int
h_timers_list(struct http_req *req, struct http_resp *resp)
{
    int64_t limit;
    json_t *out;
    int rc;

    if ((rc = http_req_query_int(&limit, req, "limit", 50, 1, 1000)) ||
        (rc = sched_list(&out, req->eng->sched, http_req_query(req, "kind"),
                         http_req_query(req, "cursor"), (int)limit)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}

int
h_timers_add(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"kind", "after", "at", "ref",
                                       "payload", NULL};
    const char *kind = "note", *after = NULL, *at = NULL, *ref = "";
    json_t *payload = json_object_get(req->json, "payload");
    int64_t due, delta, id;
    int rc;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = jsonx_get_str(&kind, req->json, "kind", 0)) ||
        (rc = jsonx_get_str(&after, req->json, "after", 0)) ||
        (rc = jsonx_get_str(&at, req->json, "at", 0)) ||
        (rc = jsonx_get_str(&ref, req->json, "ref", 0)))
        return rc;
    if (strcmp(kind, "note") != 0)
        return err_set(ENG_EINVAL, "field 'kind' is '%s'; the API adds only "
                                   "'note' timers", kind);
    if (strlen(ref) > 256)
        return err_set(ENG_EINVAL, "field 'ref' is longer than 256 bytes");
    if ((after == NULL) == (at == NULL))
        return err_set(ENG_EINVAL, "give exactly one of 'after' (a duration "
                                   "like 10m) and 'at' (an RFC 3339 time)");
    if (after) {
        if ((rc = timefmt_parse_duration(&delta, after)))
            return err_set(rc, "field 'after': %s", err_last());
        due = engine_now(req->eng) + delta;
    } else if ((rc = timefmt_parse_rfc3339(&due, at))) {
        return err_set(rc, "field 'at': %s", err_last());
    }
    if ((rc = sched_add(&id, req->eng->sched, due, kind, ref, payload)))
        return rc;
    return http_reply_json_new(
        resp, 201, json_pack("{s:I, s:s, s:s, s:o, s:I, s:O}", "id",
                             (json_int_t)id, "kind", kind, "ref", ref, "due",
                             jsonx_time(due), "due_ms", (json_int_t)due,
                             "payload", payload ? payload : json_null()));
}

int
h_timers_cancel(struct http_req *req, struct http_resp *resp)
{
    char *end;
    long long id = strtoll(req->params[0], &end, 10);
    int rc;

    if (*end != '\0' || id <= 0)
        return err_set(ENG_EINVAL, "timer id '%s' is not a positive integer",
                       req->params[0]);
    if ((rc = sched_cancel(req->eng->sched, id)))
        return rc;
    return http_reply_empty(resp, 204);
}
