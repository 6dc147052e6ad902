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

/* Fetching an algorithm is the costly part of a digest in OpenSSL 3:
 * do it once per thread, and reuse one context. */
static _Thread_local EVP_MD_CTX *digest_ctx;
static _Thread_local EVP_MD *digest_md5_md, *digest_sha256_md;

static void
digest_die(void)
{
    fprintf(stderr, "flowdeck: digest failed\n");
    abort();
}

static void
digest_run(unsigned char *out, EVP_MD **md, const char *name, const void *p,
           size_t n)
{
    if (*md == NULL && (*md = EVP_MD_fetch(NULL, name, NULL)) == NULL)
        digest_die();
    if (digest_ctx == NULL && (digest_ctx = EVP_MD_CTX_new()) == NULL)
        digest_die();
    if (EVP_DigestInit_ex(digest_ctx, *md, NULL) != 1 ||
        EVP_DigestUpdate(digest_ctx, p, n) != 1 ||
        EVP_DigestFinal_ex(digest_ctx, out, NULL) != 1)
        digest_die();
}

void
digest_md5(unsigned char *out, const void *p, size_t n)
{
    digest_run(out, &digest_md5_md, "MD5", p, n);
}

void
digest_release(void)
{
    EVP_MD_CTX_free(digest_ctx);
    EVP_MD_free(digest_md5_md);
    EVP_MD_free(digest_sha256_md);
    digest_ctx = NULL;
    digest_md5_md = digest_sha256_md = NULL;
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

    digest_run(d, &digest_sha256_md, "SHA256", p, n);
    digest_hex(out, d, sizeof(d));
}
