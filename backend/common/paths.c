/*
 * paths: default locations; see paths.h.
 */
#include "common/paths.h"

#include "common/buf.h"
#include "common/xalloc.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
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
