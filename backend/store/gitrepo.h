/*
 * gitrepo: a bare git repository of versioned files (flow definitions),
 * through libgit2. Each change is one commit on refs/heads/main; history,
 * old versions and diffs are read back from it. libgit2's errors are
 * translated here and nowhere else. Engine thread only; the repository
 * lives in the data dir and holds small files, so calls are quick.
 */
#ifndef FLOWDECK_GITREPO_H
#define FLOWDECK_GITREPO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define GITREPO_OID_HEX 41

struct gitrepo;

/*
 * Open libgit2 (common/lazygit.h) and start it; each success is matched by
 * one gitrepo_global_shutdown. Returns: 0, or ENG_EUNAVAIL when libgit2
 * would not load.
 */
int gitrepo_global_init(void);
void gitrepo_global_shutdown(void);

/*
 * Open the bare repository at `path`, creating it when missing.
 * Returns: 0 and *out, or ENG_ERR naming the path.
 */
int gitrepo_open(struct gitrepo **out, const char *path);
void gitrepo_free(struct gitrepo *r);

/*
 * Commit `data` as file `name` (a plain name: no '/') with `message`, at
 * time `ms` (engine time). When the file already holds exactly that
 * data, nothing is committed and the commit that last changed it is
 * returned. Returns: 0 and the commit id (40 hex) in out, or ENG_ERR.
 */
int gitrepo_commit_file(char *out, struct gitrepo *r, const char *name,
                        const void *data, size_t len, const char *message,
                        int64_t ms);

/* Remove file `name` in a commit. Returns: 0, ENG_ENOTFOUND or ENG_ERR. */
int gitrepo_remove_file(struct gitrepo *r, const char *name,
                        const char *message, int64_t ms);

/*
 * The commits that changed file `name`, newest first, at most `limit`:
 * a new [{"commit", "time", "message"}] in *out. Returns: 0 or ENG_ERR.
 */
int gitrepo_log(json_t **out, struct gitrepo *r, const char *name,
                int limit);

/*
 * File `name` as of `rev` (a commit id or a unique prefix of at least 4
 * hex digits; NULL: the newest). Returns: 0 and a new NUL-terminated
 * copy in *out (length in *len), ENG_ENOTFOUND (no such version or no
 * file there), or ENG_ERR.
 */
int gitrepo_read(char **out, size_t *len, struct gitrepo *r,
                 const char *name, const char *rev);

/*
 * A unified diff of file `name` from version `a` to version `b` (as in
 * gitrepo_read). Returns: 0 and new text in *out, ENG_ENOTFOUND, ENG_ERR.
 */
int gitrepo_diff(char **out, struct gitrepo *r, const char *name,
                 const char *a, const char *b);

#endif
