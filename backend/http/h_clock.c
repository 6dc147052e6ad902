/*
 * h_clock: read and steer the engine clock.
 */
#include "http/handlers.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/timefmt.h"
#include "core/eclock.h"
#include "core/engine.h"

#include <string.h>

int
h_clock_get(struct http_req *req, struct http_resp *resp)
{
    return http_reply_json_new(resp, 200, eclock_to_json(&req->eng->clock));
}

int
h_clock_post(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"action", "scale", "by", "by_ms", NULL};
    struct engine *eng = req->eng;
    struct clock next = eng->clock;
    const char *action = NULL, *by = NULL;
    json_t *detail;
    int rc;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = jsonx_get_str(&action, req->json, "action", 1)))
        return rc;
    if (strcmp(action, "pause") == 0) {
        clock_pause(&next);
        detail = json_object();
    } else if (strcmp(action, "resume") == 0) {
        clock_resume(&next);
        detail = json_object();
    } else if (strcmp(action, "scale") == 0) {
        double scale = 0;

        if ((rc = jsonx_get_num(&scale, req->json, "scale", 1)) ||
            (rc = clock_set_scale(&next, scale)))
            return rc;
        detail = json_pack("{s:f}", "scale", scale);
    } else if (strcmp(action, "advance") == 0) {
        int64_t ms = -1;

        if ((rc = jsonx_get_str(&by, req->json, "by", 0)) ||
            (rc = jsonx_get_int(&ms, req->json, "by_ms", 0, 0,
                                (int64_t)9e15)))
            return rc;
        if (by && (rc = timefmt_parse_duration(&ms, by)))
            return err_set(rc, "field 'by': %s", err_last());
        if (ms < 0)
            return err_set(ENG_EINVAL, "advance needs 'by' (a duration "
                                       "like 10m) or 'by_ms'");
        if ((rc = clock_advance(&next, ms)))
            return rc;
        detail = json_pack("{s:I}", "by_ms", (json_int_t)ms);
    } else {
        return err_set(ENG_EINVAL,
                       "field 'action' is '%s'; it must be one of pause, "
                       "resume, scale, advance",
                       action);
    }
    eng->clock = next;
    json_object_set_new(detail, "mode", json_string(clock_mode(&next)));
    rc = engine_clock_changed(eng);
    if (rc == 0)
        rc = engine_journal(eng, "clock", "engine", action, detail);
    json_decref(detail);
    if (rc)
        return rc;
    return http_reply_json_new(resp, 200, eclock_to_json(&eng->clock));
}
