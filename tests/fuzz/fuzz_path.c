/*
 * fuzz_path: mapping paths ($input.a[0].b, $local, $context...) and
 * mapping values. Input: a path on the first line, then a JSON document
 * it is evaluated against as input, local and context.
 */
#include "fuzz.h"
#include "fuzz_util.inc"

#include "flow/flow_path.h"

#include <jansson.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *rest = data;
    size_t n = size, used = 0, pos = 0;
    char *text = fuzz_cut(&rest, &n);
    json_t *doc = json_loadb((const char *)rest, n, JSON_DECODE_ANY, NULL);
    struct flow_path *p = NULL;
    struct flow_value *v = NULL;
    json_t *str;

    if (flow_path_compile(&p, text, strlen(text), NULL, &pos) == 0) {
        json_decref(flow_path_eval(p, doc, doc, doc));
        flow_path_free(p);
    }
    if (flow_path_compile(&p, text, strlen(text), &used, &pos) == 0)
        flow_path_free(p);
    /* the same text as a mapping's value: a path when it starts with $ */
    str = json_string(text);
    if (str && flow_value_create(&v, str, &pos) == 0) {
        struct flow_mapping_item item = {.target = text, .source = v};
        struct flow_mapping m = {.n = 1, .items = &item};
        json_t *out = NULL;

        json_decref(flow_value_eval(v, doc, doc, doc));
        if (flow_mapping_apply(&out, &m, doc, doc, doc) == 0)
            json_decref(out);
        flow_value_free(v);
    }
    json_decref(str);
    json_decref(doc);
    free(text);
    return 0;
}
