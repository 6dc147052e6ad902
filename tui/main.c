/*
 * main: flowdeck's entry point. Parses the command line through cli.c,
 * then runs a subcommand, or with none opens the dashboard, starting the
 * engine first when none answers. The dashboard's own options (--mouse,
 * --theme NAME) are taken out of argv here, before cli.c sees it.
 */
#include "app.h"
#include "cli/cli.h"
#include "cli/cmd_up.h"
#include "common/xalloc.h"

#include <curl/curl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Take --mouse, --theme NAME and --theme=NAME out of argv into `out`;
 * FLOWDECK_MOUSE=1 turns the mouse on too. Returns: the new argc. */
static int
main_take_dashboard_opts(struct app_opts *out, int argc, char **argv)
{
    const char *env = getenv("FLOWDECK_MOUSE");
    int n = 1;

    memset(out, 0, sizeof(*out));
    out->mouse = env && strcmp(env, "1") == 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) { /* the rest is not ours */
            while (i < argc)
                argv[n++] = argv[i++];
            break;
        }
        if (strcmp(argv[i], "--mouse") == 0)
            out->mouse = 1;
        else if (strcmp(argv[i], "--theme") == 0 && i + 1 < argc)
            out->theme = argv[++i];
        else if (strncmp(argv[i], "--theme=", 8) == 0)
            out->theme = argv[i] + 8;
        else
            argv[n++] = argv[i];
    }
    argv[n] = NULL;
    return n;
}

static int
main_dashboard(struct cli *cli, const struct app_opts *opts)
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
    if (app_run(cli->endpoint, cli->token, opts) != 0)
        return cli_fail();
    return CLI_EXIT_OK;
}

int
main(int argc, char **argv)
{
    struct cli cli;
    struct app_opts opts;
    int status;

    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C"); /* numbers are read and written in C */
    xalloc_init_json();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    argc = main_take_dashboard_opts(&opts, argc, argv);
    status = cli_parse(&cli, argc, argv);
    if (status == CLI_CONTINUE)
        status = cli.cmd ? cli_run(&cli) : main_dashboard(&cli, &opts);
    cli_free(&cli);
    curl_global_cleanup();
    return status;
}
