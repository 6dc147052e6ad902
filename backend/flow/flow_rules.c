/*
 * flow_rules: the run-time rules a definition implies, for the executor:
 * a step's default input and output (spec §1.3, §5 behaviour 5), which
 * retry policy or catch an error name selects (§1.5, §1.6) and the wait
 * before each retry. Pure functions; any thread.
 */
#include "flow/flow.h"

#include <math.h>
#include <string.h>

int
flow_step_input(json_t **out, const struct flow_step *s,
                json_t *parent_input, json_t *parent_local, json_t *context)
{
    if (s->input_mappings)
        return flow_mapping_apply(out, s->input_mappings, parent_input,
                                  parent_local, context);
    *out = flow_data_merge(parent_input, parent_local);
    return 0;
}

int
flow_step_output(json_t **out, const struct flow_step *s, json_t *input,
                 json_t *local, json_t *context)
{
    if (s->output_mappings)
        return flow_mapping_apply(out, s->output_mappings, input, local,
                                  context);
    if (s->type == FLOW_STEP_PARALLEL || s->type == FLOW_STEP_FOREACH ||
        !json_is_object(local))
        *out = json_object();
    else
        *out = json_deep_copy(local);
    return 0;
}

static int
flow_error_is_timeout(const char *name)
{
    return strcmp(name, "FnF.Timeout") == 0 ||
           strcmp(name, "FnF.TaskTimeout") == 0;
}

int
flow_errors_match(char *const *errors, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(errors[i], "FnF.ALL") == 0 ||
            strcmp(errors[i], name) == 0)
            return 1;
        if (flow_error_is_timeout(errors[i]) && flow_error_is_timeout(name))
            return 1;
    }
    return 0;
}

const struct flow_retry *
flow_task_find_retry(const struct flow_step *s, const char *error)
{
    for (size_t i = 0; i < s->task.nretry; i++)
        if (flow_errors_match(s->task.retry[i].errors,
                              s->task.retry[i].nerrors, error))
            return &s->task.retry[i];
    return NULL;
}

const struct flow_catch *
flow_task_find_catch(const struct flow_step *s, const char *error)
{
    for (size_t i = 0; i < s->task.ncatch; i++)
        if (flow_errors_match(s->task.catches[i].errors,
                              s->task.catches[i].nerrors, error))
            return &s->task.catches[i];
    return NULL;
}

int64_t
flow_retry_delay_ms(const struct flow_retry *r, int k)
{
    double s = r->interval_s * pow(r->multiplier, k > 1 ? k - 1 : 0);

    /* pow may give inf: the caps below bring it back */
    if (r->max_interval_s > 0 && s > r->max_interval_s)
        s = r->max_interval_s;
    if (s > FLOW_RETRY_DELAY_MAX_S)
        s = FLOW_RETRY_DELAY_MAX_S;
    return (int64_t)llround(s * 1000.0);
}
