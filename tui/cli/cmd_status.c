/*
 * cmd_status: `flowdeck status` shows the engine's /v1/info: where it
 * runs, since when, its clock and how much it holds.
 */
#include "cli/cmd_status.h"

#include "cli/cli_table.h"
#include "client/client.h"
#include "common/buf.h"
#include "common/timefmt.h"

#include <stdlib.h>

/* "timers 0, journal 12, snapshots 1" */
static void
cmd_status_counts(struct buf *b, const json_t *counts)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)counts, key, v)
    {
        char *text = cli_json_text(v);

        buf_printf(b, "%s%s %s", b->len ? ", " : "", key, text);
        free(text);
    }
}

int
cmd_status_run(struct cli *cli)
{
    struct client *c = cli_client(cli);
    struct cli_table *t = NULL;
    struct buf b = BUF_INIT(0);
    json_t *info = NULL, *clock;
    char dur[32], *text;
    const char *listen;
    int rc;

    rc = client_get_info(&info, c);
    if (rc && client_is_unreachable(rc)) {
        fprintf(cli->json ? stderr : stdout,
                "flowdeck engine: down (nothing answers at %s)\n",
                client_endpoint(c));
        return CLI_EXIT_FAIL;
    }
    if (rc)
        return cli_fail();
    if (cli->json) {
        cli_print_json(info);
        goto out;
    }
    t = cli_table_create(2, NULL);
    listen = json_string_value(json_object_get(info, "listen"));
    cli_table_cell(t, "address");
    if (listen)
        cli_table_cellf(t, "http://%s", listen);
    else
        cli_table_cell(t, client_endpoint(c));
    cli_table_cell(t, "state");
    cli_table_cell(t, "up");
    cli_table_cell(t, "version");
    text = cli_json_text(json_object_get(info, "version"));
    cli_table_cell(t, text);
    free(text);
    cli_table_cell(t, "pid");
    text = cli_json_text(json_object_get(info, "pid"));
    cli_table_cell(t, text);
    free(text);
    cli_table_cell(t, "uptime");
    timefmt_duration(dur, sizeof(dur),
                     json_integer_value(json_object_get(info, "uptime_ms")));
    cli_table_cell(t, dur);
    cli_table_cell(t, "data dir");
    text = cli_json_text(json_object_get(info, "data_dir"));
    cli_table_cell(t, text);
    free(text);
    cli_table_cell(t, "auth");
    cli_table_cell(t, json_is_true(json_object_get(info, "auth")) ? "token"
                                                                  : "none");
    clock = json_object_get(info, "clock");
    cli_table_cell(t, "clock");
    {
        char *scale = cli_json_text(json_object_get(clock, "scale"));
        const char *mode = json_string_value(json_object_get(clock, "mode"));
        const char *now = json_string_value(json_object_get(clock, "now"));

        cli_table_cellf(t, "%s, scale %s, now %s", mode ? mode : "?", scale,
                        now ? now : "?");
        free(scale);
    }
    cli_table_cell(t, "counts");
    cmd_status_counts(&b, json_object_get(info, "counts"));
    cli_table_cell(t, buf_str(&b));
    cli_table_print(t, stdout, cli_width());
out:
    buf_free(&b);
    cli_table_free(t);
    json_decref(info);
    return CLI_EXIT_OK;
}
