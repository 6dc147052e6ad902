/*
 * cmd_exec: the `flowdeck exec` subcommand; its row is in cli.c.
 */
#ifndef FLOWDECK_CMD_EXEC_H
#define FLOWDECK_CMD_EXEC_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_exec_run(struct cli *cli);

extern const struct cli_opt cmd_exec_opts[];

#endif
