/*
 * fuzz_mns: the MNS REST protocol through a real engine in this process
 * (fuzz_box.inc): its routes, headers and XML bodies. Input: the method
 * and target ("POST /queues/q/messages") on the first line, the XML body
 * after it.
 */
#include "fuzz.h"
#include "fuzz_util.inc"
#include "fuzz_box.inc"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    box_request_line(data, size,
                     "Content-Type: text/xml;charset=UTF-8\r\n"
                     "x-mns-version: 2015-06-06\r\n"
                     "Date: Sat, 21 Nov 2026 10:00:00 GMT");
    return 0;
}
