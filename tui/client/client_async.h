/*
 * client_async: non-blocking requests to the engine API for the dashboard,
 * over a libcurl multi handle. The app loop waits in client_async_wait()
 * on the transfers' sockets and on stdin together, then calls
 * client_async_run() to move transfers on and deliver finished ones.
 * Single-threaded: every callback runs inside client_async_run().
 */
#ifndef FLOWDECK_CLIENT_ASYNC_H
#define FLOWDECK_CLIENT_ASYNC_H

#include <jansson.h>

struct client_async;

/* Returns: an async client of `endpoint`; `token` may be NULL. */
struct client_async *client_async_create(const char *endpoint,
                                         const char *token);
/* Abandons transfers still running, without calling their callbacks. */
void client_async_free(struct client_async *a);

/* Returns: borrowed; the normalized endpoint. */
const char *client_async_endpoint(const struct client_async *a);

/*
 * Start GET `path`. `done` runs once, later, from client_async_run(),
 * with rc as client_request() returns it (err_last() holds the message)
 * and `body` borrowed (NULL on error or when the answer had none).
 */
void client_async_get(struct client_async *a, const char *path,
                      void (*done)(int rc, json_t *body, void *arg), void *arg);

/*
 * Start `method` `path` with an optional JSON `body` (borrowed; NULL:
 * none). `done` runs as for client_async_get().
 */
void client_async_request(struct client_async *a, const char *method,
                          const char *path, json_t *body,
                          void (*done)(int rc, json_t *body, void *arg),
                          void *arg);

/* Returns: the number of requests still running. */
int client_async_pending(const struct client_async *a);

/*
 * Wait up to timeout_ms for transfer sockets or `fd` (-1: none) to have
 * something. Returns: 1 when `fd` is readable, else 0.
 */
int client_async_wait(struct client_async *a, int fd, int timeout_ms);

/* Move transfers on; call the callbacks of the finished ones. */
void client_async_run(struct client_async *a);

#endif
