/*
 * rand: unguessable identifiers from the kernel's CSPRNG (getrandom),
 * drawn through a small per-thread pool so a busy engine makes few
 * system calls. Used for receipt handles, task tokens and message ids.
 */
#ifndef FLOWDECK_RAND_H
#define FLOWDECK_RAND_H

#include <stddef.h>
#include <stdint.h>

/* Fill p with n random bytes. Aborts if the kernel has none to give. */
void rand_bytes(void *p, size_t n);

/* Write a random UUID (version 4, 36 chars + NUL) into out[37]. */
void rand_uuid(char *out);

/* base64url (no padding) of n bytes into out (4*ceil(n/3)+1 bytes).
 * Returns: the length written. */
size_t rand_b64url(char *out, const void *p, size_t n);

/* Decode base64url (no padding) of `len` chars into out (at most cap
 * bytes). Returns: the number of bytes, or -1 when malformed or too long. */
int rand_b64url_decode(void *out, size_t cap, const char *s, size_t len);

#endif
