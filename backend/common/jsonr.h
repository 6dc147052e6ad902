/*
 * jsonr: a fast reader for the JSON that request bodies carry, the
 * counterpart of jsonw. jansson's parser reads one character at a time
 * through a stream with per-character UTF-8 checks, and costs a third of
 * a batch send; this one scans strings in runs.
 *
 * It reads a strict subset of what json_loadb(JSON_REJECT_DUPLICATES)
 * accepts: objects, arrays, strings (escapes other than \u), integers of
 * up to 18 digits, true, false and null, nested at most JSONR_DEPTH_MAX
 * deep. Anything else, valid or not, makes it give up, and the caller
 * parses the text with jansson, which gives the value or the error. So
 * for every text it accepts, the tree is the one jansson builds (same
 * types, values and key order), and every error comes from jansson.
 */
#ifndef FLOWDECK_JSONR_H
#define FLOWDECK_JSONR_H

#include <jansson.h>
#include <stddef.h>

#define JSONR_DEPTH_MAX 64

/*
 * Read text[0..len) as a JSON object or array. Returns: new reference,
 * or NULL when the text is outside the subset (then parse it with
 * jansson).
 */
json_t *jsonr_parse(const char *text, size_t len);

#endif
