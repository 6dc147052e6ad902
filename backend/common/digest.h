/*
 * digest: MD5 and SHA-256 as hex (OpenSSL's libcrypto). MD5 is what the
 * queue protocols promise about bodies and attributes; SHA-256 is the
 * FIFO content de-duplication key.
 */
#ifndef FLOWDECK_DIGEST_H
#define FLOWDECK_DIGEST_H

#include <stddef.h>

#define DIGEST_MD5_HEX 33
#define DIGEST_SHA256_HEX 65

/* Lower-case hex MD5 of p[0..n) into out[DIGEST_MD5_HEX]. */
void digest_md5_hex(char *out, const void *p, size_t n);

/* Raw MD5 of p[0..n) into out[16]. */
void digest_md5(unsigned char *out, const void *p, size_t n);

/* Lower-case hex SHA-256 of p[0..n) into out[DIGEST_SHA256_HEX]. */
void digest_sha256_hex(char *out, const void *p, size_t n);

/* Free this thread's cached digest state (at exit; for leak checks). */
void digest_release(void);

/* Write n bytes as lower-case hex (2n + 1 bytes). */
void digest_hex(char *out, const unsigned char *p, size_t n);

#endif
