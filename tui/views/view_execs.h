/*
 * view_execs: executions, newest first (GET /v1/executions), refreshed
 * every second; f cycles the status filter, Enter opens one in
 * view_exec. ":execs FLOW" shows one flow's.
 *
 * It also keeps what the flow screens share about executions: status
 * glyphs and their colours, and the engine clock that ages are counted
 * on.
 */
#ifndef FLOWDECK_VIEW_EXECS_H
#define FLOWDECK_VIEW_EXECS_H

#include "view.h"

#include <stddef.h>
#include <stdint.h>

extern const struct view_ops view_execs_ops;

/* the engine clock as /v1/info last told it */
struct view_execs_clock {
    int known;      /* an info has been seen */
    int64_t now_ms; /* engine time then */
    int64_t at;     /* timefmt_mono_ms() then */
    double scale;   /* engine ms per real ms; 0 when paused */
};

/* Remember the clock of /v1/info `info` (borrowed; may be NULL). */
void view_execs_clock_set(struct view_execs_clock *c, const json_t *info);

/* Returns: engine time now in ms (the real time before any info). */
int64_t view_execs_clock_now(const struct view_execs_clock *c);

/*
 * Returns: borrowed; the glyph of an execution status ("Running"), a
 * graph node status ("waiting") or a current step's state ("retrying"):
 * ▶ ⏸ ✔ ✖ ↻ · and with !utf8 > = + x ~ . ("?" when unknown).
 */
const char *view_execs_glyph(const char *status, int utf8);

/* Returns: the attributes that go with view_execs_glyph(status). */
attr_t view_execs_attr(const char *status);

/* Returns: 0 and the RFC 3339 time `when` in ms, or -1 when `when` is
 * NULL or no time. */
int view_execs_time(int64_t *out, const char *when);

/*
 * Write how long ago the RFC 3339 time `when` was at `now_ms` ("14m00s")
 * into out; "-" when `when` is NULL or no time.
 */
void view_execs_age(char *out, size_t n, int64_t now_ms, const char *when);

/* Write "2026-11-21 08:12:01" (local time) of the RFC 3339 `when`, or
 * "-", into out. */
void view_execs_local_time(char *out, size_t n, const char *when);

#endif
