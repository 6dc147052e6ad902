/*
 * clock: engine time as a function of real time; see clock.h.
 */
#include "common/clock.h"

#include "common/err.h"
#include "common/timefmt.h"

#include <math.h>

static int64_t
clock_system_now(void *arg)
{
    (void)arg;
    return timefmt_real_now_ms();
}

static int64_t
clock_real(const struct clock *c)
{
    return c->real_now(c->real_arg);
}

void
clock_init(struct clock *c)
{
    c->real_now = clock_system_now;
    c->real_arg = NULL;
    clock_init_keep_source(c);
}

void
clock_init_keep_source(struct clock *c)
{
    c->anchor_real = clock_real(c);
    c->anchor_engine = c->anchor_real;
    c->scale = 1.0;
    c->paused = 0;
}

int64_t
clock_now(const struct clock *c)
{
    int64_t real;

    if (c->paused)
        return c->anchor_engine;
    real = clock_real(c);
    if (real <= c->anchor_real) /* the system clock stepped back */
        return c->anchor_engine;
    return c->anchor_engine +
           (int64_t)((double)(real - c->anchor_real) * c->scale);
}

/* start a new segment at the current instant */
static void
clock_reanchor(struct clock *c)
{
    c->anchor_engine = clock_now(c);
    c->anchor_real = clock_real(c);
}

void
clock_pause(struct clock *c)
{
    clock_reanchor(c);
    c->paused = 1;
}

void
clock_resume(struct clock *c)
{
    clock_reanchor(c);
    c->paused = 0;
}

int
clock_set_scale(struct clock *c, double scale)
{
    if (!isfinite(scale) || scale <= 0 || scale > CLOCK_SCALE_MAX)
        return err_set(ENG_EINVAL,
                       "scale must be a number above 0 and at most %.0f",
                       CLOCK_SCALE_MAX);
    clock_reanchor(c);
    c->scale = scale;
    return 0;
}

int
clock_advance(struct clock *c, int64_t ms)
{
    if (ms < 0)
        return err_set(ENG_EINVAL,
                       "the clock only moves forward: advance must be >= 0");
    clock_reanchor(c);
    c->anchor_engine += ms;
    return 0;
}

int64_t
clock_real_delay(const struct clock *c, int64_t due)
{
    int64_t now = clock_now(c);
    double real;

    if (due <= now)
        return 0;
    if (c->paused)
        return -1;
    real = ceil((double)(due - now) / c->scale);
    if (real > 9.0e15)
        return (int64_t)9.0e15;
    /* engine time truncates: make sure the delay really reaches due */
    {
        int64_t d = (int64_t)real, r = clock_real(c);

        while (c->anchor_engine +
                   (int64_t)((double)(r + d - c->anchor_real) * c->scale) <
               due)
            d++;
        return d;
    }
}

const char *
clock_mode(const struct clock *c)
{
    if (c->paused)
        return "paused";
    return c->scale == 1.0 ? "real" : "scaled";
}
