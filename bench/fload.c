/*
 * fload: a load generator for flowdeck's executions and task tokens, for
 * bench/ (bench_flows.py builds it next to flowdeckd).
 *
 *   fload PORT start    CONNS SECONDS FLOW   start executions back to back;
 *                                            each answer must be Succeeded
 *   fload PORT fill     CONNS COUNT FLOW     start COUNT executions; each
 *                                            answer must be Running
 *   fload PORT callback ROUNDS FLOW QUEUE    start, receive the task's
 *                                            message, delete it, then time
 *                                            succeed and the GET that sees
 *                                            the execution Succeeded
 *
 * Every connection is keep-alive HTTP/1.1 on its own thread. It prints one
 * line of JSON with the results.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static int port;

struct conn {
    int fd;
    char buf[1 << 20];
    size_t have;
};

static double
now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void
die(const char *what, const char *detail)
{
    fprintf(stderr, "fload: %s%s%s\n", what, detail ? ": " : "",
            detail ? detail : "");
    exit(1);
}

static struct conn *
conn_open(void)
{
    struct conn *c = malloc(sizeof(*c));
    struct sockaddr_in a;
    int one = 1;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(c->fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        perror("fload: connect");
        exit(1);
    }
    c->have = 0;
    return c;
}

static void
conn_close(struct conn *c)
{
    close(c->fd);
    free(c);
}

/* One request; returns the status, the body (NUL-terminated, inside
 * c->buf) in *out. */
static int
conn_request(struct conn *c, const char *method, const char *path,
             const char *body, char **out)
{
    char head[512];
    size_t blen = body ? strlen(body) : 0, clen, hdr;
    int n = snprintf(head, sizeof(head),
                     "%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     "application/json\r\nContent-Length: %zu\r\n\r\n",
                     method, path, blen);
    struct iovec iov[2] = {{head, (size_t)n}, {(void *)body, blen}};
    char *end, *cl;

    if (writev(c->fd, iov, blen ? 2 : 1) != (ssize_t)((size_t)n + blen)) {
        perror("fload: write");
        exit(1);
    }
    c->have = 0;
    for (;;) {
        ssize_t r = read(c->fd, c->buf + c->have, sizeof(c->buf) - 1 - c->have);

        if (r <= 0)
            die("connection closed", path);
        c->have += (size_t)r;
        c->buf[c->have] = '\0';
        if ((end = strstr(c->buf, "\r\n\r\n")) == NULL)
            continue;
        hdr = (size_t)(end - c->buf) + 4;
        cl = strcasestr(c->buf, "Content-Length:");
        clen = cl && cl < end ? strtoul(cl + 15, NULL, 10) : 0;
        if (c->have >= hdr + clen)
            break;
    }
    if (out)
        *out = c->buf + hdr;
    return (int)strtol(c->buf + 9, NULL, 10); /* "HTTP/1.1 NNN" */
}

/* The execution's status in a start or GET answer (a short scan: the
 * answer is flowdeck's compact JSON). */
static int
status_is(const char *body, const char *status)
{
    char want[64];

    snprintf(want, sizeof(want), "\"status\":\"%s\"", status);
    return strstr(body, want) != NULL;
}

struct worker {
    pthread_t t;
    const char *flow, *expect;
    double until;
    long budget; /* executions to start; < 0: until the time is up */
    long ops, bad;
    double *lat;
    long nlat, caplat;
};

static void
lat_add(double **v, long *n, long *cap, double ms)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 65536;
        *v = realloc(*v, (size_t)*cap * sizeof(double));
    }
    (*v)[(*n)++] = ms;
}

static void *
worker_start(void *arg)
{
    struct worker *w = arg;
    struct conn *c = conn_open();
    char req[256];

    while (w->budget < 0 ? now_ms() < w->until : w->ops < w->budget) {
        double t0 = now_ms();
        char *body;
        int st;

        snprintf(req, sizeof(req), "{\"flow\":\"%s\",\"input\":{\"n\":%ld}}",
                 w->flow, w->ops);
        st = conn_request(c, "POST", "/v1/executions", req, &body);
        if (st != 201)
            die("start did not answer 201", body);
        if (!status_is(body, w->expect))
            w->bad++;
        lat_add(&w->lat, &w->nlat, &w->caplat, now_ms() - t0);
        w->ops++;
    }
    conn_close(c);
    return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double
pct(const double *v, long n, double p)
{
    return n ? v[(long)(p * (double)(n - 1))] : 0;
}

static int
run_start(int argc, char **argv, int fill)
{
    int n = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 1;
    double secs = !fill && argc > 4 ? strtod(argv[4], NULL) : 5;
    long count = fill && argc > 4 ? strtol(argv[4], NULL, 10) : 0;
    const char *flow = argc > 5 ? argv[5] : "bench";
    struct worker *ws = calloc((size_t)n, sizeof(*ws));
    long ops = 0, bad = 0, nlat = 0;
    double t0, t1, *all;

    t0 = now_ms();
    for (int i = 0; i < n; i++) {
        ws[i].flow = flow;
        ws[i].expect = fill ? "Running" : "Succeeded";
        ws[i].until = t0 + secs * 1000;
        ws[i].budget = fill ? count / n + (i < count % n) : -1;
        pthread_create(&ws[i].t, NULL, worker_start, &ws[i]);
    }
    for (int i = 0; i < n; i++) {
        pthread_join(ws[i].t, NULL);
        ops += ws[i].ops;
        bad += ws[i].bad;
        nlat += ws[i].nlat;
    }
    t1 = now_ms();
    all = malloc((size_t)(nlat ? nlat : 1) * sizeof(double));
    nlat = 0;
    for (int i = 0; i < n; i++) {
        memcpy(all + nlat, ws[i].lat, (size_t)ws[i].nlat * sizeof(double));
        nlat += ws[i].nlat;
        free(ws[i].lat);
    }
    qsort(all, (size_t)nlat, sizeof(double), cmp_double);
    printf("{\"mode\":\"%s\",\"conns\":%d,\"seconds\":%.3f,"
           "\"executions\":%ld,\"not_%s\":%ld,\"per_s\":%.0f,"
           "\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
           fill ? "fill" : "start", n, (t1 - t0) / 1000, ops, ws[0].expect, bad,
           (double)ops / ((t1 - t0) / 1000), pct(all, nlat, 0.5),
           pct(all, nlat, 0.99));
    free(all);
    free(ws);
    return bad ? 1 : 0;
}

/* A string member of a JSON object, copied into out. */
static void
get_str(json_t *o, const char *key, char *out, size_t size)
{
    const char *s = json_string_value(json_object_get(o, key));

    if (!s)
        die("missing member", key);
    snprintf(out, size, "%s", s);
}

static int
run_callback(int argc, char **argv)
{
    int rounds = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 2000;
    const char *flow = argc > 4 ? argv[4] : "bench_cb";
    const char *queue = argc > 5 ? argv[5] : "bench_cb";
    double *succ = calloc((size_t)rounds, sizeof(double));
    double *seen = calloc((size_t)rounds, sizeof(double));
    struct conn *c = conn_open();
    char path[512], req[256], del[256], name[160], token[256], receipt[160];
    int polls = 0;

    snprintf(req, sizeof(req), "{\"flow\":\"%s\",\"input\":{}}", flow);
    for (int i = 0; i < rounds; i++) {
        char *body;
        json_t *j, *m, *mb;
        double t0;

        if (conn_request(c, "POST", "/v1/executions", req, &body) != 201 ||
            !status_is(body, "Running"))
            die("start", body);
        j = json_loads(body, 0, NULL);
        get_str(j, "name", name, sizeof(name));
        json_decref(j);

        /* the worker's side: receive the message, take the token */
        snprintf(path, sizeof(path), "/v1/queues/%s/receive", queue);
        if (conn_request(c, "POST", path, "{\"max\":1}", &body) != 200)
            die("receive", body);
        j = json_loads(body, 0, NULL);
        m = json_array_get(json_object_get(j, "messages"), 0);
        if (!m)
            die("receive", "no message");
        get_str(m, "receipt", receipt, sizeof(receipt));
        mb = json_loads(json_string_value(json_object_get(m, "body")), 0, NULL);
        get_str(mb, "taskToken", token, sizeof(token));
        json_decref(mb);
        json_decref(j);
        snprintf(path, sizeof(path), "/v1/queues/%s/delete", queue);
        snprintf(del, sizeof(del), "{\"receipts\":[\"%s\"]}", receipt);
        if (conn_request(c, "POST", path, del, &body) != 200)
            die("delete", body);

        /* timed: the callback, then the GET that sees the result */
        snprintf(path, sizeof(path), "/v1/tasks/%s/succeed", token);
        t0 = now_ms();
        if (conn_request(c, "POST", path, "{\"output\":{\"done\":true}}",
                         &body) != 200)
            die("succeed", body);
        succ[i] = now_ms() - t0;
        snprintf(path, sizeof(path), "/v1/executions/%s?flow=%s", name, flow);
        for (;;) {
            if (conn_request(c, "GET", path, NULL, &body) != 200)
                die("get", body);
            if (status_is(body, "Succeeded"))
                break;
            if (!status_is(body, "Running"))
                die("execution ended other than Succeeded", body);
            polls++;
        }
        seen[i] = now_ms() - t0;
    }
    qsort(succ, (size_t)rounds, sizeof(double), cmp_double);
    qsort(seen, (size_t)rounds, sizeof(double), cmp_double);
    printf("{\"mode\":\"callback\",\"rounds\":%d,\"succeed_p50_ms\":%.3f,"
           "\"succeed_p99_ms\":%.3f,\"seen_p50_ms\":%.3f,"
           "\"seen_p99_ms\":%.3f,\"extra_polls\":%d}\n",
           rounds, pct(succ, rounds, 0.5), pct(succ, rounds, 0.99),
           pct(seen, rounds, 0.5), pct(seen, rounds, 0.99), polls);
    conn_close(c);
    free(succ);
    free(seen);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: fload PORT start|fill|callback ...\n");
        return 2;
    }
    port = (int)strtol(argv[1], NULL, 10);
    if (strcmp(argv[2], "start") == 0)
        return run_start(argc, argv, 0);
    if (strcmp(argv[2], "fill") == 0)
        return run_start(argc, argv, 1);
    if (strcmp(argv[2], "callback") == 0)
        return run_callback(argc, argv);
    fprintf(stderr, "fload: unknown mode '%s'\n", argv[2]);
    return 2;
}
