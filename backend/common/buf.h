/*
 * buf: a growable byte buffer with a hard size cap (curl's dynbuf idea).
 * The contents are always NUL-terminated, so text can be read in place.
 */
#ifndef FLOWDECK_BUF_H
#define FLOWDECK_BUF_H

#include <stddef.h>

struct buf {
    char *data;   /* NULL until the first append */
    size_t len;
    size_t cap;   /* allocated */
    size_t max;   /* hard cap on len; 0 = unlimited */
};

#define BUF_INIT(maxlen) { NULL, 0, 0, (maxlen) }

void buf_init(struct buf *b, size_t max);
/* Returns: 0, or ENG_ETOOBIG (nothing appended) when over the cap. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Returns: the contents ("" when empty); valid until the next append. */
const char *buf_str(const struct buf *b);
/* Returns: the data, now owned by the caller; the buffer is emptied. */
char *buf_take(struct buf *b);
void buf_reset(struct buf *b);
/* Cut the contents back to `len` bytes (no-op when shorter). */
void buf_truncate(struct buf *b, size_t len);
void buf_free(struct buf *b);

#endif
