/*
 * engine: start-up, the loop, and shutdown. Runs on the main thread; it
 * is the only thread that touches the store, the clock or the scheduler.
 */
#include "core/engine.h"

#include "common/digest.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/eclock.h"
#include "core/journal.h"
#include "core/sched.h"
#include "core/snapshot.h"
#include "http/http.h"
#include "http/router.h"
#include "flow/exec.h"
#include "flow/flow_defs.h"
#include "fn/fn.h"
#include "queue/queue.h"
#include "store/store.h"
#include "tmpl/tmpl.h"
#include "tmpl/tmpl_repo.h"
#include "topic/topic.h"
#include "topic/topic_sns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define ENGINE_DRAIN_MS 5000
#define ENGINE_TIMERS_PER_TURN 1024
/* after a failed commit (a full disk), background work waits this long
 * before it tries again; requests still try each on its own */
#define ENGINE_RETRY_MS 1000

enum { EV_HTTP = 1, EV_TIMER, EV_SIGNAL };

struct engine_watch {
    struct engine *eng;
    int fd;
    int dead;
    engine_watch_fn fn;
    void *arg;
    struct engine_watch *next; /* on eng->watch_dead */
};

struct engine_hook {
    engine_next_fn next;
    engine_run_fn run;
    void *arg;
    struct engine_hook *link;
};

/* ---- the data dir ---- */

static int
engine_mkdirs(const char *dir)
{
    char *p = xstrdup(dir);
    int rc = 0;

    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            rc = err_set(ENG_EREADONLY, "cannot create %s: %s", p,
                         strerror(errno));
            break;
        }
        *s = '/';
    }
    if (rc == 0 && mkdir(p, 0700) != 0 && errno != EEXIST)
        rc = err_set(ENG_EREADONLY, "cannot create data dir %s: %s", p,
                     strerror(errno));
    free(p);
    return rc;
}

/*
 * Returns: 1 when the engine cannot write the data dir or its database
 * (a read-only file system, permissions): it then serves read-only.
 */
static int
engine_dir_read_only(const char *dir)
{
    char *db = xasprintf("%s/flowdeck.db", dir);
    int ro = access(dir, W_OK) != 0 &&
             (errno == EACCES || errno == EROFS || errno == EPERM);

    if (!ro && access(db, W_OK) != 0 && errno != ENOENT)
        ro = 1;
    free(db);
    return ro;
}

/*
 * Read-only, the lock is the last engine's pid file when there is one (a
 * writing engine on this data dir holds it), else the data dir itself.
 */
static int
engine_lock_read_only(struct engine *eng, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        fd = open(eng->data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_set(ENG_EREADONLY, "cannot open %s: %s", eng->data_dir,
                       strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return err_set(ENG_EBUSY, "data dir %s is in use by another flowdeckd",
                       eng->data_dir);
    }
    eng->lock_fd = fd;
    return 0;
}

/* Take the data dir's lock: flowdeckd.pid, locked while we live. */
static int
engine_lock(struct engine *eng)
{
    char *path = xasprintf("%s/flowdeckd.pid", eng->data_dir);
    char pid[32] = "";
    int fd, rc = 0;

    if (eng->read_only) {
        rc = engine_lock_read_only(eng, path);
        goto out;
    }
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = err_set(ENG_EREADONLY, "cannot open %s: %s", path,
                     strerror(errno));
        goto out;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ssize_t n = read(fd, pid, sizeof(pid) - 1);

        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        rc = err_set(ENG_EBUSY,
                     "data dir %s is in use by another flowdeckd (pid %s)",
                     eng->data_dir, *pid ? pid : "unknown");
        close(fd);
        goto out;
    }
    snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 ||
        pwrite(fd, pid, strlen(pid), 0) != (ssize_t)strlen(pid)) {
        rc = err_set(ENG_EREADONLY, "cannot write %s: %s", path,
                     strerror(errno));
        close(fd);
        goto out;
    }
    eng->lock_fd = fd;
out:
    free(path);
    return rc;
}

/* ---- the listen socket ---- */

int
engine_parse_listen(char *host, size_t hostlen, char *port, size_t portlen,
                    const char *listen)
{
    const char *colon = strrchr(listen, ':');
    const char *h = listen, *hend;
    char *end;
    long p;

    if (colon == NULL)
        goto bad;
    hend = colon;
    if (*h == '[') {
        h++;
        if (hend == h || hend[-1] != ']')
            goto bad;
        hend--;
    }
    p = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || p < 0 || p > 65535)
        goto bad;
    if ((size_t)(hend - h) >= hostlen)
        goto bad;
    if (hend == h)
        snprintf(host, hostlen, "127.0.0.1");
    else
        snprintf(host, hostlen, "%.*s", (int)(hend - h), h);
    snprintf(port, portlen, "%ld", p);
    return 0;
bad:
    return err_set(ENG_EINVAL,
                   "listen address '%s' is not HOST:PORT (like "
                   "127.0.0.1:9460 or [::1]:9460)",
                   listen);
}

static int
engine_is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return 0;
}

static int
engine_bind(struct engine *eng, const char *listen_addr, int *out_fd)
{
    char host[256], port[16], name[INET6_ADDRSTRLEN];
    struct addrinfo hints, *ai = NULL;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int fd = -1, one = 1, rc, gai;

    *out_fd = -1;
    if ((rc = engine_parse_listen(host, sizeof(host), port, sizeof(port),
                                  listen_addr)))
        return rc;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
    if ((gai = getaddrinfo(host, port, &hints, &ai)) != 0)
        return err_set(ENG_EINVAL, "cannot resolve listen host '%s': %s",
                       host, gai_strerror(gai));
    if (!engine_is_loopback(ai->ai_addr) && eng->auth_token == NULL) {
        rc = err_set(ENG_EAUTH,
                     "refusing to listen on %s, which is not a loopback "
                     "address, without an API token: set --auth-token or "
                     "FLOWDECK_AUTH_TOKEN",
                     listen_addr);
        goto out;
    }
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                0);
    if (fd < 0) {
        rc = err_set(ENG_ERR, "socket: %s", strerror(errno));
        goto out;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        rc = errno == EADDRINUSE
                 ? err_set(ENG_EBUSY,
                           "cannot listen on %s: address already in use "
                           "(another program holds the port)",
                           listen_addr)
                 : err_set(ENG_ERR, "cannot listen on %s: %s", listen_addr,
                           strerror(errno));
        goto out;
    }
    if (listen(fd, 511) != 0) {
        rc = err_set(ENG_ERR, "cannot listen on %s: %s", listen_addr,
                     strerror(errno));
        goto out;
    }
    memset(&ss, 0, sizeof(ss)); /* the analyzer does not see it filled */
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        rc = err_set(ENG_ERR, "cannot read the address of %s: %s",
                     listen_addr, strerror(errno));
        goto out;
    }
    if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

        inet_ntop(AF_INET6, &in6->sin6_addr, name, sizeof(name));
        eng->listen = xasprintf("[%s]:%u", name, ntohs(in6->sin6_port));
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;

        inet_ntop(AF_INET, &in->sin_addr, name, sizeof(name));
        eng->listen = xasprintf("%s:%u", name, ntohs(in->sin_port));
    }
    *out_fd = fd;
    fd = -1;
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    freeaddrinfo(ai);
    return rc;
}

/* ---- timers of the engine's own ---- */

/* "note": journals a note when due; for demos and tests of the clock */
static int
engine_fire_note(const struct sched_timer *t, void *arg)
{
    struct engine *eng = arg;
    json_t *payload = t->payload ? json_loads(t->payload, 0, NULL) : NULL;
    json_t *detail = json_pack("{s:I, s:o, s:o}", "timer", (json_int_t)t->id,
                               "due", jsonx_time(t->due_ms), "payload",
                               payload ? payload : json_null());
    char idbuf[32];
    int rc;

    snprintf(idbuf, sizeof(idbuf), "%lld", (long long)t->id);
    rc = engine_journal(eng, "timer", *t->ref ? t->ref : idbuf, "note",
                        detail);
    json_decref(detail);
    return rc;
}

/* ---- start and stop ---- */

static int
engine_epoll_add(struct engine *eng, int fd, uint32_t tag)
{
    struct epoll_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.u64 = tag;
    if (epoll_ctl(eng->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        return err_set(ENG_ERR, "epoll: %s", strerror(errno));
    return 0;
}

/* ---- watches and hooks ---- */

int
engine_watch_add(struct engine_watch **out, struct engine *eng, int fd,
                 uint32_t events, engine_watch_fn fn, void *arg)
{
    struct engine_watch *w = xcalloc(1, sizeof(*w));
    struct epoll_event ev;

    w->eng = eng;
    w->fd = fd;
    w->fn = fn;
    w->arg = arg;
    memset(&ev, 0, sizeof(ev));
    ev.events = events;
    ev.data.ptr = w;
    if (epoll_ctl(eng->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        free(w);
        *out = NULL;
        return err_set(ENG_ERR, "epoll: %s", strerror(errno));
    }
    *out = w;
    return 0;
}

int
engine_watch_mod(struct engine_watch *w, uint32_t events)
{
    struct epoll_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.events = events;
    ev.data.ptr = w;
    if (epoll_ctl(w->eng->epfd, EPOLL_CTL_MOD, w->fd, &ev) != 0)
        return err_set(ENG_ERR, "epoll: %s", strerror(errno));
    return 0;
}

void
engine_watch_del(struct engine_watch *w)
{
    if (w == NULL || w->dead)
        return;
    epoll_ctl(w->eng->epfd, EPOLL_CTL_DEL, w->fd, NULL);
    w->dead = 1; /* an event of this turn may still name it */
    w->next = w->eng->watch_dead;
    w->eng->watch_dead = w;
}

static void
engine_watch_reap(struct engine *eng)
{
    while (eng->watch_dead) {
        struct engine_watch *w = eng->watch_dead;

        eng->watch_dead = w->next;
        free(w);
    }
}

void
engine_hooks_clear(struct engine *eng)
{
    while (eng->hooks) {
        struct engine_hook *h = eng->hooks;

        eng->hooks = h->link;
        free(h);
    }
}

void
engine_hook_add(struct engine *eng, engine_next_fn next, engine_run_fn run,
                void *arg)
{
    struct engine_hook *h = xcalloc(1, sizeof(*h)), **pp;

    h->next = next;
    h->run = run;
    h->arg = arg;
    for (pp = &eng->hooks; *pp; pp = &(*pp)->link)
        ;
    *pp = h;
}

static int
engine_signals(struct engine *eng)
{
    sigset_t set;

    signal(SIGPIPE, SIG_IGN);
    /* a file size limit (ulimit -f) fails the write with EFBIG, refused
     * as a full disk, instead of killing the engine */
    signal(SIGXFSZ, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    eng->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (eng->signal_fd < 0)
        return err_set(ENG_ERR, "signalfd: %s", strerror(errno));
    return engine_epoll_add(eng, eng->signal_fd, EV_SIGNAL);
}

int
engine_start(struct engine **out, const struct engine_config *cfg)
{
    struct engine *eng = xcalloc(1, sizeof(*eng));
    struct http_server_config hc;
    char *db_path = NULL;
    int listen_fd = -1, rc;

    *out = NULL;
    eng->lock_fd = eng->epfd = eng->timer_fd = eng->signal_fd = -1;
    eng->armed_at = -2;
    eng->data_dir = xstrdup(cfg->data_dir);
    eng->auth_token = cfg->auth_token && *cfg->auth_token
                          ? xstrdup(cfg->auth_token)
                          : NULL;
    eng->started_ms = timefmt_real_now_ms();
    eng->started_mono = timefmt_mono_ms();
    clock_init(&eng->clock);

    /* first: a bad key table is refused before the data dir is touched */
    if ((rc = compat_create(&eng->compat, eng, &cfg->compat)) ||
        (rc = engine_mkdirs(eng->data_dir)))
        goto out;
    eng->read_only = engine_dir_read_only(eng->data_dir);
    if ((rc = engine_lock(eng)))
        goto out;
    eng->log_path = xasprintf("%s/engine.log", eng->data_dir);
    if ((rc = log_open(eng->log_path, cfg->log_level, cfg->foreground)) &&
        (!eng->read_only ||
         (rc = log_open(NULL, cfg->log_level, cfg->foreground))))
        goto out;
    db_path = xasprintf("%s/flowdeck.db", eng->data_dir);
    if ((rc = eng->read_only ? store_open_read_only(&eng->store, db_path)
                             : store_open_exclusive(&eng->store, db_path)))
        goto out;
    if (eng->read_only)
        log_warn("the data dir %s cannot be written: serving it read-only, "
                 "every write is refused",
                 eng->data_dir);
    if ((rc = eclock_load(&eng->clock, eng->store)))
        goto out;
    eng->sched = sched_create(eng->store, &eng->clock);
    sched_register(eng->sched, "note", engine_fire_note, eng);
    eng->queues = queue_service_create(eng);
    if ((rc = queue_service_load(eng->queues)))
        goto out;
    if ((rc = topic_service_create(&eng->topics, eng)))
        goto out;
    topic_service_names(eng->topics, cfg->compat.aws_region,
                        cfg->compat.aws_account, cfg->compat.ali_account);
    {
        char *git = xasprintf("%s/flows.git", eng->data_dir);

        rc = flow_defs_create(&eng->flows, eng, git);
        free(git);
        if (rc)
            goto out;
    }
    eng->execs = exec_service_create(eng);
    eng->fns = fn_service_create(eng);
    if ((rc = tmpl_repos_create(&eng->repos, eng)) ||
        (rc = tmpl_service_create(&eng->tmpl, eng, cfg->templates)))
        goto out;

    if ((rc = engine_bind(eng, cfg->listen ? cfg->listen
                                           : ENGINE_DEFAULT_LISTEN,
                          &listen_fd)))
        goto out;
    eng->epfd = epoll_create1(EPOLL_CLOEXEC);
    eng->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (eng->epfd < 0 || eng->timer_fd < 0) {
        rc = err_set(ENG_ERR, "epoll/timerfd: %s", strerror(errno));
        goto out;
    }
    memset(&hc, 0, sizeof(hc));
    hc.listen_fd = listen_fd;
    hc.body_max = cfg->body_max ? cfg->body_max : ENGINE_BODY_MAX;
    hc.timeout_sec = cfg->conn_timeout ? cfg->conn_timeout
                                       : ENGINE_CONN_TIMEOUT;
    hc.max_conns = cfg->max_conns ? cfg->max_conns : ENGINE_MAX_CONNS;
    /* on one CPU the client could not run while the engine polls */
    if (cfg->busy_poll_us >= 0 && sysconf(_SC_NPROCESSORS_ONLN) > 1)
        eng->busy_poll_ns = (int64_t)(cfg->busy_poll_us ? cfg->busy_poll_us
                                                        : ENGINE_BUSY_POLL_US) *
                            1000;
    hc.eng = eng;
    hc.dispatch = router_dispatch;
    hc.arg = eng->auth_token;
    if ((rc = http_server_start(&eng->http, &hc)))
        goto out;
    listen_fd = -1; /* the server owns it now */
    if ((rc = engine_epoll_add(eng, http_server_fd(eng->http), EV_HTTP)) ||
        (rc = engine_epoll_add(eng, eng->timer_fd, EV_TIMER)) ||
        (rc = engine_signals(eng)))
        goto out;
    store_set_batching(eng->store, 1);
    log_fields(LOGL_INFO,
               json_pack("{s:s, s:s, s:i, s:i}", "listen", eng->listen,
                         "data_dir", eng->data_dir, "pid", (int)getpid(),
                         "schema", store_version(eng->store)),
               "flowdeckd %s started", FLOWDECK_VERSION);
out:
    free(db_path);
    if (listen_fd >= 0)
        close(listen_fd);
    if (rc) {
        engine_free(eng);
        return rc;
    }
    *out = eng;
    return 0;
}

void
engine_free(struct engine *eng)
{
    if (eng == NULL)
        return;
    if (eng->queues)
        queue_service_shutdown(eng->queues);
    fn_service_free(eng->fns); /* kills children, drops its watches */
    tmpl_repos_free(eng->repos); /* cancels clones and fetches */
    tmpl_service_free(eng->tmpl);
    exec_service_free(eng->execs);
    http_server_free(eng->http);
    compat_free(eng->compat); /* after the server: parked calls are gone */
    topic_service_free(eng->topics); /* aborts pushes, drops its watches */
    queue_service_free(eng->queues);
    flow_defs_free(eng->flows);
    if (eng->store) {
        store_set_batching(eng->store, 0);
        store_free(eng->store);
    }
    sched_free(eng->sched);
    engine_watch_reap(eng);
    engine_hooks_clear(eng);
    if (eng->epfd >= 0)
        close(eng->epfd);
    if (eng->timer_fd >= 0)
        close(eng->timer_fd);
    if (eng->signal_fd >= 0)
        close(eng->signal_fd);
    if (eng->lock_fd >= 0) {
        char *pid = xasprintf("%s/flowdeckd.pid", eng->data_dir);

        if (!eng->read_only)
            unlink(pid); /* while still holding the lock */
        free(pid);
        close(eng->lock_fd);
    }
    free(eng->data_dir);
    free(eng->listen);
    free(eng->auth_token);
    free(eng->log_path);
    free(eng);
}

/* ---- the loop ---- */

void
engine_request_stop(struct engine *eng)
{
    eng->stop = 1;
}

int
engine_stopping(const struct engine *eng)
{
    return eng->stop;
}

int64_t
engine_now(const struct engine *eng)
{
    return clock_now(&eng->clock);
}

int
engine_write_begin(struct engine *eng)
{
    return store_write_begin(eng->store);
}

int
engine_write_end(struct engine *eng, int ok)
{
    return store_write_end(eng->store, ok);
}

int
engine_journal(struct engine *eng, const char *kind, const char *entity,
               const char *type, const json_t *detail)
{
    return journal_append(eng->store, engine_now(eng), kind, entity, type,
                          detail);
}

int
engine_journal_text(struct engine *eng, const char *kind, const char *entity,
                    const char *type, char *detail)
{
    int rc = journal_append_text(eng->store, engine_now(eng), kind, entity,
                                 type, detail);

    free(detail);
    return rc;
}

int
engine_commit(struct engine *eng)
{
    int rc = store_batch_commit(eng->store);
    char msg[512];
    const char *name;

    if (rc) {
        /* the reload may set messages of its own: the requests of this
         * turn are answered with the commit's */
        snprintf(msg, sizeof(msg), "%s", err_last());
        name = err_last_name();
        log_error("commit failed, this turn's changes are undone: %s", msg);
        engine_reload(eng);
        eng->retry_at = timefmt_mono_ms() + ENGINE_RETRY_MS;
        err_setn(rc, name, "%s", msg);
    }
    http_server_release(eng->http, rc);
    return rc;
}

int
engine_reload(struct engine *eng)
{
    int rc = eclock_load(&eng->clock, eng->store);

    sched_invalidate(eng->sched);
    exec_service_reload(eng->execs);
    if (rc == 0 && eng->topics)
        rc = topic_service_reload(eng->topics);
    if (rc == 0)
        rc = queue_service_load(eng->queues);
    if (rc == 0)
        rc = tmpl_repos_reload(eng->repos);
    if (rc == 0 && eng->fns)
        rc = fn_service_reload(eng->fns);
    return rc;
}

int
engine_clock_changed(struct engine *eng)
{
    sched_invalidate(eng->sched);
    return eclock_save(&eng->clock, eng->store);
}

/* Real ms until engine time `due` (-1: never, the clock is paused). */
static int64_t
engine_delay_to(struct engine *eng, int64_t due)
{
    return due == INT64_MAX ? -1 : clock_real_delay(&eng->clock, due);
}

/* Arm the timerfd for the next deadline of any service, in real time. */
static void
engine_arm(struct engine *eng)
{
    struct itimerspec its;
    int64_t due, delay = -1, d, wait;

    memset(&its, 0, sizeof(its));
    if (eng->read_only) {
        /* nothing in the background runs: the timer stays disarmed */
        if (eng->armed_at != -1) {
            eng->armed_at = -1;
            timerfd_settime(eng->timer_fd, 0, &its, NULL);
        }
        return;
    }
    if (sched_next_due(eng->sched, &due))
        delay = engine_delay_to(eng, due);
    d = engine_delay_to(eng, queue_service_next_due(eng->queues));
    if (d >= 0 && (delay < 0 || d < delay))
        delay = d;
    wait = queue_service_next_wait(eng->queues);
    for (struct engine_hook *h = eng->hooks; h; h = h->link) {
        int64_t t = h->next ? h->next(h->arg) : INT64_MAX;

        if (t < wait)
            wait = t;
    }
    if (wait != INT64_MAX) {
        d = wait - timefmt_mono_ms();
        if (d < 0)
            d = 0;
        if (delay < 0 || d < delay)
            delay = d;
    }
    if (delay >= 0 && eng->retry_at) {
        /* a commit failed: background work waits for the retry time */
        d = eng->retry_at - timefmt_mono_ms();
        if (d > delay)
            delay = d;
    }
    {
        int64_t at = delay < 0 ? -1 : timefmt_mono_ms() + delay;

        /* armed for (about) this instant already: ms rounding of two
         * clocks must not cost a system call per turn */
        if (at == eng->armed_at ||
            (at >= 0 && eng->armed_at >= 0 && at - eng->armed_at <= 2 &&
             at - eng->armed_at >= -2))
            return;
        eng->armed_at = at;
    }
    if (delay >= 0) {
        /* a zero it_value disarms: make "now" one nanosecond */
        its.it_value.tv_sec = delay / 1000;
        its.it_value.tv_nsec = (delay % 1000) * 1000000 + (delay ? 0 : 1);
    }
    timerfd_settime(eng->timer_fd, 0, &its, NULL);
}

static void
engine_on_signal(struct engine *eng)
{
    struct signalfd_siginfo si;

    while (read(eng->signal_fd, &si, sizeof(si)) == sizeof(si)) {
        if (si.ssi_signo == SIGHUP)
            continue;
        log_info("signal %u: stopping", si.ssi_signo);
        engine_request_stop(eng);
    }
}

static int
engine_poll_timeout(struct engine *eng)
{
    int64_t t = http_server_timeout(eng->http);

    if (eng->stop)
        return 50;
    if (t < 0 || t > 60000)
        return 60000;
    return (int)t;
}

/*
 * Before the loop blocks: after a turn that served a lone client (its last
 * requests all came over one connection), poll the loop's fds for a while
 * instead. That client's next request is most likely a round trip away;
 * caught awake, it spares the engine a sleep and a wake-up, which on a
 * virtual machine whose idle CPU halts is a good part of a round trip.
 * Many clients are not polled for: their requests pile up while the engine
 * sleeps and share a commit. Returns: events caught, or 0 (block).
 */
static int
engine_busy_poll(struct engine *eng, struct epoll_event *evs, int max)
{
    unsigned seen = http_server_dispatched(eng->http);
    int64_t end;
    int n;

    if (eng->busy_poll_ns == 0 || seen == eng->busy_seen ||
        !http_server_lone(eng->http))
        return 0;
    eng->busy_seen = seen;
    eng->busy_polls++;
    end = timefmt_mono_ns() + eng->busy_poll_ns;
    do {
        n = epoll_wait(eng->epfd, evs, max, 0);
        if (n > 0) {
            eng->busy_caught++;
            return n;
        }
    } while (n == 0 && timefmt_mono_ns() < end);
    return 0;
}

int
engine_run(struct engine *eng)
{
    struct epoll_event evs[16];
    uint64_t ticks;

    engine_arm(eng);
    for (;;) {
        int timeout = engine_poll_timeout(eng);
        int n = timeout ? engine_busy_poll(eng, evs, 16) : 0;
        int served = 0;

        if (n == 0)
            n = epoll_wait(eng->epfd, evs, 16, timeout);
        if (n < 0 && errno != EINTR) {
            log_error("epoll_wait: %s", strerror(errno));
            break;
        }
        for (int i = 0; i < n; i++) {
            if (evs[i].data.u64 > EV_SIGNAL) {
                struct engine_watch *w = evs[i].data.ptr;

                if (!w->dead)
                    w->fn(w->fd, evs[i].events, w->arg);
                continue;
            }
            switch (evs[i].data.u64) {
            case EV_HTTP:
                http_server_run(eng->http);
                served = 1;
                break;
            case EV_TIMER:
                if (read(eng->timer_fd, &ticks, sizeof(ticks)) < 0)
                    (void)0; /* EAGAIN: nothing to drain */
                eng->armed_at = -2; /* fired: arm anew */
                break;
            case EV_SIGNAL:
                engine_on_signal(eng);
                break;
            }
        }
        if (!served)
            http_server_run(eng->http); /* connection timeouts */
        engine_watch_reap(eng);
        if (eng->retry_at && timefmt_mono_ms() >= eng->retry_at)
            eng->retry_at = 0;
        /* read-only, every change is refused: timers and background
         * work wait for a start on a writable data dir */
        if (eng->retry_at == 0 && !eng->read_only) {
            sched_run_due(eng->sched, ENGINE_TIMERS_PER_TURN);
            queue_service_run(eng->queues);
            for (struct engine_hook *h = eng->hooks; h; h = h->link)
                if (h->run)
                    h->run(h->arg);
        }
        engine_commit(eng);
        if (http_server_woke(eng->http))
            http_server_run(eng->http); /* answer what the commit released */
        if (eng->stop) {
            if (!eng->quiesced) {
                eng->quiesced = 1;
                queue_service_shutdown(eng->queues);
                exec_service_shutdown(eng->execs);
                engine_commit(eng);
                eng->stop_deadline = timefmt_mono_ms() + ENGINE_DRAIN_MS;
                http_server_quiesce(eng->http);
            }
            if (http_server_active(eng->http) == 0 ||
                timefmt_mono_ms() > eng->stop_deadline)
                break;
        }
        engine_arm(eng);
    }
    engine_commit(eng);
    log_info("flowdeckd stopped");
    return 0;
}

json_t *
engine_info(struct engine *eng)
{
    int64_t now = timefmt_real_now_ms();

    json_t *qc = queue_service_counts(eng->queues);
    json_t *info = json_pack(
        "{s:s, s:s, s:i, s:o, s:I, s:s, s:s, s:b, s:o, s:{s:I, s:I, s:I}}",
        "name", "flowdeck", "version", FLOWDECK_VERSION, "pid",
        (int)getpid(), "started", jsonx_time(eng->started_ms), "uptime_ms",
        (json_int_t)(now - eng->started_ms), "listen", eng->listen,
        "data_dir", eng->data_dir, "auth", eng->auth_token != NULL, "clock",
        eclock_to_json(&eng->clock), "counts", "timers",
        (json_int_t)store_count(eng->store, "timers"), "journal",
        (json_int_t)journal_count(eng->store), "snapshots",
        (json_int_t)snapshot_count(eng));

    json_object_set_new(json_object_get(info, "counts"), "flows",
                        json_integer(store_count(eng->store, "flows")));
    json_object_set(json_object_get(info, "counts"), "queues",
                    json_object_get(qc, "queues"));
    json_object_set(json_object_get(info, "counts"), "messages",
                    json_object_get(qc, "messages"));
    json_object_set_new(info, "queues", qc);
    json_object_set_new(info, "executions", exec_service_counts(eng->execs));
    json_object_set_new(info, "topics", topic_service_counts(eng->topics));
    json_object_set_new(info, "functions", fn_service_counts(eng->fns));
    json_object_set_new(
        info, "busy_poll",
        json_pack("{s:I, s:I, s:I}", "us",
                  (json_int_t)(eng->busy_poll_ns / 1000), "polls",
                  (json_int_t)eng->busy_polls, "caught",
                  (json_int_t)eng->busy_caught));
    return info;
}
