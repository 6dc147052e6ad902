/*
 * fuzz_fnf: the Serverless Workflow RPC protocol through a real engine in
 * this process (fuzz_box.inc): its parameter decoder and the actions
 * behind it. Input: a form body (Action=StartExecution&FlowName=f&...),
 * sent as POST /?Version=2019-03-15 like the SDK does.
 */
#include "fuzz.h"
#include "fuzz_util.inc"
#include "fuzz_box.inc"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    box_request("POST /?Version=2019-03-15&Format=JSON HTTP/1.1\r\n"
                "Host: 127.0.0.1\r\n"
                "Content-Type: application/x-www-form-urlencoded",
                (const char *)data, size);
    return 0;
}
