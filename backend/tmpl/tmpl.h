/*
 * tmpl: application templates and the stacks deployed from them. A
 * template is a folder (template.yaml, the files it names, a README; see
 * docs/templates.md) found in the bundled templates folder or in a
 * cloned repository. A deploy checks the whole template first, then
 * creates or changes every resource through the services' own calls in
 * one store change, so it is all or nothing; a stack records what it
 * owns, and deleting it removes that and nothing else.
 *
 * Engine thread only.
 */
#ifndef FLOWDECK_TMPL_H
#define FLOWDECK_TMPL_H

#include <jansson.h>
#include <stdint.h>

struct engine;
struct tmpl_service;

#define TMPL_FILE_MAX (1 << 20)      /* one file of a template */
#define TMPL_TOTAL_MAX (16 << 20)    /* a whole template folder */
#define TMPL_FILES_MAX 1000          /* files in a template folder */
#define TMPL_NAME_MAX 64
#define TMPL_PATTERN_MAX 256          /* a parameter's pattern, bytes */

/*
 * A service over the engine. `bundled` (may be NULL: none) is the folder
 * of bundled templates. Returns: 0 and *out.
 */
int tmpl_service_create(struct tmpl_service **out, struct engine *eng,
                        const char *bundled);
void tmpl_service_free(struct tmpl_service *ts);

/* Returns: the bundled templates folder, or NULL. */
const char *tmpl_bundled_dir(const struct tmpl_service *ts);

/* ---- the catalog ---- */

/*
 * Every template of every source: {"items": [{"name", "description",
 * "source" ("bundled" | "repo:NAME"), "path", "parameters" (count),
 * "resources" (count)}]}; a folder whose template.yaml does not load is
 * listed with "error" instead, so its author sees why.
 */
int tmpl_list(json_t **out, struct tmpl_service *ts);

/*
 * One template: "name", "description", "source", "path", "parameters"
 * [{"name", "description", "default", "pattern"?, "allowed"?}],
 * "resources" in the order a deploy makes them and "samples" [{"name",
 * "description", "flow", "input"}], both with the defaults substituted
 * (${flowdeck.endpoint}: the engine's URL), "readme" (text or null).
 * `name` is a template name or "repo:REPO/NAME".
 * Returns: 0; ENG_ENOTFOUND (TemplateNotFound); ENG_EINVAL (it does not
 * load: the message names file, line and column).
 */
int tmpl_show(json_t **out, struct tmpl_service *ts, const char *name);

/* ---- stacks ---- */

/*
 * Deploy `req` {"template", "stack"? (default: the template's name),
 * "params"? {K: V}} inside the caller's store change. Everything is
 * checked first; then each resource is created, changed or left as it
 * is, and those the template no longer lists are deleted. A failure
 * undoes all of it (the services are reloaded from the store).
 * Returns: 0, *created (a new stack) and the stack (as tmpl_stack_get,
 * with "events": this deploy's state changes) in *out; ENG_EINVAL
 * naming the problem (nothing changed); ENG_ENOTFOUND (no template);
 * ENG_ECONFLICT (a resource belongs to another stack or exists outside
 * any).
 */
int tmpl_deploy(json_t **out, int *created, struct tmpl_service *ts,
                const json_t *req);

/*
 * A stack: {"name", "template", "source", "params", "status", "deploys",
 * "created", "updated", "resources": [{"type", "name", "status",
 * "reason"?, "ref"?}], "samples" (the template's, with the stack's
 * parameter values, as of its last deploy)}. Returns: 0 or
 * ENG_ENOTFOUND (StackNotFound).
 */
int tmpl_stack_get(json_t **out, struct tmpl_service *ts, const char *name);

/* Returns: 0 and {"items": [stack without resources, + "resources"
 * count]} by name. */
int tmpl_stack_list(json_t **out, struct tmpl_service *ts);

/*
 * State changes of a stack's deploys and delete, oldest first, after
 * event id `after`: {"items": [{"id", "deploy", "time", "type", "name",
 * "status", "reason"?}], "next"?}. Returns: 0 or ENG_ENOTFOUND.
 */
int tmpl_stack_events(json_t **out, struct tmpl_service *ts,
                      const char *name, int64_t after, int limit);

/*
 * Delete a stack: every resource it owns, in reverse dependency order
 * (those already gone are skipped), its files and its record, inside
 * the caller's change. Returns: 0 and {"name", "events"} in *out;
 * ENG_ENOTFOUND.
 */
int tmpl_stack_delete(json_t **out, struct tmpl_service *ts,
                      const char *name);

#endif
