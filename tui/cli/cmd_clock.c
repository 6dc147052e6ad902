/*
 * cmd_clock: `flowdeck clock [show|pause|resume|scale N|advance D]` reads
 * or steers the engine clock and prints it as it now is.
 */
#include "cli/cmd_clock.h"

#include "cli/cli_table.h"
#include "client/client.h"
#include "common/err.h"
#include "common/timefmt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Returns: new reference, the POST body for an action with an argument,
 * or NULL after a usage error (already printed, *status set) */
static json_t *
cmd_clock_body(struct cli *cli, const char *action, int *status)
{
    const char *arg = cli->argc > 1 ? cli->argv[1] : NULL;
    int64_t ms;
    double scale;
    char *end;

    if (strcmp(action, "pause") == 0 || strcmp(action, "resume") == 0) {
        if (arg)
            goto extra;
        return json_pack("{s:s}", "action", action);
    }
    if (strcmp(action, "scale") == 0) {
        if (arg == NULL)
            goto missing;
        scale = strtod(arg, &end);
        if (*end != '\0' || end == arg || !isfinite(scale) || scale <= 0) {
            *status = cli_usage_error(cli,
                                      "scale: '%s' is not a number "
                                      "above 0",
                                      arg);
            return NULL;
        }
        /* whole numbers go as integers: 60, not 60.0 */
        if (scale < 1e15 && scale == (double)(long long)scale)
            return json_pack("{s:s, s:I}", "action", "scale", "scale",
                             (json_int_t)scale);
        return json_pack("{s:s, s:f}", "action", "scale", "scale", scale);
    }
    if (strcmp(action, "advance") == 0) {
        if (arg == NULL)
            goto missing;
        if (timefmt_parse_duration(&ms, arg) != 0) {
            *status = cli_usage_error(cli, "advance: %s", err_last());
            return NULL;
        }
        return json_pack("{s:s, s:s}", "action", "advance", "by", arg);
    }
    *status = cli_usage_error(cli, "clock: unknown action '%s'", action);
    return NULL;
missing:
    *status = cli_usage_error(cli, "clock %s: missing argument", action);
    return NULL;
extra:
    *status =
        cli_usage_error(cli, "clock %s: unexpected argument '%s'", action, arg);
    return NULL;
}

static void
cmd_clock_print(const json_t *clock)
{
    struct cli_table *t = cli_table_create(2, NULL);
    static const char *const rows[][2] = {
        {"mode", "mode"},
        {"scale", "scale"},
        {"now", "now"},
    };

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char *text = cli_json_text(json_object_get(clock, rows[i][1]));

        cli_table_cell(t, rows[i][0]);
        cli_table_cell(t, text);
        free(text);
    }
    cli_table_print(t, stdout, cli_width());
    cli_table_free(t);
}

int
cmd_clock_run(struct cli *cli)
{
    const char *action = cli->argc > 0 ? cli->argv[0] : "show";
    json_t *body = NULL, *clock = NULL;
    int rc, status = CLI_EXIT_OK;

    if (strcmp(action, "show") == 0) {
        if (cli->argc > 1)
            return cli_usage_error(cli,
                                   "clock show: unexpected argument "
                                   "'%s'",
                                   cli->argv[1]);
        rc = client_get_clock(&clock, cli_client(cli));
    } else {
        body = cmd_clock_body(cli, action, &status);
        if (body == NULL)
            return status;
        rc = client_set_clock(&clock, cli_client(cli), body);
    }
    if (rc)
        status = cli_fail();
    else if (cli->json)
        cli_print_json(clock);
    else
        cmd_clock_print(clock);
    json_decref(body);
    json_decref(clock);
    return status;
}
