/*
 * flow_defs: the flow definitions service: deploy (create or update),
 * validate, list, show, delete, and versions. The deployed definition of
 * each flow is a row of the `flows` table; every deploy that changes it
 * is also a commit of NAME.yaml in the data dir's git repository, whose
 * id is the flow's version. Engine thread only; writes join the caller's
 * store change (the git commit is made first, so a version always exists
 * for a stored row; a version whose row did not commit is harmless).
 */
#ifndef FLOWDECK_FLOW_DEFS_H
#define FLOWDECK_FLOW_DEFS_H

#include <jansson.h>

struct engine;
struct flow_defs;

/* Returns: a service over the engine's store, keeping versions in the
 * git repository at `git_path` (opened, or made, on first use).
 * Returns: 0 and *out. */
int flow_defs_create(struct flow_defs **out, struct engine *eng,
                     const char *git_path);
void flow_defs_free(struct flow_defs *d);

/* Returns: 0 when `name` is 1-128 letters, digits, '_' or '-' starting
 * with a letter or '_'; else ENG_EINVAL saying so. */
int flow_defs_check_name(const char *name);

/*
 * Check a definition without deploying it. Returns: 0 and a new
 * {"valid": true, "graph": ...} in *out, or ENG_EINVAL with the problem
 * and its line:column.
 */
int flow_defs_validate(json_t **out, const char *definition, size_t len);

/*
 * Deploy: create or update flow `name` with `definition` (YAML or JSON
 * text). Invalid definitions change nothing. Returns: 0, *created, and
 * the flow (as flow_defs_get) in *out; ENG_EINVAL.
 */
int flow_defs_deploy(json_t **out, int *created, struct flow_defs *d,
                     const char *name, const char *definition, size_t len,
                     const char *description);

/*
 * A flow: {"name", "description", "version", "created", "modified",
 * "definition", "graph"}; with `version` (a commit id or prefix), that
 * version's definition instead. Returns: 0 or ENG_ENOTFOUND.
 */
int flow_defs_get(json_t **out, struct flow_defs *d, const char *name,
                  const char *version);

/* Flows by name, after `cursor`: {"items": [...], "next"?}. */
int flow_defs_list(json_t **out, struct flow_defs *d, const char *cursor,
                   int limit);

/* Delete a flow (its versions stay in git). Returns: 0 or ENG_ENOTFOUND. */
int flow_defs_delete(struct flow_defs *d, const char *name);

/* Versions, newest first: {"items": [{"commit", "time", "message"}]}. */
int flow_defs_versions(json_t **out, struct flow_defs *d, const char *name);

/* A unified diff between two versions: {"diff": "..."}. */
int flow_defs_diff(json_t **out, struct flow_defs *d, const char *name,
                   const char *from, const char *to);

#endif
