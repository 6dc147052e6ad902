/*
 * flow: FDL v1 flow definitions (spec §1): parsed from YAML or JSON into
 * a tree of steps, validated, and described as JSON for the console.
 * This is the definition layer only; the executor reads these structures
 * and asks flow_path / flow_cond to evaluate what they hold.
 *
 * A parsed flow is immutable; every pointer in it is owned by the flow
 * and freed by flow_free(). Positions are 1-based line and column of the
 * YAML node they came from. Any thread.
 *
 * What the parser accepts (unknown fields are errors everywhere):
 *   flow:      version (v1 | v1beta1), type (flow), steps,
 *              inputMappings?, outputMappings?
 *   any step:  type, name, end?, inputMappings?, outputMappings?
 *   task:      resourceArn, pattern? (requestResponse), serviceParams?,
 *              timeoutSeconds?, heartbeatSeconds?, retry?, catch?,
 *              errorMappings?
 *   choice:    choices [{condition, steps?, goto?}], default? {steps?,
 *              goto?}
 *   parallel:  branches [{steps}] (1..FLOW_MAX_BRANCHES)
 *   foreach:   iterationMapping {collection, item, index?}, steps
 *   wait:      duration (seconds, 0..172800) or timestamp (RFC 3339);
 *              either a literal or a "$..." path
 *   fail:      error?, cause?
 *   pass, succeed: nothing more
 * Step names are unique in the whole flow; a `goto` (of a catch, a
 * choice or its default) names a step of the same list as the step that
 * holds it.
 */
#ifndef FLOWDECK_FLOW_H
#define FLOWDECK_FLOW_H

#include "flow/flow_cond.h"
#include "flow/flow_path.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define FLOW_MAX_BYTES (256 * 1024) /* a definition's text */
#define FLOW_MAX_DEPTH 64           /* YAML nesting levels */
#define FLOW_MAX_BRANCHES 100       /* of a parallel step */
#define FLOW_MAX_NAME 128           /* bytes of a step name */
#define FLOW_WAIT_MAX_S 172800      /* 2 days */
#define FLOW_RETRY_DELAY_MAX_S 86400

enum flow_step_type {
    FLOW_STEP_TASK,
    FLOW_STEP_PASS,
    FLOW_STEP_CHOICE,
    FLOW_STEP_PARALLEL,
    FLOW_STEP_FOREACH,
    FLOW_STEP_WAIT,
    FLOW_STEP_SUCCEED,
    FLOW_STEP_FAIL
};

enum flow_pattern {
    FLOW_PATTERN_REQUEST_RESPONSE,
    FLOW_PATTERN_WAIT_FOR_CALLBACK,
    FLOW_PATTERN_SYNC
};

/* What a task's resourceArn names. */
enum flow_resource {
    FLOW_RES_QUEUE,    /* acs:mns:{region}:{uid}:/queues/{q}/messages */
    FLOW_RES_TOPIC,    /* acs:mns:{region}:{uid}:/topics/{t}/messages */
    FLOW_RES_FUNCTION, /* acs:fc:{r}:{uid}:services/{s}/functions/{f},
                          or fn:{f} (local function, no service) */
    FLOW_RES_FLOW      /* acs:fnf:{region}:{uid}:flow/{name} */
};

struct flow_step;

/* An ordered step list: a flow's, a branch's, an iteration's. */
struct flow_steps {
    size_t n;
    struct flow_step *v; /* owned, n of them */
    struct flow_pos pos; /* of the list */
};

struct flow_retry {
    char **errors; /* owned; error names ("FnF.ALL" matches any) */
    size_t nerrors;
    int interval_s;     /* intervalSeconds, default 1, 1..86400 */
    int max_attempts;   /* maxAttempts: retries, default 3, 0..1000 */
    double multiplier;  /* default 2, 1..1000 */
    int max_interval_s; /* maxIntervalSeconds; 0 when not given */
    struct flow_pos pos;
};

struct flow_catch {
    char **errors; /* owned */
    size_t nerrors;
    char *go_to;   /* owned; a sibling of the task */
    struct flow_mapping *error_mappings; /* owned; NULL: the task's */
    struct flow_pos pos;
    struct flow_pos goto_pos;
};

struct flow_task {
    char *resource_arn; /* owned; as written */
    enum flow_resource resource;
    char *resource_name;    /* owned; queue, topic, function or flow */
    char *resource_service; /* owned; FC service, NULL otherwise */
    struct flow_pos arn_pos;
    enum flow_pattern pattern;
    json_t *service_params; /* owned reference; NULL when absent */
    int timeout_s;          /* timeoutSeconds; 0: no timeout */
    int heartbeat_s;        /* heartbeatSeconds (waitForCallback): the
                               longest gap between heartbeats; 0: none */
    struct flow_retry *retry; /* owned, nretry of them */
    size_t nretry;
    struct flow_catch *catches; /* owned, ncatch of them */
    size_t ncatch;
    struct flow_mapping *error_mappings; /* owned; NULL when absent */
};

/* A choice's `choices` entry, or its default (cond NULL). */
struct flow_choice {
    struct flow_cond *cond; /* owned; NULL for the default */
    int has_steps;          /* `steps` was given */
    struct flow_steps steps;
    char *go_to;            /* owned; NULL when not given */
    struct flow_pos pos;
    struct flow_pos goto_pos;
};

struct flow_step {
    enum flow_step_type type;
    char *name; /* owned */
    int end;    /* end: true */
    struct flow_pos pos;      /* of the step's mapping */
    struct flow_pos name_pos; /* of its name */
    struct flow_mapping *input_mappings;  /* owned; NULL: the default */
    struct flow_mapping *output_mappings; /* owned; NULL: the default */

    struct flow_task task; /* FLOW_STEP_TASK */

    struct flow_choice *choices; /* FLOW_STEP_CHOICE: owned */
    size_t nchoices;
    struct flow_choice *deflt; /* owned; NULL when there is no default */

    struct flow_steps *branches; /* FLOW_STEP_PARALLEL: owned; each
                                    branch's pos is its mapping's */
    size_t nbranches;

    struct flow_path *collection; /* FLOW_STEP_FOREACH: owned */
    char *item;                   /* owned; key of the element */
    char *index;                  /* owned; key of the index, or NULL */
    struct flow_steps steps;      /* the iteration's steps */

    struct flow_value *duration;  /* FLOW_STEP_WAIT: owned; one of */
    struct flow_value *timestamp; /* the two is set */

    char *error; /* FLOW_STEP_FAIL: owned; NULL when not given */
    char *cause;
};

struct flow {
    char *src;     /* owned; the name used in messages */
    char *version; /* owned; "v1" or "v1beta1" */
    struct flow_mapping *input_mappings;  /* owned; NULL when absent */
    struct flow_mapping *output_mappings; /* owned; NULL when absent */
    struct flow_steps steps;
    struct flow_pos pos;
};

/*
 * Parse the `len` bytes of `text`, FDL v1 as YAML or JSON, and validate
 * it (flow_validate). `name_for_errors` (may be NULL: "flow") starts every
 * message, with the line and column of the node at fault:
 *   "flow.yaml:12:11: unknown step type 'taks' (expected task, pass,
 *    choice, parallel, foreach, wait, succeed or fail)"
 * YAML aliases are refused, nesting is capped at FLOW_MAX_DEPTH and the
 * text at FLOW_MAX_BYTES.
 * Returns: 0 and a new flow in *out; ENG_EINVAL (bad YAML, bad FDL);
 * ENG_ETOOBIG (over FLOW_MAX_BYTES). *out is NULL on failure.
 */
int flow_parse(struct flow **out, const char *text, size_t len,
               const char *name_for_errors);

/*
 * Read YAML (or JSON) text of at most `max` bytes into JSON by
 * flow_parse's rules: one document, aliases refused, nesting capped at
 * FLOW_MAX_DEPTH, scalars typed by the JSON-like core schema, keys
 * unique. Errors read "<src>:<line>:<col>: <message>". With `where`,
 * also a new object mapping the JSON pointer of every node
 * ("/resources/2/type"; "" is the root) to [line, col].
 * Returns: 0 and a new value in *out; ENG_EINVAL; ENG_ETOOBIG.
 */
int flow_yaml_load(json_t **out, json_t **where, const char *text,
                   size_t len, const char *src, size_t max);

/*
 * The checks that look across steps: names unique in the whole flow,
 * every goto naming a step of its own list. flow_parse runs it; call it
 * on a flow built by other means.
 * Returns: 0 or ENG_EINVAL with a positioned message.
 */
int flow_validate(const struct flow *f);

void flow_free(struct flow *f);

/*
 * Describe the definition for the console's graph: the flow's version,
 * mappings and steps; each step with name, type, line, column, end, next
 * (the sibling that runs after it, or null when its list ends there) and
 * its type's fields, nested lists as "steps" / "branches" / "choices" /
 * "default". Mapping sources are given as written.
 * Returns: new reference.
 */
json_t *flow_to_json(const struct flow *f);

/* Returns: static text: "task", "pass", ... */
const char *flow_step_type_name(enum flow_step_type t);
/* Returns: static text: "requestResponse", "waitForCallback", "sync" */
const char *flow_pattern_name(enum flow_pattern p);
/* Returns: static text: "queue", "topic", "function", "flow" */
const char *flow_resource_name(enum flow_resource r);

/* ---- data-flow and error rules, for the executor (flow_rules.c) ---- */

/*
 * A step's input (§1.3): its inputMappings over (parent_input,
 * parent_local, context) when it has them, else merge(parent_input,
 * parent_local) with local keys winning. Arguments borrowed.
 * Returns: 0 and a new object in *out; ENG_EINVAL as flow_mapping_apply.
 */
int flow_step_input(json_t **out, const struct flow_step *s,
                    json_t *parent_input, json_t *parent_local,
                    json_t *context);

/*
 * A step's output (§1.3): its outputMappings over (input, local, context)
 * when it has them; else {} for parallel and foreach; else a copy of
 * `local` when it is an object, and {} when it is not. Arguments
 * borrowed. Returns: 0 and a new object in *out; ENG_EINVAL as
 * flow_mapping_apply.
 */
int flow_step_output(json_t **out, const struct flow_step *s, json_t *input,
                     json_t *local, json_t *context);

/*
 * Returns: 1 when one of `errors` matches the raised error `name`: equal
 * text, "FnF.ALL", or the pair FnF.Timeout / FnF.TaskTimeout (one
 * matches the other); else 0.
 */
int flow_errors_match(char *const *errors, size_t n, const char *name);

/* Returns: borrowed; the first retry policy of task step `s` matching
 * `error`, or NULL. */
const struct flow_retry *flow_task_find_retry(const struct flow_step *s,
                                              const char *error);

/* Returns: borrowed; the first catch of task step `s` matching `error`,
 * or NULL. */
const struct flow_catch *flow_task_find_catch(const struct flow_step *s,
                                              const char *error);

/*
 * Returns: the wait before retry `k` (1 = the first retry) in ms:
 * intervalSeconds * multiplier^(k-1), capped at maxIntervalSeconds when
 * given, and always at FLOW_RETRY_DELAY_MAX_S.
 */
int64_t flow_retry_delay_ms(const struct flow_retry *r, int k);

#endif
