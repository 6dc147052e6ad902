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
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    box_start();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *rest = data;
    size_t n = size;
    char *line = fuzz_cut(&rest, &n), *sp = strchr(line, ' '), *head;

    if (sp && sp != line && strlen(line) < 2048 && box_line_ok(line) &&
        sp[1] == '/' && !strchr(sp + 1, ' ') && !box_refused(sp + 1)) {
        head = xasprintf("%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Content-Type: text/xml;charset=UTF-8\r\n"
                         "x-mns-version: 2015-06-06\r\n"
                         "Date: Sat, 21 Nov 2026 10:00:00 GMT",
                         line);
        box_request(head, (const char *)rest, n);
        free(head);
    }
    free(line);
    return 0;
}
