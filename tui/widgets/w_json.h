/*
 * w_json: JSON text made readable. Knows nothing of the engine.
 */
#ifndef FLOWDECK_W_JSON_H
#define FLOWDECK_W_JSON_H

/*
 * Returns: a new string, `text` re-indented by two spaces per level with
 * its keys in their order, or NULL when `text` is no JSON object or array
 * (show it raw then).
 */
char *w_json_pretty(const char *text);

#endif
