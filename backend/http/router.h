/*
 * router: one table of routes (method + path pattern -> handler), and the
 * checks every request passes before any handler runs (Redis's
 * processCommand): authentication, 404, 405, the JSON body, and the
 * store change that wraps a handler that writes.
 */
#ifndef FLOWDECK_ROUTER_H
#define FLOWDECK_ROUTER_H

#include "http/http.h"

/* A handler: 0 (resp filled), HTTP_PARKED, or an ENG_* error code that
 * the router turns into the error response. */
typedef int (*route_fn)(struct http_req *req, struct http_resp *resp);

enum route_flags {
    ROUTE_PUBLIC = 1 << 0, /* no API token needed */
    ROUTE_JSON = 1 << 1,   /* body must be a JSON object (empty: {}) */
    ROUTE_NOTX = 1 << 2    /* a write that commits by itself (snapshots) */
};

struct route {
    unsigned methods;    /* enum http_method bits */
    const char *pattern; /* "/v1/queues/:name"; a last "*" takes the rest */
    route_fn handler;
    unsigned flags;
};

/* routes.c: THE table, ending with a zeroed row. */
extern const struct route routes[];

/*
 * Find the route for method + path in `table`. Captured parameters are
 * pointers into `scratch` (at least strlen(path) + 1 bytes).
 * Returns: 0 and *out; ENG_ENOTFOUND when no pattern matches the path;
 * ENG_EMETHOD when one does but not for this method (*allowed then has
 * the methods that would be).
 */
int router_match(const struct route **out, const struct route *table,
                 enum http_method method, const char *path, char *scratch,
                 const char **params, int *nparams, unsigned *allowed);

/*
 * Dispatch a request through the table: the http_dispatch_fn the engine
 * gives the server. `arg` is the API token (NULL when none is set).
 * Returns: HTTP_DONE, HTTP_HOLD or HTTP_PARKED.
 */
int router_dispatch(struct http_req *req, struct http_resp *resp, void *arg);

/* Returns: 1 when a and b are equal, in time independent of where they
 * differ. */
int router_token_equal(const char *a, const char *b);

#endif
