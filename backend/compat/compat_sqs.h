/*
 * compat_sqs: what the SQS adapter's files share (compat_sqs.c: the
 * actions over the queue service; compat_sqs_codec.c: the query
 * protocol's flattened parameters and XML, the error catalogue, the
 * attribute MD5). Requests and results inside the adapter are JSON
 * objects in the JSON 1.0 protocol's shape, whichever protocol the
 * client spoke. Not for outside backend/compat.
 */
#ifndef FLOWDECK_COMPAT_SQS_H
#define FLOWDECK_COMPAT_SQS_H

#include "common/buf.h"
#include "compat/compat_int.h"

#include <jansson.h>

#define SQS_XMLNS "http://queue.amazonaws.com/doc/2012-11-05/"

/* One entry of the error catalogue (spec: the SQS error table). */
struct sqs_error {
    const char *name;  /* err name the adapter and the services set */
    const char *type;  /* JSON __type */
    const char *code;  /* query <Code>, x-amzn-query-error, batch Code */
    int status;
    int receiver;      /* the fault is the service's, not the sender's */
};

/* Returns: the catalogue entry for the last error (err_last_name(), else
 * by `rc`): never NULL. */
const struct sqs_error *sqs_error_for(int rc);

/* Returns: the entry for error name `err_name` (a service's or SQS's;
 * may be NULL), else for `rc`: never NULL. */
const struct sqs_error *sqs_error_lookup(const char *err_name, int rc);

/*
 * The query protocol's flattened parameters (Attribute.1.Name, ...,
 * SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue)
 * as the JSON 1.0 request body they stand for (Attributes, Entries, ...).
 * Values stay strings; Action and Version are left out.
 * Returns: new object.
 */
json_t *sqs_query_decode(const json_t *params);

/* Append the XML of result `out` (JSON 1.0 shape; NULL for actions
 * without a result) of `action` to b: <ActionResponse>...</...>. */
void sqs_xml_result(struct buf *b, const char *action, const json_t *out,
                    const char *request_id);

/*
 * MD5OfMessageAttributes of `attrs` ({name: {DataType, StringValue |
 * BinaryValue}}) into out[33]: names sorted, each length-prefixed name,
 * DataType, transport byte and value (binary values decoded).
 * Returns: 0, or -1 when a binary value is not base64.
 */
int sqs_attrs_md5(char *out, const json_t *attrs);

/* Decode standard base64 (padding optional) into b. Returns: 0 or -1. */
int sqs_base64_decode(struct buf *b, const char *s, size_t n);

#endif
