/*
 * err: the one error model of flowdeck (libgit2's). A fallible function
 * returns 0 or a negative ENG_* code; the place that fails records a
 * one-line message (and optionally a specific code name) in thread-local
 * storage, and callers pass the code up unchanged.
 */
#ifndef FLOWDECK_ERR_H
#define FLOWDECK_ERR_H

enum {
    ENG_OK = 0,
    ENG_ERR = -1,        /* internal failure */
    ENG_ENOTFOUND = -2,  /* no such resource */
    ENG_EEXISTS = -3,    /* exists already, with other attributes */
    ENG_EINVAL = -4,     /* bad input: names the parameter */
    ENG_ETOOBIG = -5,    /* over a size limit */
    ENG_EUPSTREAM = -6,  /* a push target or function failed */
    ENG_ECONFLICT = -7,  /* state does not allow the operation */
    ENG_EAUTH = -8,      /* missing or wrong credentials */
    ENG_EMETHOD = -9,    /* method not allowed on the resource */
    ENG_EBUSY = -10,     /* held by someone else (lock, port) */
    ENG_ENOSPACE = -11,  /* disk full: writes refused */
    ENG_EREADONLY = -12, /* data dir read-only: writes refused */
    ENG_EUNAVAIL = -13,  /* shutting down or not ready */
    ENG_EGONE = -14      /* existed, but finished or expired */
};

/*
 * Record `fmt` as the last error of this thread under the default code
 * name of `code`. Returns: code, so `return err_set(...)` reads well.
 */
int err_set(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * As err_set, with a specific code name ("QueueNotFound") that the API
 * shows instead of the default one. `name` must be a string literal.
 */
int err_setn(int code, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the current message with "`fmt`: ". Returns: code. */
int err_wrap(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Returns: borrowed; the last message of this thread ("" when none). */
const char *err_last(void);

/* Returns: borrowed; the code name of the last error ("NotFound" ...). */
const char *err_last_name(void);

/* Returns: borrowed; the default code name for `code`. */
const char *err_code_name(int code);

/* Forget the last error. */
void err_clear(void);

/*
 * For the static analyzer only (clang-tidy, see .clang-tidy): err_set,
 * err_setn and err_wrap return their `code`, which it cannot see from
 * another file. Without this it follows `return err_set(ENG_EINVAL, ...)`
 * as if it returned 0 (success) and reports the out-params those paths
 * leave NULL as dereferenced by the caller.
 */
#if defined(__clang_analyzer__) && !defined(FLOWDECK_ERR_IMPL)
static inline int
err_code_of(int code, int ignored)
{
    (void)ignored;
    return code;
}
#define err_set(code, ...) err_code_of((code), err_set((code), __VA_ARGS__))
#define err_setn(code, ...) err_code_of((code), err_setn((code), __VA_ARGS__))
#define err_wrap(code, ...) err_code_of((code), err_wrap((code), __VA_ARGS__))
#endif

#endif
