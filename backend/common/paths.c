/*
 * paths: default locations; see paths.h.
 */
#include "common/paths.h"

#include "common/buf.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *
paths_default_data_dir(void)
{
    const char *v;

    if ((v = getenv("FLOWDECK_DATA_DIR")) && *v)
        return paths_absolute(v);
    if ((v = getenv("XDG_DATA_HOME")) && *v == '/')
        return xasprintf("%s/flowdeck", v);
    if ((v = getenv("HOME")) && *v == '/')
        return xasprintf("%s/.local/share/flowdeck", v);
    return paths_absolute(".flowdeck");
}

char *
paths_absolute(const char *path)
{
    char cwd[PATH_MAX];

    if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
        return xstrdup(path);
    return xasprintf("%s/%s", cwd, path);
}

/* Returns: 1 when path is a folder */
static int
paths_is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *
paths_share_dir(const char *what, const char *src)
{
    char self[PATH_MAX], *dir, *path;
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    struct buf ups = BUF_INIT(0);

    if (n <= 0)
        return NULL;
    self[n] = '\0';
    dir = dirname(self);
    path = xasprintf("%s/../share/flowdeck/%s", dir, what);
    if (paths_is_dir(path))
        return path;
    free(path);
    for (int up = 0; up <= PATHS_UP_LEVELS; up++) {
        path = xasprintf("%s%s/%s", dir, buf_str(&ups), src);
        if (paths_is_dir(path)) {
            buf_free(&ups);
            return path;
        }
        free(path);
        buf_puts(&ups, "/..");
    }
    buf_free(&ups);
    return NULL;
}

static int
paths_remove_one(const char *path, const struct stat *sb, int flag,
                 struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    if (remove(path) != 0 && errno != ENOENT)
        log_warn("cannot remove %s: %s", path, strerror(errno));
    return 0;
}

void
paths_remove_tree(const char *path)
{
    struct stat sb;

    if (path == NULL || lstat(path, &sb) != 0)
        return;
    nftw(path, paths_remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}
