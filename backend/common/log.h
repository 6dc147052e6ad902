/*
 * log: JSON-lines logging, one object per line:
 *   {"time":"...","level":"info","msg":"...", <fields>}
 * to a file and, in the foreground, to stderr. Thread-safe.
 */
#ifndef FLOWDECK_LOG_H
#define FLOWDECK_LOG_H

#include <jansson.h>

enum log_level { LOGL_DEBUG = 0, LOGL_INFO, LOGL_WARN, LOGL_ERROR };

/* Returns: 0, or ENG_EINVAL naming the allowed levels. */
int log_parse_level(enum log_level *out, const char *s);

/*
 * Start logging to `path` (appended; NULL for none) and, when to_stderr,
 * to stderr. Returns: 0, or ENG_ERR when the file cannot be opened.
 */
int log_open(const char *path, enum log_level level, int to_stderr);
void log_close(void);

/* Log a message; `fields` (may be NULL) is stolen and merged in. */
void log_fields(enum log_level level, json_t *fields, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(...) log_fields(LOGL_DEBUG, NULL, __VA_ARGS__)
#define log_info(...) log_fields(LOGL_INFO, NULL, __VA_ARGS__)
#define log_warn(...) log_fields(LOGL_WARN, NULL, __VA_ARGS__)
#define log_error(...) log_fields(LOGL_ERROR, NULL, __VA_ARGS__)

#endif
