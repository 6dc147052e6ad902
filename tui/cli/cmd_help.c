/*
 * cmd_help: `flowdeck help [COMMAND]` prints the usage of flowdeck or of
 * one command, from the table in cli.c.
 */
#include "cli/cmd_help.h"

int
cmd_help_run(struct cli *cli)
{
    const struct cli_cmd *cmd = NULL;

    if (cli->argc > 0) {
        cmd = cli_find(cli->argv[0]);
        if (cmd == NULL)
            return cli_usage_error(cli, "no command '%s'", cli->argv[0]);
    }
    cli_usage(stdout, cmd);
    return CLI_EXIT_OK;
}
