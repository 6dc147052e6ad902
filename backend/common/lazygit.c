/*
 * lazygit: libgit2, opened at its first use; see lazygit.h.
 */
#include "common/lazygit.h"

LAZY_GIT_FUNCS(LAZYLIB_DEFINE)

static const struct lazylib_sym lazygit_syms[] = {LAZY_GIT_FUNCS(LAZYLIB_SYM)};

struct lazylib lazygit =
    LAZYLIB_INIT(FLOWDECK_LIBGIT2_SONAME, "Flow versions and template catalogs",
                 lazygit_syms, NULL);
