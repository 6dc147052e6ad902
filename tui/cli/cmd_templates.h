/*
 * cmd_templates: the `flowdeck templates` and `flowdeck stacks`
 * subcommands; their rows are in cli.c.
 */
#ifndef FLOWDECK_CMD_TEMPLATES_H
#define FLOWDECK_CMD_TEMPLATES_H

#include "cli/cli.h"

/* Returns: a CLI_EXIT_* status. */
int cmd_templates_run(struct cli *cli);
int cmd_stacks_run(struct cli *cli);

extern const struct cli_opt cmd_templates_opts[];
extern const struct cli_opt cmd_stacks_opts[];

#endif
