/*
 * buf: a growable byte buffer with a hard size cap (curl's dynbuf idea).
 * The contents are always NUL-terminated, so text can be read in place.
 */
#ifndef FLOWDECK_BUF_H
#define FLOWDECK_BUF_H

#include <stddef.h>
#include <string.h>

struct buf {
    char *data;   /* NULL until the first append */
    size_t len;
    size_t cap;   /* allocated */
    size_t max;   /* hard cap on len; 0 = unlimited */
};

#define BUF_INIT(maxlen) { NULL, 0, 0, (maxlen) }

void buf_init(struct buf *b, size_t max);
/* buf_append when the bytes do not fit what is allocated. */
int buf_append_grow(struct buf *b, const void *p, size_t n);

/* Returns: 0, or ENG_ETOOBIG (nothing appended) when over the cap.
 * Inline: JSON is written a few bytes at a time (a receive of 16
 * messages appends some 900 times), and most appends fit. */
static inline int
buf_append(struct buf *b, const void *p, size_t n)
{
    if (b->cap - b->len <= n || (b->max && b->max - b->len < n))
        return buf_append_grow(b, p, n);
    if (n) /* p may be NULL then */
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

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
