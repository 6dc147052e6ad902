/*
 * compat_sqs (SQS query, JSON 1.0, /_aws/sqs/messages): not served yet; answers every call with the protocol-neutral
 * refusal below until its adapter lands.
 */
#include "compat/compat_int.h"

#include "common/err.h"

#include <string.h>

void
compat_sqs_query_error(struct compat_call *c, struct http_resp *resp, int rc)
{
    struct buf b = BUF_INIT(0);

    buf_puts(&b, "<ErrorResponse><Error><Type>Sender</Type><Code>");
    compat_xml_escape(&b, err_last_name(), strlen(err_last_name()));
    buf_puts(&b, "</Code><Message>");
    compat_xml_escape(&b, err_last(), strlen(err_last()));
    buf_printf(&b, "</Message></Error><RequestId>%s</RequestId>"
                   "</ErrorResponse>",
               c->request_id);
    compat_reply(c, resp, 400, "text/xml", &b, "x-amzn-RequestId");
}

void
compat_sqs_json_error(struct compat_call *c, struct http_resp *resp, int rc)
{
    http_reply_json_new(resp, 400,
                        json_pack("{s:s, s:s}", "__type", err_last_name(),
                                  "message", err_last()));
    http_resp_header(resp, "x-amzn-RequestId", c->request_id);
}

int
compat_sqs_query(struct compat_call *c, struct http_resp *resp)
{
    int rc = err_setn(ENG_EINVAL, "UnsupportedOperation",
                      "the SQS query protocol is not served yet");

    compat_sqs_query_error(c, resp, rc);
    return rc;
}

int
compat_sqs_json(struct compat_call *c, struct http_resp *resp)
{
    int rc = err_setn(ENG_EINVAL, "UnsupportedOperation",
                      "the SQS JSON protocol is not served yet");

    compat_sqs_json_error(c, resp, rc);
    return rc;
}

int
compat_sqs_peek(struct compat_call *c, struct http_resp *resp)
{
    return compat_sqs_json(c, resp);
}
