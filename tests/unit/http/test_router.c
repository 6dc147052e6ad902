/*
 * Unit tests for http/router: router_match against a table of our own,
 * router_token_equal, and sanity checks on the engine's real table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/err.h"
#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Dummy handlers: only their addresses matter. Each returns its own
 * number so that two of them can never be folded into one. */
static int
h_health(struct http_req *req, struct http_resp *resp)
{
    return 1;
}

static int
h_queue_list(struct http_req *req, struct http_resp *resp)
{
    return 2;
}

static int
h_queue_create(struct http_req *req, struct http_resp *resp)
{
    return 3;
}

static int
h_queue_get(struct http_req *req, struct http_resp *resp)
{
    return 4;
}

static int
h_queue_delete(struct http_req *req, struct http_resp *resp)
{
    return 5;
}

static int
h_queue_send(struct http_req *req, struct http_resp *resp)
{
    return 6;
}

static int
h_kv(struct http_req *req, struct http_resp *resp)
{
    return 7;
}

static int
h_files(struct http_req *req, struct http_resp *resp)
{
    return 8;
}

static int
h_purge_all(struct http_req *req, struct http_resp *resp)
{
    return 9;
}

static int
h_queue_get_later(struct http_req *req, struct http_resp *resp)
{
    return 10;
}

static int
h_file_delete(struct http_req *req, struct http_resp *resp)
{
    return 11;
}

static const struct route test_routes[] = {
    {HTTP_GET, "/healthz", h_health, ROUTE_PUBLIC},
    {HTTP_GET, "/v1/queues", h_queue_list, 0},
    {HTTP_POST, "/v1/queues", h_queue_create, ROUTE_JSON},
    {HTTP_GET, "/v1/queues/:name", h_queue_get, 0},
    {HTTP_DELETE, "/v1/queues/:name", h_queue_delete, 0},
    {HTTP_POST, "/v1/queues/:name/messages", h_queue_send, ROUTE_JSON},
    {HTTP_GET | HTTP_PUT, "/v1/kv/:ns/:key", h_kv, 0},
    {HTTP_GET, "/v1/files/*", h_files, 0},
    /* reached only when the "*" row above matches but not its method */
    {HTTP_DELETE, "/v1/files/:dir/:name", h_file_delete, 0},
    {HTTP_POST, "/v1/purge/*", h_purge_all, 0},
    /* shadowed by the :name row above: the first match wins */
    {HTTP_GET, "/v1/queues/special", h_queue_get_later, 0},
    {0, NULL, NULL, 0},
};

/* Run router_match with a scratch sized exactly as the contract says,
 * so that ASan catches any write past it. */
struct match {
    int rc;
    const struct route *r;
    const char *params[HTTP_MAX_PARAMS];
    int nparams;
    unsigned allowed;
    char *scratch;
};

static void
match(struct match *m, const struct route *table, enum http_method method,
      const char *path)
{
    size_t n = strlen(path) + 1;

    m->scratch = malloc(n);
    assert_non_null(m->scratch);
    m->r = (const struct route *)&m->r;
    m->nparams = -1;
    m->allowed = 0xdead;
    m->rc = router_match(&m->r, table, method, path, m->scratch, m->params,
                         &m->nparams, &m->allowed);
    for (int i = 0; m->rc == 0 && i < m->nparams; i++) {
        /* captures point into scratch, not into path */
        if (m->params[i][0] != '\0')
            assert_true(m->params[i] >= m->scratch &&
                        m->params[i] < m->scratch + n);
    }
}

static void
match_free(struct match *m)
{
    free(m->scratch);
    m->scratch = NULL;
}

static const char *
method_name(enum http_method m)
{
    switch (m) {
    case HTTP_GET: return "GET";
    case HTTP_HEAD: return "HEAD";
    case HTTP_POST: return "POST";
    case HTTP_PUT: return "PUT";
    case HTTP_DELETE: return "DELETE";
    case HTTP_PATCH: return "PATCH";
    case HTTP_OPTIONS: return "OPTIONS";
    default: return "OTHER";
    }
}

static void
test_router_match_table(void **state)
{
    static const struct {
        enum http_method method;
        const char *path;
        int rc;
        route_fn handler; /* on success */
        int nparams;
        const char *p0, *p1;
        unsigned allowed; /* on ENG_EMETHOD */
    } cases[] = {
        /* literal paths */
        {HTTP_GET, "/healthz", 0, h_health, 0, NULL, NULL, 0},
        {HTTP_GET, "/v1/queues", 0, h_queue_list, 0, NULL, NULL, 0},
        {HTTP_POST, "/v1/queues", 0, h_queue_create, 0, NULL, NULL, 0},
        /* :param captures one segment */
        {HTTP_GET, "/v1/queues/orders", 0, h_queue_get, 1, "orders", NULL, 0},
        {HTTP_DELETE, "/v1/queues/orders", 0, h_queue_delete, 1, "orders",
         NULL, 0},
        {HTTP_POST, "/v1/queues/q-1/messages", 0, h_queue_send, 1, "q-1", NULL,
         0},
        {HTTP_GET, "/v1/kv/app/colour", 0, h_kv, 2, "app", "colour", 0},
        {HTTP_PUT, "/v1/kv/app/colour", 0, h_kv, 2, "app", "colour", 0},
        /* a trailing * takes the rest, rejoined with '/' */
        {HTTP_GET, "/v1/files/a/b/c.txt", 0, h_files, 1, "a/b/c.txt", NULL, 0},
        {HTTP_GET, "/v1/files/x", 0, h_files, 1, "x", NULL, 0},
        {HTTP_GET, "/v1/files/a//b", 0, h_files, 1, "a//b", NULL, 0},
        {HTTP_GET, "/v1/files", 0, h_files, 1, "", NULL, 0},
        {HTTP_GET, "/v1/files/", 0, h_files, 1, "", NULL, 0},
        {HTTP_POST, "/v1/purge/a/b", 0, h_purge_all, 1, "a/b", NULL, 0},
        /* a later row sees the segments a "*" row rejoined, split again */
        {HTTP_DELETE, "/v1/files/a/b", 0, h_file_delete, 2, "a", "b", 0},
        /* trailing slash: the same resource */
        {HTTP_GET, "/v1/queues/", 0, h_queue_list, 0, NULL, NULL, 0},
        {HTTP_GET, "/v1/queues/orders/", 0, h_queue_get, 1, "orders", NULL, 0},
        {HTTP_GET, "/healthz/", 0, h_health, 0, NULL, NULL, 0},
        /* the first matching row wins */
        {HTTP_GET, "/v1/queues/special", 0, h_queue_get, 1, "special", NULL,
         0},
        /* HEAD is served by GET routes */
        {HTTP_HEAD, "/healthz", 0, h_health, 0, NULL, NULL, 0},
        {HTTP_HEAD, "/v1/queues/orders", 0, h_queue_get, 1, "orders", NULL, 0},
        {HTTP_HEAD, "/v1/files/a/b", 0, h_files, 1, "a/b", NULL, 0},
        /* no pattern matches the path */
        {HTTP_GET, "/", ENG_ENOTFOUND, NULL, 0, NULL, NULL, 0},
        {HTTP_GET, "", ENG_ENOTFOUND, NULL, 0, NULL, NULL, 0},
        {HTTP_GET, "/nope", ENG_ENOTFOUND, NULL, 0, NULL, NULL, 0},
        {HTTP_GET, "/v1", ENG_ENOTFOUND, NULL, 0, NULL, NULL, 0},
        {HTTP_GET, "/v1/queue", ENG_ENOTFOUND, NULL, 0, NULL, NULL, 0},
        {HTTP_GET, "/v1/queuesX", ENG_ENOTFOUND, NULL, 0, NULL, NULL, 0},
        {HTTP_GET, "/V1/queues", ENG_ENOTFOUND, NULL, 0, NULL, NULL, 0},
        {HTTP_GET, "/v1/queues//messages", ENG_ENOTFOUND, NULL, 0, NULL, NULL,
         0},
        {HTTP_GET, "/v1/queues/a/messages/x", ENG_ENOTFOUND, NULL, 0, NULL,
         NULL, 0},
        {HTTP_GET, "/v1/kv/app", ENG_ENOTFOUND, NULL, 0, NULL, NULL, 0},
        {HTTP_POST, "/healthzz", ENG_ENOTFOUND, NULL, 0, NULL, NULL, 0},
        /* the path matches, the method does not */
        {HTTP_PATCH, "/v1/queues", ENG_EMETHOD, NULL, 0, NULL, NULL,
         HTTP_GET | HTTP_POST},
        {HTTP_PUT, "/v1/queues/orders", ENG_EMETHOD, NULL, 0, NULL, NULL,
         HTTP_GET | HTTP_DELETE},
        {HTTP_GET, "/v1/queues/orders/messages", ENG_EMETHOD, NULL, 0, NULL,
         NULL, HTTP_POST},
        {HTTP_HEAD, "/v1/queues/orders/messages", ENG_EMETHOD, NULL, 0, NULL,
         NULL, HTTP_POST},
        {HTTP_DELETE, "/v1/kv/a/b", ENG_EMETHOD, NULL, 0, NULL, NULL,
         HTTP_GET | HTTP_PUT},
        {HTTP_POST, "/healthz", ENG_EMETHOD, NULL, 0, NULL, NULL, HTTP_GET},
        {HTTP_OPTIONS, "/v1/files/a", ENG_EMETHOD, NULL, 0, NULL, NULL,
         HTTP_GET},
        {HTTP_OTHER, "/healthz", ENG_EMETHOD, NULL, 0, NULL, NULL, HTTP_GET},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct match m;
        const char *what = method_name(cases[i].method);

        err_clear();
        match(&m, test_routes, cases[i].method, cases[i].path);
        if (m.rc != cases[i].rc)
            fail_msg("%s '%s': rc %d, want %d", what, cases[i].path, m.rc,
                     cases[i].rc);
        if (m.rc == 0) {
            if (m.r == NULL || m.r->handler != cases[i].handler)
                fail_msg("%s '%s': matched row '%s'", what, cases[i].path,
                         m.r ? m.r->pattern : "(none)");
            if (m.nparams != cases[i].nparams)
                fail_msg("%s '%s': %d params, want %d", what, cases[i].path,
                         m.nparams, cases[i].nparams);
            if (cases[i].p0)
                assert_string_equal(cases[i].p0, m.params[0]);
            if (cases[i].p1)
                assert_string_equal(cases[i].p1, m.params[1]);
        } else {
            assert_null(m.r);
            assert_int_equal(0, m.nparams);
            if (m.allowed != cases[i].allowed)
                fail_msg("%s '%s': allowed 0x%x, want 0x%x", what,
                         cases[i].path, m.allowed, cases[i].allowed);
            assert_string_equal(m.rc == ENG_EMETHOD ? "MethodNotAllowed"
                                                    : "NotFound",
                                err_last_name());
            if (cases[i].path[0] != '\0')
                assert_non_null(strstr(err_last(), cases[i].path));
        }
        match_free(&m);
    }
}

/* A path of n segments under /v1/files: "/v1/files/s2/s3/..." */
static char *
deep_path(int nsegs)
{
    size_t cap = 16 + (size_t)nsegs * 5;
    char *p = malloc(cap);
    size_t len;

    assert_non_null(p);
    len = (size_t)snprintf(p, cap, "/v1/files");
    for (int i = 2; i < nsegs; i++)
        len += (size_t)snprintf(p + len, cap - len, "/s%d", i);
    return p;
}

static void
test_router_match_too_many_segments(void **state)
{
    struct match m;
    char *ok = deep_path(HTTP_MAX_SEGMENTS);
    char *over = deep_path(HTTP_MAX_SEGMENTS + 1);

    (void)state;
    match(&m, test_routes, HTTP_GET, ok);
    assert_int_equal(0, m.rc);
    assert_ptr_equal(h_files, m.r->handler);
    assert_string_equal(ok + strlen("/v1/files/"), m.params[0]);
    match_free(&m);

    match(&m, test_routes, HTTP_GET, over);
    assert_int_equal(ENG_ENOTFOUND, m.rc);
    assert_null(m.r);
    assert_int_equal(0, m.nparams);
    match_free(&m);
    free(ok);
    free(over);
}

static void
test_router_match_too_many_params(void **state)
{
    /* more captures than HTTP_MAX_PARAMS: never matched, never written
     * past params[] (ASan watches the array in struct match) */
    static const struct route many[] = {
        {HTTP_GET, "/p/:a/:b/:c/:d/:e/:f/:g/:h/:i", h_kv, 0},
        {HTTP_GET, "/q/:a/:b/:c/:d/:e/:f/:g/:h", h_files, 0},
        {0, NULL, NULL, 0},
    };
    struct match m;

    (void)state;
    match(&m, many, HTTP_GET, "/p/1/2/3/4/5/6/7/8/9");
    assert_int_equal(ENG_ENOTFOUND, m.rc);
    match_free(&m);
    match(&m, many, HTTP_GET, "/q/1/2/3/4/5/6/7/8");
    assert_int_equal(0, m.rc);
    assert_int_equal(HTTP_MAX_PARAMS, m.nparams);
    assert_string_equal("1", m.params[0]);
    assert_string_equal("8", m.params[7]);
    match_free(&m);
}

static void
test_router_match_empty_table(void **state)
{
    static const struct route empty[] = {{0, NULL, NULL, 0}};
    struct match m;

    (void)state;
    match(&m, empty, HTTP_GET, "/healthz");
    assert_int_equal(ENG_ENOTFOUND, m.rc);
    assert_int_equal(0, m.allowed);
    match_free(&m);
}

static void
test_router_match_reuses_scratch(void **state)
{
    /* the path is not modified; scratch is reused by the next match */
    static const char path[] = "/v1/files/a/b";
    char copy[sizeof(path)];
    struct match m;

    (void)state;
    memcpy(copy, path, sizeof(path));
    match(&m, test_routes, HTTP_GET, copy);
    assert_int_equal(0, m.rc);
    assert_string_equal(path, copy);
    match_free(&m);
}

static void
test_router_token_equal(void **state)
{
    static const struct {
        const char *a, *b;
        int equal;
    } cases[] = {
        {"s3cret-token", "s3cret-token", 1},
        {"", "", 1},
        {"s3cret-token", "s3cret-tokem", 0},
        {"s3cret-token", "S3cret-token", 0},
        {"abc", "xbc", 0},
        {"abc", "abcd", 0},  /* a prefix of b */
        {"abcd", "abc", 0},  /* b a prefix of a */
        {"abc", "abcabc", 0}, /* b repeats a */
        {"", "x", 0},
        {"x", "", 0},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        if (router_token_equal(cases[i].a, cases[i].b) != cases[i].equal)
            fail_msg("'%s' vs '%s': want %d", cases[i].a, cases[i].b,
                     cases[i].equal);
    }
}

/* The engine's table. */

static size_t
routes_count(void)
{
    size_t n = 0;

    while (routes[n].pattern)
        n++;
    return n;
}

static void
test_router_routes_rows_valid(void **state)
{
    const unsigned known = HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_PUT |
                           HTTP_DELETE | HTTP_PATCH | HTTP_OPTIONS;
    size_t n = routes_count();

    (void)state;
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        const struct route *r = &routes[i];

        if (r->handler == NULL)
            fail_msg("row %zu (%s) has no handler", i, r->pattern);
        if (r->pattern[0] != '/')
            fail_msg("row %zu: '%s' does not start with '/'", i, r->pattern);
        if (r->methods == 0 || (r->methods & ~known))
            fail_msg("row %zu (%s): bad methods 0x%x", i, r->pattern,
                     r->methods);
        if (r->flags & ~(unsigned)(ROUTE_PUBLIC | ROUTE_JSON | ROUTE_NOTX))
            fail_msg("row %zu (%s): unknown flags 0x%x", i, r->pattern,
                     r->flags);
    }
    /* the zeroed end row */
    assert_null(routes[n].handler);
    assert_int_equal(0, routes[n].methods);
}

static void
test_router_routes_no_duplicates(void **state)
{
    size_t n = routes_count();

    (void)state;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(routes[i].pattern, routes[j].pattern) == 0 &&
                (routes[i].methods & routes[j].methods))
                fail_msg("rows %zu and %zu: same method on '%s'", i, j,
                         routes[i].pattern);
}

/*
 * The order the table keeps: by path, segment by segment, where a literal
 * segment comes before a ":param" or "*" at the same place (the first
 * matching row wins, so "/messages/batch" must be tried before
 * "/messages/:id"). Returns: <0, 0 or >0 as strcmp.
 */
static int
route_pattern_cmp(const char *a, const char *b)
{
    for (;;) {
        size_t la, lb;
        int wa, wb, c;

        while (*a == '/')
            a++;
        while (*b == '/')
            b++;
        if (*a == '\0' || *b == '\0')
            return (*a != '\0') - (*b != '\0'); /* a prefix first */
        la = strcspn(a, "/");
        lb = strcspn(b, "/");
        wa = *a == ':' || *a == '*';
        wb = *b == ':' || *b == '*';
        if (wa != wb)
            return wa - wb;
        c = strncmp(a, b, la < lb ? la : lb);
        if (c == 0 && la != lb)
            c = la < lb ? -1 : 1;
        if (c)
            return c;
        a += la;
        b += lb;
    }
}

static void
test_router_pattern_cmp(void **state)
{
    static const struct {
        const char *a, *b;
        int sign;
    } cases[] = {
        {"/v1/clock", "/v1/clock", 0},
        {"/healthz", "/v1/clock", -1},
        {"/v1/queues", "/v1/queues/:name", -1},
        {"/v1/queues/:name/messages/batch", "/v1/queues/:name/messages/:id",
         -1},
        {"/v1/queues/stats", "/v1/queues/:name", -1},
        {"/v1/queues/:name", "/v1/queues/stats", 1},
        {"/v1/queues/:name/purge", "/v1/queues/:name/messages/:id", 1},
        {"/v1/queue", "/v1/queues", -1},
        {"/v1/timers", "/v1/snapshots/:name", 1},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        int c = route_pattern_cmp(cases[i].a, cases[i].b);

        if ((c > 0) - (c < 0) != cases[i].sign)
            fail_msg("'%s' vs '%s': %d, want sign %d", cases[i].a, cases[i].b,
                     c, cases[i].sign);
    }
}

static void
test_router_routes_sorted(void **state)
{
    size_t n = routes_count();

    (void)state;
    for (size_t i = 1; i < n; i++)
        if (route_pattern_cmp(routes[i - 1].pattern, routes[i].pattern) > 0)
            fail_msg("not sorted by path: '%s' before '%s'",
                     routes[i - 1].pattern, routes[i].pattern);
}

/* Every row is reachable: a concrete path for its pattern, sent with each
 * of its methods, lands on that very row (not one that shadows it). */
static void
test_router_routes_reachable(void **state)
{
    static const enum http_method methods[] = {
        HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT,
        HTTP_DELETE, HTTP_PATCH, HTTP_OPTIONS,
    };
    size_t n = routes_count();

    (void)state;
    for (size_t i = 0; i < n; i++) {
        const char *p = routes[i].pattern;
        char path[256];
        size_t len = 0;

        /* ":x" -> "x-1", "*" -> "rest/of/it" */
        while (*p && len < sizeof(path) - 16) {
            if (*p == ':' && (p == routes[i].pattern || p[-1] == '/')) {
                len += (size_t)snprintf(path + len, sizeof(path) - len, "x-1");
                while (*p && *p != '/')
                    p++;
            } else if (*p == '*' && p > routes[i].pattern && p[-1] == '/' &&
                       p[1] == '\0') {
                len += (size_t)snprintf(path + len, sizeof(path) - len,
                                        "rest/of/it");
                p++;
            } else {
                path[len++] = *p++;
            }
        }
        path[len] = '\0';
        for (size_t k = 0; k < NELEM(methods); k++) {
            struct match m;

            if (!(routes[i].methods & methods[k]))
                continue;
            match(&m, routes, methods[k], path);
            if (m.rc != 0 || m.r != &routes[i])
                fail_msg("%s %s (row %zu '%s'): rc %d, row '%s'",
                         method_name(methods[k]), path, i, routes[i].pattern,
                         m.rc, m.r ? m.r->pattern : "(none)");
            match_free(&m);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_router_match_table),
        cmocka_unit_test(test_router_match_too_many_segments),
        cmocka_unit_test(test_router_match_too_many_params),
        cmocka_unit_test(test_router_match_empty_table),
        cmocka_unit_test(test_router_match_reuses_scratch),
        cmocka_unit_test(test_router_token_equal),
        cmocka_unit_test(test_router_routes_rows_valid),
        cmocka_unit_test(test_router_routes_no_duplicates),
        cmocka_unit_test(test_router_pattern_cmp),
        cmocka_unit_test(test_router_routes_sorted),
        cmocka_unit_test(test_router_routes_reachable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
