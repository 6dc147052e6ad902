/*
 * cmd_down: `flowdeck down` asks the engine to shut down and waits until
 * nothing answers any more.
 */
#include "cli/cmd_down.h"

#include "client/client.h"
#include "launcher/launcher.h"

int
cmd_down_run(struct cli *cli)
{
    struct client *c = cli_client(cli);
    json_t *resp = NULL;
    int rc;

    if (client_health(c) == CLIENT_HEALTH_NONE) {
        fprintf(cli->json ? stderr : stdout, "no engine running at %s\n",
                client_endpoint(c));
        return CLI_EXIT_OK;
    }
    rc = client_shutdown(&resp, c);
    /* an engine may drop the connection as it goes: then just wait */
    if (rc && !client_is_unreachable(rc))
        return cli_fail();
    rc = launcher_wait_down(c, LAUNCHER_DOWN_TIMEOUT_MS);
    if (rc) {
        json_decref(resp);
        return cli_fail();
    }
    if (cli->json)
        cli_print_json(resp);
    else
        printf("flowdeck engine stopped\n");
    json_decref(resp);
    return CLI_EXIT_OK;
}
