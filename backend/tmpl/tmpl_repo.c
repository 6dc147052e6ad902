/*
 * tmpl_repo: template catalogs cloned from git; see tmpl_repo.h.
 *
 * Threads. The engine thread owns the rows, catalogs/ and the job list;
 * it creates a job (a temp dir made, a row written), starts one worker
 * thread for it and forgets about it until the worker posts it on the
 * done list and writes the eventfd. A worker touches only its job: the
 * URL, the ref, its temp dir, and (for an update) the .git of the
 * checkout, which nothing on the engine thread reads. The engine thread
 * then joins the worker, moves the temp dir into place and records the
 * result in a change of its own. A job whose row went away meanwhile is
 * dropped and its files removed.
 *
 * libgit2 is the boundary here for clones and fetches: its errors are
 * turned into the messages the API shows in tmpl_git_error().
 */
#include "tmpl/tmpl_repo.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/lazygit.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "store/gitrepo.h"
#include "store/store.h"
#include "tmpl/tmpl_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMPL_REPO_KIND "template_repo"
#define TMPL_REPO_TMP ".tmp-"
#define TMPL_REPO_GRACE_MS 3000 /* how long tmpl_repos_free waits */

enum tmpl_job_kind { TMPL_JOB_CLONE, TMPL_JOB_UPDATE };

struct tmpl_job {
    struct tmpl_job *next;      /* r->jobs: engine thread */
    struct tmpl_job *done_next; /* r->done: under tmpl_repo_lock */
    struct tmpl_repos *owner;   /* NULL once abandoned: under the lock */
    pthread_t thread;
    enum tmpl_job_kind kind;
    char *name;
    char *url;
    char *ref;        /* NULL: the remote's default branch */
    int64_t added_ms; /* with name, which row this job is for */
    char *tmp;        /* catalogs/.tmp-NAME-XXXXXX, made before it starts */
    char *dir;        /* catalogs/NAME */
    atomic_int cancel;
    int dropped;    /* the row was removed: drop the result */
    int remove_dir; /* ... and remove dir when it ends */
    /* written by the worker before it posts the job */
    int rc;
    int unchanged;
    char commit[GIT_OID_HEXSZ + 1];
    char *error;
};

struct tmpl_repos {
    struct engine *eng;
    char *catalogs; /* <data_dir>/catalogs, absolute */
    int efd;
    struct engine_watch *watch;
    struct tmpl_job *jobs; /* running or posted, not yet joined */
    struct tmpl_job *done; /* under tmpl_repo_lock */
    int git;               /* libgit2 started (tmpl_repos_git) */
};

static pthread_mutex_t tmpl_repo_lock = PTHREAD_MUTEX_INITIALIZER;

static void tmpl_repos_on_done(int fd, uint32_t events, void *arg);

static struct store *
tmpl_repo_st(struct tmpl_repos *r)
{
    return r->eng->store;
}

/*
 * Open and start libgit2 the first time a catalog needs it, on the engine
 * thread and before any job's thread. Its start alone reads and parses the
 * system's CA bundle, a third of the engine's start-up when no catalog is
 * ever added. Returns: 0, or ENG_EUNAVAIL when libgit2 would not load.
 */
static int
tmpl_repos_git(struct tmpl_repos *r)
{
    int rc;

    if (!r->git) {
        if ((rc = gitrepo_global_init()))
            return rc;
        r->git = 1;
    }
    return 0;
}

/* ---- files ---- */

static int
tmpl_repo_is_dir(const char *path)
{
    struct stat sb;

    return lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* ---- checks ---- */

int
tmpl_repo_check_name(const char *name)
{
    if (name && tmpl_name_ok(name))
        return 0;
    return err_set(ENG_EINVAL,
                   "name '%s' must be 1 to %d lower-case letters, digits "
                   "or '-', starting with a letter or digit",
                   name ? name : "", TMPL_REPO_NAME_MAX);
}

int
tmpl_repo_check_url(const char *url)
{
    size_t n = url ? strlen(url) : 0;
    const char *colon;

    if (n == 0)
        return err_set(ENG_EINVAL, "url must not be empty");
    if (n > TMPL_REPO_URL_MAX)
        return err_set(ENG_EINVAL, "url is longer than %d characters",
                       TMPL_REPO_URL_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] < 0x20 || url[i] == 0x7f)
            return err_set(ENG_EINVAL, "url must not hold control "
                                       "characters");
    if (url[0] == '/')
        return 0;
    if (strncmp(url, "file://", 7) == 0) {
        if (url[7] != '/')
            return err_set(ENG_EINVAL,
                           "url '%s': a file:// URL must name an absolute "
                           "path on this machine (file:///path)",
                           url);
        return 0;
    }
    if (strncmp(url, "https://", 8) == 0) {
        const char *host = url + 8;
        size_t hl = strcspn(host, "/?#");

        if (hl == 0)
            return err_set(ENG_EINVAL, "url '%s' has no host", url);
        if (memchr(host, '@', hl))
            return err_set(ENG_EINVAL,
                           "url '%s': credentials in the URL are not "
                           "supported (they would be stored and shown)",
                           url);
        if (strchr(url, ' '))
            return err_set(ENG_EINVAL, "url '%s' must not hold spaces", url);
        return 0;
    }
    if (strncmp(url, "ssh://", 6) == 0 || strncmp(url, "git+ssh://", 10) == 0 ||
        strncmp(url, "ssh+git://", 10) == 0)
        return err_set(ENG_EINVAL,
                       "url '%s': ssh is not supported; use https://, "
                       "file:// or a local path",
                       url);
    if (strncmp(url, "git://", 6) == 0)
        return err_set(ENG_EINVAL,
                       "url '%s': git:// is not supported (unauthenticated "
                       "and unencrypted); use https://",
                       url);
    if (strncmp(url, "http://", 7) == 0)
        return err_set(ENG_EINVAL,
                       "url '%s': http:// is not supported (unencrypted); "
                       "use https://",
                       url);
    if (strstr(url, "::")) /* a git remote helper, like ext:: */
        return err_set(ENG_EINVAL,
                       "url '%s': only https://, file:// and absolute local "
                       "paths are supported",
                       url);
    colon = strchr(url, ':');
    if (colon && !strstr(url, "://") && colon > url &&
        memchr(url, '/', (size_t)(colon - url)) == NULL)
        return err_set(ENG_EINVAL,
                       "url '%s' looks like an ssh address (host:path); ssh "
                       "is not supported, use https://, file:// or a local "
                       "path",
                       url);
    if (strstr(url, "://"))
        return err_set(ENG_EINVAL,
                       "url '%s': only https://, file:// and absolute local "
                       "paths are supported",
                       url);
    return err_set(ENG_EINVAL,
                   "url '%s': a local path must be absolute (the engine "
                   "does not share your working directory)",
                   url);
}

int
tmpl_repo_check_ref(const char *ref)
{
    size_t n = ref ? strlen(ref) : 0;
    char *full;
    int valid = 0, rc;

    if (n == 0 || n > TMPL_REPO_REF_MAX)
        return err_set(ENG_EINVAL, "ref must be 1 to %d characters",
                       TMPL_REPO_REF_MAX);
    if (ref[0] == '-' || strncmp(ref, "refs/", 5) == 0 ||
        strcmp(ref, "HEAD") == 0)
        goto bad;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)ref[i] <= 0x20 || ref[i] == 0x7f)
            goto bad;
    if ((rc = lazygit_load()))
        return rc;
    full = xasprintf("refs/heads/%s", ref);
    if (sym_git_reference_name_is_valid(&valid, full) != 0)
        valid = 0;
    free(full);
    if (valid)
        return 0;
bad:
    return err_set(ENG_EINVAL,
                   "ref '%s' is not a branch, tag or commit id name (no "
                   "spaces, '..', '~', '^', ':', '?', '*', '[', '\\', and not "
                   "starting with '-' or 'refs/')",
                   ref ? ref : "");
}

char *
tmpl_repo_default_name(const char *url)
{
    const char *end = url + strlen(url), *start;
    char *name;
    size_t n, j = 0;

    while (end > url && end[-1] == '/')
        end--;
    if (end - url >= 4 && strncmp(end - 4, ".git", 4) == 0)
        end -= 4;
    while (end > url && end[-1] == '/')
        end--;
    start = end;
    while (start > url && start[-1] != '/' && start[-1] != ':')
        start--;
    n = (size_t)(end - start);
    if (n > TMPL_REPO_NAME_MAX)
        n = TMPL_REPO_NAME_MAX;
    name = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        char c = start[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            c = '-';
        if (c == '-' && (j == 0 || name[j - 1] == '-'))
            continue;
        name[j++] = c;
    }
    while (j > 0 && name[j - 1] == '-')
        j--;
    name[j] = '\0';
    if (j == 0) {
        free(name);
        return NULL;
    }
    return name;
}

/* ---- libgit2, on the worker thread ---- */

/*
 * Turn libgit2's last error into the message the API shows: what went
 * wrong in words a user can act on, then libgit2's own text.
 */
static int
tmpl_git_error(const struct tmpl_job *job, const char *what)
{
    const git_error *e = sym_git_error_last();
    const char *msg = e && e->message ? e->message : "unknown git error";
    int klass = e ? e->klass : GIT_ERROR_NONE;

    if (atomic_load(&job->cancel))
        return err_set(ENG_EUPSTREAM, "%s of '%s' was cancelled", what,
                       job->url);
    if (klass == GIT_ERROR_HTTP &&
        (strstr(msg, "404") || strstr(msg, "401") || strstr(msg, "403") ||
         strstr(msg, "authentication")))
        return err_set(ENG_EUPSTREAM,
                       "not a git repository, or one that needs "
                       "credentials: '%s' (%s)",
                       job->url, msg);
    if (klass == GIT_ERROR_NET || klass == GIT_ERROR_SSL ||
        klass == GIT_ERROR_HTTP || klass == GIT_ERROR_OS)
        return err_set(ENG_EUPSTREAM, "unreachable URL '%s': %s", job->url,
                       msg);
    if (klass == GIT_ERROR_REPOSITORY || klass == GIT_ERROR_ODB ||
        strstr(msg, "could not find repository") ||
        strstr(msg, "failed to resolve path"))
        return err_set(ENG_EUPSTREAM, "not a git repository: '%s' (%s)",
                       job->url, msg);
    return err_set(ENG_EUPSTREAM, "%s of '%s' failed: %s", what, job->url,
                   msg);
}

static int
tmpl_git_progress(const git_indexer_progress *stats, void *payload)
{
    const struct tmpl_job *job = payload;

    (void)stats;
    return atomic_load(&job->cancel) ? -1 : 0;
}

static int
tmpl_git_sideband(const char *str, int len, void *payload)
{
    (void)str;
    (void)len;
    return tmpl_git_progress(NULL, payload);
}

static void
tmpl_git_callbacks(git_remote_callbacks *cb, struct tmpl_job *job)
{
    cb->transfer_progress = tmpl_git_progress;
    cb->sideband_progress = tmpl_git_sideband;
    cb->payload = job;
    /* no credentials callback: a repository that asks for them fails */
}

/*
 * Find what `ref` names in a repository whose remote-tracking refs are
 * fresh: a branch of origin, a tag, or a commit id. *branch gets the
 * branch name to check out on (a new string), or NULL for a detached
 * HEAD. With ref NULL: `dflt` (the remote's default branch, like
 * "refs/heads/main"), or else the clone's HEAD branch.
 */
static int
tmpl_git_resolve(git_oid *out, char **branch, git_repository *repo,
                 const struct tmpl_job *job, const char *dflt)
{
    git_reference *ref = NULL;
    git_object *obj = NULL;
    char *name = NULL;
    int rc = 0;

    *branch = NULL;
    if (job->ref == NULL) {
        const char *b = dflt;

        if (b == NULL) {
            if (sym_git_repository_head(&ref, repo) != 0) {
                rc = err_set(ENG_EUPSTREAM,
                             "'%s' has no default branch (an empty "
                             "repository?)",
                             job->url);
                goto out;
            }
            b = sym_git_reference_name(ref);
        }
        if (b == NULL || strncmp(b, "refs/heads/", 11) != 0) {
            rc = err_set(ENG_EUPSTREAM,
                         "'%s' has no default branch (HEAD is '%s')",
                         job->url, b ? b : "");
            goto out;
        }
        *branch = xstrdup(b + 11);
        sym_git_reference_free(ref);
        ref = NULL;
    } else {
        *branch = xstrdup(job->ref);
    }
    name = xasprintf("refs/remotes/origin/%s", *branch);
    if (sym_git_reference_lookup(&ref, repo, name) == 0) {
        if (sym_git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) != 0)
            rc = tmpl_git_error(job, "checkout");
        else
            sym_git_oid_cpy(out, sym_git_object_id(obj));
        goto out;
    }
    if (job->ref == NULL) {
        rc = err_set(ENG_EUPSTREAM,
                     "'%s' has no branch '%s' (its default branch)",
                     job->url, *branch);
        goto out;
    }
    free(*branch);
    *branch = NULL;
    free(name);
    name = xasprintf("refs/tags/%s", job->ref);
    if (sym_git_reference_lookup(&ref, repo, name) == 0) {
        if (sym_git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) != 0)
            rc = err_set(ENG_EUPSTREAM, "tag '%s' of '%s' is not a commit",
                         job->ref, job->url);
        else
            sym_git_oid_cpy(out, sym_git_object_id(obj));
        goto out;
    }
    {
        size_t n = strlen(job->ref);
        git_oid prefix;

        if (n >= 7 && n <= GIT_OID_HEXSZ &&
            strspn(job->ref, "0123456789abcdef") == n &&
            sym_git_oid_fromstrn(&prefix, job->ref, n) == 0 &&
            sym_git_object_lookup_prefix(&obj, repo, &prefix, n,
                                         GIT_OBJECT_COMMIT) == 0) {
            sym_git_oid_cpy(out, sym_git_object_id(obj));
            goto out;
        }
    }
    rc = err_set(ENG_EUPSTREAM,
                 "no such ref '%s' in '%s' (not a branch, tag or commit "
                 "id there)",
                 job->ref, job->url);
out:
    if (rc) {
        free(*branch);
        *branch = NULL;
    }
    sym_git_object_free(obj);
    sym_git_reference_free(ref);
    free(name);
    return rc;
}

/*
 * Make local `branch` track origin's. sym_git_branch_set_upstream() would do
 * it, but it lists the remotes with a regex that libgit2 1.5 leaks a
 * match for on every config entry that does not match.
 */
static int
tmpl_git_track(git_repository *repo, const char *branch)
{
    git_config *cfg = NULL;
    char *key = xasprintf("branch.%s.remote", branch);
    char *merge = xasprintf("refs/heads/%s", branch);
    int rc;

    rc = sym_git_repository_config(&cfg, repo);
    if (rc == 0)
        rc = sym_git_config_set_string(cfg, key, "origin");
    free(key);
    key = xasprintf("branch.%s.merge", branch);
    if (rc == 0)
        rc = sym_git_config_set_string(cfg, key, merge);
    free(key);
    free(merge);
    sym_git_config_free(cfg);
    return rc;
}

/*
 * Point HEAD at `target` (on local branch `branch`, tracking origin's,
 * or detached when branch is NULL) and write the working tree.
 */
static int
tmpl_git_checkout(git_repository *repo, const struct tmpl_job *job,
                  const git_oid *target, const char *branch)
{
    git_checkout_options co;
    git_commit *commit = NULL;
    git_reference *local = NULL;
    int rc = 0;

    sym_git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
    if (sym_git_commit_lookup(&commit, repo, target) != 0) {
        rc = tmpl_git_error(job, "checkout");
        goto out;
    }
    if (branch) {
        /* off the branch first: the current one cannot be moved */
        if (sym_git_repository_set_head_detached(repo, target) != 0 ||
            sym_git_branch_create(&local, repo, branch, commit, 1) != 0 ||
            tmpl_git_track(repo, branch) != 0 ||
            sym_git_repository_set_head(repo,
                                        sym_git_reference_name(local)) != 0) {
            rc = tmpl_git_error(job, "checkout");
            goto out;
        }
    } else if (sym_git_repository_set_head_detached(repo, target) != 0) {
        rc = tmpl_git_error(job, "checkout");
        goto out;
    }
    /* files only: no hooks, no filter drivers, no submodules */
    co.checkout_strategy = GIT_CHECKOUT_FORCE;
    if (sym_git_checkout_head(repo, &co) != 0)
        rc = tmpl_git_error(job, "checkout");
out:
    sym_git_reference_free(local);
    sym_git_commit_free(commit);
    return rc;
}

/*
 * The remote "origin" of a clone, at exactly the URL asked for: no
 * url.*.insteadOf of the user's git config applies (and libgit2 1.5
 * leaks a regex match for every config entry when it looks for them).
 */
static int
tmpl_git_remote_cb(git_remote **out, git_repository *repo, const char *name,
                   const char *url, void *payload)
{
    git_remote_create_options o;

    (void)payload;
    sym_git_remote_create_options_init(&o, GIT_REMOTE_CREATE_OPTIONS_VERSION);
    o.repository = repo;
    o.name = name;
    o.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
    return sym_git_remote_create_with_opts(out, url, &o);
}

/*
 * A local URL must name a repository: libgit2 would call a missing path
 * an unsupported protocol.
 */
static int
tmpl_git_check_local(const struct tmpl_job *job)
{
    const char *path = strncmp(job->url, "file://", 7) == 0 ? job->url + 7
                                                           : job->url;
    git_repository *repo = NULL;
    struct stat sb;

    if (path[0] != '/')
        return 0;
    if (stat(path, &sb) != 0)
        return err_set(ENG_EUPSTREAM, "not a git repository: '%s' (%s)",
                       job->url, strerror(errno));
    if (sym_git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH,
                                    NULL) != 0)
        return err_set(ENG_EUPSTREAM,
                       "not a git repository: '%s' (no repository there)",
                       job->url);
    sym_git_repository_free(repo);
    return 0;
}

/* Clone job->url into job->tmp and check out job->ref. */
static int
tmpl_git_clone(struct tmpl_job *job)
{
    git_clone_options o;
    git_repository *repo = NULL;
    char *branch = NULL;
    git_oid target;
    int rc;

    sym_git_clone_options_init(&o, GIT_CLONE_OPTIONS_VERSION);
    if ((rc = tmpl_git_check_local(job)))
        return rc;
    o.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
    o.local = GIT_CLONE_LOCAL_NO_LINKS; /* never share the user's files */
    o.remote_cb = tmpl_git_remote_cb;
    tmpl_git_callbacks(&o.fetch_opts.callbacks, job);
    if (sym_git_clone(&repo, job->url, job->tmp, &o) != 0) {
        rc = tmpl_git_error(job, "clone");
        goto out;
    }
    if ((rc = tmpl_git_resolve(&target, &branch, repo, job, NULL)) ||
        (rc = tmpl_git_checkout(repo, job, &target, branch)))
        goto out;
    sym_git_oid_tostr(job->commit, sizeof(job->commit), &target);
out:
    free(branch);
    sym_git_repository_free(repo);
    return rc;
}

/* Copy the refs of `from` matching `glob` into `to` (same objects). */
static int
tmpl_git_copy_refs(git_repository *to, git_repository *from,
                   const char *glob)
{
    git_reference_iterator *it = NULL;
    git_reference *ref, *made;
    int rc = 0;

    if (sym_git_reference_iterator_glob_new(&it, from, glob) != 0)
        return -1;
    while (rc == 0 && sym_git_reference_next(&ref, it) == 0) {
        if (sym_git_reference_type(ref) == GIT_REFERENCE_DIRECT) {
            rc = sym_git_reference_create(
                &made, to, sym_git_reference_name(ref),
                sym_git_reference_target(ref), 1, "flowdeck: update");
            if (rc == 0)
                sym_git_reference_free(made);
        }
        sym_git_reference_free(ref);
    }
    sym_git_reference_iterator_free(it);
    return rc;
}

/*
 * Fetch into the checkout's repository (objects and remote-tracking
 * refs only: its files do not change), then, when the ref moved forward,
 * make the new checkout in job->tmp from it, for the engine thread to
 * swap in. An update that is not a fast-forward fails.
 */
static int
tmpl_git_update(struct tmpl_job *job)
{
    git_fetch_options fo;
    git_clone_options co;
    git_remote_create_options ro;
    git_repository *old = NULL, *repo = NULL;
    git_remote *remote = NULL;
    git_reference *head = NULL;
    git_buf dflt = {0};
    char *branch = NULL;
    git_oid target, was;
    int rc;

    sym_git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
    sym_git_clone_options_init(&co, GIT_CLONE_OPTIONS_VERSION);
    if (sym_git_repository_open_ext(&old, job->dir,
                                    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0) {
        rc =
            err_set(ENG_ERR,
                    "the checkout of '%s' is damaged: %s; remove "
                    "and add the repository again",
                    job->name,
                    sym_git_error_last() ? sym_git_error_last()->message : "?");
        goto out;
    }
    /* origin as the row says, whatever the checkout's config holds */
    sym_git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
    ro.repository = old;
    ro.fetchspec = "+refs/heads/*:refs/remotes/origin/*";
    ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
    if (sym_git_remote_create_with_opts(&remote, job->url, &ro) != 0) {
        rc = tmpl_git_error(job, "fetch");
        goto out;
    }
    tmpl_git_callbacks(&fo.callbacks, job);
    fo.prune = GIT_FETCH_PRUNE;
    fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
    if (sym_git_remote_fetch(remote, NULL, &fo, "flowdeck: fetch") != 0) {
        rc = tmpl_git_error(job, "fetch");
        goto out;
    }
    if (job->ref == NULL && sym_git_remote_default_branch(&dflt, remote) != 0)
        sym_git_error_clear(); /* keep the branch the clone was on */
    if (job->ref == NULL && dflt.ptr == NULL &&
        sym_git_repository_head(&head, old) == 0 &&
        sym_git_reference_is_branch(head)) {
        sym_git_buf_dispose(&dflt);
        sym_git_buf_set(&dflt, sym_git_reference_name(head),
                        strlen(sym_git_reference_name(head)) + 1);
    }
    if ((rc = tmpl_git_resolve(&target, &branch, old, job, dflt.ptr)))
        goto out;
    if (sym_git_reference_name_to_id(&was, old, "HEAD") != 0) {
        rc = tmpl_git_error(job, "update");
        goto out;
    }
    sym_git_oid_tostr(job->commit, sizeof(job->commit), &target);
    if (sym_git_oid_equal(&target, &was)) {
        job->unchanged = 1;
        goto out;
    }
    if (sym_git_graph_descendant_of(old, &target, &was) != 1) {
        char a[GIT_OID_HEXSZ + 1];

        sym_git_oid_tostr(a, sizeof(a), &was);
        rc = err_set(ENG_ECONFLICT,
                     "not a fast-forward: %s is now at %.12s, which does "
                     "not contain the checked-out %.12s; remove and add "
                     "the repository again to take it",
                     job->ref ? job->ref : "the default branch",
                     job->commit, a);
        goto out;
    }
    /* a local clone shares the (immutable) object files by hard links */
    co.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
    co.local = GIT_CLONE_LOCAL;
    co.remote_cb = tmpl_git_remote_cb;
    tmpl_git_callbacks(&co.fetch_opts.callbacks, job);
    if (sym_git_clone(&repo, job->dir, job->tmp, &co) != 0 ||
        sym_git_remote_set_url(repo, "origin", job->url) != 0 ||
        tmpl_git_copy_refs(repo, old, "refs/remotes/origin/*") != 0 ||
        tmpl_git_copy_refs(repo, old, "refs/tags/*") != 0) {
        rc = tmpl_git_error(job, "update");
        goto out;
    }
    rc = tmpl_git_checkout(repo, job, &target, branch);
out:
    free(branch);
    sym_git_buf_dispose(&dflt);
    sym_git_reference_free(head);
    sym_git_remote_free(remote);
    sym_git_repository_free(repo);
    sym_git_repository_free(old);
    return rc;
}

static void
tmpl_job_free(struct tmpl_job *job)
{
    if (job == NULL)
        return;
    free(job->name);
    free(job->url);
    free(job->ref);
    free(job->tmp);
    free(job->dir);
    free(job->error);
    free(job);
}

static void *
tmpl_job_main(void *arg)
{
    struct tmpl_job *job = arg;
    struct tmpl_repos *owner;
    uint64_t one = 1;

    sym_git_error_clear();
    err_clear();
    job->rc = job->kind == TMPL_JOB_CLONE ? tmpl_git_clone(job)
                                          : tmpl_git_update(job);
    if (job->rc)
        job->error = xstrdup(err_last());
    pthread_mutex_lock(&tmpl_repo_lock);
    owner = job->owner;
    if (owner) {
        job->done_next = owner->done;
        owner->done = job;
        if (write(owner->efd, &one, sizeof(one)) < 0)
            (void)0; /* the counter is non-zero already */
    }
    pthread_mutex_unlock(&tmpl_repo_lock);
    if (owner == NULL) { /* the engine went away: clean up after us */
        paths_remove_tree(job->tmp);
        tmpl_job_free(job);
    }
    return NULL;
}

/* ---- rows ---- */

#define TMPL_REPO_COLS                                                       \
    "name, url, ref, commit_id, status, error, seq, added_ms, updated_ms"

static struct tmpl_job *
tmpl_repos_job(struct tmpl_repos *r, const char *name)
{
    for (struct tmpl_job *j = r->jobs; j; j = j->next)
        if (!j->dropped && strcmp(j->name, name) == 0)
            return j;
    return NULL;
}

static json_t *
tmpl_col_str(sqlite3_stmt *q, int i)
{
    const char *t = (const char *)sqlite3_column_text(q, i);

    return t ? json_string(t) : json_null();
}

static json_t *
tmpl_repos_row_json(struct tmpl_repos *r, sqlite3_stmt *q)
{
    const char *name = (const char *)sqlite3_column_text(q, 0);
    const char *status = (const char *)sqlite3_column_text(q, 4);
    struct tmpl_job *job = tmpl_repos_job(r, name);
    json_t *o = json_pack(
        "{s:s, s:o, s:o, s:s, s:o, s:o, s:I, s:o, s:o, s:b}", "name", name,
        "url", tmpl_col_str(q, 1), "ref", tmpl_col_str(q, 2), "status",
        status, "commit", tmpl_col_str(q, 3), "error", tmpl_col_str(q, 5),
        "seq", (json_int_t)sqlite3_column_int64(q, 6), "added",
        jsonx_time(sqlite3_column_int64(q, 7)), "updated",
        jsonx_time(sqlite3_column_int64(q, 8)), "updating",
        job != NULL && job->kind == TMPL_JOB_UPDATE);

    if (strcmp(status, "ready") == 0) {
        char *path = xasprintf("%s/%s", r->catalogs, name);

        json_object_set_new(o, "path", json_string(path));
        free(path);
    } else {
        json_object_set_new(o, "path", json_null());
    }
    return o;
}

/* Returns: 0 and a new object; ENG_ENOTFOUND; the store error. */
static int
tmpl_repos_load(json_t **out, struct tmpl_repos *r, const char *name)
{
    sqlite3_stmt *q = store_stmt(tmpl_repo_st(r),
                                 "SELECT " TMPL_REPO_COLS
                                 " FROM tmpl_repos WHERE name = ?");
    int rc;

    *out = NULL;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *out = tmpl_repos_row_json(r, q);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_setn(ENG_ENOTFOUND, "TemplateRepoNotFound",
                      "no template repository '%s'", name);
    } else {
        rc = store_error(tmpl_repo_st(r));
    }
    store_done(q);
    return rc;
}

/* Set status, commit and error of a row (commit NULL: keep it). */
static int
tmpl_repos_set(struct tmpl_repos *r, const char *name, const char *status,
               const char *commit, const char *error)
{
    sqlite3_stmt *q = store_stmt(
        tmpl_repo_st(r),
        "UPDATE tmpl_repos SET status = ?, commit_id = coalesce(?, "
        "commit_id), error = ?, updated_ms = ? WHERE name = ?");
    int rc;

    sqlite3_bind_text(q, 1, status, -1, SQLITE_STATIC);
    if (commit)
        sqlite3_bind_text(q, 2, commit, -1, SQLITE_STATIC);
    if (error)
        sqlite3_bind_text(q, 3, error, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, engine_now(r->eng));
    sqlite3_bind_text(q, 5, name, -1, SQLITE_STATIC);
    rc = store_step_done(tmpl_repo_st(r), q);
    store_done(q);
    return rc;
}

static int
tmpl_repos_journal(struct tmpl_repos *r, const char *name, const char *type,
                   json_t *detail)
{
    int rc = engine_journal(r->eng, TMPL_REPO_KIND, name, type, detail);

    json_decref(detail);
    return rc;
}

/* ---- jobs, on the engine thread ---- */

/*
 * The loop's epoll exists only once the engine serves: watch the eventfd
 * on first use. An engine built by hand without a loop (tests) has none;
 * its owner calls tmpl_repos_poll().
 */
static int
tmpl_repos_watch(struct tmpl_repos *r)
{
    if (r->watch || r->eng->epfd < 0)
        return 0;
    return engine_watch_add(&r->watch, r->eng, r->efd, EPOLLIN,
                            tmpl_repos_on_done, r);
}

/*
 * Make the job's temp dir and start its worker. Returns: 0 (the job is
 * on r->jobs) or ENG_ERR (the job is freed).
 */
static int
tmpl_repos_start(struct tmpl_repos *r, struct tmpl_job *job)
{
    char *tmpl = xasprintf("%s/" TMPL_REPO_TMP "%s-XXXXXX", r->catalogs,
                           job->name);
    int rc;

    if ((rc = tmpl_repos_git(r)) || (rc = tmpl_repos_watch(r))) {
        free(tmpl);
        tmpl_job_free(job);
        return rc;
    }
    if (mkdtemp(tmpl) == NULL) {
        rc = err_set(ENG_ERR, "cannot make a temp dir in %s: %s",
                     r->catalogs, strerror(errno));
        free(tmpl);
        tmpl_job_free(job);
        return rc;
    }
    job->tmp = tmpl;
    job->dir = xasprintf("%s/%s", r->catalogs, job->name);
    job->owner = r;
    if ((rc = pthread_create(&job->thread, NULL, tmpl_job_main, job)) != 0) {
        rc = err_set(ENG_ERR, "cannot start a thread: %s", strerror(rc));
        paths_remove_tree(job->tmp);
        tmpl_job_free(job);
        return rc;
    }
    job->next = r->jobs;
    r->jobs = job;
    return 0;
}

static struct tmpl_job *
tmpl_job_create(enum tmpl_job_kind kind, const char *name, const char *url,
                const char *ref, int64_t added_ms)
{
    struct tmpl_job *job = xcalloc(1, sizeof(*job));

    job->kind = kind;
    job->name = xstrdup(name);
    job->url = xstrdup(url);
    job->ref = ref ? xstrdup(ref) : NULL;
    job->added_ms = added_ms;
    atomic_init(&job->cancel, 0);
    return job;
}

/* Record a finished job: in the caller's change. */
static int
tmpl_repos_finish(struct tmpl_repos *r, struct tmpl_job *job)
{
    sqlite3_stmt *q;
    char *status = NULL, *old_commit = NULL;
    int64_t added = -1;
    int rc = 0;

    if (job->dropped)
        goto out;
    q = store_stmt(tmpl_repo_st(r), "SELECT status, added_ms, commit_id "
                                    "FROM tmpl_repos WHERE name = ?");
    sqlite3_bind_text(q, 1, job->name, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *c = (const char *)sqlite3_column_text(q, 2);

        status = xstrdup((const char *)sqlite3_column_text(q, 0));
        added = sqlite3_column_int64(q, 1);
        old_commit = c ? xstrdup(c) : NULL;
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? 0 : store_error(tmpl_repo_st(r));
    }
    store_done(q);
    if (rc)
        goto out;
    if (status == NULL || added != job->added_ms ||
        strcmp(status, job->kind == TMPL_JOB_CLONE ? "cloning" : "ready")) {
        job->dropped = 1; /* removed (or replaced) meanwhile */
        goto out;
    }
    if (job->kind == TMPL_JOB_CLONE) {
        if (job->rc == 0) {
            paths_remove_tree(job->dir); /* nothing should be there */
            if (rename(job->tmp, job->dir) != 0) {
                job->rc = err_set(ENG_ERR, "cannot move the checkout into "
                                  "place: %s", strerror(errno));
                free(job->error);
                job->error = xstrdup(err_last());
            }
        }
        if (job->rc == 0) {
            rc = tmpl_repos_set(r, job->name, "ready", job->commit, NULL);
            if (rc == 0)
                rc = tmpl_repos_journal(r, job->name, "ready",
                                        json_pack("{s:s}", "commit",
                                                  job->commit));
        } else {
            rc = tmpl_repos_set(r, job->name, "failed", NULL, job->error);
            if (rc == 0)
                rc = tmpl_repos_journal(r, job->name, "failed",
                                        json_pack("{s:s}", "error",
                                                  job->error));
        }
        goto out;
    }
    if (job->rc == 0 && !job->unchanged &&
        renameat2(AT_FDCWD, job->tmp, AT_FDCWD, job->dir, RENAME_EXCHANGE) !=
            0) {
        job->rc = err_set(ENG_ERR, "cannot move the new checkout into "
                          "place: %s", strerror(errno));
        free(job->error);
        job->error = xstrdup(err_last());
    }
    if (job->rc == 0) {
        rc = tmpl_repos_set(r, job->name, "ready", job->commit, NULL);
        if (rc == 0)
            rc = tmpl_repos_journal(
                r, job->name, "updated",
                json_pack("{s:o, s:s, s:b}", "from",
                          old_commit ? json_string(old_commit) : json_null(),
                          "commit", job->commit, "unchanged",
                          job->unchanged));
    } else {
        rc = tmpl_repos_set(r, job->name, "ready", NULL, job->error);
        if (rc == 0)
            rc = tmpl_repos_journal(r, job->name, "update_failed",
                                    json_pack("{s:s}", "error",
                                              job->error));
    }
out:
    /* the old checkout after a swap, or a result nobody takes */
    paths_remove_tree(job->tmp);
    if (job->dropped && job->remove_dir)
        paths_remove_tree(job->dir);
    free(status);
    free(old_commit);
    return rc;
}

static void
tmpl_repos_unlink(struct tmpl_repos *r, struct tmpl_job *job)
{
    for (struct tmpl_job **pp = &r->jobs; *pp; pp = &(*pp)->next)
        if (*pp == job) {
            *pp = job->next;
            return;
        }
}

void
tmpl_repos_poll(struct tmpl_repos *r)
{
    struct tmpl_job *done, *job;
    uint64_t n;

    if (read(r->efd, &n, sizeof(n)) < 0)
        (void)0; /* EAGAIN: the list says what is done */
    pthread_mutex_lock(&tmpl_repo_lock);
    done = r->done;
    r->done = NULL;
    pthread_mutex_unlock(&tmpl_repo_lock);
    while ((job = done) != NULL) {
        int rc;

        done = job->done_next;
        pthread_join(job->thread, NULL);
        tmpl_repos_unlink(r, job);
        if (job->dropped) {
            tmpl_repos_finish(r, job); /* files only */
            tmpl_job_free(job);
            continue;
        }
        if ((rc = engine_write_begin(r->eng)) == 0) {
            rc = tmpl_repos_finish(r, job);
            if (engine_write_end(r->eng, rc == 0) && rc == 0)
                rc = ENG_ERR;
        }
        if (rc)
            log_error("template repository '%s': cannot record the result: "
                      "%s",
                      job->name, err_last());
        tmpl_job_free(job);
    }
}

int
tmpl_repos_fd(const struct tmpl_repos *r)
{
    return r->efd;
}

int
tmpl_repos_busy(const struct tmpl_repos *r)
{
    return r->jobs != NULL;
}

static void
tmpl_repos_on_done(int fd, uint32_t events, void *arg)
{
    (void)fd;
    (void)events;
    tmpl_repos_poll(arg);
}

/* ---- start-up and repair ---- */

/* Drop checkouts without a row and temp dirs no job uses. */
static void
tmpl_repos_sweep(struct tmpl_repos *r)
{
    DIR *d = opendir(r->catalogs);
    struct dirent *de;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        char *path;
        int keep = 0;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        path = xasprintf("%s/%s", r->catalogs, de->d_name);
        for (struct tmpl_job *j = r->jobs; j && !keep; j = j->next)
            keep = strcmp(j->tmp, path) == 0 || strcmp(j->dir, path) == 0;
        if (!keep && strncmp(de->d_name, TMPL_REPO_TMP,
                             strlen(TMPL_REPO_TMP)) != 0) {
            json_t *row = NULL;

            keep = tmpl_repos_load(&row, r, de->d_name) != ENG_ENOTFOUND;
            json_decref(row);
        }
        if (!keep) {
            log_info("catalogs: removing %s (no repository of that name)",
                     path);
            paths_remove_tree(path);
        }
        free(path);
    }
    closedir(d);
    err_clear();
}

/*
 * Rows whose state the files contradict: "cloning" without a job (the
 * engine stopped mid-clone) and "ready" without a checkout.
 */
static int
tmpl_repos_repair(struct tmpl_repos *r)
{
    sqlite3_stmt *q;
    json_t *fix = json_array(), *v;
    size_t i;
    int rc;

    q = store_stmt(tmpl_repo_st(r), "SELECT name, status FROM tmpl_repos "
                                    "WHERE status IN ('cloning', 'ready')");
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        const char *status = (const char *)sqlite3_column_text(q, 1);
        struct tmpl_job *job = tmpl_repos_job(r, name);
        char *dir;

        if (strcmp(status, "cloning") == 0) {
            if (job == NULL)
                json_array_append_new(
                    fix, json_pack("{s:s, s:s}", "name", name, "error",
                                   "interrupted: the engine stopped while "
                                   "cloning; run update to try again"));
            continue;
        }
        dir = xasprintf("%s/%s", r->catalogs, name);
        if (!tmpl_repo_is_dir(dir))
            json_array_append_new(
                fix, json_pack("{s:s, s:s}", "name", name, "error",
                               "the checkout is missing; run update to "
                               "clone it again"));
        free(dir);
    }
    rc = rc == SQLITE_DONE ? 0 : store_error(tmpl_repo_st(r));
    store_done(q);
    if (rc || json_array_size(fix) == 0)
        goto out;
    if ((rc = engine_write_begin(r->eng)))
        goto out;
    json_array_foreach(fix, i, v) {
        const char *name = json_string_value(json_object_get(v, "name"));
        const char *error = json_string_value(json_object_get(v, "error"));

        log_warn("template repository '%s': %s", name, error);
        if ((rc = tmpl_repos_set(r, name, "failed", NULL, error)) ||
            (rc = tmpl_repos_journal(r, name, "failed",
                                     json_pack("{s:s}", "error", error))))
            break;
    }
    if (engine_write_end(r->eng, rc == 0) && rc == 0)
        rc = ENG_ERR;
out:
    json_decref(fix);
    return rc;
}

int
tmpl_repos_reload(struct tmpl_repos *r)
{
    int rc;

    if (r == NULL)
        return 0;
    /* a job whose row is gone or is another row's now is dropped when it
     * ends (tmpl_repos_finish checks), its files removed with it */
    if ((rc = tmpl_repos_repair(r)))
        return rc;
    tmpl_repos_sweep(r);
    return 0;
}

int
tmpl_repos_create(struct tmpl_repos **out, struct engine *eng)
{
    struct tmpl_repos *r = xcalloc(1, sizeof(*r));
    int rc;

    *out = NULL;
    r->eng = eng;
    r->efd = -1;
    r->catalogs = xasprintf("%s/catalogs", eng->data_dir);
    if (r->catalogs[0] != '/') {
        char cwd[4096];
        char *abs;

        if (getcwd(cwd, sizeof(cwd)) == NULL) {
            rc = err_set(ENG_ERR, "getcwd: %s", strerror(errno));
            goto out;
        }
        abs = xasprintf("%s/%s", cwd, r->catalogs);
        free(r->catalogs);
        r->catalogs = abs;
    }
    if (mkdir(r->catalogs, 0700) != 0 && errno != EEXIST) {
        rc = err_set(ENG_EREADONLY, "cannot create %s: %s", r->catalogs,
                     strerror(errno));
        goto out;
    }
    r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (r->efd < 0) {
        rc = err_set(ENG_ERR, "eventfd: %s", strerror(errno));
        goto out;
    }
    if ((rc = tmpl_repos_reload(r)))
        goto out;
out:
    if (rc) {
        tmpl_repos_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void
tmpl_repos_free(struct tmpl_repos *r)
{
    int64_t until = timefmt_mono_ms() + TMPL_REPO_GRACE_MS;

    if (r == NULL)
        return;
    for (struct tmpl_job *j = r->jobs; j; j = j->next)
        atomic_store(&j->cancel, 1);
    for (;;) { /* wait (a little) for cancelled jobs to notice */
        int running = 0;

        pthread_mutex_lock(&tmpl_repo_lock);
        for (struct tmpl_job *j = r->jobs; j; j = j->next) {
            int posted = 0;

            for (struct tmpl_job *d = r->done; d && !posted; d = d->done_next)
                posted = d == j;
            running += !posted;
        }
        pthread_mutex_unlock(&tmpl_repo_lock);
        if (running == 0 || timefmt_mono_ms() > until)
            break;
        usleep(10000);
    }
    pthread_mutex_lock(&tmpl_repo_lock);
    while (r->jobs) {
        struct tmpl_job *j = r->jobs;
        int posted = 0;

        r->jobs = j->next;
        for (struct tmpl_job *d = r->done; d && !posted; d = d->done_next)
            posted = d == j;
        if (posted) {
            pthread_join(j->thread, NULL);
            paths_remove_tree(j->tmp);
            tmpl_job_free(j);
        } else { /* stuck in a connect: it frees itself when it ends */
            j->owner = NULL;
            pthread_detach(j->thread);
        }
    }
    r->done = NULL;
    pthread_mutex_unlock(&tmpl_repo_lock);
    engine_watch_del(r->watch);
    if (r->efd >= 0)
        close(r->efd);
    free(r->catalogs);
    if (r->git)
        gitrepo_global_shutdown();
    free(r);
}

/* ---- requests ---- */

int
tmpl_repo_add(json_t **out, struct tmpl_repos *r, const char *url,
              const char *ref, const char *name)
{
    char *derived = NULL;
    sqlite3_stmt *q;
    json_t *row = NULL;
    int64_t now = engine_now(r->eng), seq = 1;
    int rc;

    *out = NULL;
    if ((rc = tmpl_repos_git(r)) || /* the ref check asks libgit2 */
        (rc = tmpl_repo_check_url(url)) ||
        (ref && (rc = tmpl_repo_check_ref(ref))))
        return rc;
    if (name == NULL) {
        derived = tmpl_repo_default_name(url);
        if (derived == NULL)
            return err_set(ENG_EINVAL, "url '%s' gives no name: pass one",
                           url);
        name = derived;
    }
    if ((rc = tmpl_repo_check_name(name)))
        goto out;
    rc = tmpl_repos_load(&row, r, name);
    json_decref(row);
    if (rc == 0) {
        rc = err_setn(ENG_EEXISTS, "TemplateRepoExists",
                      "a template repository named '%s' exists already",
                      name);
        goto out;
    }
    if (rc != ENG_ENOTFOUND)
        goto out;
    for (struct tmpl_job *j = r->jobs; j; j = j->next)
        if (strcmp(j->name, name) == 0) {
            rc = err_set(ENG_ECONFLICT,
                         "the removed repository '%s' is still finishing "
                         "a clone or fetch; try again in a moment",
                         name);
            goto out;
        }
    q = store_stmt(tmpl_repo_st(r),
                   "SELECT coalesce(max(seq), 0) + 1 FROM tmpl_repos");
    if (sqlite3_step(q) == SQLITE_ROW)
        seq = sqlite3_column_int64(q, 0);
    store_done(q);
    q = store_stmt(tmpl_repo_st(r),
                   "INSERT INTO tmpl_repos(name, url, ref, status, seq, "
                   "added_ms, updated_ms) VALUES (?, ?, ?, 'cloning', ?, ?, ?)");
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, url, -1, SQLITE_STATIC);
    if (ref)
        sqlite3_bind_text(q, 3, ref, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, seq);
    sqlite3_bind_int64(q, 5, now);
    sqlite3_bind_int64(q, 6, now);
    rc = store_step_done(tmpl_repo_st(r), q);
    store_done(q);
    if (rc || (rc = tmpl_repos_journal(
                   r, name, "added",
                   json_pack("{s:s, s:o}", "url", url, "ref",
                             ref ? json_string(ref) : json_null()))))
        goto out;
    if ((rc = tmpl_repos_start(
             r, tmpl_job_create(TMPL_JOB_CLONE, name, url, ref, now))))
        goto out;
    rc = tmpl_repos_load(out, r, name);
out:
    free(derived);
    return rc;
}

int
tmpl_repo_update(json_t **out, struct tmpl_repos *r, const char *name)
{
    sqlite3_stmt *q;
    char *url = NULL, *ref = NULL, *status = NULL;
    int64_t added = 0;
    enum tmpl_job_kind kind;
    int rc;

    *out = NULL;
    q = store_stmt(tmpl_repo_st(r), "SELECT url, ref, status, added_ms "
                                    "FROM tmpl_repos WHERE name = ?");
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *f = (const char *)sqlite3_column_text(q, 1);

        url = xstrdup((const char *)sqlite3_column_text(q, 0));
        ref = f ? xstrdup(f) : NULL;
        status = xstrdup((const char *)sqlite3_column_text(q, 2));
        added = sqlite3_column_int64(q, 3);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_setn(ENG_ENOTFOUND, "TemplateRepoNotFound",
                      "no template repository '%s'", name);
    } else {
        rc = store_error(tmpl_repo_st(r));
    }
    store_done(q);
    if (rc)
        goto out;
    if (tmpl_repos_job(r, name)) {
        rc = err_set(ENG_ECONFLICT,
                     "template repository '%s' is being %s; wait until it "
                     "is done",
                     name, strcmp(status, "cloning") == 0 ? "cloned"
                                                         : "updated");
        goto out;
    }
    if (strcmp(status, "ready") == 0) {
        kind = TMPL_JOB_UPDATE;
        rc = tmpl_repos_journal(r, name, "update_started", NULL);
    } else { /* failed: clone it anew */
        kind = TMPL_JOB_CLONE;
        rc = tmpl_repos_set(r, name, "cloning", NULL, NULL);
        if (rc == 0)
            rc = tmpl_repos_journal(r, name, "cloning_again", NULL);
    }
    if (rc || (rc = tmpl_repos_start(
                   r, tmpl_job_create(kind, name, url, ref, added))))
        goto out;
    rc = tmpl_repos_load(out, r, name);
out:
    free(url);
    free(ref);
    free(status);
    return rc;
}

int
tmpl_repo_list(json_t **out, struct tmpl_repos *r)
{
    sqlite3_stmt *q = store_stmt(tmpl_repo_st(r),
                                 "SELECT " TMPL_REPO_COLS
                                 " FROM tmpl_repos ORDER BY seq");
    json_t *arr = json_array();
    int rc;

    *out = NULL;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        json_array_append_new(arr, tmpl_repos_row_json(r, q));
    rc = rc == SQLITE_DONE ? 0 : store_error(tmpl_repo_st(r));
    store_done(q);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

int
tmpl_repo_get(json_t **out, struct tmpl_repos *r, const char *name)
{
    return tmpl_repos_load(out, r, name);
}

int
tmpl_repo_remove(struct tmpl_repos *r, const char *name)
{
    struct tmpl_job *job = tmpl_repos_job(r, name);
    json_t *row = NULL;
    sqlite3_stmt *q;
    char *dir;
    int rc;

    if ((rc = tmpl_repos_load(&row, r, name)))
        return rc;
    q = store_stmt(tmpl_repo_st(r), "DELETE FROM tmpl_repos WHERE name = ?");
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    rc = store_step_done(tmpl_repo_st(r), q);
    store_done(q);
    if (rc == 0)
        rc = tmpl_repos_journal(
            r, name, "removed",
            json_pack("{s:O, s:O}", "url", json_object_get(row, "url"),
                      "commit", json_object_get(row, "commit")));
    json_decref(row);
    if (rc)
        return rc;
    if (job) { /* an update reads the checkout's .git: remove it after */
        atomic_store(&job->cancel, 1);
        job->dropped = 1;
        job->remove_dir = 1;
        return 0;
    }
    dir = xasprintf("%s/%s", r->catalogs, name);
    paths_remove_tree(dir);
    free(dir);
    return 0;
}

json_t *
tmpl_repo_roots(struct tmpl_repos *r)
{
    sqlite3_stmt *q = store_stmt(tmpl_repo_st(r),
                                 "SELECT name FROM tmpl_repos WHERE status = "
                                 "'ready' ORDER BY seq");
    json_t *arr = json_array();

    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        char *path = xasprintf("%s/%s", r->catalogs, name);

        json_array_append_new(arr, json_pack("{s:s, s:s}", "name", name,
                                             "path", path));
        free(path);
    }
    store_done(q);
    return arr;
}
