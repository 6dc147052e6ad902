/*
 * cmd_repo: `flowdeck templates repo ACTION ...`, the git repositories
 * templates are found in, through /v1/templates/repos. The `templates`
 * command dispatches its `repo` action here.
 */
#ifndef FLOWDECK_CMD_REPO_H
#define FLOWDECK_CMD_REPO_H

#include "cli/cli.h"

/*
 * The options `templates repo` reads, as rows for the `templates`
 * command's option table (which must hold them: cli_opt_value() looks
 * options up there).
 */
#define CMD_REPO_OPTS                                                        \
    {"ref", 0, "REF", "repo add: branch, tag or commit id (default: the "   \
                      "remote's default branch)"},                           \
    {"name", 0, "N", "repo add: the repository's name (default: from the "  \
                     "URL)"},                                                \
    {"no-wait", 0, NULL, "repo add/update: return at once instead of "      \
                         "waiting for the clone or fetch"}

/* The usage lines of `templates repo`, for the command's usage text. */
#define CMD_REPO_USAGE                                                       \
    "repo [list]\n"                                                          \
    "repo add URL|PATH [--ref REF] [--name N] [--no-wait]\n"                 \
    "repo show NAME\n"                                                       \
    "repo update [NAME] [--no-wait]\n"                                       \
    "repo remove NAME"

/*
 * Run `templates repo ...`: cli->argv[0] is "repo", cli->argv[1] the
 * action (none: list). Returns: a CLI_EXIT_* status.
 */
int cmd_templates_repo(struct cli *cli);

#endif
