/*
 * cmd_journal: `flowdeck journal` prints journal records, filtered by
 * kind, id and type, one row each with its detail as compact JSON.
 */
#include "cli/cmd_journal.h"

#include "cli/cli_table.h"
#include "client/client.h"
#include "common/err.h"

#include <stdlib.h>

#define CMD_JOURNAL_LIMIT_MAX 1000

const struct cli_opt cmd_journal_opts[] = {
    {"kind", 0, "K", "only records of this kind (message, execution ...)"},
    {"id", 0, "I", "only records of this resource (then oldest first)"},
    {"type", 0, "T", "only records of this type"},
    {"limit", 0, "N", "at most N records (default 50, at most 1000)"},
    {NULL, 0, NULL, NULL},
};

int
cmd_journal_run(struct cli *cli)
{
    static const char *const head[] = {"SEQ", "TIME", "KIND",
                                       "ID",  "TYPE", "DETAIL"};
    static const char *const fields[] = {"seq", "time", "kind",
                                         "id",  "type", "detail"};
    struct client_journal_query q = {
        cli_opt_value(cli, "kind"),
        cli_opt_value(cli, "id"),
        cli_opt_value(cli, "type"),
        cli_opt_value(cli, "limit"),
    };
    json_t *page = NULL, *items, *item;
    struct cli_table *t;
    long limit;
    size_t i;

    if (q.limit &&
        cli_parse_int(&limit, q.limit, 1, CMD_JOURNAL_LIMIT_MAX) != 0)
        return cli_usage_error(cli, "--limit: %s", err_last());
    if (client_get_journal(&page, cli_client(cli), &q) != 0)
        return cli_fail();
    items = json_object_get(page, "items");
    if (cli->json) {
        cli_print_json(page);
    } else if (json_array_size(items) == 0) {
        printf("no journal records\n");
    } else {
        t = cli_table_create(6, head);
        json_array_foreach(items, i, item)
        {
            for (size_t f = 0; f < 6; f++) {
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
