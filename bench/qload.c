/*
 * qload: a load generator for flowdeck's queue API, for bench/.
 *
 *   qload PORT send    CONNS SECONDS [SIZE]   send messages (one per request)
 *   qload PORT batch   CONNS SECONDS [SIZE]   send 16 messages per request
 *   qload PORT drain   CONNS                  receive(16) + batch delete until empty
 *   qload PORT wake    ROUNDS                 long-poll wake-up latency
 *   qload PORT peek    ROUNDS                 peek 50 (first page and a deep page)
 *   qload PORT fill    COUNT [SIZE]           send COUNT messages in batches
 *
 * Every connection is keep-alive HTTP/1.1 on its own thread. It prints one
 * line of JSON with the results. Queue: $QLOAD_QUEUE or "bench" (created
 * if missing).
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
#include <time.h>
#include <unistd.h>

static int port;
static const char *qname = "bench";

/* "/v1/queues/<queue><suffix>" in a per-thread buffer */
static const char *
qp(const char *suffix)
{
    static _Thread_local char buf[256];

    snprintf(buf, sizeof(buf), "/v1/queues/%s%s", qname, suffix);
    return buf;
}

struct conn {
    int fd;
    char buf[1 << 20];
    char out[1 << 20];
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
conn_open(struct conn *c)
{
    struct sockaddr_in a;
    int one = 1;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(c->fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        perror("qload: connect");
        exit(1);
    }
    c->have = 0;
}

/* One request, its head and body in one write (as a client that knows
 * its body's size sends them); returns the status, body in *body (points
 * into c->buf). */
static int
conn_request(struct conn *c, const char *method, const char *path,
             const char *body, char **out)
{
    size_t blen = body ? strlen(body) : 0;
    int n = snprintf(c->out, sizeof(c->out),
                     "%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     "application/json\r\nContent-Length: %zu\r\n\r\n",
                     method, path, blen);
    size_t clen = 0, hdr;
    char *end, *cl;
    int status;

    if (n < 0 || (size_t)n + blen > sizeof(c->out)) {
        fprintf(stderr, "qload: request too large\n");
        exit(1);
    }
    if (blen)
        memcpy(c->out + n, body, blen);
    if (write(c->fd, c->out, (size_t)n + blen) != (ssize_t)((size_t)n + blen)) {
        perror("qload: write");
        exit(1);
    }
    c->have = 0;
    for (;;) {
        ssize_t r = read(c->fd, c->buf + c->have, sizeof(c->buf) - 1 - c->have);

        if (r <= 0) {
            fprintf(stderr, "qload: connection closed\n");
            exit(1);
        }
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
    status = atoi(c->buf + 9); /* NOLINT: fixed "HTTP/1.1 " prefix */
    if (out)
        *out = c->buf + hdr;
    return status;
}

static char *
make_body(size_t size)
{
    char *b = malloc(size + 1);

    memset(b, 'm', size);
    b[size] = '\0';
    return b;
}

struct worker {
    pthread_t t;
    const char *mode;
    double until;
    size_t size;
    long ops, msgs;
    double *lat;
    long nlat, caplat;
};

static void
lat_add(struct worker *w, double ms)
{
    if (w->nlat == w->caplat) {
        w->caplat = w->caplat ? w->caplat * 2 : 65536;
        w->lat = realloc(w->lat, (size_t)w->caplat * sizeof(double));
    }
    w->lat[w->nlat++] = ms;
}

static void *
worker_send(void *arg)
{
    struct worker *w = arg;
    struct conn *c = malloc(sizeof(*c));
    char *msg = make_body(w->size), *req;
    int batch = strcmp(w->mode, "batch") == 0;

    if (batch) {
        size_t cap = 16 * (w->size + 64) + 64, off = 0;

        req = malloc(cap);
        off += (size_t)snprintf(req + off, cap - off, "{\"entries\":[");
        for (int i = 0; i < 16; i++)
            off += (size_t)snprintf(req + off, cap - off,
                                    "%s{\"id\":\"e%d\",\"body\":\"%s\"}",
                                    i ? "," : "", i, msg);
        snprintf(req + off, cap - off, "]}");
    } else {
        size_t cap = w->size + 32;

        req = malloc(cap);
        snprintf(req, cap, "{\"body\":\"%s\"}", msg);
    }
    conn_open(c);
    while (now_ms() < w->until) {
        double t0 = now_ms();
        int st = conn_request(c, "POST",
                              batch ? qp("/messages/batch")
                                    : qp("/messages"),
                              req, NULL);

        if (st != (batch ? 200 : 201)) {
            fprintf(stderr, "qload: send answered %d\n", st);
            exit(1);
        }
        lat_add(w, now_ms() - t0);
        w->ops++;
        w->msgs += batch ? 16 : 1;
    }
    close(c->fd);
    free(c);
    free(msg);
    free(req);
    return NULL;
}

/*
 * The receipts of a receive's answer, as the body of its batch delete:
 * {"receipts":["...",...]} into out. A receipt is base64url, so it needs
 * no escapes; the key cannot occur inside a body, whose quotes the engine
 * escapes. Scanning for them, not building the answer's whole tree, keeps
 * the load generator's cost per message well under the engine's.
 * Returns: the number of receipts.
 */
static size_t
receipts_body(const char *answer, char *out, size_t cap)
{
    static const char key[] = "\"receipt\":\"";
    size_t n = 0, off = (size_t)snprintf(out, cap, "{\"receipts\":[");
    const char *p = answer, *end;

    while ((p = strstr(p, key)) != NULL) {
        p += sizeof(key) - 1;
        if ((end = strchr(p, '"')) == NULL ||
            off + (size_t)(end - p) + 8 > cap) {
            fprintf(stderr, "qload: receive answer cut short\n");
            exit(1);
        }
        off += (size_t)snprintf(out + off, cap - off, "%s\"%.*s\"",
                                n ? "," : "", (int)(end - p), p);
        n++;
        p = end + 1;
    }
    snprintf(out + off, cap - off, "]}");
    return n;
}

static void *
worker_drain(void *arg)
{
    struct worker *w = arg;
    struct conn *c = malloc(sizeof(*c));
    char req[4096];
    int empty = 0;

    conn_open(c);
    while (empty < 2) {
        char *body, *del;
        size_t n;
        int st = conn_request(c, "POST", qp("/receive"),
                              "{\"max\":16}", &body);

        if (st != 200) {
            fprintf(stderr, "qload: receive answered %d\n", st);
            exit(1);
        }
        n = receipts_body(body, req, sizeof(req));
        if (n == 0) {
            empty++;
            continue;
        }
        empty = 0;
        st = conn_request(c, "POST", qp("/delete"), req, &body);
        if (st != 200 || (del = strstr(body, "\"deleted\":")) == NULL ||
            strtoul(del + 10, NULL, 10) != n) {
            fprintf(stderr, "qload: delete of %zu answered %d: %s\n", n, st,
                    body);
            exit(1);
        }
        w->ops += 2;
        w->msgs += (long)n;
    }
    close(c->fd);
    free(c);
    return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double
pct(double *v, long n, double p)
{
    long i = (long)(p * (double)(n - 1));

    return n ? v[i] : 0;
}

static void
ensure_queue(void)
{
    struct conn *c = malloc(sizeof(*c));

    conn_open(c);
    char body[160];

    snprintf(body, sizeof(body), "{\"name\":\"%s\"}", qname);
    conn_request(c, "POST", "/v1/queues", body, NULL);
    close(c->fd);
    free(c);
}

static void
report_workers(const char *mode, struct worker *ws, int n, double secs)
{
    long ops = 0, msgs = 0, nlat = 0;
    double *all;

    for (int i = 0; i < n; i++) {
        ops += ws[i].ops;
        msgs += ws[i].msgs;
        nlat += ws[i].nlat;
    }
    all = malloc((size_t)(nlat ? nlat : 1) * sizeof(double));
    nlat = 0;
    for (int i = 0; i < n; i++) {
        memcpy(all + nlat, ws[i].lat, (size_t)ws[i].nlat * sizeof(double));
        nlat += ws[i].nlat;
        free(ws[i].lat);
    }
    qsort(all, (size_t)nlat, sizeof(double), cmp_double);
    printf("{\"mode\":\"%s\",\"conns\":%d,\"seconds\":%.3f,\"requests\":%ld,"
           "\"messages\":%ld,\"req_per_s\":%.0f,\"msg_per_s\":%.0f,"
           "\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
           mode, n, secs, ops, msgs, (double)ops / secs,
           (double)msgs / secs, pct(all, nlat, 0.5), pct(all, nlat, 0.99));
    free(all);
}

static void *
wake_sender(void *arg)
{
    double *sent_at = arg;
    struct conn *c = malloc(sizeof(*c));

    conn_open(c);
    usleep(20000);
    *sent_at = now_ms();
    conn_request(c, "POST", qp("/messages"), "{\"body\":\"w\"}",
                 NULL);
    close(c->fd);
    free(c);
    return NULL;
}

int
main(int argc, char **argv)
{
    const char *mode;

    if (argc < 3) {
        fprintf(stderr, "usage: qload PORT send|batch|drain|wake|peek|fill "
                        "...\n");
        return 2;
    }
    port = atoi(argv[1]); /* NOLINT: a bench tool's argv */
    if (getenv("QLOAD_QUEUE"))
        qname = getenv("QLOAD_QUEUE");
    mode = argv[2];
    ensure_queue();
    if (strcmp(mode, "send") == 0 || strcmp(mode, "batch") == 0 ||
        strcmp(mode, "drain") == 0) {
        int n = argc > 3 ? atoi(argv[3]) : 1; /* NOLINT */
        double secs = argc > 4 ? atof(argv[4]) : 5, t0, t1;
        struct worker *ws = calloc((size_t)n, sizeof(*ws));
        int drain = strcmp(mode, "drain") == 0;

        t0 = now_ms();
        for (int i = 0; i < n; i++) {
            ws[i].mode = mode;
            ws[i].until = t0 + secs * 1000;
            ws[i].size = argc > 5 ? (size_t)atoi(argv[5]) : 256; /* NOLINT */
            pthread_create(&ws[i].t, NULL, drain ? worker_drain : worker_send,
                           &ws[i]);
        }
        for (int i = 0; i < n; i++)
            pthread_join(ws[i].t, NULL);
        t1 = now_ms();
        report_workers(mode, ws, n, (t1 - t0) / 1000);
        free(ws);
    } else if (strcmp(mode, "fill") == 0) {
        long count = argc > 3 ? atol(argv[3]) : 100000; /* NOLINT */
        struct worker w;
        double t0 = now_ms();

        memset(&w, 0, sizeof(w));
        w.mode = "batch";
        w.size = argc > 4 ? (size_t)atoi(argv[4]) : 256; /* NOLINT */
        /* batches until count: run the batch worker with a message budget */
        {
            struct conn *c = malloc(sizeof(*c));
            char *msg = make_body(w.size);
            size_t cap = 16 * (w.size + 64) + 64, off = 0;
            char *req = malloc(cap);

            off += (size_t)snprintf(req + off, cap - off, "{\"entries\":[");
            for (int i = 0; i < 16; i++)
                off += (size_t)snprintf(req + off, cap - off,
                                        "%s{\"id\":\"e%d\",\"body\":\"%s\"}",
                                        i ? "," : "", i, msg);
            snprintf(req + off, cap - off, "]}");
            conn_open(c);
            for (long sent = 0; sent < count; sent += 16)
                conn_request(c, "POST", qp("/messages/batch"), req,
                             NULL);
            close(c->fd);
            free(c);
            free(msg);
            free(req);
        }
        printf("{\"mode\":\"fill\",\"messages\":%ld,\"seconds\":%.3f}\n",
               count, (now_ms() - t0) / 1000);
    } else if (strcmp(mode, "wake") == 0) {
        int rounds = argc > 3 ? atoi(argv[3]) : 200; /* NOLINT */
        double *lat = calloc((size_t)rounds, sizeof(double));
        struct conn *c = malloc(sizeof(*c));

        conn_open(c);
        for (int i = 0; i < rounds; i++) {
            pthread_t t;
            double sent_at = 0, got;
            char *body;
            json_t *j, *m;
            char *req;

            pthread_create(&t, NULL, wake_sender, &sent_at);
            conn_request(c, "POST", qp("/receive"),
                         "{\"wait_seconds\":5}", &body);
            got = now_ms();
            pthread_join(t, NULL);
            lat[i] = got - sent_at;
            j = json_loads(body, 0, NULL);
            m = json_array_get(json_object_get(j, "messages"), 0);
            req = NULL;
            if (m) {
                json_t *d = json_pack("{s:O}", "receipt",
                                      json_object_get(m, "receipt"));

                req = json_dumps(d, JSON_COMPACT);
                json_decref(d);
            }
            json_decref(j);
            if (req) {
                conn_request(c, "POST", qp("/delete"), req, NULL);
                free(req);
            }
        }
        qsort(lat, (size_t)rounds, sizeof(double), cmp_double);
        printf("{\"mode\":\"wake\",\"rounds\":%d,\"p50_ms\":%.3f,"
               "\"p99_ms\":%.3f}\n",
               rounds, pct(lat, rounds, 0.5), pct(lat, rounds, 0.99));
        free(lat);
        close(c->fd);
        free(c);
    } else if (strcmp(mode, "peek") == 0) {
        int rounds = argc > 3 ? atoi(argv[3]) : 200; /* NOLINT */
        double *first = calloc((size_t)rounds, sizeof(double));
        double *deep = calloc((size_t)rounds, sizeof(double));
        struct conn *c = malloc(sizeof(*c));

        conn_open(c);
        for (int i = 0; i < rounds; i++) {
            double t0 = now_ms();

            conn_request(c, "GET", qp("/messages?limit=50"), NULL,
                         NULL);
            first[i] = now_ms() - t0;
            t0 = now_ms();
            conn_request(c, "GET",
                         qp("/messages?limit=50&cursor=90000"),
                         NULL, NULL);
            deep[i] = now_ms() - t0;
        }
        qsort(first, (size_t)rounds, sizeof(double), cmp_double);
        qsort(deep, (size_t)rounds, sizeof(double), cmp_double);
        printf("{\"mode\":\"peek\",\"rounds\":%d,\"first_p50_ms\":%.3f,"
               "\"first_p99_ms\":%.3f,\"deep_p50_ms\":%.3f,"
               "\"deep_p99_ms\":%.3f}\n",
               rounds, pct(first, rounds, 0.5), pct(first, rounds, 0.99),
               pct(deep, rounds, 0.5), pct(deep, rounds, 0.99));
        free(first);
        free(deep);
        close(c->fd);
        free(c);
    } else {
        fprintf(stderr, "qload: unknown mode '%s'\n", mode);
        return 2;
    }
    return 0;
}
