/*
 * cmd_snapshot: the `flowdeck snapshot` subcommand; its row is in cli.c.
 */
#ifndef FLOWDECK_CMD_SNAPSHOT_H
#define FLOWDECK_CMD_SNAPSHOT_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_snapshot_run(struct cli *cli);

extern const struct cli_opt cmd_snapshot_opts[];

#endif
