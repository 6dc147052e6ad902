/*
 * main: flowdeck's entry point. Parses the command line through cli.c,
 * then runs a subcommand, or with none opens the dashboard, starting the
 * engine first when none answers.
 */
#include "app.h"
#include "cli/cli.h"
#include "cli/cmd_up.h"
#include "common/xalloc.h"

#include <curl/curl.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

static int
main_dashboard(struct cli *cli)
{
    int status;

    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "flowdeck: the dashboard needs a terminal; "
                        "'flowdeck help' lists the commands\n");
        return CLI_EXIT_USAGE;
    }
    cli->json = 0;
    status = cmd_up_ensure(cli, NULL, 1);
    if (status != CLI_EXIT_OK)
        return status;
    if (app_run(cli->endpoint, cli->token) != 0)
        return cli_fail();
    return CLI_EXIT_OK;
}

int
main(int argc, char **argv)
{
    struct cli cli;
    int status;

    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C"); /* numbers are read and written in C */
    xalloc_init_json();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    status = cli_parse(&cli, argc, argv);
    if (status == CLI_CONTINUE)
        status = cli.cmd ? cli_run(&cli) : main_dashboard(&cli);
    cli_free(&cli);
    curl_global_cleanup();
    return status;
}
