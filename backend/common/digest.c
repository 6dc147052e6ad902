/*
 * digest: thin wrappers over libcrypto's EVP one-shot digests.
 */
#include "common/digest.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

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

static void
digest_run(unsigned char *out, const EVP_MD *md, const void *p, size_t n)
{
    if (EVP_Digest(p, n, out, NULL, md, NULL) != 1) {
        fprintf(stderr, "flowdeck: digest failed\n");
        abort();
    }
}

void
digest_md5(unsigned char *out, const void *p, size_t n)
{
    digest_run(out, EVP_md5(), p, n);
}

void
digest_md5_hex(char *out, const void *p, size_t n)
{
    unsigned char d[16];

    digest_md5(d, p, n);
    digest_hex(out, d, sizeof(d));
}

void
digest_sha256_hex(char *out, const void *p, size_t n)
{
    unsigned char d[32];

    digest_run(d, EVP_sha256(), p, n);
    digest_hex(out, d, sizeof(d));
}
