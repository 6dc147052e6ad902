/*
 * cmd_reset: the `flowdeck reset` subcommand; its row is in cli.c.
 */
#ifndef FLOWDECK_CMD_RESET_H
#define FLOWDECK_CMD_RESET_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_reset_run(struct cli *cli);

extern const struct cli_opt cmd_reset_opts[];

#endif
