/*
 * cmd_logs: `flowdeck logs [-f] [-n N]` prints the engine's log lines,
 * and with -f follows them (polling the cursor) until SIGINT.
 */
#include "cli/cmd_logs.h"

#include "client/client.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/xalloc.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMD_LOGS_DEFAULT 50
#define CMD_LOGS_MAX 100000
#define CMD_LOGS_POLL_MS 300

const struct cli_opt cmd_logs_opts[] = {
    {"follow", 'f', NULL, "follow new lines until interrupted"},
    {"lines", 'n', "N", "print the last N lines (default 50)"},
    {NULL, 0, NULL, NULL},
};

static volatile sig_atomic_t cmd_logs_stop;

static void
cmd_logs_on_signal(int sig)
{
    (void)sig;
    cmd_logs_stop = 1;
}

/* "TIME LEVEL msg key=value..." */
static void
cmd_logs_print_line(const json_t *item)
{
    struct buf b = BUF_INIT(0);
    const char *time = json_string_value(json_object_get(item, "time"));
    const char *level = json_string_value(json_object_get(item, "level"));
    const char *msg = json_string_value(json_object_get(item, "msg"));
    const char *key;
    json_t *v;

    buf_printf(&b, "%s %-5s %s", time ? time : "-", level ? level : "-",
               msg ? msg : "");
    json_object_foreach((json_t *)item, key, v)
    {
        char *text;

        if (strcmp(key, "time") == 0 || strcmp(key, "level") == 0 ||
            strcmp(key, "msg") == 0)
            continue;
        /* plain words stay bare; anything with spaces or quotes is JSON */
        if (json_is_string(v) && *json_string_value(v) &&
            strpbrk(json_string_value(v), " \t\n\"=") == NULL)
            text = xstrdup(json_string_value(v));
        else
            text = jsonx_dump(v);
        buf_printf(&b, " %s=%s", key, text);
        free(text);
    }
    puts(buf_str(&b));
    buf_free(&b);
}

/* print a page; remember its cursor. Returns: 0 or a client error */
static int
cmd_logs_page(struct cli *cli, char **cursor, int tail)
{
    json_t *page = NULL, *item;
    const char *next;
    size_t i;
    int rc;

    rc = client_get_logs(&page, cli_client(cli), tail, *cursor);
    if (rc)
        return rc;
    json_array_foreach(json_object_get(page, "items"), i, item)
    {
        if (cli->json) {
            char *line = jsonx_dump(item);

            puts(line);
            free(line);
        } else {
            cmd_logs_print_line(item);
        }
    }
    fflush(stdout);
    next = json_string_value(json_object_get(page, "next"));
    if (next) {
        free(*cursor);
        *cursor = xstrdup(next);
    }
    json_decref(page);
    return 0;
}

int
cmd_logs_run(struct cli *cli)
{
    const char *n = cli_opt_value(cli, "lines");
    struct timespec pause = {0, CMD_LOGS_POLL_MS * 1000000L};
    struct sigaction sa;
    char *cursor = NULL;
    long tail = CMD_LOGS_DEFAULT;
    int rc;

    if (n && cli_parse_int(&tail, n, 1, CMD_LOGS_MAX) != 0)
        return cli_usage_error(cli, "-n: %s", err_last());
    rc = cmd_logs_page(cli, &cursor, (int)tail);
    if (rc == 0 && cli_opt_value(cli, "follow")) {
        if (cursor == NULL) {
            err_set(ENG_ERR, "the engine gave no cursor to follow");
            return cli_fail();
        }
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = cmd_logs_on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        while (!cmd_logs_stop) {
            nanosleep(&pause, NULL);
            if (cmd_logs_stop)
                break;
            rc = cmd_logs_page(cli, &cursor, 0);
            if (rc)
                break;
        }
    }
    free(cursor);
    return rc ? cli_fail() : CLI_EXIT_OK;
}
