/*
 * eclock: clock state <-> meta row "clock" (a small JSON object).
 */
#include "core/eclock.h"

#include "common/clock.h"
#include "common/jsonx.h"
#include "common/timefmt.h"
#include "store/store.h"

#include <stdlib.h>

int
eclock_load(struct clock *c, struct store *st)
{
    char *text = store_meta_get(st, "clock");
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    json_int_t ae, ar;
    double scale;
    int paused;

    clock_init_keep_source(c);
    if (j && json_unpack(j, "{s:I, s:I, s:F, s:b}", "anchor_engine", &ae,
                         "anchor_real", &ar, "scale", &scale, "paused",
                         &paused) == 0 &&
        scale > 0 && scale <= CLOCK_SCALE_MAX) {
        c->anchor_engine = ae;
        c->anchor_real = ar;
        c->scale = scale;
        c->paused = paused;
    }
    json_decref(j);
    free(text);
    return 0;
}

int
eclock_save(const struct clock *c, struct store *st)
{
    json_t *j = json_pack("{s:I, s:I, s:f, s:b}", "anchor_engine",
                          (json_int_t)c->anchor_engine, "anchor_real",
                          (json_int_t)c->anchor_real, "scale", c->scale,
                          "paused", c->paused);
    char *text = jsonx_dump(j);
    int rc = store_meta_set(st, "clock", text);

    free(text);
    json_decref(j);
    return rc;
}

json_t *
eclock_to_json(const struct clock *c)
{
    int64_t now = clock_now(c);

    return json_pack("{s:s, s:b, s:f, s:o, s:I, s:I}", "mode", clock_mode(c),
                     "paused", c->paused, "scale", c->scale, "now",
                     jsonx_time(now), "now_ms", (json_int_t)now, "offset_ms",
                     (json_int_t)(now - c->real_now(c->real_arg)));
}
