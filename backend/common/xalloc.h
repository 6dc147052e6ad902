/*
 * xalloc: allocation that cannot fail. Out of memory is not a condition
 * flowdeck recovers from: these abort with a message instead.
 */
#ifndef FLOWDECK_XALLOC_H
#define FLOWDECK_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* reallocarray that aborts on overflow or out of memory */
void *xreallocarray(void *p, size_t nmemb, size_t size);
/* posix_memalign: `n` bytes aligned to `align` (a power of two) */
void *xmemalign(size_t align, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns: a new string the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Make jansson allocate through xmalloc/free. Call once at start-up. */
void xalloc_init_json(void);

#endif
