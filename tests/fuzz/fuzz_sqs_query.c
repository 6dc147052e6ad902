/*
 * fuzz_sqs_query: the SQS query protocol's decoders. The input is a form
 * body (Action=SendMessageBatch&SendMessageBatchRequestEntry.1.Id=...);
 * it is decoded as the adapter does (compat_form_parse, then the
 * flattened parameters into the JSON 1.0 shape), and every message
 * attribute map in the result is digested (MD5OfMessageAttributes, with
 * its base64 binary values).
 */
#include "fuzz.h"
#include "fuzz_util.inc"

#include "common/buf.h"
#include "compat/compat_int.h"
#include "compat/compat_sqs.h"

#include <jansson.h>

static void
fuzz_digest(const json_t *entry)
{
    static const char *const keys[] = {"MessageAttributes",
                                       "MessageSystemAttributes", NULL};
    char md5[33];

    for (size_t i = 0; keys[i]; i++) {
        const json_t *a = json_object_get(entry, keys[i]);

        if (json_is_object(a))
            (void)sqs_attrs_md5(md5, a);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *params = json_object(), *req, *entries, *e;
    struct buf b = BUF_INIT(1u << 20);
    size_t i;

    if (compat_form_parse(params, (const char *)data, size) == 0) {
        req = sqs_query_decode(params);
        fuzz_digest(req);
        entries = json_object_get(req, "Entries");
        json_array_foreach(entries, i, e)
            fuzz_digest(e);
        json_decref(req);
    }
    /* the body as a BinaryValue */
    (void)sqs_base64_decode(&b, (const char *)data, size);
    buf_free(&b);
    json_decref(params);
    return 0;
}
