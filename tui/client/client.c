/*
 * client: blocking requests to the engine API with one libcurl easy
 * handle, reused between requests so the connection stays open. This file
 * and client_async.c are the only places that see CURLcode; everything
 * above them gets ENG_* codes and a message from err_last().
 */
#include "client/client.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/xalloc.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLIENT_CONNECT_MS 3000L
#define CLIENT_TIMEOUT_MS 120000L
#define CLIENT_HEALTH_CONNECT_MS 1000L
#define CLIENT_HEALTH_TIMEOUT_MS 2000L

struct client {
    char *endpoint;
    struct curl_slist *headers;
    CURL *curl;
    char errbuf[CURL_ERROR_SIZE];
};

char *
client_normalize_endpoint(const char *endpoint)
{
    size_t n = strlen(endpoint);

    while (n > 0 && endpoint[n - 1] == '/')
        n--;
    if (strstr(endpoint, "://") == NULL)
        return xasprintf("http://%.*s", (int)n, endpoint);
    return xstrndup(endpoint, n);
}

void
client_check_alloc(const void *p)
{
    if (p == NULL) {
        fputs("flowdeck: out of memory\n", stderr);
        abort();
    }
}

static struct curl_slist *
client_append_header(struct curl_slist *list, const char *h)
{
    struct curl_slist *next = curl_slist_append(list, h);

    client_check_alloc(next);
    return next;
}

struct client *
client_create(const char *endpoint, const char *token)
{
    struct client *c = xcalloc(1, sizeof(*c));

    c->endpoint = client_normalize_endpoint(endpoint);
    c->curl = curl_easy_init();
    client_check_alloc(c->curl);
    c->headers = client_append_header(NULL, "Accept: application/json");
    c->headers =
        client_append_header(c->headers, "Content-Type: application/json");
    c->headers = client_append_header(c->headers, "Expect:");
    if (token && *token) {
        char *h = xasprintf("Authorization: Bearer %s", token);

        c->headers = client_append_header(c->headers, h);
        free(h);
    }
    return c;
}

void
client_free(struct client *c)
{
    if (c == NULL)
        return;
    curl_easy_cleanup(c->curl);
    curl_slist_free_all(c->headers);
    free(c->endpoint);
    free(c);
}

const char *
client_endpoint(const struct client *c)
{
    return c->endpoint;
}

int
client_is_unreachable(int rc)
{
    return rc == ENG_EUNAVAIL &&
           strcmp(err_last_name(), CLIENT_UNREACHABLE) == 0;
}

static size_t
client_write(char *p, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;

    if (buf_append(b, p, size * n) != 0)
        return 0; /* over CLIENT_BODY_MAX: curl stops the transfer */
    return size * n;
}

static int
client_code_of_status(long status)
{
    switch (status) {
    case 400:
        return ENG_EINVAL;
    case 401:
    case 403:
        return ENG_EAUTH;
    case 404:
        return ENG_ENOTFOUND;
    case 405:
        return ENG_EMETHOD;
    case 409:
        return ENG_ECONFLICT;
    case 410:
        return ENG_EGONE;
    case 413:
        return ENG_ETOOBIG;
    case 503:
        return ENG_EUNAVAIL;
    case 507:
        return ENG_ENOSPACE;
    default:
        return ENG_ERR;
    }
}

int
client_finish(json_t **out, const char *endpoint, int curl_result, long status,
              const struct buf *body, const char *detail)
{
    json_t *j = NULL;
    const char *msg = NULL, *code = NULL;
    int rc;

    *out = NULL;
    if (curl_result == CURLE_WRITE_ERROR)
        return err_set(ENG_ETOOBIG, "the answer from %s is over %u MiB",
                       endpoint, CLIENT_BODY_MAX >> 20);
    if (curl_result == CURLE_COULDNT_CONNECT ||
        curl_result == CURLE_COULDNT_RESOLVE_HOST)
        return err_setn(ENG_EUNAVAIL, CLIENT_UNREACHABLE,
                        "no engine answers at %s", endpoint);
    if (curl_result != CURLE_OK)
        return err_setn(ENG_EUNAVAIL, CLIENT_UNREACHABLE,
                        "no engine answers at %s (%s)", endpoint,
                        detail && *detail
                            ? detail
                            : curl_easy_strerror((CURLcode)curl_result));
    if (body->len > 0 && jsonx_loads(&j, body->data, body->len) != 0)
        j = NULL;
    if (status >= 200 && status < 300) {
        if (body->len > 0 && j == NULL)
            return err_set(ENG_ERR, "%s answered with something not JSON",
                           endpoint);
        *out = j;
        return 0;
    }
    if (json_is_object(j)) {
        msg = json_string_value(json_object_get(j, "message"));
        code = json_string_value(json_object_get(j, "code"));
    }
    if (msg)
        rc = err_set(client_code_of_status(status), "%s (%s)", msg,
                     code ? code : "no code");
    else
        rc = err_set(client_code_of_status(status),
                     "%s answered HTTP %ld without a flowdeck error; is it a "
                     "flowdeck engine?",
                     endpoint, status);
    json_decref(j);
    return rc;
}

/* one transfer on the reused easy handle; the body lands in `b` */
static int
client_perform(struct client *c, const char *method, const char *path,
               const char *payload, long connect_ms, long timeout_ms,
               struct buf *b, long *status)
{
    char *url = xasprintf("%s%s", c->endpoint, path);
    CURLcode res;

    curl_easy_reset(c->curl);
    c->errbuf[0] = '\0';
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, client_write);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    if (strcmp(method, "GET") != 0)
        curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
    if (payload) {
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, payload);
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(payload));
    }
    res = curl_easy_perform(c->curl);
    *status = 0;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
    free(url);
    return (int)res;
}

int
client_request(json_t **out, struct client *c, const char *method,
               const char *path, json_t *body)
{
    struct buf b = BUF_INIT(CLIENT_BODY_MAX);
    char *payload = NULL;
    long status;
    int res, rc;

    *out = NULL;
    if (body)
        payload = jsonx_dump(body);
    else if (strcmp(method, "POST") == 0)
        payload = xstrdup("");
    res = client_perform(c, method, path, payload, CLIENT_CONNECT_MS,
                         CLIENT_TIMEOUT_MS, &b, &status);
    rc = client_finish(out, c->endpoint, res, status, &b, c->errbuf);
    free(payload);
    buf_free(&b);
    return rc;
}

enum client_health
client_health(struct client *c)
{
    struct buf b = BUF_INIT(1u << 16);
    enum client_health h = CLIENT_HEALTH_FOREIGN;
    curl_off_t connected = 0;
    json_t *j = NULL;
    const char *status, *name;
    long code;
    int res;

    res = client_perform(c, "GET", "/healthz", NULL, CLIENT_HEALTH_CONNECT_MS,
                         CLIENT_HEALTH_TIMEOUT_MS, &b, &code);
    if (res != CURLE_OK) {
        /* refused, or not even connected in time: nobody is there */
        curl_easy_getinfo(c->curl, CURLINFO_CONNECT_TIME_T, &connected);
        if (res == CURLE_COULDNT_CONNECT || res == CURLE_COULDNT_RESOLVE_HOST ||
            (res == CURLE_OPERATION_TIMEDOUT && connected == 0))
            h = CLIENT_HEALTH_NONE;
        goto out;
    }
    if (code != 200 || jsonx_loads(&j, buf_str(&b), b.len) != 0)
        goto out;
    status = json_string_value(json_object_get(j, "status"));
    name = json_string_value(json_object_get(j, "name"));
    if (status && strcmp(status, "ok") == 0 && name &&
        strcmp(name, "flowdeck") == 0)
        h = CLIENT_HEALTH_OK;
out:
    json_decref(j);
    buf_free(&b);
    return h;
}

char *
client_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    char *copy;

    client_check_alloc(e);
    copy = xstrdup(e);
    curl_free(e);
    return copy;
}

int
client_query_add(struct buf *b, const char *key, const char *value)
{
    char *v = client_escape(value);
    int rc =
        buf_printf(b, "%c%s=%s", strchr(buf_str(b), '?') ? '&' : '?', key, v);

    free(v);
    return rc;
}

int
client_endpoint_hostport(char **out, const char *endpoint)
{
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL;
    int rc;

    *out = NULL;
    client_check_alloc(u);
    if (curl_url_set(u, CURLUPART_URL, endpoint, CURLU_GUESS_SCHEME) != 0 ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != 0 ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != 0) {
        rc = err_set(ENG_EINVAL,
                     "'%s' is not an engine URL "
                     "(like http://127.0.0.1:9460)",
                     endpoint);
        goto out;
    }
    *out = xasprintf("%s:%s", host, port);
    rc = 0;
out:
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

/* GET or DELETE `prefix`/`name`, the name escaped */
static int
client_on_named(json_t **out, struct client *c, const char *method,
                const char *prefix, const char *name, const char *suffix,
                json_t *body)
{
    char *e = client_escape(name);
    char *path = xasprintf("%s/%s%s", prefix, e, suffix);
    int rc = client_request(out, c, method, path, body);

    free(path);
    free(e);
    return rc;
}

int
client_get_info(json_t **out, struct client *c)
{
    return client_request(out, c, "GET", "/v1/info", NULL);
}

int
client_shutdown(json_t **out, struct client *c)
{
    return client_request(out, c, "POST", "/v1/shutdown", NULL);
}

int
client_get_logs(json_t **out, struct client *c, int tail, const char *cursor)
{
    struct buf path = BUF_INIT(0);
    int rc;

    *out = NULL;
    buf_puts(&path, "/v1/logs");
    if (cursor) {
        client_query_add(&path, "cursor", cursor);
    } else if (tail > 0) {
        char n[24];

        snprintf(n, sizeof(n), "%d", tail);
        client_query_add(&path, "tail", n);
    }
    rc = client_request(out, c, "GET", buf_str(&path), NULL);
    buf_free(&path);
    return rc;
}

int
client_get_clock(json_t **out, struct client *c)
{
    return client_request(out, c, "GET", "/v1/clock", NULL);
}

int
client_set_clock(json_t **out, struct client *c, json_t *action)
{
    return client_request(out, c, "POST", "/v1/clock", action);
}

int
client_list_snapshots(json_t **out, struct client *c)
{
    return client_request(out, c, "GET", "/v1/snapshots", NULL);
}

int
client_save_snapshot(json_t **out, struct client *c, const char *name,
                     int overwrite)
{
    json_t *body =
        json_pack("{s:s, s:b}", "name", name, "overwrite", overwrite);
    int rc;

    if (body == NULL)
        return err_set(ENG_EINVAL, "snapshot name is not valid UTF-8");
    rc = client_request(out, c, "POST", "/v1/snapshots", body);
    json_decref(body);
    return rc;
}

int
client_restore_snapshot(json_t **out, struct client *c, const char *name)
{
    return client_on_named(out, c, "POST", "/v1/snapshots", name, "/restore",
                           NULL);
}

int
client_delete_snapshot(json_t **out, struct client *c, const char *name)
{
    return client_on_named(out, c, "DELETE", "/v1/snapshots", name, "", NULL);
}

int
client_reset(json_t **out, struct client *c)
{
    json_t *body = json_pack("{s:b}", "confirm", 1);
    int rc = client_request(out, c, "POST", "/v1/reset", body);

    json_decref(body);
    return rc;
}

int
client_get_journal(json_t **out, struct client *c,
                   const struct client_journal_query *q)
{
    struct buf path = BUF_INIT(0);
    int rc;

    buf_puts(&path, "/v1/journal");
    if (q->kind)
        client_query_add(&path, "kind", q->kind);
    if (q->id)
        client_query_add(&path, "id", q->id);
    if (q->type)
        client_query_add(&path, "type", q->type);
    if (q->limit)
        client_query_add(&path, "limit", q->limit);
    rc = client_request(out, c, "GET", buf_str(&path), NULL);
    buf_free(&path);
    return rc;
}

int
client_list_timers(json_t **out, struct client *c, const char *kind)
{
    struct buf path = BUF_INIT(0);
    int rc;

    buf_puts(&path, "/v1/timers");
    if (kind)
        client_query_add(&path, "kind", kind);
    rc = client_request(out, c, "GET", buf_str(&path), NULL);
    buf_free(&path);
    return rc;
}

int
client_add_timer(json_t **out, struct client *c, json_t *timer)
{
    return client_request(out, c, "POST", "/v1/timers", timer);
}

int
client_cancel_timer(json_t **out, struct client *c, const char *id)
{
    return client_on_named(out, c, "DELETE", "/v1/timers", id, "", NULL);
}

int
client_queue(json_t **out, struct client *c, const char *method,
             const char *queue, const char *rest, json_t *body)
{
    return client_on_named(out, c, method, "/v1/queues", queue, rest, body);
}

int
client_list_queues(json_t **out, struct client *c, const char *prefix,
                   const char *cursor)
{
    struct buf path = BUF_INIT(4096);
    int rc;

    buf_puts(&path, "/v1/queues?limit=1000");
    if (prefix)
        client_query_add(&path, "prefix", prefix);
    if (cursor)
        client_query_add(&path, "cursor", cursor);
    rc = client_request(out, c, "GET", buf_str(&path), NULL);
    buf_free(&path);
    return rc;
}

int
client_on_flow(json_t **out, struct client *c, const char *method,
               const char *flow, const char *rest)
{
    return client_on_named(out, c, method, "/v1/flows", flow, rest, NULL);
}
