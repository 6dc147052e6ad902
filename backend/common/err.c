/*
 * err: thread-local last error, message and code name.
 */
#define FLOWDECK_ERR_IMPL /* the functions themselves, not err.h's macros */
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ERR_MSG_MAX 512

static _Thread_local char err_msg[ERR_MSG_MAX];
static _Thread_local const char *err_name;

const char *
err_code_name(int code)
{
    switch (code) {
    case ENG_OK: return "OK";
    case ENG_ENOTFOUND: return "NotFound";
    case ENG_EEXISTS: return "AlreadyExists";
    case ENG_EINVAL: return "InvalidArgument";
    case ENG_ETOOBIG: return "TooLarge";
    case ENG_EUPSTREAM: return "UpstreamFailed";
    case ENG_ECONFLICT: return "Conflict";
    case ENG_EAUTH: return "Unauthorized";
    case ENG_EMETHOD: return "MethodNotAllowed";
    case ENG_EBUSY: return "Busy";
    case ENG_ENOSPACE: return "InsufficientStorage";
    case ENG_EREADONLY: return "ReadOnly";
    case ENG_EUNAVAIL: return "Unavailable";
    case ENG_EGONE: return "Gone";
    default: return "InternalError";
    }
}

/* Format first, then store: the arguments may include err_last() itself
 * (a message built from the one before it). */
static void __attribute__((format(printf, 1, 0)))
err_vrecord(const char *fmt, va_list ap)
{
    char msg[ERR_MSG_MAX];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    memcpy(err_msg, msg, sizeof(err_msg));
}

int
err_set(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_vrecord(fmt, ap);
    va_end(ap);
    err_name = err_code_name(code);
    return code;
}

int
err_setn(int code, const char *name, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_vrecord(fmt, ap);
    va_end(ap);
    err_name = name;
    return code;
}

int
err_wrap(int code, const char *fmt, ...)
{
    char old[ERR_MSG_MAX];
    size_t n;
    va_list ap;

    memcpy(old, err_msg, sizeof(old));
    va_start(ap, fmt);
    err_vrecord(fmt, ap);
    va_end(ap);
    n = strlen(err_msg);
    if (n + 2 < sizeof(err_msg)) {
        memcpy(err_msg + n, ": ", 3);
        n += 2;
        memcpy(err_msg + n, old, strnlen(old, sizeof(err_msg) - n - 1));
        err_msg[n + strnlen(old, sizeof(err_msg) - n - 1)] = '\0';
    }
    if (err_name == NULL)
        err_name = err_code_name(code);
    return code;
}

const char *
err_last(void)
{
    return err_msg;
}

const char *
err_last_name(void)
{
    return err_name ? err_name : "InternalError";
}

void
err_clear(void)
{
    err_msg[0] = '\0';
    err_name = NULL;
}
