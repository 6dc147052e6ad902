/*
 * launcher: start flowdeckd with posix_spawn (stdin from /dev/null, stdout
 * and stderr into pipes), wait for its first process to report, and poll
 * /healthz. Runs on the console's only thread and blocks; the dashboard
 * calls it before it draws anything.
 */
#include "launcher/launcher.h"

#include "client/client.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/paths.h"
#include "common/timefmt.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LAUNCHER_SPAWN_TIMEOUT_MS 30000
#define LAUNCHER_POLL_MS 100
#define LAUNCHER_OUTPUT_MAX 8192

extern char **environ;

static int
launcher_is_exec(const char *path)
{
    return access(path, X_OK) == 0;
}

/* Returns: a new path of flowdeckd next to /proc/self/exe, or NULL */
static char *
launcher_sibling(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    char *slash, *path;

    if (n <= 0)
        return NULL;
    self[n] = '\0';
    slash = strrchr(self, '/');
    if (slash == NULL)
        return NULL;
    *slash = '\0';
    path = xasprintf("%s/flowdeckd", self);
    if (launcher_is_exec(path))
        return path;
    free(path);
    return NULL;
}

/* Returns: a new path of flowdeckd found on PATH, or NULL */
static char *
launcher_on_path(void)
{
    const char *p = getenv("PATH");

    while (p && *p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        char *path =
            n ? xasprintf("%.*s/flowdeckd", (int)n, p) : xstrdup("./flowdeckd");

        if (launcher_is_exec(path))
            return path;
        free(path);
        p = colon ? colon + 1 : NULL;
    }
    return NULL;
}

int
launcher_find_engine(char **out)
{
    const char *env = getenv("FLOWDECKD");

    *out = launcher_sibling();
    if (*out)
        return 0;
    if (env && *env) {
        if (!launcher_is_exec(env))
            return err_set(ENG_ENOTFOUND, "FLOWDECKD=%s is not a program", env);
        *out = xstrdup(env);
        return 0;
    }
    *out = launcher_on_path();
    if (*out)
        return 0;
    return err_set(ENG_ENOTFOUND,
                   "cannot find flowdeckd: it is not next "
                   "to flowdeck, FLOWDECKD is not set, and it is not on PATH");
}

/* Returns: 1 when it read something, 0 when nothing is there yet, -1 at
 * end of file */
static int
launcher_drain(int fd, struct buf *b)
{
    char chunk[1024];
    ssize_t n = read(fd, chunk, sizeof(chunk));

    if (n > 0) {
        buf_append(b, chunk, (size_t)n); /* past the cap: dropped */
        return 1;
    }
    return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
}

/* trailing newlines and spaces off, in place */
static void
launcher_trim(struct buf *b)
{
    while (b->len > 0 &&
           (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r' ||
            b->data[b->len - 1] == ' '))
        b->data[--b->len] = '\0';
}

/*
 * Wait for the engine's first process to exit, collecting its output.
 * The daemon it leaves behind may keep the pipes open, so the exit, not
 * end of file, ends the wait. Returns: 0 and its wait status, or
 * ENG_ERR after LAUNCHER_SPAWN_TIMEOUT_MS (it is then terminated).
 */
static int
launcher_collect(int *status, pid_t pid, int fds[2], struct buf *err)
{
    struct buf out = BUF_INIT(LAUNCHER_OUTPUT_MAX);
    int64_t deadline = timefmt_mono_ms() + LAUNCHER_SPAWN_TIMEOUT_MS;
    struct pollfd p[2];
    int exited = 0, rc = 0;

    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        p[i].fd = fds[i];
        p[i].events = POLLIN;
    }
    while (!exited) {
        poll(p, 2, LAUNCHER_POLL_MS);
        exited = waitpid(pid, status, WNOHANG) == pid;
        for (int i = 0; i < 2; i++) {
            int got = 0;

            if (p[i].fd < 0)
                continue;
            while ((got = launcher_drain(p[i].fd, i ? err : &out)) > 0)
                ;
            if (got < 0)
                p[i].fd = -1;
        }
        if (!exited && timefmt_mono_ms() > deadline) {
            kill(pid, SIGTERM);
            waitpid(pid, status, 0);
            rc = err_set(ENG_ERR, "flowdeckd did not get ready within %ds",
                         LAUNCHER_SPAWN_TIMEOUT_MS / 1000);
            break;
        }
    }
    buf_free(&out);
    return rc;
}

int
launcher_spawn(const struct launcher_opts *o)
{
    struct buf err = BUF_INIT(LAUNCHER_OUTPUT_MAX);
    posix_spawn_file_actions_t fa;
    int outp[2] = {-1, -1}, errp[2] = {-1, -1}, fds[2];
    char *engine = NULL, *dir = NULL;
    const char *argv[10];
    int n = 0, status = 0, rc, fa_ready = 0;
    pid_t pid;

    rc = launcher_find_engine(&engine);
    if (rc)
        goto out;
    dir = paths_absolute(o->data_dir); /* the engine changes directory */
    argv[n++] = engine;
    argv[n++] = "--listen";
    argv[n++] = o->listen;
    argv[n++] = "--data-dir";
    argv[n++] = dir;
    if (o->token && *o->token) {
        argv[n++] = "--auth-token";
        argv[n++] = o->token;
    }
    argv[n] = NULL;
    if (pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
        rc = err_set(ENG_ERR, "cannot make a pipe: %s", strerror(errno));
        goto out;
    }
    posix_spawn_file_actions_init(&fa);
    fa_ready = 1;
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
    posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
    rc = posix_spawn(&pid, engine, &fa, NULL, (char *const *)argv, environ);
    if (rc != 0) {
        rc = err_set(ENG_ERR, "cannot run %s: %s", engine, strerror(rc));
        goto out;
    }
    close(outp[1]);
    close(errp[1]);
    outp[1] = errp[1] = -1;
    fds[0] = outp[0];
    fds[1] = errp[0];
    rc = launcher_collect(&status, pid, fds, &err);
    if (rc)
        goto out;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        goto out;
    launcher_trim(&err);
    if (err.len > 0)
        rc = err_set(ENG_EUPSTREAM, "%s", buf_str(&err));
    else if (WIFEXITED(status))
        rc = err_set(ENG_EUPSTREAM, "flowdeckd: exited with status %d",
                     WEXITSTATUS(status));
    else
        rc = err_set(ENG_EUPSTREAM, "flowdeckd: killed by signal %d",
                     WTERMSIG(status));
out:
    if (fa_ready)
        posix_spawn_file_actions_destroy(&fa);
    for (int i = 0; i < 2; i++) {
        if (outp[i] >= 0)
            close(outp[i]);
        if (errp[i] >= 0)
            close(errp[i]);
    }
    buf_free(&err);
    free(dir);
    free(engine);
    return rc;
}

static void
launcher_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

int
launcher_wait_up(struct client *c, int timeout_ms)
{
    int64_t deadline = timefmt_mono_ms() + timeout_ms;
    enum client_health h;

    for (;;) {
        h = client_health(c);
        if (h == CLIENT_HEALTH_OK)
            return 0;
        if (timefmt_mono_ms() > deadline)
            break;
        launcher_sleep_ms(LAUNCHER_POLL_MS);
    }
    if (h == CLIENT_HEALTH_FOREIGN)
        return err_set(ENG_EBUSY, "%s is held by another program",
                       client_endpoint(c));
    return err_setn(ENG_EUNAVAIL, CLIENT_UNREACHABLE,
                    "no engine answers at %s after %ds", client_endpoint(c),
                    timeout_ms / 1000);
}

int
launcher_wait_down(struct client *c, int timeout_ms)
{
    int64_t deadline = timefmt_mono_ms() + timeout_ms;

    while (client_health(c) != CLIENT_HEALTH_NONE) {
        if (timefmt_mono_ms() > deadline)
            return err_set(ENG_EBUSY,
                           "the engine at %s still answers "
                           "after %ds",
                           client_endpoint(c), timeout_ms / 1000);
        launcher_sleep_ms(LAUNCHER_POLL_MS);
    }
    return 0;
}

int
launcher_up(enum launcher_result *out, struct client *c,
            const struct launcher_opts *o)
{
    int rc;

    *out = LAUNCHER_ALREADY_UP;
    switch (client_health(c)) {
    case CLIENT_HEALTH_OK:
        return 0;
    case CLIENT_HEALTH_FOREIGN:
        return err_set(ENG_EBUSY, "port %s is held by another program",
                       o->listen);
    case CLIENT_HEALTH_NONE:
        break;
    }
    rc = launcher_spawn(o);
    if (rc)
        return rc;
    rc = launcher_wait_up(c, LAUNCHER_UP_TIMEOUT_MS);
    if (rc == ENG_EUNAVAIL)
        return err_set(rc,
                       "flowdeckd started, but nothing answers at %s "
                       "after %ds; see %s/engine.log",
                       client_endpoint(c), LAUNCHER_UP_TIMEOUT_MS / 1000,
                       o->data_dir);
    if (rc == ENG_EBUSY)
        return err_set(rc, "port %s is held by another program", o->listen);
    *out = LAUNCHER_STARTED;
    return rc;
}
