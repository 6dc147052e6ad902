/*
 * cmd_reset: `flowdeck reset [--yes]` empties the whole engine state,
 * after a yes on the terminal unless --yes says so up front.
 */
#include "cli/cmd_reset.h"

#include "client/client.h"

#include <string.h>
#include <strings.h>
#include <unistd.h>

const struct cli_opt cmd_reset_opts[] = {
    {"yes", 'y', NULL, "reset without asking"},
    {NULL, 0, NULL, NULL},
};

/* Returns: 1 when the person at the terminal says yes */
static int
cmd_reset_confirm(struct cli *cli)
{
    char line[64];
    size_t n;

    fprintf(stderr,
            "Reset all flowdeck state at %s? This empties every "
            "queue, flow and execution. [y/N] ",
            cli->endpoint);
    fflush(stderr);
    if (fgets(line, sizeof(line), stdin) == NULL)
        return 0;
    n = strcspn(line, "\r\n");
    line[n] = '\0';
    return strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0;
}

int
cmd_reset_run(struct cli *cli)
{
    json_t *resp = NULL;

    if (cli_opt_value(cli, "yes") == NULL) {
        if (!isatty(STDIN_FILENO))
            return cli_usage_error(cli, "reset asks for confirmation, but "
                                        "stdin is not a terminal; pass --yes");
        if (!cmd_reset_confirm(cli)) {
            fprintf(stderr, "flowdeck: nothing reset\n");
            return CLI_EXIT_FAIL;
        }
    }
    if (client_reset(&resp, cli_client(cli)) != 0)
        return cli_fail();
    if (cli->json)
        cli_print_json(resp);
    else
        printf("flowdeck state reset at %s\n", cli->endpoint);
    json_decref(resp);
    return CLI_EXIT_OK;
}
