/*
 * fuzz_sqs_json: the SQS JSON 1.0 protocol (X-Amz-Target: AmazonSQS.*)
 * through a real engine in this process (fuzz_box.inc): the decoder of
 * its request bodies and the actions behind it. Input: the action
 * ("SendMessageBatch") on the first line, the JSON body after it.
 */
#include "fuzz.h"
#include "fuzz_util.inc"
#include "fuzz_box.inc"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *rest = data;
    size_t n = size;
    char *action = fuzz_cut(&rest, &n), *head;

    if (strlen(action) < 128 && box_line_ok(action)) {
        head = xasprintf("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Content-Type: application/x-amz-json-1.0\r\n"
                         "X-Amz-Target: AmazonSQS.%s",
                         action);
        box_request(head, (const char *)rest, n);
        free(head);
    }
    free(action);
    return 0;
}
