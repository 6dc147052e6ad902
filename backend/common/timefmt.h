/*
 * timefmt: times as milliseconds since the Unix epoch (UTC), and their
 * text forms: RFC 3339 with milliseconds, and durations like "1h30m".
 */
#ifndef FLOWDECK_TIMEFMT_H
#define FLOWDECK_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TIMEFMT_MAX 48

/* Returns: the system's wall clock in ms. Only the engine clock and the
 * logger call this; everything else asks the engine clock. */
int64_t timefmt_real_now_ms(void);

/* Returns: monotonic ms, for measuring real elapsed time. */
int64_t timefmt_mono_ms(void);

/* Returns: monotonic ns, for spans shorter than a millisecond. */
int64_t timefmt_mono_ns(void);

/* Write "2026-11-21T05:30:00.123Z" into out (TIMEFMT_MAX bytes). */
void timefmt_rfc3339(char *out, int64_t ms);

/*
 * Parse an RFC 3339 time ("...Z" or "...+02:00", fraction optional).
 * Returns: 0, or ENG_EINVAL naming the problem.
 */
int timefmt_parse_rfc3339(int64_t *out, const char *s);

/*
 * Parse a duration: "250ms", "90s", "10m", "1h30m", "2d", or a bare
 * number of seconds ("45", "0.5"). Returns: 0, or ENG_EINVAL.
 */
int timefmt_parse_duration(int64_t *out, const char *s);

/* Write a short human duration: "400ms", "9.0s", "42s", "14m00s",
 * "2h13m", "3d04h". */
void timefmt_duration(char *out, size_t n, int64_t ms);

#endif
