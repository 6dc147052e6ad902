/*
 * compat: the wire protocols of the services flowdeck stands in for —
 * SQS (query and JSON 1.0), SNS (query), MNS (REST XML) and Serverless
 * Workflow (RPC 2019-03-15) — on the engine's own port. Each adapter
 * decodes a request, calls the same queue, topic and flow services the
 * engine API calls, and answers in its protocol's shape; no adapter
 * re-implements a rule of a service.
 *
 * Which protocol a request speaks is decided from the request alone
 * (compat_detect): the engine API keeps /v1/ and /healthz.
 * Engine thread only.
 */
#ifndef FLOWDECK_COMPAT_H
#define FLOWDECK_COMPAT_H

#include "http/http.h"

struct engine;
struct compat;

/* Names and credentials the adapters use; NULL fields take defaults. */
struct compat_config {
    const char *aws_account; /* 12 digits; default "000000000000" */
    const char *aws_region;  /* default "us-east-1" */
    const char *ali_account; /* MNS/Serverless Workflow account id;
                                default "1234567890123456" */
    const char *ali_region;  /* default "cn-hangzhou" */
    const char *keys_file;   /* JSON {"ACCESS_KEY_ID": "SECRET", ...} */
    int verify_signatures;   /* check SigV4 / MNS / RPC signatures */
};

enum compat_proto {
    COMPAT_NONE = 0, /* not a wire-protocol request */
    COMPAT_SQS_QUERY,
    COMPAT_SQS_JSON,
    COMPAT_SQS_PEEK, /* GET /_aws/sqs/messages */
    COMPAT_SNS,
    COMPAT_MNS,
    COMPAT_FNF
};

/* Returns: 0 and *out, or ENG_EINVAL (a bad key table, named). */
int compat_create(struct compat **out, struct engine *eng,
                  const struct compat_config *cfg);
void compat_free(struct compat *cp);

/*
 * The protocol `req` speaks, from its path, headers and `params` (its
 * query arguments and form body; NULL when not decoded):
 *   /v1/..., /healthz                      COMPAT_NONE (the engine API)
 *   /_aws/sqs/messages                     COMPAT_SQS_PEEK
 *   X-Amz-Target: AmazonSQS.*              COMPAT_SQS_JSON
 *   x-mns-version, /queues..., /topics...  COMPAT_MNS
 *   Version 2019-03-15 (or x-acs-version)  COMPAT_FNF
 *   Version 2010-03-31, or an sns scope    COMPAT_SNS
 *   Version 2012-11-05, an sqs scope, or an Action posted to / or to a
 *   queue URL path                         COMPAT_SQS_QUERY
 */
enum compat_proto compat_detect(const struct http_req *req,
                                const json_t *params);

/*
 * Serve a wire-protocol request: decode, run inside one store change
 * (rolled back when the adapter refuses), answer in the protocol's
 * shape. Returns: HTTP_DONE, HTTP_HOLD or HTTP_PARKED; ENG_ENOTFOUND
 * when `req` speaks none of the protocols (nothing is answered then).
 */
int compat_dispatch(struct compat *cp, struct http_req *req,
                    struct http_resp *resp);

#endif
