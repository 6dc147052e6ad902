/*
 * cmd_logs: the `flowdeck logs` subcommand; its row is in cli.c.
 */
#ifndef FLOWDECK_CMD_LOGS_H
#define FLOWDECK_CMD_LOGS_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_logs_run(struct cli *cli);

extern const struct cli_opt cmd_logs_opts[];

#endif
