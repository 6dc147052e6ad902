/*
 * digest: thin wrappers over Nettle's hash, HMAC and base64 functions.
 * The contexts live on the stack: nothing to fetch, cache or free.
 */
#include "common/digest.h"

#include <nettle/base64.h>
#include <nettle/hmac.h>
#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <stdint.h>

void
digest_hex(char *out, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = '\0';
}

void
digest_md5(unsigned char *out, const void *p, size_t n)
{
    struct md5_ctx c;

    md5_init(&c);
    md5_update(&c, n, p);
    md5_digest(&c, MD5_DIGEST_SIZE, out);
}

void
digest_md5_hex(char *out, const void *p, size_t n)
{
    unsigned char d[MD5_DIGEST_SIZE];

    digest_md5(d, p, n);
    digest_hex(out, d, sizeof(d));
}

void
digest_sha256(unsigned char *out, const void *p, size_t n)
{
    struct sha256_ctx c;

    sha256_init(&c);
    sha256_update(&c, n, p);
    sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

void
digest_sha256_hex(char *out, const void *p, size_t n)
{
    unsigned char d[SHA256_DIGEST_SIZE];

    digest_sha256(d, p, n);
    digest_hex(out, d, sizeof(d));
}

size_t
digest_hmac(unsigned char *out, enum digest_hmac_alg alg, const void *key,
            size_t keylen, const void *p, size_t n)
{
    struct hmac_sha1_ctx c1;
    struct hmac_sha256_ctx c256;

    if (alg == DIGEST_HMAC_SHA1) {
        hmac_sha1_set_key(&c1, keylen, key);
        hmac_sha1_update(&c1, n, p);
        hmac_sha1_digest(&c1, SHA1_DIGEST_SIZE, out);
        return SHA1_DIGEST_SIZE;
    }
    hmac_sha256_set_key(&c256, keylen, key);
    hmac_sha256_update(&c256, n, p);
    hmac_sha256_digest(&c256, SHA256_DIGEST_SIZE, out);
    return SHA256_DIGEST_SIZE;
}

size_t
digest_base64(char *out, const void *p, size_t n)
{
    size_t len = BASE64_ENCODE_RAW_LENGTH(n);

    base64_encode_raw(out, n, p);
    out[len] = '\0';
    return len;
}
