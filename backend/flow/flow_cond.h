/*
 * flow_cond: the conditions of choice steps (spec §1.4), compiled once
 * and evaluated against a step's input, local and context.
 *
 * Grammar, lowest precedence first (as in C: '!' binds tighter than a
 * comparison, so "!$.a == true" is "(!$.a) == true"):
 *   cond    := and ( '||' and )*
 *   and     := cmp ( '&&' cmp )*
 *   cmp     := unary [ ( '==' | '!=' | '<' | '<=' | '>' | '>=' ) unary ]
 *   unary   := '!' unary | primary
 *   primary := '(' cond ')' | path | string | number
 *            | 'true' | 'false' | 'null'
 * Comparisons do not chain: "a == b == c" is an error; write
 * "(a == b) == c". Paths are flow_path's ("$.status", "$input.n",
 * "$local.items[0]", "$context.step.name"); "$" is the input the caller
 * passes, the choice step's input. Strings are "double quoted" with JSON
 * escapes or 'single quoted' with \' and \\. Numbers are JSON numbers
 * (-3, 2.5, 1e3). Spaces, tabs and newlines separate tokens. Parentheses
 * and '!' nest at most FLOW_COND_MAX_DEPTH deep.
 *
 * Values and types:
 * - A path that reaches nothing is null; so "$.missing > 3" is false and
 *   "$.missing == null" is true, never an error.
 * - Truth (a bare value as a condition, and the operands of ! && ||):
 *   null, false, 0 and "" are false; everything else is true, empty
 *   arrays and objects included.
 * - == and !=: two numbers compare by value (1 == 1.0); two values of one
 *   other JSON type compare by jansson equality (strings byte for byte,
 *   arrays and objects member by member); values of different types are
 *   never equal ("3" != 3, null != false).
 * - < <= > >=: numbers by value, strings by bytes (UTF-8, so by code
 *   point). For any other pair, mixed types included, all four are false;
 *   so "!(a < b)" is not "a >= b" when a and b cannot be ordered.
 * - A comparison or logical result used as an operand is a bool.
 * - && and || short-circuit.
 */
#ifndef FLOWDECK_FLOW_COND_H
#define FLOWDECK_FLOW_COND_H

#include <jansson.h>
#include <stddef.h>

#define FLOW_COND_MAX_DEPTH 64

/* A compiled condition; opaque. Evaluation only reads it (not even its
 * reference counts change), so threads may share one. */
struct flow_cond;

/*
 * Compile the `len` bytes of `text`.
 * Returns: 0 and a new condition in *out; ENG_EINVAL with a message that
 * names the condition, the problem and its 1-based column ("bad condition
 * '$.a == )': unexpected ')' at column 8 (expected a path, a string, a
 * number, true, false, null, '!' or '(')") and, when `errpos` is not
 * NULL, the byte offset of the problem in *errpos. *out NULL on failure.
 */
int flow_cond_compile(struct flow_cond **out, const char *text, size_t len,
                      size_t *errpos);

/*
 * Evaluate. input, local and context are borrowed and may be NULL (read
 * as missing). Returns: 1 when the condition holds, 0 when it does not;
 * it cannot fail.
 */
int flow_cond_eval(const struct flow_cond *c, json_t *input, json_t *local,
                   json_t *context);

/* Returns: borrowed; the text the condition was compiled from. */
const char *flow_cond_text(const struct flow_cond *c);

void flow_cond_free(struct flow_cond *c);

#endif
