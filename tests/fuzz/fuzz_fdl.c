/*
 * fuzz_fdl: the FDL parser and validator (flow_parse): the input is a
 * flow definition, YAML or JSON. A definition that parses is also turned
 * back into JSON, as GET /v1/flows/{name} does.
 */
#include "fuzz.h"
#include "fuzz_util.inc"

#include "flow/flow.h"

#include <jansson.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct flow *f = NULL;

    if (flow_parse(&f, (const char *)data, size, "fuzz.yaml") == 0) {
        json_t *j = flow_to_json(f);

        json_decref(j);
        flow_free(f);
    }
    return 0;
}
