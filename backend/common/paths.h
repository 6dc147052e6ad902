/*
 * paths: where flowdeck keeps its state by default; shared by the engine
 * and the console so both agree.
 */
#ifndef FLOWDECK_PATHS_H
#define FLOWDECK_PATHS_H

/*
 * Returns: a new string, the default data dir: $FLOWDECK_DATA_DIR, else
 * $XDG_DATA_HOME/flowdeck, else $HOME/.local/share/flowdeck, else
 * ./.flowdeck.
 */
char *paths_default_data_dir(void);

/* Returns: a new string, `path` made absolute against the cwd. */
char *paths_absolute(const char *path);

/*
 * Returns: a new path of flowdeck's shared folder `what` ("templates",
 * "themes"): <bin>/../share/flowdeck/<what> when that is a folder, else
 * `src` (its place in the source tree: "templates", "assets/themes")
 * in the binary's folder or up to PATHS_UP_LEVELS above it (a build
 * dir); NULL when neither exists.
 */
char *paths_share_dir(const char *what, const char *src);

/* Remove the tree at `path` (missing is fine): symlinks are removed,
 * never followed, and other filesystems are not entered; what cannot be
 * removed is logged. */
void paths_remove_tree(const char *path);

#define PATHS_UP_LEVELS 4 /* build/dev/flowdeck is two below the tree */

#endif
