/*
 * flowdeckd: argv, daemonizing, then engine_start() and engine_run().
 * Without --foreground the engine detaches: the parent exits 0 once the
 * engine serves (printing its address), or 1 with the engine's reason.
 */
#include "common/err.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/xalloc.h"
#include "core/engine.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void
main_usage(FILE *f)
{
    fprintf(f,
            "usage: flowdeckd [options]\n"
            "  --listen HOST:PORT   address to serve (default %s)\n"
            "  --data-dir DIR       state, log and lock (default "
            "$XDG_DATA_HOME/flowdeck\n"
            "                       or ~/.local/share/flowdeck)\n"
            "  --auth-token TOKEN   require 'Authorization: Bearer TOKEN' "
            "(or FLOWDECK_AUTH_TOKEN);\n"
            "                       needed to listen off loopback\n"
            "  --templates DIR      the bundled templates (or FLOWDECK_TEMPLATES;\n"
            "                       default: share/flowdeck/templates)\n"
            "  --aws-account ID     account in SQS/SNS URLs and ARNs "
            "(default 000000000000)\n"
            "  --aws-region NAME    region in SQS/SNS ARNs (default us-east-1)\n"
            "  --alibaba-account ID account of MNS and Serverless Workflow "
            "(default\n"
            "                       1234567890123456)\n"
            "  --alibaba-region NAME  region of MNS and Serverless Workflow "
            "(default\n"
            "                       cn-hangzhou)\n"
            "  --access-keys FILE   access key table for the wire protocols, "
            "JSON\n"
            "                       {\"KEY_ID\": \"SECRET\", ...}\n"
            "  --verify-signatures  check SigV4, MNS and Serverless Workflow "
            "signatures\n"
            "                       against --access-keys (default: any key "
            "is taken)\n"
            "  --conn-timeout SECS  close a connection idle this long, a "
            "request\n"
            "                       half sent included (default %d)\n"
            "  --max-connections N  connections served at once; more wait "
            "their turn\n"
            "                       (default %d)\n"
            "  --busy-poll-us US    after a lone client's request, poll this "
            "long for its\n"
            "                       next one before sleeping (0: never; "
            "default %d)\n"
            "  --log-level LEVEL    debug, info, warn or error (default info)\n"
            "  --foreground         stay attached and log to stderr too\n"
            "  --version            print the version\n",
            ENGINE_DEFAULT_LISTEN, ENGINE_CONN_TIMEOUT, ENGINE_MAX_CONNS,
            ENGINE_BUSY_POLL_US);
}

/* A whole number in [min, max] from an option. Returns: 0, or 2 (usage). */
static int
main_parse_count(unsigned *out, const char *opt, const char *arg,
                 unsigned min, unsigned max)
{
    char *end;
    unsigned long n = strtoul(arg, &end, 10);

    if (*arg < '0' || *arg > '9' || *end != '\0' || n < min || n > max) {
        fprintf(stderr, "flowdeckd: %s must be a whole number from %u to %u, "
                        "not '%s'\n", opt, min, max, arg);
        return 2;
    }
    *out = (unsigned)n;
    return 0;
}

/* Tell the waiting parent how start-up went, then let go of it. */
static void
main_report(int fd, const char *msg)
{
    size_t len = strlen(msg);

    if (fd < 0)
        return;
    if (write(fd, msg, len) != (ssize_t)len)
        (void)0; /* the parent is gone: nothing to tell */
    close(fd);
}

/* In the parent: wait for the child's report. Returns: exit status. */
static int
main_wait_child(int fd)
{
    char msg[1024];
    size_t n = 0;
    ssize_t r;

    while (n < sizeof(msg) - 1 &&
           (r = read(fd, msg + n, sizeof(msg) - 1 - n)) > 0)
        n += (size_t)r;
    msg[n] = '\0';
    close(fd);
    if (strncmp(msg, "ok ", 3) == 0) {
        printf("%s\n", msg + 3);
        return 0;
    }
    fprintf(stderr, "flowdeckd: %s\n",
            n ? msg : "the engine exited during start-up");
    return 1;
}

static void
main_detach_stdio(void)
{
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

    if (fd < 0)
        return;
    dup2(fd, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
}

int
main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"data-dir", required_argument, NULL, 'd'},
        {"auth-token", required_argument, NULL, 't'},
        {"log-level", required_argument, NULL, 'L'},
        {"conn-timeout", required_argument, NULL, 'C'},
        {"max-connections", required_argument, NULL, 'M'},
        {"busy-poll-us", required_argument, NULL, 'B'},
        {"templates", required_argument, NULL, 'T'},
        {"aws-account", required_argument, NULL, 'A'},
        {"aws-region", required_argument, NULL, 'R'},
        {"alibaba-account", required_argument, NULL, 'a'},
        {"alibaba-region", required_argument, NULL, 'r'},
        {"access-keys", required_argument, NULL, 'k'},
        {"verify-signatures", no_argument, NULL, 'S'},
        {"foreground", no_argument, NULL, 'f'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct engine_config cfg;
    struct engine *eng = NULL;
    char *data_dir = NULL, *templates = NULL, *keys = NULL, *ready;
    const char *env_templates;
    int c, report = -1, rc;

    xalloc_init_json();
    memset(&cfg, 0, sizeof(cfg));
    cfg.listen = ENGINE_DEFAULT_LISTEN;
    cfg.log_level = LOGL_INFO;
    cfg.auth_token = getenv("FLOWDECK_AUTH_TOKEN");
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'l': cfg.listen = optarg; break;
        case 'd':
            free(data_dir);
            data_dir = paths_absolute(optarg);
            break;
        case 't': cfg.auth_token = optarg; break;
        case 'T':
            free(templates);
            templates = paths_absolute(optarg);
            break;
        case 'L':
            if (log_parse_level(&cfg.log_level, optarg) != 0) {
                fprintf(stderr, "flowdeckd: %s\n", err_last());
                rc = 2;
                goto out;
            }
            break;
        case 'C':
            if (main_parse_count(&cfg.conn_timeout, "--conn-timeout", optarg,
                                 1, 86400)) {
                rc = 2;
                goto out;
            }
            break;
        case 'M':
            if (main_parse_count(&cfg.max_conns, "--max-connections", optarg,
                                 1, 100000)) {
                rc = 2;
                goto out;
            }
            break;
        case 'B': {
            unsigned us;

            if (main_parse_count(&us, "--busy-poll-us", optarg, 0,
                                 ENGINE_BUSY_POLL_MAX)) {
                rc = 2;
                goto out;
            }
            cfg.busy_poll_us = us ? (int)us : -1;
            break;
        }
        case 'A': cfg.compat.aws_account = optarg; break;
        case 'R': cfg.compat.aws_region = optarg; break;
        case 'a': cfg.compat.ali_account = optarg; break;
        case 'r': cfg.compat.ali_region = optarg; break;
        case 'k':
            free(keys);
            keys = paths_absolute(optarg);
            cfg.compat.keys_file = keys;
            break;
        case 'S': cfg.compat.verify_signatures = 1; break;
        case 'f': cfg.foreground = 1; break;
        case 'V':
            printf("flowdeckd %s\n", FLOWDECK_VERSION);
            rc = 0;
            goto out;
        case 'h':
            main_usage(stdout);
            rc = 0;
            goto out;
        default:
            main_usage(stderr);
            rc = 2;
            goto out; /* the paths given before the bad option are freed */
        }
    }
    if (optind < argc) {
        fprintf(stderr, "flowdeckd: unexpected argument '%s'\n", argv[optind]);
        main_usage(stderr);
        rc = 2;
        goto out;
    }
    if (data_dir == NULL)
        data_dir = paths_default_data_dir();
    cfg.data_dir = data_dir;
    env_templates = getenv("FLOWDECK_TEMPLATES");
    if (templates == NULL && env_templates && *env_templates)
        templates = paths_absolute(env_templates);
    if (templates == NULL)
        templates = paths_share_dir("templates", "templates");
    cfg.templates = templates;

    if (!cfg.foreground) {
        int p[2];
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) != 0) {
            perror("flowdeckd: pipe");
            rc = 1;
            goto out;
        }
        fflush(NULL);
        pid = fork();
        if (pid < 0) {
            perror("flowdeckd: fork");
            rc = 1;
            goto out;
        }
        if (pid > 0) {
            close(p[1]);
            rc = main_wait_child(p[0]);
            goto out;
        }
        close(p[0]);
        report = p[1];
        setsid();
    }
    rc = engine_start(&eng, &cfg);
    if (rc) {
        if (report >= 0) {
            main_report(report, err_last());
        } else {
            fprintf(stderr, "flowdeckd: %s\n", err_last());
        }
        rc = 1;
        goto out;
    }
    ready = xasprintf("flowdeckd: listening on http://%s (pid %ld, data dir "
                      "%s)",
                      eng->listen, (long)getpid(), eng->data_dir);
    if (report >= 0) {
        char *msg = xasprintf("ok %s", ready);

        main_detach_stdio();
        main_report(report, msg);
        free(msg);
    } else {
        printf("%s\n", ready);
        fflush(stdout);
    }
    free(ready);
    engine_run(eng);
    engine_free(eng);
    log_close();
    rc = 0;
out:
    free(data_dir);
    free(templates);
    free(keys);
    return rc;
}
