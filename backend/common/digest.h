/*
 * digest: MD5, SHA-1 and SHA-256, their HMACs, and the hex and base64
 * that carry them (Nettle). MD5 is what the queue protocols promise about
 * bodies and attributes; SHA-256 is the FIFO content de-duplication key
 * and, with HMAC-SHA256, AWS Signature Version 4; HMAC-SHA1 signs MNS
 * and Serverless Workflow RPC requests.
 */
#ifndef FLOWDECK_DIGEST_H
#define FLOWDECK_DIGEST_H

#include <stddef.h>

#define DIGEST_MD5_HEX 33
#define DIGEST_SHA256_HEX 65
#define DIGEST_SHA1_SIZE 20
#define DIGEST_SHA256_SIZE 32

/* The base64 text of n bytes, padded, with its terminating NUL. */
#define DIGEST_BASE64_SIZE(n) (4 * (((n) + 2) / 3) + 1)

enum digest_hmac_alg { DIGEST_HMAC_SHA1, DIGEST_HMAC_SHA256 };

/* Lower-case hex MD5 of p[0..n) into out[DIGEST_MD5_HEX]. */
void digest_md5_hex(char *out, const void *p, size_t n);

/* Raw MD5 of p[0..n) into out[16]. */
void digest_md5(unsigned char *out, const void *p, size_t n);

/* Raw SHA-256 of p[0..n) into out[DIGEST_SHA256_SIZE]. */
void digest_sha256(unsigned char *out, const void *p, size_t n);

/* Lower-case hex SHA-256 of p[0..n) into out[DIGEST_SHA256_HEX]. */
void digest_sha256_hex(char *out, const void *p, size_t n);

/* HMAC of p[0..n) under key[0..keylen) into out (DIGEST_SHA1_SIZE or
 * DIGEST_SHA256_SIZE bytes, as alg); returns that size. */
size_t digest_hmac(unsigned char *out, enum digest_hmac_alg alg,
                   const void *key, size_t keylen, const void *p, size_t n);

/* Write n bytes as lower-case hex (2n + 1 bytes). */
void digest_hex(char *out, const unsigned char *p, size_t n);

/* Standard base64 (RFC 4648, with padding) of p[0..n) into
 * out[DIGEST_BASE64_SIZE(n)]; returns the text's length. */
size_t digest_base64(char *out, const void *p, size_t n);

#endif
