/*
 * logread: read the engine's JSON-lines log for GET /v1/logs: the last N
 * lines, or the lines after a byte offset (to follow it).
 */
#ifndef FLOWDECK_LOGREAD_H
#define FLOWDECK_LOGREAD_H

#include <jansson.h>
#include <stdint.h>

/*
 * Read lines of the log at `path`: with offset < 0 the last `limit`
 * lines, else up to `limit` complete lines from byte `offset` (a file
 * that shrank below it is read from its start). Each item is the line's
 * object, or {"msg": line} when a line is not JSON. Returns: 0 and a new
 * {"items": [...], "next": "<offset after the last line>"} in *out.
 */
int logread(json_t **out, const char *path, int64_t offset, int limit);

#endif
