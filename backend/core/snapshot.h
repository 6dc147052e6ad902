/*
 * snapshot: save, restore and list copies of the whole state, and reset
 * it, safely while the engine runs (SQLite's online backup). Snapshots
 * are files data_dir/snapshots/NAME.db. Engine thread only.
 */
#ifndef FLOWDECK_SNAPSHOT_H
#define FLOWDECK_SNAPSHOT_H

#include <jansson.h>
#include <stdint.h>

struct engine;

/* Returns: 0 when `name` is 1-64 of [A-Za-z0-9._-], not starting with
 * '.'; else ENG_EINVAL saying so. */
int snapshot_check_name(const char *name);

/*
 * Save the state as NAME. Commits what is pending first. Returns: 0 and
 * a new {"name", "size", "created"} in *out; ENG_EEXISTS when NAME
 * exists and !overwrite; ENG_EINVAL for a bad name; or an I/O error.
 */
int snapshot_save(json_t **out, struct engine *eng, const char *name,
                  int overwrite);

/*
 * Replace the whole state with snapshot NAME and reload every service.
 * Returns: 0; ENG_ENOTFOUND; ENG_EINVAL when the file is not a flowdeck
 * snapshot; ENG_ECONFLICT when it comes from a newer flowdeck.
 */
int snapshot_restore(struct engine *eng, const char *name);

/* Returns: 0 or ENG_ENOTFOUND. */
int snapshot_delete(struct engine *eng, const char *name);

/* Returns: 0 and a new {"items": [...]} (by name) in *out. */
int snapshot_list(json_t **out, struct engine *eng);

/* Returns: the number of snapshots. */
int64_t snapshot_count(struct engine *eng);

/* Empty the whole state and reload every service. Returns: 0 or error. */
int snapshot_reset(struct engine *eng);

#endif
