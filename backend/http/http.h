/*
 * http: the HTTP server (libmicrohttpd in external epoll mode, driven by
 * the engine loop), and the request and response types every handler
 * sees. Handlers never call MHD; this file is the only one that does.
 *
 * A dispatched request ends one of three ways:
 *   HTTP_DONE    the response is sent now;
 *   HTTP_HOLD    the response waits for the engine's next commit
 *                (group commit), then is sent by http_server_release();
 *   HTTP_PARKED  the handler keeps an http_park and answers later with
 *                http_park_resume() (long polls); the connection is
 *                suspended meanwhile, not a thread.
 * Engine thread only.
 */
#ifndef FLOWDECK_HTTP_H
#define FLOWDECK_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct engine;
struct http_server;
struct http_ctx;

enum http_method {
    HTTP_OTHER = 0,
    HTTP_GET = 1 << 0,
    HTTP_HEAD = 1 << 1,
    HTTP_POST = 1 << 2,
    HTTP_PUT = 1 << 3,
    HTTP_DELETE = 1 << 4,
    HTTP_PATCH = 1 << 5,
    HTTP_OPTIONS = 1 << 6
};

enum { HTTP_DONE = 0, HTTP_HOLD = 1, HTTP_PARKED = 2 };

#define HTTP_MAX_PARAMS 8
#define HTTP_MAX_SEGMENTS 32
#define HTTP_MAX_HEADERS 8

/* A request lives only until its handler returns: a handler that parks
 * copies (or increfs) what it needs from it. */
struct http_req {
    struct engine *eng;
    enum http_method method;
    const char *method_name;
    const char *path;                    /* decoded, without the query */
    const char *target; /* the request-target as sent (path?query, raw) */
    const char *params[HTTP_MAX_PARAMS]; /* captured by the route */
    int nparams;
    const char *body; /* NUL-terminated; "" when none */
    size_t body_len;
    json_t *json;     /* ROUTE_JSON routes: the body object, borrowed */
    struct http_ctx *ctx;
};

struct http_resp {
    int status;
    char *body; /* owned; malloc'd */
    size_t len;
    const char *content_type;
    char *headers[HTTP_MAX_HEADERS][2]; /* owned name, value */
    int nheaders;
};

/* Returns: the query argument `key`, borrowed, or NULL. */
const char *http_req_query(const struct http_req *req, const char *key);

/* Returns: the request header `name`, borrowed, or NULL. */
const char *http_req_header(const struct http_req *req, const char *name);

/* Returns: new object of every query argument (headers 0) or request
 * header (headers 1), name -> value; a value that is not UTF-8 is
 * left out. */
json_t *http_req_values(const struct http_req *req, int headers);

/*
 * An integer query argument in [min, max], or `def` when absent.
 * Returns: 0, or ENG_EINVAL naming the parameter and its range.
 */
int http_req_query_int(int64_t *out, const struct http_req *req,
                       const char *key, int64_t def, int64_t min,
                       int64_t max);

/*
 * The numeric paging cursor in query argument `key` (0 when absent): a
 * cursor a list gave earlier. Returns: 0, or ENG_EINVAL.
 */
int http_req_query_cursor(int64_t *out, const struct http_req *req,
                          const char *key);

/* Reply with `j` as JSON (stolen, even on failure). Returns: 0. */
int http_reply_json_new(struct http_resp *resp, int status, json_t *j);

/* Reply with no body. Returns: 0. */
int http_reply_empty(struct http_resp *resp, int status);

/* Reply with `body` (stolen; malloc'd) of type `ctype`. Returns: 0. */
int http_reply_take(struct http_resp *resp, int status, const char *ctype,
                    char *body, size_t len);

/* Add a response header (copied). */
void http_resp_header(struct http_resp *resp, const char *name,
                      const char *value);

/* Free what resp owns and empty it. */
void http_resp_clear(struct http_resp *resp);

/* Move src's contents to dst (dst cleared first; src left empty). */
void http_resp_move(struct http_resp *dst, struct http_resp *src);

/*
 * Parking. A handler that must wait calls http_req_park() and returns
 * HTTP_PARKED. Later it answers with http_park_resume(). If the server
 * must give up on the request first (shutdown), it calls cancel(arg)
 * and answers 503 itself; the owner must then forget the park.
 */
struct http_park;
typedef void (*http_park_cancel_fn)(struct http_park *p, void *arg);

struct http_park *http_req_park(struct http_req *req,
                                http_park_cancel_fn cancel, void *arg);
/* Answer a parked request; resp's contents are moved. The answer is sent
 * after the engine's next commit. */
void http_park_resume(struct http_park *p, struct http_resp *resp);

/*
 * The error shape of the answers the server gives a held or parked
 * request by itself: when the commit it waits for fails, and when the
 * engine stops while it is parked. fn fills resp (empty) for `rc` and
 * err_last(); req is the request again, its headers still readable.
 * Without one, the engine's JSON error. A handler sets it before it
 * returns HTTP_HOLD or HTTP_PARKED; arg is freed with free() when the
 * request ends.
 */
typedef void (*http_error_fn)(struct http_req *req, struct http_resp *resp,
                              int rc, void *arg);
void http_req_set_error(struct http_req *req, http_error_fn fn, void *arg);

typedef int (*http_dispatch_fn)(struct http_req *req, struct http_resp *resp,
                                void *arg);

/* Memory MHD gives each connection: its request line and headers must
 * fit (with room to read), or MHD answers 414 or 431 itself. MHD zeroes
 * it all after every request, so it costs time too: 32 KiB holds a
 * 30,000-byte header (test_hostile_http), and 16 connections sent 2-10%
 * more than with 64 KiB. */
#define HTTP_CONN_MEMORY (32u << 10)

struct http_server_config {
    int listen_fd;        /* bound and listening; the server owns it */
    size_t body_max;      /* larger bodies get 413 */
    unsigned timeout_sec; /* a connection idle this long is closed */
    unsigned max_conns;   /* more wait in the listen backlog */
    struct engine *eng;
    http_dispatch_fn dispatch;
    void *arg;
};

/* Returns: 0 and *out, or ENG_ERR (*out NULL). */
int http_server_start(struct http_server **out,
                      const struct http_server_config *cfg);

/* Returns: the fd to watch for readability (an epoll fd). */
int http_server_fd(struct http_server *srv);

/* Serve what is ready; never blocks. */
void http_server_run(struct http_server *srv);

/* Returns: 1 when resumed requests wait for run(). */
int http_server_woke(struct http_server *srv);

/* Returns: ms until the server needs run() for timeouts, or -1; 0 while
 * responses wait for a commit. */
int64_t http_server_timeout(struct http_server *srv);

/* Returns: requests handed to the engine so far (a count that wraps). */
unsigned http_server_dispatched(const struct http_server *srv);

/* Returns: 1 when the last few requests all came over one connection: one
 * client that waits for each answer before it sends again. */
int http_server_lone(const struct http_server *srv);

/*
 * After the engine's commit: send every held response (rc == 0), or
 * replace each with the error `rc` (the commit failed: nothing was kept).
 */
void http_server_release(struct http_server *srv, int rc);

/* Stop accepting connections; answer parked requests with 503. */
void http_server_quiesce(struct http_server *srv);

/* Returns: requests begun and not yet completed. */
int http_server_active(struct http_server *srv);

/* Close every connection and free. NULL-safe. */
void http_server_free(struct http_server *srv);

/* Fill resp with the error JSON and status for code `rc` and the last
 * error message. */
void http_error_resp(struct http_resp *resp, int rc);

/* Returns: the HTTP status for an ENG_* code. */
int http_status_for(int rc);

#endif
