/*
 * cmd_help: the `flowdeck help` subcommand; its row is in cli.c.
 */
#ifndef FLOWDECK_CMD_HELP_H
#define FLOWDECK_CMD_HELP_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_help_run(struct cli *cli);

#endif
