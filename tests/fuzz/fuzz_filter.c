/*
 * fuzz_filter: SNS filter policies. Input: the policy (JSON) on the
 * first line, the message attributes (JSON, as a publish gives them) on
 * the second, and the message body after. A policy that checks in a
 * scope is matched in it, with the explanation the console shows.
 */
#include "fuzz.h"
#include "fuzz_util.inc"

#include "topic/topic_filter.h"

#include <jansson.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *rest = data;
    size_t n = size;
    char *ptext = fuzz_cut(&rest, &n), *atext = fuzz_cut(&rest, &n);
    char *body = fuzz_text(rest, n);
    json_t *policy = json_loads(ptext, JSON_DECODE_ANY, NULL);
    json_t *given = json_loads(atext, JSON_DECODE_ANY, NULL), *attrs = NULL;

    if (topic_filter_attrs(&attrs, given) != 0)
        attrs = NULL;
    for (int scope = TOPIC_SCOPE_ATTRIBUTES; scope <= TOPIC_SCOPE_BODY;
         scope++) {
        if (policy && topic_filter_check(policy, scope) == 0) {
            json_t *explain = json_array();

            (void)topic_filter_match(policy, scope, attrs, body, explain);
            json_decref(explain);
        }
    }
    json_decref(attrs);
    json_decref(given);
    json_decref(policy);
    free(body);
    free(atext);
    free(ptext);
    return 0;
}
