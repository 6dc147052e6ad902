/*
 * fn_run: runs invocations without blocking the engine. A command is a
 * child process made with posix_spawnp (an argv, never a shell), in its
 * own process group: its stdin, stdout and stderr are non-blocking pipes
 * and its pidfd tells the loop when it exited; it is reaped with
 * waitpid(WNOHANG). An HTTP function is a POST through one libcurl multi
 * handle whose sockets and timer are the engine loop's.
 * Engine thread only.
 */
#include "fn/fn_int.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define FN_READ_CHUNK 65536
#define FN_NO_EXIT (-1000) /* fn_finish: no exit status */

extern char **environ;

/* ---- output ---- */

static void
fn_run_err_append(struct fn_inv *inv, const char *p, size_t n)
{
    if (inv->err == NULL)
        inv->err = xmalloc(FN_LOG_MAX);
    if (n >= FN_LOG_MAX) {
        memcpy(inv->err, p + n - FN_LOG_MAX, FN_LOG_MAX);
        inv->err_len = FN_LOG_MAX;
        inv->err_cut = 1;
        return;
    }
    if (inv->err_len + n > FN_LOG_MAX) {
        size_t drop = inv->err_len + n - FN_LOG_MAX;

        memmove(inv->err, inv->err + drop, inv->err_len - drop);
        inv->err_len -= drop;
        inv->err_cut = 1;
    }
    memcpy(inv->err + inv->err_len, p, n);
    inv->err_len += n;
}

static void
fn_run_close(int *fd, struct engine_watch **w)
{
    engine_watch_del(*w);
    *w = NULL;
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Read what fd has now. Returns: 1 at EOF or error, else 0. */
static int
fn_run_drain(struct fn_inv *inv, int fd, int is_err)
{
    char chunk[FN_READ_CHUNK];

    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n > 0) {
            if (is_err) {
                fn_run_err_append(inv, chunk, (size_t)n);
            } else if (!inv->out_flood &&
                       buf_append(&inv->out, chunk, (size_t)n) != 0) {
                inv->out_flood = 1;
                fn_run_kill(inv);
            }
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        return 1;
    }
}

static void
fn_run_on_out(int fd, uint32_t events, void *arg)
{
    struct fn_inv *inv = arg;

    (void)events;
    if (fn_run_drain(inv, fd, 0))
        fn_run_close(&inv->out_fd, &inv->w_out);
}

static void
fn_run_on_err(int fd, uint32_t events, void *arg)
{
    struct fn_inv *inv = arg;

    (void)events;
    if (fn_run_drain(inv, fd, 1))
        fn_run_close(&inv->err_fd, &inv->w_err);
}

static void
fn_run_on_in(int fd, uint32_t events, void *arg)
{
    struct fn_inv *inv = arg;

    while (inv->in_off < inv->in_len) {
        ssize_t n = write(fd, inv->in_data + inv->in_off,
                          inv->in_len - inv->in_off);

        if (n > 0) {
            inv->in_off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
            !(events & (EPOLLERR | EPOLLHUP)))
            return;
        break; /* EPIPE: the child does not read its input */
    }
    fn_run_close(&inv->in_fd, &inv->w_in);
}

/* The last line(s) of the log, for a cause. Returns: new string. */
static char *
fn_run_log_tail(const struct fn_inv *inv)
{
    size_t end = inv->err_len, start;

    while (end > 0 && (inv->err[end - 1] == '\n' || inv->err[end - 1] == ' '))
        end--;
    start = end > 512 ? end - 512 : 0;
    while (start > 0 && start < end &&
           ((unsigned char)inv->err[start] >> 6) == 2)
        start++;
    return xstrndup(inv->err + start, end - start);
}

/* Parse what a function answered. Returns: 0 and *out (new, maybe
 * json null), or -1 with a cause in *why (new). */
static int
fn_run_parse(json_t **out, char **why, const struct buf *b)
{
    json_error_t jerr;
    size_t i;

    *out = NULL;
    *why = NULL;
    for (i = 0; i < b->len; i++)
        if (!strchr(" \t\r\n", b->data[i]))
            break;
    if (i == b->len) {
        *out = json_null();
        return 0;
    }
    *out = json_loadb(b->data, b->len, JSON_DECODE_ANY, &jerr);
    if (*out)
        return 0;
    {
        size_t n = b->len > 200 ? 200 : b->len;

        while (n > 0 && strchr(" \t\r\n", b->data[n - 1]))
            n--;
        *why = xasprintf("the function's output is not JSON (line %d, "
                         "column %d: %s): %.*s",
                         jerr.line, jerr.column, jerr.text, (int)n, b->data);
    }
    for (char *p = *why; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x80)
            *p = '?';
    return -1;
}

/* The child exited (reaped with `status`): finish the invocation. */
static void
fn_run_exited(struct fn_inv *inv, int status)
{
    json_t *result = NULL;
    char *why = NULL, *tail = NULL, *cause = NULL;
    int code = WIFEXITED(status) ? WEXITSTATUS(status)
                                 : -(int)WTERMSIG(status);

    if (inv->out_fd >= 0)
        fn_run_drain(inv, inv->out_fd, 0);
    if (inv->err_fd >= 0)
        fn_run_drain(inv, inv->err_fd, 1);
    tail = inv->err_len ? fn_run_log_tail(inv) : xstrdup("");
    if (inv->timed_out) {
        cause = xasprintf(
            "killed after %lld s, its timeout",
            (long long)json_integer_value(
                json_object_get(inv->spec, "timeout_seconds")));
        fn_finish(inv, "timed_out", NULL, "FunctionTimeout", cause, code);
    } else if (inv->out_flood) {
        cause = xasprintf("the function wrote more than %d bytes to stdout; "
                          "it was killed",
                          FN_OUT_MAX);
        fn_finish(inv, "failed", NULL, "OutputTooLarge", cause, code);
    } else if (WIFSIGNALED(status)) {
        cause = xasprintf("killed by signal %d%s%s", WTERMSIG(status),
                          *tail ? ": " : "", tail);
        fn_finish(inv, "failed", NULL, "FunctionError", cause, code);
    } else if (code != 0) {
        /* an error answer ({"errorType", "errorMessage"}) is kept */
        if (fn_run_parse(&result, &why, &inv->out) != 0 ||
            !json_is_object(result)) {
            json_decref(result);
            result = NULL;
        }
        cause = xasprintf("exit status %d%s%s", code, *tail ? ": " : "",
                          tail);
        fn_finish(inv, "failed", result, "FunctionError", cause, code);
    } else if (fn_run_parse(&result, &why, &inv->out) != 0) {
        fn_finish(inv, "failed", NULL, "InvalidResponse", why, code);
    } else {
        fn_finish(inv, "succeeded", result, NULL, NULL, code);
    }
    free(why);
    free(tail);
    free(cause);
}

static void
fn_run_on_pid(int fd, uint32_t events, void *arg)
{
    struct fn_inv *inv = arg;
    int status = 0;
    pid_t r;

    (void)fd;
    (void)events;
    r = waitpid(inv->pid, &status, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR))
        return;
    inv->pid = -1;
    fn_run_close(&inv->pidfd, &inv->w_pid);
    if (r < 0) {
        fn_finish(inv, "failed", NULL, "FunctionError",
                  "the process vanished", FN_NO_EXIT);
        return;
    }
    fn_run_exited(inv, status);
}

/* ---- starting a command ---- */

static char **
fn_run_envp(const struct fn_inv *inv)
{
    struct engine *eng = inv->fs->eng;
    const json_t *env = json_object_get(inv->spec, "env");
    size_t n = 0, k = 0, nenv = json_object_size(env);
    char **envp;
    const char *key;
    json_t *v;

    while (environ[n])
        n++;
    envp = xcalloc(n + nenv + 5, sizeof(*envp));
    for (size_t i = 0; i < n; i++) {
        const char *e = environ[i];
        size_t klen = strcspn(e, "=");
        int skip = (klen == 17 && strncmp(e, "FLOWDECK_ENDPOINT", 17) == 0) ||
                   (klen == 17 && strncmp(e, "FLOWDECK_FUNCTION", 17) == 0) ||
                   (klen == 19 && strncmp(e, "FLOWDECK_INVOCATION", 19) == 0) ||
                   (klen == 19 && strncmp(e, "FLOWDECK_AUTH_TOKEN", 19) == 0);

        json_object_foreach((json_t *)env, key, v)
            if (strlen(key) == klen && strncmp(e, key, klen) == 0)
                skip = 1;
        if (!skip)
            envp[k++] = xstrdup(e);
    }
    json_object_foreach((json_t *)env, key, v)
        envp[k++] = xasprintf("%s=%s", key, json_string_value(v));
    envp[k++] = xasprintf("FLOWDECK_ENDPOINT=http://%s", eng->listen);
    envp[k++] = xasprintf("FLOWDECK_FUNCTION=%s", inv->function);
    envp[k++] = xasprintf("FLOWDECK_INVOCATION=%s", inv->id);
    if (eng->auth_token)
        envp[k++] = xasprintf("FLOWDECK_AUTH_TOKEN=%s", eng->auth_token);
    envp[k] = NULL;
    return envp;
}

static void
fn_run_strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static int
fn_run_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);

    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void
fn_run_spawn(struct fn_inv *inv)
{
    struct engine *eng = inv->fs->eng;
    const json_t *cmd = json_object_get(inv->spec, "command");
    const char *cwd = json_string_value(json_object_get(inv->spec, "cwd"));
    size_t argc = json_array_size(cmd);
    char **argv = xcalloc(argc + 1, sizeof(*argv)), **envp = NULL;
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, dfl;
    char *cause = NULL;
    pid_t pid;
    int rc;

    for (size_t i = 0; i < argc; i++)
        argv[i] = xstrdup(json_string_value(json_array_get(cmd, i)));
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) ||
        pipe2(err, O_CLOEXEC)) {
        cause = xasprintf("cannot make pipes: %s", strerror(errno));
        goto fail;
    }
    envp = fn_run_envp(inv);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    if (cwd)
        posix_spawn_file_actions_addchdir_np(&fa, cwd);
    posix_spawnattr_init(&attr);
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    sigaddset(&dfl, SIGINT);
    sigaddset(&dfl, SIGTERM);
    sigaddset(&dfl, SIGHUP);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dfl);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
                                        POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        cause = xasprintf("cannot run '%s'%s%s: %s", argv[0],
                          cwd ? " in " : "", cwd ? cwd : "", strerror(rc));
        goto fail;
    }
    inv->pid = pid;
    close(in[0]);
    close(out[1]);
    close(err[1]);
    in[0] = out[1] = err[1] = -1;
    inv->in_fd = in[1];
    inv->out_fd = out[0];
    inv->err_fd = err[0];
    inv->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (inv->pidfd < 0 || fn_run_nonblock(inv->in_fd) ||
        fn_run_nonblock(inv->out_fd) || fn_run_nonblock(inv->err_fd) ||
        engine_watch_add(&inv->w_pid, eng, inv->pidfd, EPOLLIN, fn_run_on_pid,
                         inv) ||
        engine_watch_add(&inv->w_out, eng, inv->out_fd, EPOLLIN,
                         fn_run_on_out, inv) ||
        engine_watch_add(&inv->w_err, eng, inv->err_fd, EPOLLIN,
                         fn_run_on_err, inv) ||
        engine_watch_add(&inv->w_in, eng, inv->in_fd, EPOLLOUT, fn_run_on_in,
                         inv)) {
        cause = xasprintf("cannot watch the process: %s", strerror(errno));
        fn_run_kill(inv);
        goto fail;
    }
    fn_run_strv_free(argv);
    fn_run_strv_free(envp);
    return;
fail:
    for (int i = 0; i < 2; i++) {
        if (in[i] >= 0 && in[i] != inv->in_fd)
            close(in[i]);
        if (out[i] >= 0 && out[i] != inv->out_fd)
            close(out[i]);
        if (err[i] >= 0 && err[i] != inv->err_fd)
            close(err[i]);
    }
    fn_run_strv_free(argv);
    fn_run_strv_free(envp);
    fn_finish(inv, "failed", NULL, "FunctionStartFailed", cause, FN_NO_EXIT);
    free(cause);
}

/* ---- HTTP functions ---- */

static void fn_run_curl_check(struct fn_service *fs);

static void
fn_run_curl_event(int fd, uint32_t events, void *arg)
{
    struct fn_service *fs = arg;
    int mask = 0, running;

    if (events & EPOLLIN)
        mask |= CURL_CSELECT_IN;
    if (events & EPOLLOUT)
        mask |= CURL_CSELECT_OUT;
    if (events & (EPOLLERR | EPOLLHUP))
        mask |= CURL_CSELECT_ERR;
    sym_curl_multi_socket_action(fs->multi, fd, mask, &running);
    fn_run_curl_check(fs);
}

static int
fn_run_curl_sock(CURL *e, curl_socket_t s, int what, void *userp,
                 void *socketp)
{
    struct fn_service *fs = userp;
    struct engine_watch *w = socketp;
    uint32_t ev = 0;

    (void)e;
    if (what == CURL_POLL_REMOVE) {
        engine_watch_del(w);
        sym_curl_multi_assign(fs->multi, s, NULL);
        return 0;
    }
    if (what & CURL_POLL_IN)
        ev |= EPOLLIN;
    if (what & CURL_POLL_OUT)
        ev |= EPOLLOUT;
    if (w == NULL) {
        if (engine_watch_add(&w, fs->eng, s, ev, fn_run_curl_event, fs) == 0)
            sym_curl_multi_assign(fs->multi, s, w);
    } else {
        engine_watch_mod(w, ev);
    }
    return 0;
}

static int
fn_run_curl_timer(CURLM *m, long timeout_ms, void *userp)
{
    struct fn_service *fs = userp;

    (void)m;
    fs->curl_due = timeout_ms < 0 ? INT64_MAX
                                  : timefmt_mono_ms() + timeout_ms;
    return 0;
}

static size_t
fn_run_curl_write(char *p, size_t size, size_t n, void *arg)
{
    struct fn_inv *inv = arg;

    if (buf_append(&inv->out, p, size * n) != 0) {
        inv->out_flood = 1;
        return 0;
    }
    return size * n;
}

/*
 * The multi handle of HTTP functions, made at the first one (libcurl is
 * opened then). Returns: 0, or ENG_EUNAVAIL when libcurl would not load.
 */
static int
fn_run_curl_multi(struct fn_service *fs)
{
    return fs->multi ? 0
                     : lazycurl_multi(&fs->multi, fn_run_curl_sock,
                                      fn_run_curl_timer, fs);
}

void
fn_run_curl_timeout(struct fn_service *fs)
{
    int running;

    if (fs->curl_due > timefmt_mono_ms())
        return;
    fs->curl_due = INT64_MAX;
    sym_curl_multi_socket_action(fs->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    fn_run_curl_check(fs);
}

static void
fn_run_http_done(struct fn_inv *inv, CURLcode res)
{
    json_t *result = NULL;
    char *why = NULL, *cause = NULL;

    sym_curl_easy_getinfo(inv->easy, CURLINFO_RESPONSE_CODE, &inv->http_status);
    if (inv->out_flood) {
        cause = xasprintf("the answer is larger than %d bytes", FN_OUT_MAX);
        fn_finish(inv, "failed", NULL, "OutputTooLarge", cause, FN_NO_EXIT);
    } else if (res == CURLE_OPERATION_TIMEDOUT) {
        cause = xasprintf("no answer within %lld s",
                          (long long)json_integer_value(json_object_get(
                              inv->spec, "timeout_seconds")));
        fn_finish(inv, "timed_out", NULL, "FunctionTimeout", cause,
                  FN_NO_EXIT);
    } else if (res != CURLE_OK) {
        cause = xasprintf("%s: %s",
                          json_string_value(json_object_get(inv->spec, "url")),
                          sym_curl_easy_strerror(res));
        fn_finish(inv, "failed", NULL, "ConnectionFailed", cause, FN_NO_EXIT);
    } else if (inv->http_status < 200 || inv->http_status >= 300) {
        if (fn_run_parse(&result, &why, &inv->out) != 0 ||
            !json_is_object(result)) {
            json_decref(result);
            result = NULL;
        }
        cause = xasprintf("HTTP status %ld: %.300s", inv->http_status,
                          inv->out.len ? buf_str(&inv->out) : "");
        for (char *p = cause; *p; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x80)
                *p = '?';
        fn_finish(inv, "failed", result, "FunctionError", cause,
                  (int)inv->http_status);
    } else if (fn_run_parse(&result, &why, &inv->out) != 0) {
        fn_finish(inv, "failed", NULL, "InvalidResponse", why,
                  (int)inv->http_status);
    } else {
        fn_finish(inv, "succeeded", result, NULL, NULL,
                  (int)inv->http_status);
    }
    free(why);
    free(cause);
}

static void
fn_run_curl_check(struct fn_service *fs)
{
    CURLMsg *msg;
    int left;

    while ((msg = sym_curl_multi_info_read(fs->multi, &left))) {
        struct fn_inv *inv = NULL;

        if (msg->msg != CURLMSG_DONE)
            continue;
        sym_curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
                              (char **)&inv);
        if (inv && inv->state == FN_RUNNING)
            fn_run_http_done(inv, msg->data.result);
    }
}

static void
fn_run_http(struct fn_inv *inv)
{
    struct fn_service *fs = inv->fs;
    int64_t timeout = json_integer_value(
        json_object_get(inv->spec, "timeout_seconds"));
    char *h;

    if (fn_run_curl_multi(fs) != 0) {
        char *why = xstrdup(err_last());

        fn_finish(inv, "failed", NULL, "ConnectionFailed", why, FN_NO_EXIT);
        free(why);
        return;
    }
    inv->easy = sym_curl_easy_init();
    inv->hdrs = sym_curl_slist_append(NULL, "Content-Type: application/json");
    h = xasprintf("X-Flowdeck-Function: %s", inv->function);
    inv->hdrs = sym_curl_slist_append(inv->hdrs, h);
    free(h);
    h = xasprintf("X-Flowdeck-Invocation: %s", inv->id);
    inv->hdrs = sym_curl_slist_append(inv->hdrs, h);
    free(h);
    sym_curl_easy_setopt(inv->easy, CURLOPT_URL,
                         json_string_value(json_object_get(inv->spec, "url")));
    sym_curl_easy_setopt(inv->easy, CURLOPT_HTTPHEADER, inv->hdrs);
    sym_curl_easy_setopt(inv->easy, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)inv->in_len);
    sym_curl_easy_setopt(inv->easy, CURLOPT_COPYPOSTFIELDS, inv->in_data);
    sym_curl_easy_setopt(inv->easy, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
    sym_curl_easy_setopt(inv->easy, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    sym_curl_easy_setopt(inv->easy, CURLOPT_NOSIGNAL, 1L);
    sym_curl_easy_setopt(inv->easy, CURLOPT_WRITEFUNCTION, fn_run_curl_write);
    sym_curl_easy_setopt(inv->easy, CURLOPT_WRITEDATA, inv);
    sym_curl_easy_setopt(inv->easy, CURLOPT_PRIVATE, inv);
    sym_curl_easy_setopt(inv->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    if (sym_curl_multi_add_handle(fs->multi, inv->easy) != CURLM_OK)
        fn_finish(inv, "failed", NULL, "ConnectionFailed",
                  "cannot start the HTTP request", FN_NO_EXIT);
}

/* ---- the life cycle ---- */

void
fn_run_start(struct fn_inv *inv)
{
    int64_t timeout = json_integer_value(
        json_object_get(inv->spec, "timeout_seconds"));

    inv->state = FN_RUNNING;
    inv->started_mono = timefmt_mono_ms();
    inv->started_ms = engine_now(inv->fs->eng);
    inv->deadline_mono = inv->started_mono + timeout * 1000;
    inv->in_data = jsonx_dump(inv->event);
    inv->in_len = strlen(inv->in_data);
    fn_record_start(inv);
    if (json_object_get(inv->spec, "url"))
        fn_run_http(inv);
    else
        fn_run_spawn(inv);
}

void
fn_run_kill(struct fn_inv *inv)
{
    if (inv->pid > 0) {
        kill(-inv->pid, SIGKILL);
        kill(inv->pid, SIGKILL);
    }
}

void
fn_run_release(struct fn_inv *inv)
{
    fn_run_close(&inv->in_fd, &inv->w_in);
    fn_run_close(&inv->out_fd, &inv->w_out);
    fn_run_close(&inv->err_fd, &inv->w_err);
    fn_run_close(&inv->pidfd, &inv->w_pid);
    if (inv->pid > 0) {
        /* killed: it dies at once, so this wait is short */
        fn_run_kill(inv);
        while (waitpid(inv->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        inv->pid = -1;
    }
    if (inv->easy) {
        sym_curl_multi_remove_handle(inv->fs->multi, inv->easy);
        sym_curl_easy_cleanup(inv->easy);
        inv->easy = NULL;
    }
    if (inv->hdrs) /* commands never open libcurl */
        sym_curl_slist_free_all(inv->hdrs);
    inv->hdrs = NULL;
}
