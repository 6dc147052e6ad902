/*
 * lazylib: a shared library opened at its first use, its functions found
 * by name. The engine reaches libcurl (HTTP pushes and HTTP functions) and
 * libgit2 (flow versions, template catalogs) this way: the two bring some
 * twenty-five more shared libraries (TLS, LDAP, Kerberos, SSH, HTTP/2)
 * whose loading and relocation at exec was most of the engine's start-up,
 * for features a session may never use.
 *
 * A library's header lists its functions once, as an X-macro, and declares
 * one pointer per function named sym_FUNCTION with the type of the real
 * declaration (__typeof__), so calls keep their prototypes:
 *
 *     #define LAZY_CURL_FUNCS(X) X(curl_easy_init) X(curl_easy_cleanup)
 *     LAZY_CURL_FUNCS(LAZYLIB_DECLARE)
 *
 * and its .c file defines the pointers (LAZYLIB_DEFINE), a table of
 * LAZYLIB_SYM entries and a struct lazylib, and calls lazylib_load before
 * the first call through a pointer. Thread-safe; a library is opened once
 * per process and stays open.
 */
#ifndef FLOWDECK_LAZYLIB_H
#define FLOWDECK_LAZYLIB_H

#include <pthread.h>
#include <stddef.h>

#define LAZYLIB_DECLARE(f) extern __typeof__(f) *sym_##f;
#define LAZYLIB_DEFINE(f) __typeof__(f) *sym_##f;
/* dlsym's result is stored through a void * (POSIX's own idiom) */
#define LAZYLIB_SYM(f) {#f, (void **)&sym_##f},

struct lazylib_sym {
    const char *name;
    void **slot;
};

struct lazylib {
    const char *soname;  /* as the build found it ("libcurl.so.4") */
    const char *feature; /* what needs it, for the error ("HTTP pushes") */
    const struct lazylib_sym *syms;
    size_t nsyms;
    /* run once, after every function was found (NULL: nothing) */
    int (*init)(void);
    /* state, under `lock` */
    pthread_mutex_t lock;
    int state;   /* 0: not tried, 1: loaded, -1: failed */
    char *error; /* why it failed, kept for every later call */
};

#define LAZYLIB_INIT(soname, feature, syms, init)                              \
    {                                                                          \
        (soname), (feature), (syms), sizeof(syms) / sizeof((syms)[0]), (init), \
            PTHREAD_MUTEX_INITIALIZER, 0, NULL                                 \
    }

/*
 * Open `l` and find its functions, the first time; later calls return the
 * first one's result. Returns: 0, or ENG_EUNAVAIL with a message naming
 * the library, the feature that needs it and what went wrong.
 */
int lazylib_load(struct lazylib *l);

/* Returns: 1 when `l` was loaded (for tests and diagnostics). */
int lazylib_loaded(struct lazylib *l);

#endif
