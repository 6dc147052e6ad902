/*
 * cmd_clock: the `flowdeck clock` subcommand; its row is in cli.c.
 */
#ifndef FLOWDECK_CMD_CLOCK_H
#define FLOWDECK_CMD_CLOCK_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_clock_run(struct cli *cli);

#endif
