/*
 * log: JSON lines under a mutex; any thread may log.
 */
#include "common/log.h"

#include "common/err.h"
#include "common/timefmt.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;
static int log_stderr;
static enum log_level log_min = LOGL_INFO;

static const char *const log_names[] = {"debug", "info", "warn", "error"};

int
log_parse_level(enum log_level *out, const char *s)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, log_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return err_set(ENG_EINVAL,
                   "log level '%s' is not one of debug, info, warn, error",
                   s);
}

int
log_open(const char *path, enum log_level level, int to_stderr)
{
    FILE *f = NULL;

    if (path) {
        f = fopen(path, "ae");
        if (f == NULL)
            return err_set(ENG_ERR, "cannot open log %s", path);
        setvbuf(f, NULL, _IOLBF, 0);
    }
    pthread_mutex_lock(&log_lock);
    if (log_file)
        fclose(log_file);
    log_file = f;
    log_stderr = to_stderr;
    log_min = level;
    pthread_mutex_unlock(&log_lock);
    return 0;
}

void
log_close(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_file)
        fclose(log_file);
    log_file = NULL;
    log_stderr = 0;
    pthread_mutex_unlock(&log_lock);
}

void
log_fields(enum log_level level, json_t *fields, const char *fmt, ...)
{
    char msg[1024], ts[TIMEFMT_MAX];
    json_t *o;
    char *line;
    va_list ap;

    if (level < log_min || (log_file == NULL && !log_stderr)) {
        json_decref(fields);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    timefmt_rfc3339(ts, timefmt_real_now_ms());
    o = json_pack("{s:s, s:s, s:s}", "time", ts, "level", log_names[level],
                  "msg", msg);
    if (o && fields)
        json_object_update_missing(o, fields);
    json_decref(fields);
    line = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (line == NULL)
        return;
    pthread_mutex_lock(&log_lock);
    if (log_file)
        fprintf(log_file, "%s\n", line);
    if (log_stderr)
        fprintf(stderr, "%s\n", line);
    pthread_mutex_unlock(&log_lock);
    free(line);
}
