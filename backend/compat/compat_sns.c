/*
 * compat_sns (SNS): not served yet; answers every call with the protocol-neutral
 * refusal below until its adapter lands.
 */
#include "compat/compat_int.h"

#include "common/err.h"

void
compat_sns_error(struct compat_call *c, struct http_resp *resp, int rc)
{
    http_reply_json_new(resp, 400,
                        json_pack("{s:s, s:s, s:s}", "Code", err_last_name(),
                                  "Message", err_last(), "RequestId",
                                  c->request_id));
}

int
compat_sns(struct compat_call *c, struct http_resp *resp)
{
    int rc = err_setn(ENG_EINVAL, "UnsupportedOperation",
                      "the SNS protocol is not served yet");

    compat_sns_error(c, resp, rc);
    return rc;
}
