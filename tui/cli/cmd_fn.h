/*
 * cmd_fn: the `flowdeck fn` subcommand; its row is in cli.c.
 */
#ifndef FLOWDECK_CMD_FN_H
#define FLOWDECK_CMD_FN_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_fn_run(struct cli *cli);

extern const struct cli_opt cmd_fn_opts[];

#endif
