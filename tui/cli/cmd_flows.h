/*
 * cmd_flows: the `flowdeck flows` subcommand; its row is in cli.c.
 */
#ifndef FLOWDECK_CMD_FLOWS_H
#define FLOWDECK_CMD_FLOWS_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_flows_run(struct cli *cli);

extern const struct cli_opt cmd_flows_opts[];

#endif
