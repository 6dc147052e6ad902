/*
 * flow_json: a parsed flow described as JSON, for the console's graph
 * view and the API: the same field names as FDL, plus each node's line
 * and column and each step's `next`. Reads the flow only; any thread.
 */
#include "flow/flow.h"

#include "common/xalloc.h"

#include <string.h>

static json_t *flow_json_steps(const struct flow_steps *l);

static void
flow_json_pos(json_t *o, struct flow_pos pos)
{
    json_object_set_new(o, "line", json_integer(pos.line));
    json_object_set_new(o, "column", json_integer(pos.col));
}

static json_t *
flow_json_strings(char *const *v, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static void
flow_json_mapping(json_t *o, const char *key, const struct flow_mapping *m)
{
    json_t *a;

    if (m == NULL)
        return;
    a = json_array();
    for (size_t i = 0; i < m->n; i++) {
        json_t *it = json_object();

        json_object_set_new(it, "target", json_string(m->items[i].target));
        json_object_set_new(it, "source",
                            flow_value_to_json(m->items[i].source));
        flow_json_pos(it, m->items[i].pos);
        json_array_append_new(a, it);
    }
    json_object_set_new(o, key, a);
}

static void
flow_json_task(json_t *o, const struct flow_task *t)
{
    json_t *res = json_object(), *a;

    json_object_set_new(o, "resourceArn", json_string(t->resource_arn));
    json_object_set_new(res, "kind",
                        json_string(flow_resource_name(t->resource)));
    json_object_set_new(res, "name", json_string(t->resource_name));
    if (t->resource_service)
        json_object_set_new(res, "service",
                            json_string(t->resource_service));
    json_object_set_new(o, "resource", res);
    json_object_set_new(o, "pattern",
                        json_string(flow_pattern_name(t->pattern)));
    if (t->service_params)
        json_object_set_new(o, "serviceParams",
                            json_deep_copy(t->service_params));
    if (t->timeout_s)
        json_object_set_new(o, "timeoutSeconds", json_integer(t->timeout_s));
    if (t->heartbeat_s)
        json_object_set_new(o, "heartbeatSeconds",
                            json_integer(t->heartbeat_s));
    if (t->retry) {
        a = json_array();
        for (size_t i = 0; i < t->nretry; i++) {
            const struct flow_retry *r = &t->retry[i];
            json_t *e = json_object();

            json_object_set_new(e, "errors",
                                flow_json_strings(r->errors, r->nerrors));
            json_object_set_new(e, "intervalSeconds",
                                json_integer(r->interval_s));
            json_object_set_new(e, "maxAttempts",
                                json_integer(r->max_attempts));
            json_object_set_new(e, "multiplier", json_real(r->multiplier));
            if (r->max_interval_s)
                json_object_set_new(e, "maxIntervalSeconds",
                                    json_integer(r->max_interval_s));
            flow_json_pos(e, r->pos);
            json_array_append_new(a, e);
        }
        json_object_set_new(o, "retry", a);
    }
    if (t->catches) {
        a = json_array();
        for (size_t i = 0; i < t->ncatch; i++) {
            const struct flow_catch *c = &t->catches[i];
            json_t *e = json_object();

            json_object_set_new(e, "errors",
                                flow_json_strings(c->errors, c->nerrors));
            json_object_set_new(e, "goto", json_string(c->go_to));
            flow_json_mapping(e, "errorMappings", c->error_mappings);
            flow_json_pos(e, c->pos);
            json_array_append_new(a, e);
        }
        json_object_set_new(o, "catch", a);
    }
    flow_json_mapping(o, "errorMappings", t->error_mappings);
}

static json_t *
flow_json_choice(const struct flow_choice *c)
{
    json_t *o = json_object();

    if (c->cond)
        json_object_set_new(o, "condition",
                            json_string(flow_cond_text(c->cond)));
    if (c->has_steps)
        json_object_set_new(o, "steps", flow_json_steps(&c->steps));
    if (c->go_to)
        json_object_set_new(o, "goto", json_string(c->go_to));
    flow_json_pos(o, c->pos);
    return o;
}

static json_t *
flow_json_step(const struct flow_steps *l, size_t i)
{
    const struct flow_step *s = &l->v[i];
    json_t *o = json_object(), *a, *im;
    int last = s->end || i + 1 == l->n || s->type == FLOW_STEP_SUCCEED ||
               s->type == FLOW_STEP_FAIL;

    json_object_set_new(o, "name", json_string(s->name));
    json_object_set_new(o, "type", json_string(flow_step_type_name(s->type)));
    flow_json_pos(o, s->pos);
    json_object_set_new(o, "end", json_boolean(s->end));
    json_object_set_new(o, "next",
                        last ? json_null() : json_string(l->v[i + 1].name));
    flow_json_mapping(o, "inputMappings", s->input_mappings);
    flow_json_mapping(o, "outputMappings", s->output_mappings);
    switch (s->type) {
    case FLOW_STEP_TASK:
        flow_json_task(o, &s->task);
        break;
    case FLOW_STEP_CHOICE:
        a = json_array();
        for (size_t k = 0; k < s->nchoices; k++)
            json_array_append_new(a, flow_json_choice(&s->choices[k]));
        json_object_set_new(o, "choices", a);
        if (s->deflt)
            json_object_set_new(o, "default", flow_json_choice(s->deflt));
        break;
    case FLOW_STEP_PARALLEL:
        a = json_array();
        for (size_t k = 0; k < s->nbranches; k++) {
            json_t *b = json_object();

            json_object_set_new(b, "steps",
                                flow_json_steps(&s->branches[k]));
            flow_json_pos(b, s->branches[k].pos);
            json_array_append_new(a, b);
        }
        json_object_set_new(o, "branches", a);
        break;
    case FLOW_STEP_FOREACH:
        im = json_object();
        json_object_set_new(im, "collection",
                            json_string(flow_path_text(s->collection)));
        json_object_set_new(im, "item", json_string(s->item));
        if (s->index)
            json_object_set_new(im, "index", json_string(s->index));
        json_object_set_new(o, "iterationMapping", im);
        json_object_set_new(o, "steps", flow_json_steps(&s->steps));
        break;
    case FLOW_STEP_WAIT:
        if (s->duration)
            json_object_set_new(o, "duration",
                                flow_value_to_json(s->duration));
        if (s->timestamp)
            json_object_set_new(o, "timestamp",
                                flow_value_to_json(s->timestamp));
        break;
    case FLOW_STEP_FAIL:
        if (s->error)
            json_object_set_new(o, "error", json_string(s->error));
        if (s->cause)
            json_object_set_new(o, "cause", json_string(s->cause));
        break;
    case FLOW_STEP_PASS:
    case FLOW_STEP_SUCCEED:
        break;
    }
    return o;
}

static json_t *
flow_json_steps(const struct flow_steps *l)
{
    json_t *a = json_array();

    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, flow_json_step(l, i));
    return a;
}

json_t *
flow_to_json(const struct flow *f)
{
    json_t *o = json_object();

    json_object_set_new(o, "version", json_string(f->version));
    json_object_set_new(o, "type", json_string("flow"));
    flow_json_pos(o, f->pos);
    flow_json_mapping(o, "inputMappings", f->input_mappings);
    flow_json_mapping(o, "outputMappings", f->output_mappings);
    json_object_set_new(o, "steps", flow_json_steps(&f->steps));
    return o;
}
