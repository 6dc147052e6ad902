/*
 * fuzz_template: template.yaml. The input is read as a template's
 * template.yaml (tmpl_parse); one that checks is then given its
 * parameters' defaults, rendered and its samples made, as a deploy does
 * before it touches any service or file.
 */
#include "fuzz.h"
#include "fuzz_util.inc"

#include "tmpl/tmpl_int.h"

#include <jansson.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tmpl *t = xcalloc(1, sizeof(*t));
    json_t *vars = NULL, *res = NULL, *samples = NULL;

    t->source = xstrdup("bundled");
    t->dir = xstrdup("/nonexistent/fuzz");
    t->label = xstrdup("fuzz/template.yaml");
    if (tmpl_parse(t, (const char *)data, size, NULL) == 0 &&
        tmpl_vars(&vars, t, NULL, "fuzz", "http://127.0.0.1:9460") == 0) {
        if (tmpl_render(&res, t, vars) == 0)
            json_decref(res);
        if (tmpl_samples(&samples, t, vars) == 0)
            json_decref(samples);
        json_decref(vars);
    }
    tmpl_free(t);
    return 0;
}
