/*
 * rand: getrandom through a per-thread pool; base64url coding.
 */
#include "common/rand.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define RAND_POOL 4096

static _Thread_local unsigned char rand_pool[RAND_POOL];
static _Thread_local size_t rand_left;

static void
rand_refill(void)
{
    size_t got = 0;

    while (got < RAND_POOL) {
        ssize_t n = getrandom(rand_pool + got, RAND_POOL - got, 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            fprintf(stderr, "flowdeck: getrandom failed\n");
            abort();
        }
        got += (size_t)n;
    }
    rand_left = RAND_POOL;
}

void
rand_bytes(void *p, size_t n)
{
    unsigned char *out = p;

    while (n) {
        size_t take;

        if (rand_left == 0)
            rand_refill();
        take = n < rand_left ? n : rand_left;
        memcpy(out, rand_pool + RAND_POOL - rand_left, take);
        /* never hand out the same bytes twice */
        memset(rand_pool + RAND_POOL - rand_left, 0, take);
        rand_left -= take;
        out += take;
        n -= take;
    }
}

void
rand_uuid(char *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    char *o = out;

    rand_bytes(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[b[i] >> 4];
        *o++ = hex[b[i] & 15];
    }
    *o = '\0';
}

static const char rand_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t
rand_b64url(char *out, const void *p, size_t n)
{
    const unsigned char *in = p;
    size_t o = 0, i;

    for (i = 0; i + 2 < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 |
                     in[i + 2];

        out[o++] = rand_b64[v >> 18];
        out[o++] = rand_b64[(v >> 12) & 63];
        out[o++] = rand_b64[(v >> 6) & 63];
        out[o++] = rand_b64[v & 63];
    }
    if (n - i == 1) {
        unsigned v = (unsigned)in[i] << 16;

        out[o++] = rand_b64[v >> 18];
        out[o++] = rand_b64[(v >> 12) & 63];
    } else if (n - i == 2) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;

        out[o++] = rand_b64[v >> 18];
        out[o++] = rand_b64[(v >> 12) & 63];
        out[o++] = rand_b64[(v >> 6) & 63];
    }
    out[o] = '\0';
    return o;
}

static int
rand_b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

int
rand_b64url_decode(void *out, size_t cap, const char *s, size_t len)
{
    unsigned char *o = out;
    size_t n = 0;
    unsigned acc = 0;
    int bits = 0;

    if (len % 4 == 1)
        return -1;
    for (size_t i = 0; i < len; i++) {
        int v = rand_b64_value(s[i]);

        if (v < 0)
            return -1;
        acc = acc << 6 | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n == cap)
                return -1;
            o[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0) /* non-canonical trailing bits */
        return -1;
    return (int)n;
}
