/*
 * cmd_down: the `flowdeck down` subcommand; its row is in cli.c.
 */
#ifndef FLOWDECK_CMD_DOWN_H
#define FLOWDECK_CMD_DOWN_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_down_run(struct cli *cli);

#endif
