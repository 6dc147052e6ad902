/*
 * cmd_topics: the `flowdeck topics` subcommand; its row is in cli.c.
 */
#ifndef FLOWDECK_CMD_TOPICS_H
#define FLOWDECK_CMD_TOPICS_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_topics_run(struct cli *cli);

extern const struct cli_opt cmd_topics_opts[];

#endif
