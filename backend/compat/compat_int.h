/*
 * compat_int: what the protocol adapters share — the decoded call, the
 * form decoder, a small XML writer, names and URLs. Not for outside
 * backend/compat.
 */
#ifndef FLOWDECK_COMPAT_INT_H
#define FLOWDECK_COMPAT_INT_H

#include "common/buf.h"
#include "compat/compat.h"

#include <jansson.h>

struct compat {
    struct engine *eng;
    char *aws_account, *aws_region, *ali_account, *ali_region;
    json_t *keys; /* access key id -> secret; NULL when none */
    int verify;
};

/* One request on its way through an adapter. */
struct compat_call {
    struct compat *cp;
    struct http_req *req;
    enum compat_proto proto;
    /* query arguments merged with a form body (query and RPC protocols;
     * a body value wins); NULL for the JSON and REST protocols */
    json_t *params;
    const char *action; /* borrowed from params or a header; may be NULL */
    char request_id[37];
};

/*
 * An adapter: fill resp and return 0 or HTTP_PARKED; or, refusing, fill
 * resp with the protocol's error and return the ENG_* code (< 0), and
 * the store change is rolled back.
 */
typedef int (*compat_fn)(struct compat_call *c, struct http_resp *resp);

/* An adapter's error shape for `rc` and err_last(): used when the commit
 * after a successful call fails, and for refusals made before it runs
 * (authentication). */
typedef void (*compat_error_fn)(struct compat_call *c, struct http_resp *resp,
                                int rc);

int compat_sqs_query(struct compat_call *c, struct http_resp *resp);
int compat_sqs_json(struct compat_call *c, struct http_resp *resp);
int compat_sqs_peek(struct compat_call *c, struct http_resp *resp);
void compat_sqs_query_error(struct compat_call *c, struct http_resp *resp,
                            int rc);
void compat_sqs_json_error(struct compat_call *c, struct http_resp *resp,
                           int rc);
int compat_sns(struct compat_call *c, struct http_resp *resp);
void compat_sns_error(struct compat_call *c, struct http_resp *resp, int rc);
int compat_mns(struct compat_call *c, struct http_resp *resp);
void compat_mns_error(struct compat_call *c, struct http_resp *resp, int rc);
int compat_fnf(struct compat_call *c, struct http_resp *resp);
void compat_fnf_error(struct compat_call *c, struct http_resp *resp, int rc);

/*
 * Decode an application/x-www-form-urlencoded text into `into` (an
 * object; a later value of a repeated key wins). A value that is not
 * UTF-8 after decoding is refused.
 * Returns: 0, or ENG_EINVAL naming the bad parameter.
 */
int compat_form_parse(json_t *into, const char *text, size_t len);

/* Returns: 1 when each of the n bytes of s is an ASCII letter or digit or
 * one of `extra`. */
int compat_chars_ok(const char *s, size_t n, const char *extra);

/* Returns: the value of hex digit ch (either case), or -1. */
int compat_hexval(int ch);

/* Returns: borrowed string parameter `key` of c->params, or NULL. */
const char *compat_param(const struct compat_call *c, const char *key);

/* Returns: new "http://HOST" from the request's Host header (the address
 * the client reached), or from the engine's listen address. */
char *compat_base_url(const struct compat_call *c);

/* Returns: new "arn:aws:SERVICE:REGION:ACCOUNT:NAME" with the engine's
 * configured region and account. */
char *compat_aws_arn(const struct compat *cp, const char *service,
                     const char *name);

/*
 * The resource name of an ARN of `service` ("sqs", "sns"): the text after
 * its fifth ':' (a subscription ARN "...:topic:uuid" gives "topic:uuid").
 * Any region and account are taken: one engine holds one namespace.
 * Returns: borrowed pointer into arn, or NULL when it is not such an ARN.
 */
const char *compat_arn_name(const char *arn, const char *service);

/* XML text: escape `s` (n bytes) into b for element content and
 * attribute values (& < > " ' and the control characters XML 1.0
 * allows only as references). */
void compat_xml_escape(struct buf *b, const char *s, size_t n);

/* <name>escaped text</name> */
void compat_xml_elem(struct buf *b, const char *name, const char *text);

/* Fill resp with `body` (taken from b) and the request id header the
 * protocol uses (`id_header`, e.g. "x-amzn-RequestId"). */
void compat_reply(struct compat_call *c, struct http_resp *resp, int status,
                  const char *ctype, struct buf *b, const char *id_header);

#endif
