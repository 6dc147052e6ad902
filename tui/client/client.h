/*
 * client: the typed, blocking client of the engine API (docs/api.md),
 * used by the CLI and the launcher. One function per endpoint over one
 * generic request; the dashboard uses client_async instead.
 *
 * Errors follow common/err.h. A request that reaches no engine fails with
 * ENG_EUNAVAIL and the code name CLIENT_UNREACHABLE ("no engine answers at
 * http://..."); an engine error {"code","message"} fails with the ENG_*
 * code of its HTTP status and the message "<message> (<code>)".
 */
#ifndef FLOWDECK_CLIENT_H
#define FLOWDECK_CLIENT_H

#include <jansson.h>

#define CLIENT_DEFAULT_ENDPOINT "http://127.0.0.1:9460"
#define CLIENT_UNREACHABLE "Unreachable"
#define CLIENT_BODY_MAX (64u << 20)

struct client;
struct buf;

enum client_health {
    CLIENT_HEALTH_OK,     /* a flowdeck engine answers */
    CLIENT_HEALTH_NONE,   /* nothing answers */
    CLIENT_HEALTH_FOREIGN /* something answers, but not flowdeck */
};

/*
 * Returns: a client of the engine at `endpoint` ("http://host:port"; a
 * missing scheme means http), sending `token` (may be NULL) as a bearer
 * token. Free it with client_free().
 */
struct client *client_create(const char *endpoint, const char *token);
void client_free(struct client *c);

/* Returns: borrowed; the normalized endpoint, without a trailing '/'. */
const char *client_endpoint(const struct client *c);

/*
 * Returns: a new string, `endpoint` with a scheme and without a trailing
 * '/' (what client_endpoint() would say).
 */
char *client_normalize_endpoint(const char *endpoint);

/*
 * Send `method` `path` (with query) and an optional JSON `body`
 * (borrowed). Returns: 0 and in *out a new reference to the answer (NULL
 * when the engine answered with no body), or a negative ENG_* code.
 */
int client_request(json_t **out, struct client *c, const char *method,
                   const char *path, json_t *body);

/* Returns: 1 when `rc`, just returned by a request, means no engine. */
int client_is_unreachable(int rc);

/* Ask GET /healthz once, with short timeouts. Cannot fail. */
enum client_health client_health(struct client *c);

/*
 * Append "?key=value" or "&key=value" to `b`, the value URL-escaped.
 * Returns: 0 or ENG_ETOOBIG.
 */
int client_query_add(struct buf *b, const char *key, const char *value);

/* Returns: a new string, `s` escaped for one path segment. */
char *client_escape(const char *s);

/*
 * Returns: 0 and in *out a new "host:port" string of `endpoint` (port
 * from the scheme when absent), or ENG_EINVAL when it is no URL.
 */
int client_endpoint_hostport(char **out, const char *endpoint);

/*
 * Turn a finished transfer into a result: `curl_result` is its CURLcode,
 * `status` the HTTP status, `body` what came back, `detail` curl's error
 * text (may be empty). Shared with client_async. Returns: as
 * client_request.
 */
int client_finish(json_t **out, const char *endpoint, int curl_result,
                  long status, const struct buf *body, const char *detail);

/* Abort like xmalloc when a library could not allocate `p`. */
void client_check_alloc(const void *p);

/* One function per endpoint; every *out is a new reference. */
int client_get_info(json_t **out, struct client *c);
int client_shutdown(json_t **out, struct client *c);
/* tail > 0 asks for the last lines; a cursor follows on from `next` */
int client_get_logs(json_t **out, struct client *c, int tail,
                    const char *cursor);
int client_get_clock(json_t **out, struct client *c);
/* `action` is the borrowed request body ({"action": "pause"} ...) */
int client_set_clock(json_t **out, struct client *c, json_t *action);
int client_list_snapshots(json_t **out, struct client *c);
int client_save_snapshot(json_t **out, struct client *c, const char *name,
                         int overwrite);
int client_restore_snapshot(json_t **out, struct client *c, const char *name);
int client_delete_snapshot(json_t **out, struct client *c, const char *name);
int client_reset(json_t **out, struct client *c);

struct client_journal_query {
    const char *kind, *id, *type; /* NULL: any */
    const char *limit;            /* NULL: the engine's default */
};
int client_get_journal(json_t **out, struct client *c,
                       const struct client_journal_query *q);
int client_list_timers(json_t **out, struct client *c, const char *kind);
/* `timer` is the borrowed request body ({"kind": "note", "after": ...}) */
int client_add_timer(json_t **out, struct client *c, json_t *timer);
int client_cancel_timer(json_t **out, struct client *c, const char *id);

/*
 * Queues: `method` on /v1/queues/<queue, escaped><rest> ("" for the queue
 * itself, "/messages", "/receive" ...), with a borrowed body or NULL.
 */
int client_queue(json_t **out, struct client *c, const char *method,
                 const char *queue, const char *rest, json_t *body);
/* `method` on /v1/flows/<flow, escaped><rest>. */
int client_on_flow(json_t **out, struct client *c, const char *method,
                   const char *flow, const char *rest);
/* GET /v1/queues?prefix=&cursor= (each NULL: none) */
int client_list_queues(json_t **out, struct client *c, const char *prefix,
                       const char *cursor);

#endif
