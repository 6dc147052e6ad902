/*
 * lazylib: a shared library opened at its first use; see lazylib.h.
 */
#include "common/lazylib.h"

#include "common/err.h"
#include "common/xalloc.h"

#include <dlfcn.h>
#include <stdlib.h>

/* Open and resolve (under l->lock). Returns: 0, or -1 with l->error. */
static int
lazylib_open(struct lazylib *l)
{
    void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
    const char *why;

    if (h == NULL) {
        why = dlerror();
        l->error = xasprintf("%s needs %s, which would not load: %s",
                             l->feature, l->soname, why ? why : "?");
        return -1;
    }
    for (size_t i = 0; i < l->nsyms; i++) {
        (void)dlerror();
        *l->syms[i].slot = dlsym(h, l->syms[i].name);
        if (*l->syms[i].slot == NULL) {
            l->error = xasprintf("%s needs %s, which lacks %s", l->feature,
                                 l->soname, l->syms[i].name);
            for (size_t j = 0; j <= i; j++)
                *l->syms[j].slot = NULL;
            dlclose(h);
            return -1;
        }
    }
    if (l->init && l->init() != 0) {
        l->error = xasprintf("%s needs %s, which would not start: %s",
                             l->feature, l->soname, err_last());
        return -1; /* stays open: its functions may hold on to it */
    }
    return 0;
}

int
lazylib_load(struct lazylib *l)
{
    int rc = 0;

    pthread_mutex_lock(&l->lock);
    if (l->state == 0)
        l->state = lazylib_open(l) == 0 ? 1 : -1;
    if (l->state < 0)
        rc = err_set(ENG_EUNAVAIL, "%s", l->error);
    pthread_mutex_unlock(&l->lock);
    return rc;
}

int
lazylib_loaded(struct lazylib *l)
{
    int loaded;

    pthread_mutex_lock(&l->lock);
    loaded = l->state == 1;
    pthread_mutex_unlock(&l->lock);
    return loaded;
}
