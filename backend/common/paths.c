/*
 * paths: default locations; see paths.h.
 */
#include "common/paths.h"

#include "common/xalloc.h"

#include <limits.h>
#include <stdlib.h>
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
