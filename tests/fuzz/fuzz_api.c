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
                         "Content-Type: application/json",
                         line);
        box_request(head, (const char *)rest, n);
        free(head);
    }
    free(line);
    return 0;
}
