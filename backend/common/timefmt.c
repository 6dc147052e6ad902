/*
 * timefmt: time formatting and parsing; pure functions but for the two
 * readers of system clocks.
 */
#include "common/timefmt.h"

#include "common/err.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t
timefmt_real_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
timefmt_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
timefmt_mono_ms(void)
{
    return timefmt_mono_ns() / 1000000;
}

/* days since 1970-01-01 of a civil date (Howard Hinnant's algorithm) */
static int64_t
timefmt_days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void
timefmt_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* v (0 <= v < 10^n) as n digits, zero-padded */
static void
timefmt_put(char *out, int v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

void
timefmt_rfc3339(char *out, int64_t ms)
{
    int64_t days, rem, y;
    int m, d;

    days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    rem = ms - days * 86400000;
    timefmt_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        snprintf(out, TIMEFMT_MAX,
                 "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d,
                 (int)(rem / 3600000), (int)(rem / 60000 % 60),
                 (int)(rem / 1000 % 60), (int)(rem % 1000));
        return;
    }
    /* by hand: this runs for every time field of every message read,
     * where snprintf cost as much as the rest of the formatting */
    timefmt_put(out, (int)y, 4);
    out[4] = '-';
    timefmt_put(out + 5, m, 2);
    out[7] = '-';
    timefmt_put(out + 8, d, 2);
    out[10] = 'T';
    timefmt_put(out + 11, (int)(rem / 3600000), 2);
    out[13] = ':';
    timefmt_put(out + 14, (int)(rem / 60000 % 60), 2);
    out[16] = ':';
    timefmt_put(out + 17, (int)(rem / 1000 % 60), 2);
    out[19] = '.';
    timefmt_put(out + 20, (int)(rem % 1000), 3);
    out[23] = 'Z';
    out[24] = '\0';
}

static int
timefmt_month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

static int
timefmt_digits(const char **p, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int
timefmt_parse_rfc3339(int64_t *out, const char *s)
{
    const char *p = s;
    int y, mo, d, h, mi, sec, ms = 0, oh = 0, om = 0, sign = 0;
    int64_t t;

    *out = 0;
    if (timefmt_digits(&p, 4, &y) || *p++ != '-' ||
        timefmt_digits(&p, 2, &mo) || *p++ != '-' ||
        timefmt_digits(&p, 2, &d) || (*p != 'T' && *p != 't' && *p != ' '))
        goto bad;
    p++;
    if (timefmt_digits(&p, 2, &h) || *p++ != ':' ||
        timefmt_digits(&p, 2, &mi) || *p++ != ':' ||
        timefmt_digits(&p, 2, &sec))
        goto bad;
    if (*p == '.') {
        int scale = 100;

        p++;
        if (!isdigit((unsigned char)*p))
            goto bad;
        while (isdigit((unsigned char)*p)) {
            ms += (*p - '0') * scale;
            scale /= 10;
            p++;
        }
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p++ == '+' ? 1 : -1;
        if (timefmt_digits(&p, 2, &oh) || *p++ != ':' ||
            timefmt_digits(&p, 2, &om))
            goto bad;
    } else {
        goto bad;
    }
    if (*p != '\0' || mo < 1 || mo > 12 || d < 1 ||
        d > timefmt_month_days(y, mo) || h > 23 || mi > 59 || sec > 60 ||
        oh > 23 || om > 59)
        goto bad;
    t = timefmt_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    t -= sign * (oh * 3600 + om * 60);
    *out = t * 1000 + ms;
    return 0;
bad:
    return err_set(ENG_EINVAL,
                   "'%s' is not an RFC 3339 time (2026-01-31T12:00:00Z)", s);
}

int
timefmt_parse_duration(int64_t *out, const char *s)
{
    const char *p = s;
    double total = 0;
    int parts = 0;

    *out = 0;
    while (*p) {
        char *end;
        double v, unit;

        if (!isdigit((unsigned char)*p) && *p != '.')
            goto bad;
        v = strtod(p, &end);
        if (end == p || !isfinite(v) || v < 0)
            goto bad;
        p = end;
        if (strncmp(p, "ms", 2) == 0) {
            unit = 1;
            p += 2;
        } else if (*p == 's') {
            unit = 1000;
            p++;
        } else if (*p == 'm') {
            unit = 60000;
            p++;
        } else if (*p == 'h') {
            unit = 3600000;
            p++;
        } else if (*p == 'd') {
            unit = 86400000;
            p++;
        } else if (*p == '\0' && parts == 0) {
            unit = 1000; /* a bare number is seconds */
        } else {
            goto bad;
        }
        total += v * unit;
        parts++;
    }
    if (parts == 0 || total > 9.0e15)
        goto bad;
    *out = (int64_t)(total + 0.5);
    return 0;
bad:
    return err_set(ENG_EINVAL,
                   "'%s' is not a duration (like 250ms, 90s, 10m, 1h30m, 2d)",
                   s);
}

void
timefmt_duration(char *out, size_t n, int64_t ms)
{
    const char *sign = "";

    if (ms < 0) {
        sign = "-";
        ms = -ms;
    }
    if (ms < 1000)
        snprintf(out, n, "%s%" PRId64 "ms", sign, ms);
    else if (ms < 10000)
        snprintf(out, n, "%s%.1fs", sign, (double)ms / 1000);
    else if (ms < 60000)
        snprintf(out, n, "%s%" PRId64 "s", sign, ms / 1000);
    else if (ms < 3600000)
        snprintf(out, n, "%s%" PRId64 "m%02" PRId64 "s", sign, ms / 60000,
                 ms / 1000 % 60);
    else if (ms < 86400000)
        snprintf(out, n, "%s%" PRId64 "h%02" PRId64 "m", sign, ms / 3600000,
                 ms / 60000 % 60);
    else
        snprintf(out, n, "%s%" PRId64 "d%02" PRId64 "h", sign, ms / 86400000,
                 ms / 3600000 % 24);
}
