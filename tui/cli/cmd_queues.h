/*
 * cmd_queues: the `flowdeck queues` subcommand; its row is in cli.c.
 */
#ifndef FLOWDECK_CMD_QUEUES_H
#define FLOWDECK_CMD_QUEUES_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_queues_run(struct cli *cli);

extern const struct cli_opt cmd_queues_opts[];

#endif
