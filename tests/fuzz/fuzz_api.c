/*
 * fuzz_api: the router and the JSON request bodies of the engine API,
 * through a real engine in this process (fuzz_box.inc). Input: a request
 * line's method and target ("POST /v1/queues/q/messages?wait=1") on the
 * first line, the JSON body after it.
 */
#include "fuzz.h"
#include "fuzz_util.inc"
#include "fuzz_box.inc"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    box_request_line(data, size, "Content-Type: application/json");
    return 0;
}
