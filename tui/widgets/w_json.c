/*
 * w_json: decode with jansson, encode again indented. Numbers keep their
 * value, not their spelling (1.50 comes back as 1.5).
 */
#include "widgets/w_json.h"

#include "common/xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

char *
w_json_pretty(const char *text)
{
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    char *out = NULL;

    if (json_is_object(j) || json_is_array(j))
        out = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    return out;
}
