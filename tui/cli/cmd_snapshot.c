/*
 * cmd_snapshot: `flowdeck snapshot list|save|restore|delete` copies the
 * whole engine state to a named snapshot and back.
 */
#include "cli/cmd_snapshot.h"

#include "cli/cli_table.h"
#include "client/client.h"

#include <stdlib.h>
#include <string.h>

const struct cli_opt cmd_snapshot_opts[] = {
    {"force", 'f', NULL, "save over a snapshot of the same name"},
    {NULL, 0, NULL, NULL},
};

/* "512 B", "12.3 KiB", "4.0 MiB" */
static void
cmd_snapshot_size(char *out, size_t n, const json_t *size)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = json_number_value(size);
    size_t u = 0;

    if (!json_is_number(size)) {
        snprintf(out, n, "-");
        return;
    }
    while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(out, n, "%.0f B", v);
    else
        snprintf(out, n, "%.1f %s", v, units[u]);
}

static int
cmd_snapshot_list(struct cli *cli)
{
    static const char *const head[] = {"NAME", "SIZE", "CREATED"};
    struct cli_table *t;
    json_t *page = NULL, *item, *items;
    char size[32];
    size_t i;

    if (client_list_snapshots(&page, cli_client(cli)) != 0)
        return cli_fail();
    items = json_object_get(page, "items");
    if (cli->json) {
        cli_print_json(page);
    } else if (json_array_size(items) == 0) {
        printf("no snapshots\n");
    } else {
        t = cli_table_create(3, head);
        json_array_foreach(items, i, item)
        {
            char *name = cli_json_text(json_object_get(item, "name"));
            char *created = cli_json_text(json_object_get(item, "created"));

            cmd_snapshot_size(size, sizeof(size),
                              json_object_get(item, "size"));
            cli_table_cell(t, name);
            cli_table_cell(t, size);
            cli_table_cell(t, created);
            free(name);
            free(created);
        }
        cli_table_print(t, stdout, cli_width());
        cli_table_free(t);
    }
    json_decref(page);
    return CLI_EXIT_OK;
}

int
cmd_snapshot_run(struct cli *cli)
{
    const char *action = cli->argc > 0 ? cli->argv[0] : "list";
    const char *name = cli->argc > 1 ? cli->argv[1] : NULL;
    int force = cli_opt_value(cli, "force") != NULL;
    struct client *c;
    json_t *resp = NULL;
    const char *done;
    int rc;

    if (force && strcmp(action, "save") != 0)
        return cli_usage_error(cli, "--force goes with save only");
    if (strcmp(action, "list") == 0) {
        if (name)
            return cli_usage_error(cli,
                                   "snapshot list: unexpected argument "
                                   "'%s'",
                                   name);
        return cmd_snapshot_list(cli);
    }
    if (strcmp(action, "save") != 0 && strcmp(action, "restore") != 0 &&
        strcmp(action, "delete") != 0)
        return cli_usage_error(cli, "snapshot: unknown action '%s'", action);
    if (name == NULL)
        return cli_usage_error(cli, "snapshot %s: missing NAME", action);
    c = cli_client(cli);
    if (strcmp(action, "save") == 0) {
        rc = client_save_snapshot(&resp, c, name, force);
        done = "saved";
    } else if (strcmp(action, "restore") == 0) {
        rc = client_restore_snapshot(&resp, c, name);
        done = "restored state from";
    } else {
        rc = client_delete_snapshot(&resp, c, name);
        done = "deleted";
    }
    if (rc)
        return cli_fail();
    if (cli->json)
        cli_print_json(resp);
    else
        printf("%s snapshot %s\n", done, name);
    json_decref(resp);
    return CLI_EXIT_OK;
}
