/*
 * tmpl_repo: git repositories of templates (template catalogs). Each is
 * cloned with libgit2 into `<data_dir>/catalogs/<name>/` and can be
 * fetched and fast-forwarded later. Rows live in the `tmpl_repos` table
 * (status "cloning", "ready" or "failed"); the checkouts are the files.
 *
 * The engine thread owns the rows, the checkouts and every decision.
 * Clones and fetches (which may wait on the network for minutes) run on
 * one worker thread per job, into a temp dir under catalogs/; a finished
 * job is posted back to the loop through an eventfd watched with
 * engine_watch_add, and the engine thread renames the temp dir into
 * place and updates the row in a change of its own. Every state change
 * is journaled (kind "template_repo", entity the name).
 *
 * A checkout runs nothing: libgit2 runs no hooks and no filter drivers,
 * and submodules are never initialised.
 */
#ifndef FLOWDECK_TMPL_REPO_H
#define FLOWDECK_TMPL_REPO_H

#include <jansson.h>

struct engine;
struct tmpl_repos;

#define TMPL_REPO_NAME_MAX 64
#define TMPL_REPO_URL_MAX 2048
#define TMPL_REPO_REF_MAX 255

/*
 * Create the service over the engine's store and data dir: make
 * catalogs/, remove what an earlier run left there (temp dirs, checkouts
 * without a row) and mark repositories left "cloning" by a crash as
 * failed ("interrupted"). Returns: 0 and *out, or ENG_ERR /
 * ENG_EREADONLY (catalogs/ cannot be made) or the store error.
 */
int tmpl_repos_create(struct tmpl_repos **out, struct engine *eng);

/* Cancel jobs in flight (a job that does not stop within a short grace
 * is left to finish on its own, its result dropped) and free. NULL-safe. */
void tmpl_repos_free(struct tmpl_repos *r);

/*
 * The store was replaced (a snapshot restored, a reset, a failed
 * commit): bring the checkouts and the rows back in line, as at
 * start-up. Jobs in flight whose row is gone are dropped when they end.
 * Returns: 0 or the store error.
 */
int tmpl_repos_reload(struct tmpl_repos *r);

/*
 * Record the jobs that have ended (the engine's watch of tmpl_repos_fd()
 * does this; an engine built by hand without a loop calls it when the fd
 * is readable). Engine thread.
 */
void tmpl_repos_poll(struct tmpl_repos *r);

/* Returns: the eventfd that is readable when a job has ended. */
int tmpl_repos_fd(const struct tmpl_repos *r);

/* Returns: 1 while a clone or fetch is running or not yet recorded. */
int tmpl_repos_busy(const struct tmpl_repos *r);

/* ---- checks (also used by the unit tests) ---- */

/* Returns: 0, or ENG_EINVAL naming the problem. `[a-z0-9][a-z0-9-]*`,
 * at most TMPL_REPO_NAME_MAX. */
int tmpl_repo_check_name(const char *name);

/* Returns: 0, or ENG_EINVAL: only an absolute local path, file:// or
 * https:// URLs; ssh, git:// and http:// are refused with the reason. */
int tmpl_repo_check_url(const char *url);

/* Returns: 0, or ENG_EINVAL: a branch, tag or commit id that git would
 * accept as a ref name (no "..", no control characters, ...). */
int tmpl_repo_check_ref(const char *ref);

/*
 * The name a URL gives when none is asked for: its last path component
 * without ".git", lower-cased, with other characters as '-'. Returns: a
 * new string, or NULL when nothing usable is left.
 */
char *tmpl_repo_default_name(const char *url);

/* ---- requests ---- */

/*
 * Add a repository and start cloning it. `name` may be NULL (derived
 * from the URL), `ref` NULL (the remote's default branch). Returns: 0
 * and the row (status "cloning") as a new object in *out; ENG_EINVAL;
 * ENG_EEXISTS when the name is taken; ENG_ECONFLICT while a job of a
 * removed repository of that name is still running.
 */
int tmpl_repo_add(json_t **out, struct tmpl_repos *r, const char *url,
                  const char *ref, const char *name);

/*
 * Fetch and fast-forward `name` (a "failed" repository is cloned
 * anew). Returns: 0 and the row as a new object in *out ("updating":
 * true, or status "cloning"); ENG_ENOTFOUND; ENG_ECONFLICT when a job
 * of it is already running.
 */
int tmpl_repo_update(json_t **out, struct tmpl_repos *r, const char *name);

/* Returns: 0 and a new array of every row, in the order added, in *out;
 * or the store error. */
int tmpl_repo_list(json_t **out, struct tmpl_repos *r);

/* Returns: 0 and the row as a new object in *out; ENG_ENOTFOUND. */
int tmpl_repo_get(json_t **out, struct tmpl_repos *r, const char *name);

/*
 * Delete the row and the checkout (a job in flight is cancelled and its
 * files removed when it ends). Returns: 0, ENG_ENOTFOUND or the store
 * error.
 */
int tmpl_repo_remove(struct tmpl_repos *r, const char *name);

/*
 * Where the templates of the ready repositories are: a new array of
 * {"name", "path"} (path: the absolute checkout dir), in the order the
 * repositories were added. Returns: new reference (an empty array when
 * there are none or the store fails).
 */
json_t *tmpl_repo_roots(struct tmpl_repos *r);

#endif
