/*
 * cmd_up: `flowdeck up` starts the engine unless one answers, through the
 * launcher, and says where it runs and where it logs.
 */
#include "cli/cmd_up.h"

#include "client/client.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "launcher/launcher.h"

#include <stdlib.h>

const struct cli_opt cmd_up_opts[] = {
    {"listen", 0, "HOST:PORT",
     "address for the engine (default: the endpoint's)"},
    {NULL, 0, NULL, NULL},
};

int
cmd_up_run(struct cli *cli)
{
    return cmd_up_ensure(cli, cli_opt_value(cli, "listen"), 0);
}

int
cmd_up_ensure(struct cli *cli, const char *listen, int quiet)
{
    struct launcher_opts o = {cli->listen, cli->data_dir, cli->token};
    struct client *own = NULL, *c;
    enum launcher_result res;
    json_t *info = NULL;
    char *hp = NULL;
    int rc, status = CLI_EXIT_OK;

    if (listen) {
        char *url = xasprintf("http://%s", listen);

        rc = client_endpoint_hostport(&hp, url);
        if (rc == 0)
            own = client_create(url, cli->token);
        free(url);
        if (rc) {
            status = cli_usage_error(
                cli, "--listen must be HOST:PORT, not '%s'", listen);
            goto out;
        }
        o.listen = hp;
    }
    c = own ? own : cli_client(cli);
    rc = launcher_up(&res, c, &o);
    if (rc == ENG_EUPSTREAM) {
        /* the engine's own words, already prefixed "flowdeckd:" */
        fprintf(stderr, "%s\n", err_last());
        status = CLI_EXIT_FAIL;
        goto out;
    }
    if (rc) {
        status = cli_fail();
        goto out;
    }
    if (quiet && res == LAUNCHER_ALREADY_UP)
        goto out;
    rc = client_get_info(&info, c);
    if (cli->json) {
        status = rc ? cli_fail() : CLI_EXIT_OK;
        cli_print_json(info);
    } else if (res == LAUNCHER_ALREADY_UP) {
        printf("flowdeck engine already running at %s\n", client_endpoint(c));
    } else {
        const char *dir = json_string_value(json_object_get(info, "data_dir"));
        json_t *pid = json_object_get(info, "pid");

        if (dir == NULL)
            dir = cli->data_dir;
        printf("flowdeck engine up at %s (", client_endpoint(c));
        if (json_is_integer(pid))
            printf("pid %lld, ", (long long)json_integer_value(pid));
        printf("data dir %s, log %s/engine.log)\n", dir, dir);
    }
out:
    json_decref(info);
    client_free(own);
    free(hp);
    return status;
}
