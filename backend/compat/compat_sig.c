/*
 * compat_sig: request signatures, checked when the engine runs with
 * --verify-signatures and an access key table. AWS Signature Version 4
 * (SQS and SNS), the MNS header signature and the Serverless Workflow
 * RPC signature, each computed as its SDKs compute it and compared in
 * constant time. A refusal names what was wrong under the code name its
 * protocol uses; the adapters render it in their own error shape.
 */
#include "compat/compat_sig.h"

#include "common/buf.h"
#include "common/digest.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SIG_SKEW_SECONDS (15 * 60)

/* ---- primitives ---- */

/* RFC 3986 percent-encoding: everything but A-Z a-z 0-9 - _ . ~ (and '/'
 * when keep_slash). */
static void
sig_uri_encode(struct buf *b, const char *s, size_t n, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";

    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];

        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
            (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
            ch == '.' || ch == '~' || (keep_slash && ch == '/')) {
            buf_append(b, &s[i], 1);
        } else {
            char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};

            buf_append(b, e, 3);
        }
    }
}

/* Percent-decode s[0..n) into b ('+' stays '+': SigV4 takes the query
 * as URI-encoded, not as a form). */
static void
sig_uri_decode(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi, lo;

        if (s[i] == '%' && i + 2 < n &&
            (hi = compat_hexval((unsigned char)s[i + 1])) >= 0 &&
            (lo = compat_hexval((unsigned char)s[i + 2])) >= 0) {
            char ch = (char)(hi << 4 | lo);

            buf_append(b, &ch, 1);
            i += 2;
        } else {
            buf_append(b, &s[i], 1);
        }
    }
}

/* ---- AWS Signature Version 4 ---- */

struct sig_pair {
    char *k, *v; /* encoded */
};

static int
sig_pair_cmp(const void *a, const void *b)
{
    const struct sig_pair *x = a, *y = b;
    int c = strcmp(x->k, y->k);

    return c ? c : strcmp(x->v, y->v);
}

/* The canonical query string of a raw query (the text after '?'). */
static void
sig_canonical_query(struct buf *out, const char *query)
{
    struct sig_pair *pairs = NULL;
    size_t n = 0, cap = 0;
    const char *p = query;

    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;
        struct buf k = BUF_INIT(0), v = BUF_INIT(0), dk = BUF_INIT(0),
                   dv = BUF_INIT(0);

        if (len) {
            sig_uri_decode(&dk, p, klen);
            if (eq)
                sig_uri_decode(&dv, eq + 1, len - klen - 1);
            sig_uri_encode(&k, dk.data ? dk.data : "", dk.len, 0);
            sig_uri_encode(&v, dv.data ? dv.data : "", dv.len, 0);
            if (n == cap) {
                cap = cap ? cap * 2 : 8;
                pairs = xrealloc(pairs, cap * sizeof(*pairs));
            }
            pairs[n].k = xstrdup(buf_str(&k));
            pairs[n].v = xstrdup(buf_str(&v));
            n++;
        }
        buf_free(&k);
        buf_free(&v);
        buf_free(&dk);
        buf_free(&dv);
        p = amp ? amp + 1 : NULL;
    }
    if (n > 1)
        qsort(pairs, n, sizeof(*pairs), sig_pair_cmp);
    for (size_t i = 0; i < n; i++) {
        buf_printf(out, "%s%s=%s", i ? "&" : "", pairs[i].k, pairs[i].v);
        free(pairs[i].k);
        free(pairs[i].v);
    }
    free(pairs);
}

/* A header value as SigV4 signs it: trimmed, inner runs of spaces one. */
static void
sig_header_value(struct buf *out, const char *v)
{
    int space = 0;

    while (*v == ' ' || *v == '\t')
        v++;
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t') {
            space = 1;
            continue;
        }
        if (space && out->len && out->data[out->len - 1] != ':')
            buf_puts(out, " ");
        space = 0;
        buf_append(out, v, 1);
    }
}

char *
compat_sigv4_canonical(const char *method, const char *target,
                       const json_t *headers, const char *signed_headers,
                       const char *body, size_t body_len)
{
    struct buf b = BUF_INIT(0);
    const char *q = strchr(target, '?');
    size_t plen = q ? (size_t)(q - target) : strlen(target);
    char hash[65];
    const char *p = signed_headers;

    buf_printf(&b, "%s\n", method);
    if (plen == 0)
        buf_puts(&b, "/");
    else
        sig_uri_encode(&b, target, plen, 1);
    buf_puts(&b, "\n");
    sig_canonical_query(&b, q ? q + 1 : "");
    buf_puts(&b, "\n");
    while (p && *p) {
        const char *semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p);
        char name[128];
        const char *v;

        if (n && n < sizeof(name)) {
            memcpy(name, p, n);
            name[n] = '\0';
            v = json_string_value(json_object_get(headers, name));
            buf_printf(&b, "%s:", name);
            sig_header_value(&b, v ? v : "");
            buf_puts(&b, "\n");
        }
        p = semi ? semi + 1 : NULL;
    }
    buf_printf(&b, "\n%s\n", signed_headers);
    digest_sha256_hex(hash, body, body_len);
    buf_puts(&b, hash);
    return buf_take(&b);
}

void
compat_sigv4_signature(char out[65], const char *secret, const char *amz_date,
                       const char *scope, const char *canonical)
{
    unsigned char key[DIGEST_SHA256_SIZE], mac[DIGEST_SHA256_SIZE];
    size_t maclen = 0;
    char *k0 = xasprintf("AWS4%s", secret), hash[65];
    const void *k = k0; /* "AWS4" + a secret of any length, then a MAC */
    size_t keylen = strlen(k0);
    struct buf sts = BUF_INIT(0);
    const char *p = scope;

    /* scope: DATE/REGION/SERVICE/aws4_request, each part a key step */
    while (p && *p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);

        maclen = digest_hmac(mac, DIGEST_HMAC_SHA256, k, keylen, p, n);
        memcpy(key, mac, maclen);
        k = key;
        keylen = maclen;
        p = slash ? slash + 1 : NULL;
    }
    digest_sha256_hex(hash, canonical, strlen(canonical));
    buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, scope, hash);
    maclen = digest_hmac(mac, DIGEST_HMAC_SHA256, k, keylen, buf_str(&sts),
                         sts.len);
    digest_hex(out, mac, maclen);
    buf_free(&sts);
    free(k0);
}

/* "Name=value" of a SigV4 Authorization header, copied into out. */
static int
sig_auth_field(char *out, size_t cap, const char *auth, const char *name)
{
    size_t n = strlen(name);
    const char *p = auth;

    while ((p = strstr(p, name)) != NULL) {
        if ((p == auth || p[-1] == ' ' || p[-1] == ',') && p[n] == '=') {
            const char *v = p + n + 1, *end = strchr(v, ',');
            size_t len = end ? (size_t)(end - v) : strlen(v);

            while (len && v[len - 1] == ' ')
                len--;
            if (len == 0 || len >= cap)
                return -1;
            memcpy(out, v, len);
            out[len] = '\0';
            return 0;
        }
        p += n;
    }
    return -1;
}

/* Seconds between an ISO 8601 basic time (20150830T123600Z) and now. */
static int
sig_skewed(const char *amz_date)
{
    struct tm tm;
    char *end;
    time_t t;

    memset(&tm, 0, sizeof(tm));
    end = strptime(amz_date, "%Y%m%dT%H%M%SZ", &tm);
    if (end == NULL || *end != '\0')
        return 1;
    t = timegm(&tm);
    return llabs((long long)(time(NULL) - t)) > SIG_SKEW_SECONDS;
}

static json_t *
sig_lower_headers(const struct http_req *req)
{
    json_t *in = http_req_values(req, 1), *out = json_object(), *v;
    const char *k;

    json_object_foreach(in, k, v) {
        char name[128];
        size_t n = strlen(k);

        if (n >= sizeof(name))
            continue;
        for (size_t i = 0; i <= n; i++)
            name[i] = (char)(k[i] >= 'A' && k[i] <= 'Z' ? k[i] + 32 : k[i]);
        json_object_set(out, name, v);
    }
    json_decref(in);
    return out;
}

static const char *
sig_secret(const struct compat *cp, const char *id)
{
    return json_string_value(json_object_get(cp->keys, id));
}

static int
sig_verify_aws(struct compat_call *c)
{
    const char *auth = http_req_header(c->req, "Authorization");
    const char *date = http_req_header(c->req, "X-Amz-Date");
    char cred[256], signed_h[1024], sig[129], expect[65], *slash, *canon;
    const char *secret;
    json_t *headers;
    int ok;

    if (auth == NULL)
        return err_setn(ENG_EAUTH, "MissingAuthenticationToken",
                        "the request has no Authorization header; this "
                        "engine checks signatures");
    if (strncmp(auth, "AWS4-HMAC-SHA256 ", 17) != 0 ||
        sig_auth_field(cred, sizeof(cred), auth, "Credential") ||
        sig_auth_field(signed_h, sizeof(signed_h), auth, "SignedHeaders") ||
        sig_auth_field(sig, sizeof(sig), auth, "Signature") ||
        (slash = strchr(cred, '/')) == NULL || date == NULL)
        return err_setn(ENG_EAUTH, "IncompleteSignature",
                        "the Authorization header must be AWS4-HMAC-SHA256 "
                        "with Credential, SignedHeaders and Signature, and "
                        "the request must carry X-Amz-Date");
    *slash = '\0';
    if ((secret = sig_secret(c->cp, cred)) == NULL)
        return err_setn(ENG_EAUTH, "InvalidClientTokenId",
                        "the access key id '%.64s' is not in this engine's "
                        "key table",
                        cred);
    if (sig_skewed(date))
        return err_setn(ENG_EAUTH, "RequestExpired",
                        "X-Amz-Date %.32s is more than 15 minutes from the "
                        "engine's time",
                        date);
    headers = sig_lower_headers(c->req);
    canon = compat_sigv4_canonical(c->req->method_name, c->req->target,
                                   headers, signed_h, c->req->body,
                                   c->req->body_len);
    compat_sigv4_signature(expect, secret, date, slash + 1, canon);
    ok = router_token_equal(expect, sig);
    free(canon);
    json_decref(headers);
    if (!ok)
        return err_setn(ENG_EAUTH, "SignatureDoesNotMatch",
                        "the request signature we calculated does not match "
                        "the signature you provided; check the secret "
                        "access key of '%.64s'",
                        cred);
    return 0;
}

/* ---- MNS ---- */

static const char *
sig_header(const json_t *headers, const char *name)
{
    const char *s = json_string_value(json_object_get(headers, name));

    return s ? s : "";
}

char *
compat_mns_string_to_sign(const char *method, const json_t *headers,
                          const char *target)
{
    struct buf b = BUF_INIT(0);
    const char *names[64], *k;
    size_t n = 0;
    json_t *v;

    buf_printf(&b, "%s\n%s\n%s\n%s\n", method, sig_header(headers, "content-md5"),
               sig_header(headers, "content-type"), sig_header(headers, "date"));
    json_object_foreach((json_t *)headers, k, v) {
        if (strncmp(k, "x-mns-", 6) == 0 && n < 64)
            names[n++] = k;
    }
    for (size_t i = 1; i < n; i++) /* few: insertion sort */
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            const char *t = names[j];

            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s:%s\n", names[i],
                   json_string_value(json_object_get(headers, names[i])));
    buf_puts(&b, target);
    return buf_take(&b);
}

void
compat_hmac_sha1_b64(char out[29], const char *key, size_t keylen,
                     const char *text)
{
    unsigned char mac[DIGEST_SHA1_SIZE];

    digest_hmac(mac, DIGEST_HMAC_SHA1, key, keylen, text, strlen(text));
    digest_base64(out, mac, sizeof(mac));
}

static int
sig_verify_mns(struct compat_call *c)
{
    const char *auth = http_req_header(c->req, "Authorization");
    const char *colon, *secret;
    char id[128], expect[29], *sts;
    json_t *headers;
    int ok;

    if (auth == NULL)
        return err_setn(ENG_EAUTH, "MissingAuthorizationHeader",
                        "the request has no Authorization header; this "
                        "engine checks signatures");
    if (strncmp(auth, "MNS ", 4) != 0 ||
        (colon = strchr(auth + 4, ':')) == NULL ||
        (size_t)(colon - auth - 4) >= sizeof(id) || colon == auth + 4)
        return err_setn(ENG_EAUTH, "InvalidAuthorizationHeader",
                        "the Authorization header must read 'MNS "
                        "AccessKeyId:Signature'");
    memcpy(id, auth + 4, (size_t)(colon - auth - 4));
    id[colon - auth - 4] = '\0';
    if ((secret = sig_secret(c->cp, id)) == NULL)
        return err_setn(ENG_EAUTH, "InvalidAccessKeyId",
                        "the access key id '%.64s' is not in this engine's "
                        "key table",
                        id);
    headers = sig_lower_headers(c->req);
    sts = compat_mns_string_to_sign(c->req->method_name, headers,
                                    c->req->target);
    compat_hmac_sha1_b64(expect, secret, strlen(secret), sts);
    ok = router_token_equal(expect, colon + 1);
    free(sts);
    json_decref(headers);
    if (!ok)
        return err_setn(ENG_EAUTH, "SignatureDoesNotMatch",
                        "the request signature we calculated does not match "
                        "the signature you provided; check the secret of "
                        "'%.64s'",
                        id);
    return 0;
}

/* ---- Serverless Workflow RPC ---- */

static int
sig_strcmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *
compat_rpc_string_to_sign(const char *method, const json_t *params)
{
    size_t n = json_object_size(params), i = 0;
    const char **keys = xcalloc(n ? n : 1, sizeof(*keys)), *k;
    struct buf canon = BUF_INIT(0), b = BUF_INIT(0);
    json_t *v;

    json_object_foreach((json_t *)params, k, v) {
        if (strcmp(k, "Signature") != 0)
            keys[i++] = k;
    }
    qsort(keys, i, sizeof(*keys), sig_strcmp);
    for (size_t j = 0; j < i; j++) {
        const char *s = json_string_value(json_object_get(params, keys[j]));

        if (j)
            buf_puts(&canon, "&");
        sig_uri_encode(&canon, keys[j], strlen(keys[j]), 0);
        buf_puts(&canon, "=");
        sig_uri_encode(&canon, s ? s : "", s ? strlen(s) : 0, 0);
    }
    buf_printf(&b, "%s&%%2F&", method);
    sig_uri_encode(&b, buf_str(&canon), canon.len, 0);
    buf_free(&canon);
    free(keys);
    return buf_take(&b);
}

static int
sig_verify_rpc(struct compat_call *c)
{
    const char *id = compat_param(c, "AccessKeyId");
    const char *sig = compat_param(c, "Signature"), *secret;
    char expect[29], *key, *sts;
    int ok;

    if (id == NULL || sig == NULL)
        return err_setn(ENG_EAUTH, "InvalidAccessKeyID",
                        "the request carries no AccessKeyId and Signature; "
                        "this engine checks signatures");
    if ((secret = sig_secret(c->cp, id)) == NULL)
        return err_setn(ENG_EAUTH, "InvalidAccessKeyID",
                        "the access key id '%.64s' is not in this engine's "
                        "key table",
                        id);
    key = xasprintf("%s&", secret);
    sts = compat_rpc_string_to_sign(c->req->method_name, c->params);
    compat_hmac_sha1_b64(expect, key, strlen(key), sts);
    ok = router_token_equal(expect, sig);
    free(key);
    free(sts);
    if (!ok)
        return err_setn(ENG_EAUTH, "SignatureNotMatch",
                        "the request signature we calculated does not match "
                        "the signature you provided; check the secret of "
                        "'%.64s'",
                        id);
    return 0;
}

int
compat_sig_verify(struct compat_call *c)
{
    switch (c->proto) {
    case COMPAT_MNS: return sig_verify_mns(c);
    case COMPAT_FNF: return sig_verify_rpc(c);
    case COMPAT_NONE: return 0;
    default: return sig_verify_aws(c);
    }
}
