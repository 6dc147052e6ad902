/*
 * cmd_journal: the `flowdeck journal` subcommand; its row is in cli.c.
 */
#ifndef FLOWDECK_CMD_JOURNAL_H
#define FLOWDECK_CMD_JOURNAL_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_journal_run(struct cli *cli);

extern const struct cli_opt cmd_journal_opts[];

#endif
