/*
 * cmd_timers: the `flowdeck timers` subcommand; its row is in cli.c.
 */
#ifndef FLOWDECK_CMD_TIMERS_H
#define FLOWDECK_CMD_TIMERS_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_timers_run(struct cli *cli);

extern const struct cli_opt cmd_timers_opts[];

#endif
