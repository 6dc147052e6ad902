/*
 * cmd_timers: `flowdeck timers list|add|cancel` shows the engine's
 * durable schedule and adds or cancels note timers by hand.
 */
#include "cli/cmd_timers.h"

#include "cli/cli_table.h"
#include "client/client.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/timefmt.h"

#include <stdlib.h>
#include <string.h>

const struct cli_opt cmd_timers_opts[] = {
    {"after", 0, "DURATION", "add: due after this long (10m, 1h30m ...)"},
    {"at", 0, "TIME", "add: due at this RFC 3339 time"},
    {"ref", 0, "R", "add: what the timer is about"},
    {"payload", 0, "JSON", "add: a JSON object journaled when it is due"},
    {"kind", 0, "K", "list: only timers of this kind"},
    {NULL, 0, NULL, NULL},
};

static int
cmd_timers_list(struct cli *cli)
{
    static const char *const head[] = {"ID", "KIND", "REF", "DUE", "PAYLOAD"};
    static const char *const fields[] = {"id", "kind", "ref", "due", "payload"};
    json_t *page = NULL, *items, *item;
    struct cli_table *t;
    size_t i;

    if (client_list_timers(&page, cli_client(cli),
                           cli_opt_value(cli, "kind")) != 0)
        return cli_fail();
    items = json_object_get(page, "items");
    if (cli->json) {
        cli_print_json(page);
    } else if (json_array_size(items) == 0) {
        printf("no timers\n");
    } else {
        t = cli_table_create(5, head);
        json_array_foreach(items, i, item)
        {
            for (size_t f = 0; f < 5; f++) {
                char *text = cli_json_text(json_object_get(item, fields[f]));

                cli_table_cell(t, text);
                free(text);
            }
        }
        cli_table_print(t, stdout, cli_width());
        cli_table_free(t);
    }
    json_decref(page);
    return CLI_EXIT_OK;
}

static int
cmd_timers_add(struct cli *cli)
{
    const char *after = cli_opt_value(cli, "after");
    const char *at = cli_opt_value(cli, "at");
    const char *ref = cli_opt_value(cli, "ref");
    const char *payload = cli_opt_value(cli, "payload");
    json_t *body = NULL, *resp = NULL, *pj = NULL;
    int64_t ms;
    int status = CLI_EXIT_OK;

    if ((after == NULL) == (at == NULL))
        return cli_usage_error(cli, "timers add: give one of --after and "
                                    "--at");
    if (after && timefmt_parse_duration(&ms, after) != 0)
        return cli_usage_error(cli, "--after: %s", err_last());
    if (at && timefmt_parse_rfc3339(&ms, at) != 0)
        return cli_usage_error(cli, "--at: %s", err_last());
    if (payload && jsonx_loads(&pj, payload, strlen(payload)) != 0)
        return cli_usage_error(cli, "--payload: %s", err_last());
    body = json_pack("{s:s}", "kind", "note");
    json_object_set_new(body, after ? "after" : "at",
                        json_string(after ? after : at));
    if (ref)
        json_object_set_new(body, "ref", json_string(ref));
    if (pj)
        json_object_set_new(body, "payload", pj); /* stolen */
    if (client_add_timer(&resp, cli_client(cli), body) != 0) {
        status = cli_fail();
    } else if (cli->json) {
        cli_print_json(resp);
    } else {
        char *id = cli_json_text(json_object_get(resp, "id"));
        char *due = cli_json_text(json_object_get(resp, "due"));

        printf("added timer %s, due %s\n", id, due);
        free(id);
        free(due);
    }
    json_decref(body);
    json_decref(resp);
    return status;
}

int
cmd_timers_run(struct cli *cli)
{
    const char *action = cli->argc > 0 ? cli->argv[0] : "list";
    const char *id = cli->argc > 1 ? cli->argv[1] : NULL;
    json_t *resp = NULL;
    int is_add = strcmp(action, "add") == 0;

    if (!is_add && (cli_opt_value(cli, "after") || cli_opt_value(cli, "at") ||
                    cli_opt_value(cli, "ref") || cli_opt_value(cli, "payload")))
        return cli_usage_error(cli, "--after, --at, --ref and --payload go "
                                    "with add only");
    if (strcmp(action, "list") != 0 && cli_opt_value(cli, "kind"))
        return cli_usage_error(cli, "--kind goes with list only");
    if (strcmp(action, "cancel") != 0 && id)
        return cli_usage_error(cli, "timers %s: unexpected argument '%s'",
                               action, id);
    if (strcmp(action, "list") == 0)
        return cmd_timers_list(cli);
    if (is_add)
        return cmd_timers_add(cli);
    if (strcmp(action, "cancel") != 0)
        return cli_usage_error(cli, "timers: unknown action '%s'", action);
    if (id == NULL)
        return cli_usage_error(cli, "timers cancel: missing ID");
    if (client_cancel_timer(&resp, cli_client(cli), id) != 0)
        return cli_fail();
    if (cli->json)
        cli_print_json(resp);
    else
        printf("cancelled timer %s\n", id);
    json_decref(resp);
    return CLI_EXIT_OK;
}
