/*
 * client_async: engine requests on a curl multi handle, so the dashboard
 * loop never blocks on the network. Each transfer owns its easy handle and
 * body buffer until it finishes; results are decoded by client_finish(),
 * the same code the blocking client uses.
 */
#include "client/client_async.h"

#include "client/client.h"
#include "common/buf.h"
#include "common/jsonx.h"
#include "common/xalloc.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#define CLIENT_ASYNC_CONNECT_MS 2000L
#define CLIENT_ASYNC_TIMEOUT_MS 5000L

struct client_xfer {
    struct client_xfer *next;
    CURL *easy;
    struct buf body;
    char *url;
    char *payload; /* the request body, or NULL */
    void (*done)(int rc, json_t *body, void *arg);
    void *arg;
    char errbuf[CURL_ERROR_SIZE];
};

struct client_async {
    CURLM *multi;
    char *endpoint;
    struct curl_slist *headers;
    struct client_xfer *xfers; /* running, newest first */
    int pending;
};

struct client_async *
client_async_create(const char *endpoint, const char *token)
{
    struct client_async *a = xcalloc(1, sizeof(*a));

    a->endpoint = client_normalize_endpoint(endpoint);
    a->multi = curl_multi_init();
    client_check_alloc(a->multi);
    a->headers = curl_slist_append(NULL, "Accept: application/json");
    client_check_alloc(a->headers);
    a->headers =
        curl_slist_append(a->headers, "Content-Type: application/json");
    client_check_alloc(a->headers);
    if (token && *token) {
        char *h = xasprintf("Authorization: Bearer %s", token);
        struct curl_slist *l = curl_slist_append(a->headers, h);

        client_check_alloc(l);
        a->headers = l;
        free(h);
    }
    return a;
}

static void
client_async_xfer_free(struct client_async *a, struct client_xfer *x)
{
    curl_multi_remove_handle(a->multi, x->easy);
    curl_easy_cleanup(x->easy);
    buf_free(&x->body);
    free(x->payload);
    free(x->url);
    free(x);
}

void
client_async_free(struct client_async *a)
{
    struct client_xfer *x, *next;

    if (a == NULL)
        return;
    for (x = a->xfers; x; x = next) {
        next = x->next;
        client_async_xfer_free(a, x);
    }
    curl_multi_cleanup(a->multi);
    curl_slist_free_all(a->headers);
    free(a->endpoint);
    free(a);
}

const char *
client_async_endpoint(const struct client_async *a)
{
    return a->endpoint;
}

int
client_async_pending(const struct client_async *a)
{
    return a->pending;
}

static size_t
client_async_write(char *p, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;

    if (buf_append(b, p, size * n) != 0)
        return 0;
    return size * n;
}

void
client_async_get(struct client_async *a, const char *path,
                 void (*done)(int rc, json_t *body, void *arg), void *arg)
{
    client_async_request(a, "GET", path, NULL, done, arg);
}

void
client_async_request(struct client_async *a, const char *method,
                     const char *path, json_t *body,
                     void (*done)(int rc, json_t *body, void *arg), void *arg)
{
    struct client_xfer *x = xcalloc(1, sizeof(*x));

    buf_init(&x->body, CLIENT_BODY_MAX);
    x->url = xasprintf("%s%s", a->endpoint, path);
    x->done = done;
    x->arg = arg;
    x->easy = curl_easy_init();
    client_check_alloc(x->easy);
    curl_easy_setopt(x->easy, CURLOPT_URL, x->url);
    curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(x->easy, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
    if (strcmp(method, "GET") != 0)
        curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        x->payload = jsonx_dump(body);
        curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->payload);
        curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE,
                         (long)strlen(x->payload));
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE, 0L);
    }
    curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, a->headers);
    curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, client_async_write);
    curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, &x->body);
    curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS,
                     CLIENT_ASYNC_CONNECT_MS);
    curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, CLIENT_ASYNC_TIMEOUT_MS);
    curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
    curl_multi_add_handle(a->multi, x->easy);
    x->next = a->xfers;
    a->xfers = x;
    a->pending++;
}

int
client_async_wait(struct client_async *a, int fd, int timeout_ms)
{
    struct curl_waitfd w = {fd, CURL_WAIT_POLLIN, 0};

    if (curl_multi_poll(a->multi, fd >= 0 ? &w : NULL, fd >= 0 ? 1 : 0,
                        timeout_ms, NULL) != CURLM_OK)
        return 0;
    return fd >= 0 && (w.revents & CURL_WAIT_POLLIN) != 0;
}

/* unlink a finished transfer from the running list */
static void
client_async_unlink(struct client_async *a, struct client_xfer *x)
{
    struct client_xfer **pp;

    for (pp = &a->xfers; *pp; pp = &(*pp)->next) {
        if (*pp == x) {
            *pp = x->next;
            a->pending--;
            return;
        }
    }
}

void
client_async_run(struct client_async *a)
{
    CURLMsg *m;
    int running, left;

    curl_multi_perform(a->multi, &running);
    while ((m = curl_multi_info_read(a->multi, &left)) != NULL) {
        struct client_xfer *x = NULL;
        void (*done)(int, json_t *, void *);
        void *arg;
        json_t *body = NULL;
        long status = 0;
        int rc;

        if (m->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
        rc = client_finish(&body, a->endpoint, (int)m->data.result, status,
                           &x->body, x->errbuf);
        done = x->done;
        arg = x->arg;
        /* `m` dies with the handle: it is not read past this point */
        client_async_unlink(a, x);
        client_async_xfer_free(a, x);
        done(rc, body, arg);
        json_decref(body);
    }
}
