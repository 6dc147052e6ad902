/*
 * clock: the engine clock. Real time by default; can be paused, scaled
 * and advanced, so that long waits and back-offs can be shown in seconds.
 * Every timer in the engine reads this clock, never the system clock.
 *
 * Engine time is anchor_engine + (real - anchor_real) * scale while
 * running, and anchor_engine while paused. It never goes backwards.
 * Pure state: the engine persists it (core/eclock.c).
 */
#ifndef FLOWDECK_CLOCK_H
#define FLOWDECK_CLOCK_H

#include <stdint.h>

#define CLOCK_SCALE_MAX 1000000.0

struct clock {
    int64_t anchor_engine; /* ms, engine time at the anchor */
    int64_t anchor_real;   /* ms, real time at the anchor */
    double scale;          /* engine ms per real ms */
    int paused;
    /* the real-time source: the system clock, or a test's hand */
    int64_t (*real_now)(void *arg);
    void *real_arg;
};

/* A real-time clock: engine time equals the system clock. */
void clock_init(struct clock *c);

/* Back to real time, keeping c's real-time source (a test's hand). */
void clock_init_keep_source(struct clock *c);

/* Returns: engine time now, in ms since the epoch. */
int64_t clock_now(const struct clock *c);

void clock_pause(struct clock *c);
void clock_resume(struct clock *c);

/* Returns: 0, or ENG_EINVAL unless 0 < scale <= CLOCK_SCALE_MAX. */
int clock_set_scale(struct clock *c, double scale);

/* Move engine time forward by ms (>= 0). Returns: 0 or ENG_EINVAL. */
int clock_advance(struct clock *c, int64_t ms);

/*
 * Returns: real ms from now until engine time reaches `due` (0 when it
 * has), or -1 when the clock is paused and it never will by itself.
 */
int64_t clock_real_delay(const struct clock *c, int64_t due);

/* Returns: "real", "paused" or "scaled". */
const char *clock_mode(const struct clock *c);

#endif
