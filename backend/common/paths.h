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

#endif
