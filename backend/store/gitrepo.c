/*
 * gitrepo: versioned files in a bare repository; see gitrepo.h.
 */
#include "store/gitrepo.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/lazygit.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define GITREPO_REF "refs/heads/main"

struct gitrepo {
    git_repository *repo;
};

/* Translate libgit2's last error. Returns: code. */
static int
gitrepo_error(int code, const char *what)
{
    const git_error *e = sym_git_error_last();

    return err_set(code, "%s: %s", what, e && e->message ? e->message
                                                        : "git error");
}

int
gitrepo_global_init(void)
{
    int rc;

    if ((rc = lazygit_load()))
        return rc;
    sym_git_libgit2_init();
    return 0;
}

void
gitrepo_global_shutdown(void)
{
    sym_git_libgit2_shutdown();
}

int
gitrepo_open(struct gitrepo **out, const char *path)
{
    struct gitrepo *r = xcalloc(1, sizeof(*r));

    *out = NULL;
    if (sym_git_repository_open_bare(&r->repo, path) != 0) {
        git_repository_init_options o;

        sym_git_repository_init_options_init(
            &o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
        o.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
        o.initial_head = "main";
        if (sym_git_repository_init_ext(&r->repo, path, &o) != 0) {
            free(r);
            return gitrepo_error(ENG_ERR, path);
        }
    }
    *out = r;
    return 0;
}

void
gitrepo_free(struct gitrepo *r)
{
    if (r == NULL)
        return;
    sym_git_repository_free(r->repo);
    free(r);
}

/* The newest commit, or NULL (*out) in an empty repository. */
static int
gitrepo_head(git_commit **out, struct gitrepo *r)
{
    git_oid oid;

    *out = NULL;
    if (sym_git_reference_name_to_id(&oid, r->repo, GITREPO_REF) != 0)
        return 0; /* no commit yet */
    if (sym_git_commit_lookup(out, r->repo, &oid) != 0)
        return gitrepo_error(ENG_ERR, "reading the newest version");
    return 0;
}

/* Commit `tree_oid` on top of `parent` (may be NULL). */
static int
gitrepo_commit_tree(char *out, struct gitrepo *r, git_commit *parent,
                    const git_oid *tree_oid, const char *message, int64_t ms)
{
    git_signature *sig = NULL;
    git_tree *tree = NULL;
    git_oid oid;
    const git_commit *parents[1] = {parent};
    int rc = 0;

    if (sym_git_signature_new(&sig, "flowdeck", "flowdeck@localhost",
                              (git_time_t)(ms / 1000), 0) != 0 ||
        sym_git_tree_lookup(&tree, r->repo, tree_oid) != 0 ||
        sym_git_commit_create(&oid, r->repo, GITREPO_REF, sig, sig, NULL,
                              message, tree, parent ? 1 : 0, parents) != 0)
        rc = gitrepo_error(ENG_ERR, "committing");
    else if (out)
        sym_git_oid_tostr(out, GITREPO_OID_HEX, &oid);
    sym_git_tree_free(tree);
    sym_git_signature_free(sig);
    return rc;
}

/* Id of the blob `name` in `commit`'s tree, or 0 when absent. */
static int
gitrepo_blob_in(git_oid *out, git_commit *commit, const char *name)
{
    git_tree *tree = NULL;
    const git_tree_entry *e;
    int found = 0;

    if (commit && sym_git_commit_tree(&tree, commit) == 0 &&
        (e = sym_git_tree_entry_byname(tree, name)) != NULL) {
        sym_git_oid_cpy(out, sym_git_tree_entry_id(e));
        found = 1;
    }
    sym_git_tree_free(tree);
    return found;
}

/* Commit `head`'s tree with file `name` set to `blob`, or removed when
 * `blob` is NULL. */
static int
gitrepo_commit_change(char *out, struct gitrepo *r, git_commit *head,
                      const char *name, const git_oid *blob,
                      const char *message, int64_t ms)
{
    git_tree *base = NULL;
    git_treebuilder *tb = NULL;
    git_oid tree_oid;
    int rc;

    if ((head && sym_git_commit_tree(&base, head) != 0) ||
        sym_git_treebuilder_new(&tb, r->repo, base) != 0 ||
        (blob ? sym_git_treebuilder_insert(NULL, tb, name, blob,
                                           GIT_FILEMODE_BLOB)
              : sym_git_treebuilder_remove(tb, name)) != 0 ||
        sym_git_treebuilder_write(&tree_oid, tb) != 0)
        rc = gitrepo_error(ENG_ERR, "building the tree");
    else
        rc = gitrepo_commit_tree(out, r, head, &tree_oid, message, ms);
    sym_git_treebuilder_free(tb);
    sym_git_tree_free(base);
    return rc;
}

int
gitrepo_commit_file(char *out, struct gitrepo *r, const char *name,
                    const void *data, size_t len, const char *message,
                    int64_t ms)
{
    git_commit *head = NULL;
    git_oid blob, old;
    int rc;

    if ((rc = gitrepo_head(&head, r)))
        return rc;
    if (sym_git_blob_create_from_buffer(&blob, r->repo, data, len) != 0) {
        rc = gitrepo_error(ENG_ERR, "storing the file");
    } else if (gitrepo_blob_in(&old, head, name) &&
               sym_git_oid_equal(&old, &blob)) {
        /* unchanged: the version is the commit that last changed it */
        json_t *log = NULL;

        rc = gitrepo_log(&log, r, name, 1);
        if (rc == 0 && out)
            snprintf(out, GITREPO_OID_HEX, "%s",
                     json_string_value(json_object_get(
                         json_array_get(log, 0), "commit")));
        json_decref(log);
    } else {
        rc = gitrepo_commit_change(out, r, head, name, &blob, message, ms);
    }
    sym_git_commit_free(head);
    return rc;
}

int
gitrepo_remove_file(struct gitrepo *r, const char *name, const char *message,
                    int64_t ms)
{
    git_commit *head = NULL;
    git_oid old;
    int rc;

    if ((rc = gitrepo_head(&head, r)))
        return rc;
    if (!gitrepo_blob_in(&old, head, name))
        rc = err_set(ENG_ENOTFOUND, "no file '%s' in the repository", name);
    else
        rc = gitrepo_commit_change(NULL, r, head, name, NULL, message, ms);
    sym_git_commit_free(head);
    return rc;
}

int
gitrepo_log(json_t **out, struct gitrepo *r, const char *name, int limit)
{
    git_revwalk *walk = NULL;
    json_t *items = json_array();
    git_oid oid;
    int rc = 0;

    *out = NULL;
    if (sym_git_revwalk_new(&walk, r->repo) != 0) {
        json_decref(items);
        return gitrepo_error(ENG_ERR, "reading history");
    }
    sym_git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
    if (sym_git_revwalk_push_ref(walk, GITREPO_REF) != 0)
        goto done; /* no commits yet */
    while ((int)json_array_size(items) < limit &&
           sym_git_revwalk_next(&oid, walk) == 0) {
        git_commit *c = NULL, *p = NULL;
        git_oid mine, theirs;
        int has_mine, has_theirs;
        char hex[GITREPO_OID_HEX];

        if (sym_git_commit_lookup(&c, r->repo, &oid) != 0) {
            rc = gitrepo_error(ENG_ERR, "reading history");
            break;
        }
        has_mine = gitrepo_blob_in(&mine, c, name);
        if (sym_git_commit_parentcount(c) > 0)
            sym_git_commit_parent(&p, c, 0);
        has_theirs = gitrepo_blob_in(&theirs, p, name);
        if (has_mine != has_theirs ||
            (has_mine && !sym_git_oid_equal(&mine, &theirs))) {
            sym_git_oid_tostr(hex, sizeof(hex), &oid);
            json_array_append_new(
                items,
                json_pack("{s:s, s:o, s:s, s:b}", "commit", hex, "time",
                          jsonx_time((int64_t)sym_git_commit_time(c) * 1000),
                          "message", sym_git_commit_message(c), "deleted",
                          !has_mine));
        }
        sym_git_commit_free(p);
        sym_git_commit_free(c);
    }
done:
    sym_git_revwalk_free(walk);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

/* The blob of `name` at `rev` (NULL: newest). */
static int
gitrepo_blob_at(git_blob **out, struct gitrepo *r, const char *name,
                const char *rev)
{
    git_object *obj = NULL;
    git_commit *c = NULL;
    git_oid blob;
    int rc = 0;

    *out = NULL;
    if (rev == NULL) {
        if ((rc = gitrepo_head(&c, r)))
            return rc;
    } else {
        size_t n = strlen(rev);

        if (n < 4 || n > 40 || strspn(rev, "0123456789abcdef") != n ||
            sym_git_revparse_single(&obj, r->repo, rev) != 0 ||
            sym_git_object_peel((git_object **)&c, obj,
                                GIT_OBJECT_COMMIT) != 0) {
            sym_git_object_free(obj);
            return err_set(ENG_ENOTFOUND, "no version '%.40s'", rev);
        }
        sym_git_object_free(obj);
    }
    if (!gitrepo_blob_in(&blob, c, name))
        rc = err_set(ENG_ENOTFOUND, "no '%s' in version %.12s", name,
                     rev ? rev : "newest");
    else if (sym_git_blob_lookup(out, r->repo, &blob) != 0)
        rc = gitrepo_error(ENG_ERR, "reading the file");
    sym_git_commit_free(c);
    return rc;
}

int
gitrepo_read(char **out, size_t *len, struct gitrepo *r, const char *name,
             const char *rev)
{
    git_blob *b = NULL;
    int rc = gitrepo_blob_at(&b, r, name, rev);

    *out = NULL;
    if (rc)
        return rc;
    *len = (size_t)sym_git_blob_rawsize(b);
    *out = xmalloc(*len + 1);
    memcpy(*out, sym_git_blob_rawcontent(b), *len);
    (*out)[*len] = '\0';
    sym_git_blob_free(b);
    return 0;
}

int
gitrepo_diff(char **out, struct gitrepo *r, const char *name, const char *a,
             const char *b)
{
    git_blob *ba = NULL, *bb = NULL;
    git_patch *patch = NULL;
    git_buf text;
    int rc;

    *out = NULL;
    memset(&text, 0, sizeof(text));
    if ((rc = gitrepo_blob_at(&ba, r, name, a)) ||
        (rc = gitrepo_blob_at(&bb, r, name, b)))
        goto out;
    if (sym_git_patch_from_blobs(&patch, ba, name, bb, name, NULL) != 0 ||
        sym_git_patch_to_buf(&text, patch) != 0) {
        rc = gitrepo_error(ENG_ERR, "diffing");
        goto out;
    }
    *out = xstrndup(text.ptr ? text.ptr : "", text.size);
out:
    sym_git_buf_dispose(&text);
    sym_git_patch_free(patch);
    sym_git_blob_free(ba);
    sym_git_blob_free(bb);
    return rc;
}
