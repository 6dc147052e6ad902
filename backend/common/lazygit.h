/*
 * lazygit: libgit2, opened at the first flow version or template catalog
 * (see lazylib.h). Call lazygit_load() first; then call libgit2 through
 * the sym_ pointers: sym_git_clone() for git_clone().
 */
#ifndef FLOWDECK_LAZYGIT_H
#define FLOWDECK_LAZYGIT_H

#include "common/lazylib.h"

#include <git2.h>

#define LAZY_GIT_FUNCS(X)                                                      \
    X(git_blob_create_from_buffer)                                             \
    X(git_blob_free)                                                           \
    X(git_blob_lookup)                                                         \
    X(git_blob_rawcontent)                                                     \
    X(git_blob_rawsize)                                                        \
    X(git_branch_create)                                                       \
    X(git_branch_set_upstream)                                                 \
    X(git_buf_dispose)                                                         \
    X(git_buf_set)                                                             \
    X(git_checkout_head)                                                       \
    X(git_checkout_options_init)                                               \
    X(git_clone)                                                               \
    X(git_clone_options_init)                                                  \
    X(git_commit_create)                                                       \
    X(git_commit_free)                                                         \
    X(git_commit_lookup)                                                       \
    X(git_commit_message)                                                      \
    X(git_commit_parent)                                                       \
    X(git_commit_parentcount)                                                  \
    X(git_commit_time)                                                         \
    X(git_commit_tree)                                                         \
    X(git_config_free)                                                         \
    X(git_config_set_string)                                                   \
    X(git_error_clear)                                                         \
    X(git_error_last)                                                          \
    X(git_fetch_options_init)                                                  \
    X(git_graph_descendant_of)                                                 \
    X(git_libgit2_init)                                                        \
    X(git_libgit2_shutdown)                                                    \
    X(git_object_free)                                                         \
    X(git_object_id)                                                           \
    X(git_object_lookup_prefix)                                                \
    X(git_object_peel)                                                         \
    X(git_oid_cpy)                                                             \
    X(git_oid_equal)                                                           \
    X(git_oid_fromstrn)                                                        \
    X(git_oid_tostr)                                                           \
    X(git_patch_free)                                                          \
    X(git_patch_from_blobs)                                                    \
    X(git_patch_to_buf)                                                        \
    X(git_reference_create)                                                    \
    X(git_reference_free)                                                      \
    X(git_reference_is_branch)                                                 \
    X(git_reference_iterator_free)                                             \
    X(git_reference_iterator_glob_new)                                         \
    X(git_reference_lookup)                                                    \
    X(git_reference_name)                                                      \
    X(git_reference_name_is_valid)                                             \
    X(git_reference_name_to_id)                                                \
    X(git_reference_next)                                                      \
    X(git_reference_peel)                                                      \
    X(git_reference_target)                                                    \
    X(git_reference_type)                                                      \
    X(git_remote_create_options_init)                                          \
    X(git_remote_create_with_opts)                                             \
    X(git_remote_default_branch)                                               \
    X(git_remote_fetch)                                                        \
    X(git_remote_free)                                                         \
    X(git_remote_set_url)                                                      \
    X(git_repository_config)                                                   \
    X(git_repository_free)                                                     \
    X(git_repository_head)                                                     \
    X(git_repository_init_ext)                                                 \
    X(git_repository_init_options_init)                                        \
    X(git_repository_open_bare)                                                \
    X(git_repository_open_ext)                                                 \
    X(git_repository_set_head)                                                 \
    X(git_repository_set_head_detached)                                        \
    X(git_revparse_single)                                                     \
    X(git_revwalk_free)                                                        \
    X(git_revwalk_new)                                                         \
    X(git_revwalk_next)                                                        \
    X(git_revwalk_push_ref)                                                    \
    X(git_revwalk_sorting)                                                     \
    X(git_signature_free)                                                      \
    X(git_signature_new)                                                       \
    X(git_tree_entry_byname)                                                   \
    X(git_tree_entry_id)                                                       \
    X(git_tree_free)                                                           \
    X(git_tree_lookup)                                                         \
    X(git_treebuilder_free)                                                    \
    X(git_treebuilder_insert)                                                  \
    X(git_treebuilder_new)                                                     \
    X(git_treebuilder_remove)                                                  \
    X(git_treebuilder_write)

LAZY_GIT_FUNCS(LAZYLIB_DECLARE)

extern struct lazylib lazygit;

/*
 * Open libgit2, the first time (git_libgit2_init is still the caller's).
 * Returns: 0, or ENG_EUNAVAIL with a message naming the library and what
 * went wrong.
 */
static inline int
lazygit_load(void)
{
    return lazylib_load(&lazygit);
}

#endif
