/*
 * cmd_status: the `flowdeck status` subcommand; its row is in cli.c.
 */
#ifndef FLOWDECK_CMD_STATUS_H
#define FLOWDECK_CMD_STATUS_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_status_run(struct cli *cli);

#endif
