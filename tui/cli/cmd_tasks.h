/*
 * cmd_tasks: the `flowdeck tasks` subcommand; its row is in cli.c.
 */
#ifndef FLOWDECK_CMD_TASKS_H
#define FLOWDECK_CMD_TASKS_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_tasks_run(struct cli *cli);

extern const struct cli_opt cmd_tasks_opts[];

#endif
