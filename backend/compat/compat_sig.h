/*
 * compat_sig: the signatures of the wire protocols (AWS SigV4, MNS,
 * Serverless Workflow RPC), checked when the engine verifies them. The
 * string builders are pure and public so tests can hold them to the
 * services' published examples.
 */
#ifndef FLOWDECK_COMPAT_SIG_H
#define FLOWDECK_COMPAT_SIG_H

#include "compat/compat_int.h"

#include <jansson.h>
#include <stddef.h>

/*
 * Check the request's signature against the key table. Returns: 0, or
 * ENG_EAUTH with the protocol's code name (SignatureDoesNotMatch,
 * InvalidClientTokenId, InvalidAccessKeyId, SignatureNotMatch, ...).
 */
int compat_sig_verify(struct compat_call *c);

/* SigV4 canonical request: `target` is the request-target as sent,
 * `headers` lower-case name -> value. Returns: new string. */
char *compat_sigv4_canonical(const char *method, const char *target,
                             const json_t *headers,
                             const char *signed_headers, const char *body,
                             size_t body_len);

/* Hex SigV4 signature of a canonical request under
 * scope "DATE/REGION/SERVICE/aws4_request". */
void compat_sigv4_signature(char out[65], const char *secret,
                            const char *amz_date, const char *scope,
                            const char *canonical);

/* MNS StringToSign: VERB, Content-MD5, Content-Type, Date, the sorted
 * x-mns-* headers, then the resource as sent. Returns: new string. */
char *compat_mns_string_to_sign(const char *method, const json_t *headers,
                                const char *target);

/* RPC StringToSign: METHOD&%2F&enc(sorted enc(k)=enc(v) joined by &),
 * every parameter but Signature. Returns: new string. */
char *compat_rpc_string_to_sign(const char *method, const json_t *params);

/* base64(HMAC-SHA1(key, text)) into out[29]. */
void compat_hmac_sha1_b64(char out[29], const char *key, size_t keylen,
                          const char *text);

#endif
