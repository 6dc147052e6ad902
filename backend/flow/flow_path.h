/*
 * flow_path: the expressions of FDL data flow (spec §1.3): paths into the
 * three roots a mapping can read, constants, mapping lists, and the
 * shallow merge the default data-flow rules use.
 *
 * Path syntax. A path starts at a root:
 *   $input     the input the caller passes (see each evaluator's contract)
 *   $local     the local the caller passes
 *   $context   the context object (§1.7); its first key must be task,
 *              execution, flow or step: $context.task.token,
 *              $context.execution.name, $context.flow.name,
 *              $context.step.name
 *   $          the same as $input ("$.x" is "$input.x"); in serviceParams
 *              and conditions the caller passes the step's own input as
 *              the input, so "$" is that input there.
 * followed by any number (at most FLOW_PATH_MAX_SEGS) of segments:
 *   .key       member; key characters are letters, digits, '_', '-' and
 *              any non-ASCII UTF-8
 *   ['key']    member with any key; also ["key"]; escapes \' \" \\ only
 *   [n]        array element n (0-based, non-negative)
 *   [*]        every element of an array, or every member value of an
 *              object, in order
 *
 * Evaluation never fails. A path without [*] gives the value it reaches,
 * or JSON null when any step of the way is missing or of the wrong type
 * (a key on an array, an index on an object, an index out of range). A
 * path with [*] always gives an array: every value it reaches, flattened
 * in document order, skipping the ways that reach nothing (JSONPath's
 * rule); so "$local[*].result" over [{"result":1},{},{"result":3}] is
 * [1,3], and over a missing $local is [].
 *
 * Values handed out are deep copies: a result never shares structure with
 * the arguments or with a definition, so the caller may change it freely.
 *
 * Compiled objects are immutable and may be shared by threads.
 */
#ifndef FLOWDECK_FLOW_PATH_H
#define FLOWDECK_FLOW_PATH_H

#include <jansson.h>
#include <stddef.h>

#define FLOW_PATH_MAX_SEGS 128

/* A place in a definition: 1-based line and column; 0/0 when unknown. */
struct flow_pos {
    int line;
    int col;
};

enum flow_root {
    FLOW_ROOT_INPUT,   /* $input, $ */
    FLOW_ROOT_LOCAL,   /* $local */
    FLOW_ROOT_CONTEXT  /* $context */
};

struct flow_path;  /* compiled path; opaque */
struct flow_value; /* compiled mapping source: a path or a constant */

/*
 * Compile the `len` bytes of `text` as a path.
 *
 * With `used` NULL the whole text must be the path. With `used` set, the
 * path ends at the first character that cannot continue it (a space, an
 * operator, ')') and *used is its length in bytes; conditions use this.
 *
 * Returns: 0 and a new path in *out; ENG_EINVAL with a message naming the
 * text, the problem, the bad character and its 1-based column ("bad path
 * '$input.a%': unexpected '%' at column 9 (expected '.', '[' or the end)")
 * and, when `errpos` is not NULL, the byte offset of the bad character in
 * *errpos. *out is NULL on failure.
 */
int flow_path_compile(struct flow_path **out, const char *text, size_t len,
                      size_t *used, size_t *errpos);

/*
 * Evaluate against the roots (all borrowed, each may be NULL, which reads
 * as missing). Returns: new reference, never NULL (see the rules above).
 */
json_t *flow_path_eval(const struct flow_path *p, json_t *input,
                       json_t *local, json_t *context);

/* Returns: borrowed; the text the path was compiled from. */
const char *flow_path_text(const struct flow_path *p);

/* Returns: the root the path reads. */
enum flow_root flow_path_root(const struct flow_path *p);

/* Returns: 1 when the path is a bare root ("$", "$input", ...). */
int flow_path_is_root(const struct flow_path *p);

void flow_path_free(struct flow_path *p);

/*
 * Compile a mapping source from its JSON value (borrowed): a string that
 * starts with '$' is a path; anything else (another string, a number, a
 * bool, null, an object, an array) is a constant, kept as a deep copy.
 * Strings inside a constant object or array are not evaluated.
 * Returns: 0 and a new value in *out; ENG_EINVAL as flow_path_compile
 * (with *errpos), *out NULL.
 */
int flow_value_create(struct flow_value **out, const json_t *v,
                      size_t *errpos);

/*
 * Evaluate: a constant gives a copy of itself, a path is evaluated as
 * flow_path_eval. Roots borrowed. Returns: new reference, never NULL.
 */
json_t *flow_value_eval(const struct flow_value *v, json_t *input,
                        json_t *local, json_t *context);

/* Returns: borrowed; the path, or NULL when the value is a constant. */
const struct flow_path *flow_value_path(const struct flow_value *v);

/*
 * Returns: new reference; the value as written: the path text as a
 * string, or a copy of the constant.
 */
json_t *flow_value_to_json(const struct flow_value *v);

void flow_value_free(struct flow_value *v);

/* One `{target, source}` of a mapping list. */
struct flow_mapping_item {
    char *target;              /* a plain top-level key; owned */
    struct flow_value *source; /* owned */
    struct flow_pos pos;       /* of the list item */
};

/* A mapping list: inputMappings, outputMappings or errorMappings. */
struct flow_mapping {
    size_t n;
    struct flow_mapping_item *items; /* owned, n of them */
    struct flow_pos pos;             /* of the list */
};

/*
 * Build a NEW object {target_i: value_i} from a mapping list, evaluating
 * each source against the roots (borrowed; see the table in §1.3 for what
 * the caller passes as input and local where). Nothing else is merged in:
 * the list replaces the default rule. A NULL or empty list gives {}. When
 * two items name the same target the later wins (the parser refuses such
 * lists, so only hand-built ones have them).
 * Returns: 0 and a new object in *out; ENG_EINVAL (with *out NULL) when a
 * target is not a valid UTF-8 key.
 */
int flow_mapping_apply(json_t **out, const struct flow_mapping *list,
                       json_t *input, json_t *local, json_t *context);

/* Free the list, its items and their sources. NULL is a no-op. */
void flow_mapping_free(struct flow_mapping *m);

/*
 * The shallow merge of §1.3: a copy of the members of `a`, then those of
 * `b` (a key in both takes b's value). Arguments borrowed; one that is
 * NULL or not an object counts as {}. Returns: new object.
 */
json_t *flow_data_merge(json_t *a, json_t *b);

/*
 * Build a context object for evaluation: {"flow": {"name"}, "execution":
 * {"name"}, "step": {"name"}, "task": {"token"}}, leaving out each member
 * whose argument is NULL. Strings are copied.
 * Returns: new object.
 */
json_t *flow_context_build(const char *flow, const char *execution,
                           const char *step, const char *task_token);

/*
 * Helpers for messages, shared by the flow modules. flow_text_excerpt
 * writes a printable excerpt of text[0..len) into out (n bytes, always
 * terminated): control bytes become '?', and text over 48 bytes is cut
 * (at a UTF-8 boundary) and ends in "...". flow_text_cols returns the
 * number of UTF-8 characters in text[0..off).
 */
void flow_text_excerpt(char *out, size_t n, const char *text, size_t len);
size_t flow_text_cols(const char *text, size_t off);

#endif
