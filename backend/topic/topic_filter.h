/*
 * topic_filter: SNS filter policies, checked and evaluated. A pure module
 * (no engine, no store): a policy, the message's attributes and body in,
 * a verdict and an explanation out. Any thread.
 *
 * Policy (JSON object): every top-level key must be satisfied (AND); a
 * key's array is satisfied when any element matches (OR); "$or" holds
 * alternative policies. Elements: "text" and numbers (exact), null and
 * booleans (body scope), {"prefix"}, {"suffix"}, {"equals-ignore-case"},
 * {"anything-but": value | [values] | {"prefix"|"suffix"}},
 * {"numeric": [op, n (, op, n)]}, {"exists": bool}, {"cidr": "a.b.c.d/n"}.
 * Every form but {"exists": false} needs the key present.
 *
 * Attributes are normalised: {name: {"type": "String" | "Number" |
 * "String.Array" | "Binary", "value": "text"}}; Binary ones are ignored.
 */
#ifndef FLOWDECK_TOPIC_FILTER_H
#define FLOWDECK_TOPIC_FILTER_H

#include <jansson.h>

enum topic_scope {
    TOPIC_SCOPE_ATTRIBUTES = 0, /* FilterPolicyScope MessageAttributes */
    TOPIC_SCOPE_BODY = 1        /* FilterPolicyScope MessageBody */
};

/*
 * Check a policy (borrowed) for `scope`. Returns: 0, or ENG_EINVAL with a
 * message naming the key and what is wrong with it.
 */
int topic_filter_check(const json_t *policy, enum topic_scope scope);

/*
 * Evaluate a checked policy. `attrs` (normalised, may be NULL) and `body`
 * (the message text) are borrowed; for body scope a body that is not a
 * JSON object matches nothing. When `explain` (an array) is given, one
 * object per top-level key is appended: {"key", "pass", "why", ...}.
 * Returns: 1 when the message matches, 0 when not.
 */
int topic_filter_match(const json_t *policy, enum topic_scope scope,
                       const json_t *attrs, const char *body,
                       json_t *explain);

/*
 * Normalise publish attributes: {name: {"type", "value"}} as they are
 * (checked), or plain values ("x" String, 5 Number, ["a"] String.Array).
 * Returns: 0 and a new object in *out (empty when `in` is NULL), or
 * ENG_EINVAL naming the attribute.
 */
int topic_filter_attrs(json_t **out, const json_t *in);

#endif
