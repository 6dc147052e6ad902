/*
 * fuzz_cond: choice conditions. Input: a condition on the first line,
 * then a JSON document it is evaluated against as input, local and
 * context.
 */
#include "fuzz.h"
#include "fuzz_util.inc"

#include "flow/flow_cond.h"

#include <jansson.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *rest = data;
    size_t n = size, pos = 0;
    char *text = fuzz_cut(&rest, &n);
    json_t *doc = json_loadb((const char *)rest, n, JSON_DECODE_ANY, NULL);
    struct flow_cond *c = NULL;

    if (flow_cond_compile(&c, text, strlen(text), &pos) == 0) {
        (void)flow_cond_eval(c, doc, doc, doc);
        flow_cond_free(c);
    }
    json_decref(doc);
    free(text);
    return 0;
}
