/*
 * cmd_up: the `flowdeck up` subcommand; its row is in cli.c.
 */
#ifndef FLOWDECK_CMD_UP_H
#define FLOWDECK_CMD_UP_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_up_run(struct cli *cli);

/*
 * Make sure an engine answers at `listen` (host:port; NULL: the
 * endpoint's), starting one as `flowdeck up` does, and say what happened;
 * `quiet` says nothing when one already runs. Returns: a CLI_EXIT_*
 * status, having printed why it failed.
 */
int cmd_up_ensure(struct cli *cli, const char *listen, int quiet);

extern const struct cli_opt cmd_up_opts[];

#endif
