/*
 * router: matching and the central checks; see router.h.
 */
#include "http/router.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/xalloc.h"
#include "core/engine.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int
router_split(char *scratch, const char *path, char **segs)
{
    int n = 0;
    char *p;

    memcpy(scratch, path, strlen(path) + 1);
    p = scratch;
    while (*p == '/')
        p++;
    while (*p) {
        if (n == HTTP_MAX_SEGMENTS)
            return -1;
        segs[n++] = p;
        p = strchr(p, '/');
        if (p == NULL)
            break;
        *p++ = '\0';
    }
    return n;
}

/* Match one pattern against the segments, reading the pattern in place.
 * Returns: 0 on no match; 1 on a match; 2 on a match by a last "*", which
 * rejoined the segments it took. */
static int
router_match_one(const char *p, char **segs, int nsegs, const char **params,
                 int *nparams)
{
    int i = 0, np = 0;

    while (*p == '/')
        p++;
    while (*p) {
        if (p[0] == '*' && (p[1] == '/' || p[1] == '\0')) {
            /* the rest of the path, rejoined */
            if (i < nsegs && np < HTTP_MAX_PARAMS) {
                for (int k = i + 1; k < nsegs; k++)
                    segs[k][-1] = '/';
                params[np++] = segs[i];
            } else if (np < HTTP_MAX_PARAMS) {
                params[np++] = "";
            }
            *nparams = np;
            return 2;
        }
        if (i == nsegs)
            return 0;
        if (*p == ':') {
            if (segs[i][0] == '\0' || np == HTTP_MAX_PARAMS)
                return 0;
            params[np++] = segs[i];
            while (*p && *p != '/')
                p++;
        } else {
            const char *s = segs[i];

            while (*p && *p != '/' && *p == *s) {
                p++;
                s++;
            }
            if ((*p && *p != '/') || *s)
                return 0;
        }
        i++;
        while (*p == '/')
            p++;
    }
    if (i != nsegs)
        return 0;
    *nparams = np;
    return 1;
}

int
router_match(const struct route **out, const struct route *table,
             enum http_method method, const char *path, char *scratch,
             const char **params, int *nparams, unsigned *allowed)
{
    char *segs[HTTP_MAX_SEGMENTS];
    int nsegs = router_split(scratch, path, segs), m;
    unsigned want = method == HTTP_HEAD ? (HTTP_GET | HTTP_HEAD)
                                        : (unsigned)method;

    *out = NULL;
    *nparams = 0;
    *allowed = 0;
    if (nsegs < 0)
        return err_set(ENG_ENOTFOUND, "no such path: %s", path);
    for (const struct route *r = table; r->pattern; r++) {
        if (!(m = router_match_one(r->pattern, segs, nsegs, params, nparams)))
            continue;
        if (r->methods & want) {
            *out = r;
            return 0;
        }
        *allowed |= r->methods;
        if (m == 2) /* the segments were rejoined: split anew */
            router_split(scratch, path, segs);
    }
    *nparams = 0;
    if (*allowed)
        return err_setn(ENG_EMETHOD, "MethodNotAllowed",
                        "this method is not allowed on %s", path);
    return err_set(ENG_ENOTFOUND, "no such path: %s", path);
}

int
router_token_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = (unsigned char)(la != lb);

    for (size_t i = 0; i < lb; i++)
        diff |= (unsigned char)(a[i % (la ? la : 1)] ^ b[i]);
    return diff == 0 && la == lb;
}

static int
router_auth(const struct http_req *req, const char *token)
{
    const char *h = http_req_header(req, "Authorization");

    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return err_setn(ENG_EAUTH, "Unauthorized",
                        "this engine needs an API token: send "
                        "'Authorization: Bearer <token>'");
    if (!router_token_equal(h + 7, token))
        return err_setn(ENG_EAUTH, "Unauthorized", "the API token is wrong");
    return 0;
}

static void
router_allow_header(struct http_resp *resp, unsigned allowed)
{
    static const struct {
        unsigned m;
        const char *name;
    } names[] = {{HTTP_GET, "GET"},       {HTTP_HEAD, "HEAD"},
                 {HTTP_POST, "POST"},     {HTTP_PUT, "PUT"},
                 {HTTP_PATCH, "PATCH"},   {HTTP_DELETE, "DELETE"}};
    struct buf b = BUF_INIT(0);

    if (allowed & HTTP_GET)
        allowed |= HTTP_HEAD;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (allowed & names[i].m)
            buf_printf(&b, "%s%s", b.len ? ", " : "", names[i].name);
    http_resp_header(resp, "Allow", buf_str(&b));
    buf_free(&b);
}

static int
router_run(struct http_req *req, struct http_resp *resp,
           const struct route *r)
{
    struct engine *eng = req->eng;
    int writes = !(req->method & (HTTP_GET | HTTP_HEAD)) &&
                 !(r->flags & ROUTE_NOTX);
    int rc, end;

    if (!writes)
        return r->handler(req, resp);
    if (engine_stopping(eng))
        return err_set(ENG_EUNAVAIL, "the engine is shutting down");
    if ((rc = engine_write_begin(eng)))
        return rc;
    rc = r->handler(req, resp);
    end = engine_write_end(eng, rc >= 0);
    if (rc < 0)
        return rc;
    if (end) {
        http_resp_clear(resp);
        return end;
    }
    return rc == HTTP_PARKED ? HTTP_PARKED : HTTP_HOLD;
}

int
router_dispatch(struct http_req *req, struct http_resp *resp, void *arg)
{
    const char *token = arg;
    const struct route *r;
    char *scratch = xmalloc(strlen(req->path) + 1);
    json_t *json = NULL;
    unsigned allowed;
    int rc;

    if (req->eng->compat &&
        (rc = compat_dispatch(req->eng->compat, req, resp)) != ENG_ENOTFOUND) {
        free(scratch);
        return rc;
    }
    rc = router_match(&r, routes, req->method, req->path, scratch,
                      req->params, &req->nparams, &allowed);
    if (rc == ENG_EMETHOD)
        err_setn(ENG_EMETHOD, "MethodNotAllowed",
                 "method %s is not allowed on %s", req->method_name,
                 req->path);
    if (rc == 0 && token && !(r->flags & ROUTE_PUBLIC))
        rc = router_auth(req, token);
    else if (rc == ENG_EMETHOD && token)
        rc = router_auth(req, token) ? ENG_EAUTH : rc;
    if (rc == 0 && (r->flags & ROUTE_JSON)) {
        if (req->body_len == 0) {
            json = json_object();
        } else if ((rc = jsonx_loads(&json, req->body, req->body_len)) == 0 &&
                   !json_is_object(json)) {
            rc = err_setn(ENG_EINVAL, "InvalidJSON",
                          "the request body must be a JSON object");
        }
        req->json = json;
    }
    if (rc == 0)
        rc = router_run(req, resp, r);
    if (rc < 0) {
        http_error_resp(resp, rc);
        if (rc == ENG_EMETHOD)
            router_allow_header(resp, allowed);
        if (rc == ENG_EAUTH)
            http_resp_header(resp, "WWW-Authenticate", "Bearer");
        rc = HTTP_DONE;
    }
    json_decref(json);
    free(scratch);
    return rc;
}
