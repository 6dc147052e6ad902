/*
 * http: libmicrohttpd glue. MHD runs in external epoll mode: the engine
 * loop watches http_server_fd() and calls http_server_run(), so the one
 * engine thread serves HTTP, fires timers and owns all state.
 *
 * A request held for the commit of its loop turn is left in MHD's ready
 * list without a response: MHD asks for it again on its next run, which
 * follows the commit in the same turn. Suspending it instead would cost
 * two epoll_ctl calls a request. A parked request may wait for seconds,
 * so its connection is suspended and resumed when it is answered.
 *
 * When a commit answers both, the parked ones go out first: a long poll
 * woken by a send is answered before the send is, as the wait promises.
 * MHD serves resumed connections after those already in its ready list,
 * so the held ones are made ready only after a run has served the others.
 */
#include "http/http.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonw.h"
#include "common/jsonx.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <microhttpd.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum http_state {
    CTX_RECEIVING, /* reading the body */
    CTX_WAITING,   /* held for a commit, or parked */
    CTX_READY      /* woken with a response to queue */
};

struct http_ctx {
    struct http_server *srv;
    struct MHD_Connection *conn;
    enum http_state state;
    int toobig;
    struct buf body;
    char *path;
    char *target; /* the request-target as sent: path and query, raw */
    struct http_resp resp;
    /* membership of the held, parked or after list */
    struct http_ctx *prev, *next;
    int in_list; /* 0 none, 1 held, 2 parked, 3 answered after a run */
    int suspended;
    http_park_cancel_fn cancel;
    void *cancel_arg;
    const char *method;   /* MHD's, for the connection's lifetime */
    http_error_fn error;  /* the handler's error shape, or NULL */
    void *error_arg;      /* owned */
};

/* Runs of MHD one http_server_run() may add while it has work ready. */
#define HTTP_RUN_AGAIN 2

/* Requests in a row over one connection that make its client a lone one
 * (http_server_lone). */
#define HTTP_LONE_RUN 4

struct http_server {
    struct MHD_Daemon *mhd;
    struct http_server_config cfg;
    struct http_ctx *held;   /* waiting for the commit */
    struct http_ctx *parked; /* waiting for their owner */
    struct http_ctx *after;  /* committed; answered after the next run */
    unsigned dispatched;     /* requests handed to the engine, ever */
    /* the connection of the last request handed over, and how many in a
     * row came over it (saturating): the last ones came from one client */
    const struct MHD_Connection *last_conn;
    unsigned same_conn;
    int active;
    int quiesced;
    int woke; /* woken requests MHD has not served yet */
};

/* ---- requests and responses ---- */

const char *
http_req_query(const struct http_req *req, const char *key)
{
    return MHD_lookup_connection_value(req->ctx->conn, MHD_GET_ARGUMENT_KIND,
                                       key);
}

const char *
http_req_header(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->ctx->conn, MHD_HEADER_KIND, name);
}
static enum MHD_Result
http_req_value_add(void *cls, enum MHD_ValueKind kind, const char *key,
                   const char *value)
{
    json_t *obj = cls;
    json_t *v = json_string(value ? value : "");

    (void)kind;
    if (v && key)
        json_object_set_new(obj, key, v); /* a non-UTF-8 key: dropped */
    else
        json_decref(v);
    return MHD_YES;
}

json_t *
http_req_values(const struct http_req *req, int headers)
{
    json_t *obj = json_object();

    MHD_get_connection_values(req->ctx->conn,
                              headers ? MHD_HEADER_KIND
                                      : MHD_GET_ARGUMENT_KIND,
                              http_req_value_add, obj);
    return obj;
}

int
http_req_query_int(int64_t *out, const struct http_req *req, const char *key,
                   int64_t def, int64_t min, int64_t max)
{
    const char *v = http_req_query(req, key);
    char *end;
    long long n;

    *out = def;
    if (v == NULL || *v == '\0')
        return 0;
    n = strtoll(v, &end, 10);
    if (*end != '\0' || n < min || n > max)
        return err_set(ENG_EINVAL,
                       "parameter '%s' must be an integer from %lld to %lld",
                       key, (long long)min, (long long)max);
    *out = n;
    return 0;
}

int
http_req_query_cursor(int64_t *out, const struct http_req *req,
                      const char *key)
{
    const char *v = http_req_query(req, key);
    char *end;
    long long n;

    *out = 0;
    if (v == NULL)
        return 0;
    n = strtoll(v, &end, 10);
    if (*v == '\0' || *end != '\0' || n < 0)
        return err_set(ENG_EINVAL, "parameter '%s' is not a cursor this list "
                                   "gave", key);
    *out = n;
    return 0;
}

void
http_resp_clear(struct http_resp *resp)
{
    free(resp->body);
    for (int i = 0; i < resp->nheaders; i++) {
        free(resp->headers[i][0]);
        free(resp->headers[i][1]);
    }
    memset(resp, 0, sizeof(*resp));
}

void
http_resp_move(struct http_resp *dst, struct http_resp *src)
{
    http_resp_clear(dst);
    *dst = *src;
    memset(src, 0, sizeof(*src));
}

void
http_resp_header(struct http_resp *resp, const char *name, const char *value)
{
    if (resp->nheaders == HTTP_MAX_HEADERS)
        abort(); /* a bug: handlers set few headers */
    resp->headers[resp->nheaders][0] = xstrdup(name);
    resp->headers[resp->nheaders][1] = xstrdup(value);
    resp->nheaders++;
}

int
http_reply_take(struct http_resp *resp, int status, const char *ctype,
                char *body, size_t len)
{
    free(resp->body);
    resp->status = status;
    resp->content_type = ctype;
    resp->body = body;
    resp->len = len;
    return 0;
}

int
http_reply_json_new(struct http_resp *resp, int status, json_t *j)
{
    char *text = jsonw_dump(j, JSON_COMPACT);

    json_decref(j);
    if (text == NULL) {
        text = xstrdup("{\"code\":\"InternalError\","
                       "\"message\":\"response not encodable\"}");
        status = 500;
    }
    return http_reply_take(resp, status, "application/json", text,
                           strlen(text));
}

int
http_reply_empty(struct http_resp *resp, int status)
{
    return http_reply_take(resp, status, NULL, NULL, 0);
}

int
http_status_for(int rc)
{
    switch (rc) {
    case ENG_ENOTFOUND: return 404;
    case ENG_EEXISTS:
    case ENG_ECONFLICT: return 409;
    case ENG_EINVAL: return 400;
    case ENG_ETOOBIG: return 413;
    case ENG_EUPSTREAM: return 502;
    case ENG_EAUTH: return 401;
    case ENG_EMETHOD: return 405;
    case ENG_EBUSY: return 409;
    case ENG_ENOSPACE: return 507;
    case ENG_EREADONLY:
    case ENG_EUNAVAIL: return 503;
    case ENG_EGONE: return 410;
    default: return 500;
    }
}

void
http_error_resp(struct http_resp *resp, int rc)
{
    const char *msg = err_last();
    json_t *j = json_pack("{s:s, s:s}", "code", err_last_name(), "message",
                          *msg ? msg : "internal error");

    if (j == NULL) {
        /* the message quotes input that is not UTF-8: its bytes past
         * ASCII become '?' rather than the answer becoming a 500 */
        char *copy = xstrdup(msg);

        for (char *p = copy; *p; p++)
            if ((unsigned char)*p >= 0x80)
                *p = '?';
        j = json_pack("{s:s, s:s}", "code", err_last_name(), "message",
                      copy);
        free(copy);
    }
    http_reply_json_new(resp, http_status_for(rc), j);
}

/* ---- lists of waiting requests ---- */

static void
http_list_add(struct http_ctx **head, struct http_ctx *c, int which)
{
    c->prev = NULL;
    c->next = *head;
    if (*head)
        (*head)->prev = c;
    *head = c;
    c->in_list = which;
}

static void
http_list_remove(struct http_server *srv, struct http_ctx *c)
{
    struct http_ctx **head = c->in_list == 1   ? &srv->held
                             : c->in_list == 2 ? &srv->parked
                                               : &srv->after;

    if (c->in_list == 0)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        *head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    c->in_list = 0;
}

/* Wake a waiting request whose response is in c->resp: MHD queues it on
 * its next run. */
static void
http_ctx_wake(struct http_ctx *c)
{
    http_list_remove(c->srv, c);
    c->state = CTX_READY;
    c->srv->woke = 1;
    if (c->suspended) {
        c->suspended = 0;
        MHD_resume_connection(c->conn);
    }
}

struct http_park *
http_req_park(struct http_req *req, http_park_cancel_fn cancel, void *arg)
{
    struct http_ctx *c = req->ctx;

    c->cancel = cancel;
    c->cancel_arg = arg;
    return (struct http_park *)c;
}

void
http_park_resume(struct http_park *p, struct http_resp *resp)
{
    struct http_ctx *c = (struct http_ctx *)p;

    http_resp_move(&c->resp, resp);
    if (c->state == CTX_WAITING) {
        /* the answer may rest on changes not yet committed: it waits for
         * the engine's commit like any write */
        http_list_remove(c->srv, c);
        http_list_add(&c->srv->held, c, 1);
    } else {
        /* answered before the dispatcher returned HTTP_PARKED */
        c->state = CTX_READY;
    }
}

/* ---- MHD callbacks ---- */

static enum MHD_Result
http_queue(struct http_ctx *c)
{
    struct http_resp *r = &c->resp;
    struct MHD_Response *mr;
    enum MHD_Result ok;

    mr = MHD_create_response_from_buffer(r->len, r->body,
                                         MHD_RESPMEM_MUST_FREE);
    if (mr == NULL)
        return MHD_NO;
    r->body = NULL; /* MHD frees it now */
    if (r->content_type)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
                                r->content_type);
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(mr, r->headers[i][0], r->headers[i][1]);
    if (c->srv->quiesced)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION, "close");
    ok = MHD_queue_response(c->conn, (unsigned)r->status, mr);
    MHD_destroy_response(mr);
    http_resp_clear(r);
    return ok;
}

static enum http_method
http_method_of(const char *m)
{
    static const struct {
        const char *name;
        enum http_method m;
    } methods[] = {
        {"GET", HTTP_GET},     {"HEAD", HTTP_HEAD},
        {"POST", HTTP_POST},   {"PUT", HTTP_PUT},
        {"DELETE", HTTP_DELETE}, {"PATCH", HTTP_PATCH},
        {"OPTIONS", HTTP_OPTIONS},
    };

    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcmp(m, methods[i].name) == 0)
            return methods[i].m;
    return HTTP_OTHER;
}

static enum MHD_Result
http_toobig(struct http_ctx *c)
{
    err_setn(ENG_ETOOBIG, "PayloadTooLarge",
             "request body is over the limit of %zu bytes",
             c->srv->cfg.body_max);
    http_error_resp(&c->resp, ENG_ETOOBIG);
    return http_queue(c);
}

/* A request-target MHD would decode into something else than was sent:
 * an encoded NUL ends MHD's decoded path or parameter early (so
 * "/v1/queues/a%00b" would name queue 'a'), and a path that is not UTF-8
 * names nothing. Returns: 0, or ENG_EINVAL with the message set. */
static int
http_target_check(const struct http_ctx *c)
{
    json_t *j;

    for (const char *p = strchr(c->target, '%'); p; p = strchr(p + 1, '%'))
        if (p[1] == '0' && p[2] == '0')
            return err_setn(ENG_EINVAL, "InvalidRequest",
                            "the request-target holds %%00 (an encoded NUL "
                            "character), which no path or parameter may "
                            "contain");
    j = json_string(c->path);
    if (j == NULL)
        return err_setn(ENG_EINVAL, "InvalidRequest",
                        "the request path is not valid UTF-8 once "
                        "%%-decoded");
    json_decref(j);
    return 0;
}

static enum MHD_Result
http_refuse(struct http_ctx *c, int rc)
{
    http_error_resp(&c->resp, rc);
    return http_queue(c);
}

/* The request c carries, as its handler sees it. */
static void
http_ctx_req(struct http_ctx *c, struct http_req *req)
{
    memset(req, 0, sizeof(*req));
    req->eng = c->srv->cfg.eng;
    req->method = http_method_of(c->method);
    req->method_name = c->method;
    req->path = c->path;
    req->target = c->target;
    req->body = buf_str(&c->body);
    req->body_len = c->body.len;
    req->ctx = c;
}

void
http_req_set_error(struct http_req *req, http_error_fn fn, void *arg)
{
    struct http_ctx *c = req->ctx;

    free(c->error_arg);
    c->error = fn;
    c->error_arg = arg;
}

/* The server's own error answer to a held or parked request, in its
 * handler's error shape. */
static void
http_ctx_error(struct http_ctx *c, int rc)
{
    struct http_req req;

    http_resp_clear(&c->resp); /* nothing of the answer it had */
    if (c->error == NULL) {
        http_error_resp(&c->resp, rc);
        return;
    }
    http_ctx_req(c, &req);
    c->error(&req, &c->resp, rc, c->error_arg);
}

static enum MHD_Result
http_dispatch(struct http_ctx *c, const char *method)
{
    struct http_server *srv = c->srv;
    struct http_req req;
    int how;

    c->method = method;
    http_ctx_req(c, &req);
    err_clear();
    srv->dispatched++;
    if (c->conn != srv->last_conn) {
        srv->last_conn = c->conn;
        srv->same_conn = 0;
    }
    if (srv->same_conn < HTTP_LONE_RUN)
        srv->same_conn++;
    how = srv->cfg.dispatch(&req, &c->resp, srv->cfg.arg);
    if (how == HTTP_DONE || c->state == CTX_READY)
        return http_queue(c);
    /* held for the commit, or parked until its owner answers */
    c->state = CTX_WAITING;
    http_list_add(how == HTTP_HOLD ? &srv->held : &srv->parked, c,
                  how == HTTP_HOLD ? 1 : 2);
    if (how != HTTP_HOLD) {
        c->suspended = 1;
        MHD_suspend_connection(c->conn);
    }
    return MHD_YES;
}

/* MHD's first word on a request, with its request-target as sent (path
 * and query, not decoded): the context starts here, so a signature check
 * can see the target byte for byte. */
static void *
http_uri_seen(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct http_server *srv = cls;
    struct http_ctx *c = xcalloc(1, sizeof(*c));

    (void)conn;
    c->srv = srv;
    c->target = xstrdup(uri ? uri : "");
    buf_init(&c->body, srv->cfg.body_max);
    srv->active++;
    return c;
}

static enum MHD_Result
http_access(void *cls, struct MHD_Connection *conn, const char *url,
            const char *method, const char *version, const char *upload,
            size_t *upload_size, void **con_cls)
{
    struct http_server *srv = cls;
    struct http_ctx *c = *con_cls;

    (void)version;
    if (c == NULL) /* http_uri_seen always runs first; never NULL */
        return MHD_NO;
    if (c->conn == NULL) { /* the request's first call */
        const char *len;
        int rc;

        c->conn = conn;
        c->path = xstrdup(url);
        len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                          MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (len && strtoull(len, NULL, 10) > srv->cfg.body_max)
            return http_toobig(c); /* before reading any of it */
        if ((rc = http_target_check(c)))
            return http_refuse(c, rc); /* before reading the body */
        return MHD_YES;
    }
    switch (c->state) {
    case CTX_RECEIVING:
        if (*upload_size) {
            if (!c->toobig && buf_append(&c->body, upload, *upload_size) != 0)
                c->toobig = 1; /* keep reading, to answer 413 at the end */
            *upload_size = 0;
            return MHD_YES;
        }
        if (c->toobig)
            return http_toobig(c);
        return http_dispatch(c, method);
    case CTX_READY:
        return http_queue(c);
    case CTX_WAITING:
        break;
    }
    return MHD_YES;
}

static void
http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
               enum MHD_RequestTerminationCode toe)
{
    struct http_server *srv = cls;
    struct http_ctx *c = *con_cls;

    (void)conn;
    (void)toe;
    if (c == NULL)
        return;
    if (c->in_list == 2 && c->cancel)
        c->cancel((struct http_park *)c, c->cancel_arg);
    http_list_remove(srv, c);
    http_resp_clear(&c->resp);
    buf_free(&c->body);
    free(c->path);
    free(c->target);
    free(c->error_arg);
    free(c);
    *con_cls = NULL;
    srv->active--;
}

static void __attribute__((format(printf, 2, 0)))
http_logger(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    size_t n;

    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_fields(LOGL_DEBUG, json_pack("{s:s}", "component", "http"), "%s",
               msg);
}

/* ---- the server ---- */

int
http_server_start(struct http_server **out,
                  const struct http_server_config *cfg)
{
    struct http_server *srv = xcalloc(1, sizeof(*srv));

    *out = NULL;
    srv->cfg = *cfg;
    srv->mhd = MHD_start_daemon(
        MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
            MHD_USE_TURBO,
        0, NULL, NULL, http_access, srv,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)cfg->listen_fd,
        MHD_OPTION_NOTIFY_COMPLETED, http_completed, srv,
        MHD_OPTION_URI_LOG_CALLBACK, http_uri_seen, srv,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_sec,
        MHD_OPTION_CONNECTION_LIMIT, cfg->max_conns,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
        MHD_OPTION_EXTERNAL_LOGGER, http_logger, srv,
        MHD_OPTION_END);
    if (srv->mhd == NULL) {
        free(srv);
        return err_set(ENG_ERR, "cannot start the HTTP server");
    }
    *out = srv;
    return 0;
}

int
http_server_fd(struct http_server *srv)
{
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_EPOLL_FD);

    return info ? info->epoll_fd : -1;
}

/* Should http_server_run() run MHD once more (see there)? `first` is the
 * dispatch count when it began. */
static int
http_run_again(struct http_server *srv, unsigned first)
{
    MHD_UNSIGNED_LONG_LONG t;
    struct pollfd p = {.fd = -1, .events = POLLIN};

    if (srv->held == NULL)
        return MHD_get_timeout(srv->mhd, &t) == MHD_YES && t == 0;
    if (srv->dispatched - first < 2)
        return 0;
    /* socket events since MHD last looked (some may be only a socket
     * turning writable) */
    p.fd = http_server_fd(srv);
    return poll(&p, 1, 0) == 1;
}

void
http_server_run(struct http_server *srv)
{
    unsigned first = srv->dispatched;
    int more = HTTP_RUN_AGAIN;

    /* In external epoll mode MHD serves resumed connections only when it
     * runs again; their sockets may never turn ready by themselves. And
     * MHD takes a connection one step a run: the run that finishes an
     * answer on a kept-alive connection leaves reading the next request,
     * already there, to a run of its own. While nothing waits for a
     * commit, MHD runs again at once (a few times at most) rather than
     * after a turn of the engine's loop. Once requests wait for it, and
     * the run read two or more (so other clients are busy too), MHD runs
     * again if sockets have news: what came in meanwhile shares the
     * commit. A lone client's request is not kept waiting for that. */
    do {
        srv->woke = 0;
        MHD_run(srv->mhd);
        while (srv->after)
            http_ctx_wake(srv->after);
    } while (srv->woke || (more-- > 0 && http_run_again(srv, first)));
}

int
http_server_woke(struct http_server *srv)
{
    return srv->woke;
}

int64_t
http_server_timeout(struct http_server *srv)
{
    MHD_UNSIGNED_LONG_LONG t;

    /* responses held for a commit (requests read in the run that
     * answered the last commit) need the loop to turn now, not when the
     * next packet comes */
    if (srv->woke || srv->held || srv->after)
        return 0;
    if (MHD_get_timeout(srv->mhd, &t) != MHD_YES)
        return -1;
    return t > INT64_MAX ? INT64_MAX : (int64_t)t;
}

unsigned
http_server_dispatched(const struct http_server *srv)
{
    return srv->dispatched;
}

int
http_server_lone(const struct http_server *srv)
{
    return srv->same_conn >= HTTP_LONE_RUN;
}

void
http_server_release(struct http_server *srv, int rc)
{
    int resumed = 0;

    for (struct http_ctx *c = srv->held; c && !resumed; c = c->next)
        resumed = c->suspended;
    while (srv->held) {
        struct http_ctx *c = srv->held;

        if (rc)
            http_ctx_error(c, rc);
        if (resumed && !c->suspended) {
            http_list_remove(srv, c);
            http_list_add(&srv->after, c, 3);
        } else {
            http_ctx_wake(c);
        }
    }
}

void
http_server_quiesce(struct http_server *srv)
{
    MHD_socket fd;

    if (srv->quiesced)
        return;
    srv->quiesced = 1;
    fd = MHD_quiesce_daemon(srv->mhd);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    while (srv->parked) {
        struct http_ctx *c = srv->parked;

        if (c->cancel)
            c->cancel((struct http_park *)c, c->cancel_arg);
        c->cancel = NULL;
        err_set(ENG_EUNAVAIL, "the engine is shutting down");
        http_ctx_error(c, ENG_EUNAVAIL);
        http_ctx_wake(c);
    }
}

int
http_server_active(struct http_server *srv)
{
    return srv->active;
}

void
http_server_free(struct http_server *srv)
{
    if (srv == NULL)
        return;
    http_server_release(srv, 0);
    http_server_quiesce(srv);
    http_server_run(srv); /* let woken connections finish their turn */
    MHD_stop_daemon(srv->mhd);
    free(srv);
}
