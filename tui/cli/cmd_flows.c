/*
 * cmd_flows: `flowdeck flows ACTION ...`: deploy, validate, list, show,
 * delete, history and diff of flow definitions through /v1/flows.
 */
#include "cli/cmd_flows.h"

#include "cli/cli_table.h"
#include "client/client.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD_FLOWS_MAX (1u << 20)

const struct cli_opt cmd_flows_opts[] = {
    {"file", 'f', "FILE", "deploy/validate: the definition (- for stdin)"},
    {"description", 'd', "TEXT", "deploy: what the flow is for"},
    {"version", 0, "V", "show: that version (a commit id or prefix)"},
    {NULL, 0, NULL, NULL}};

/* The definition named by -f as a request body {"definition": ...}. */
static int
cmd_flows_body(json_t **out, struct cli *cli)
{
    const char *file = cli_opt_value(cli, "file");
    char *text = NULL;
    json_t *def;

    *out = NULL;
    if (file == NULL)
        return cli_usage_error(cli, "give the definition with -f FILE");
    if (cli_read_file(&text, file, CMD_FLOWS_MAX) != 0)
        return cli_fail();
    def = json_string(text);
    free(text);
    if (def == NULL) {
        fprintf(stderr, "flowdeck: %s is not UTF-8 text\n", file);
        return CLI_EXIT_FAIL;
    }
    *out = json_pack("{s:o}", "definition", def);
    return 0;
}

static int
cmd_flows_deploy(struct cli *cli, const char *name)
{
    const char *desc = cli_opt_value(cli, "description");
    json_t *body, *resp = NULL;
    int rc = cmd_flows_body(&body, cli);

    if (rc)
        return rc;
    json_object_set_new(body, "name", json_string(name));
    if (desc)
        json_object_set_new(body, "description", json_string(desc));
    rc = client_request(&resp, cli_client(cli), "POST", "/v1/flows", body);
    json_decref(body);
    if (rc)
        return cli_fail();
    if (cli->json)
        cli_print_json(resp);
    else
        printf("flow %s deployed, version %.12s\n", name,
               cli_str(resp, "version"));
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_flows_validate(struct cli *cli, const char *unused)
{
    json_t *body, *resp = NULL;
    int rc = cmd_flows_body(&body, cli);

    (void)unused;
    if (rc)
        return rc;
    rc = client_request(&resp, cli_client(cli), "POST", "/v1/flows/validate",
                        body);
    json_decref(body);
    if (rc)
        return cli_fail();
    if (cli->json)
        cli_print_json(resp);
    else
        printf("%s is a valid flow definition\n",
               cli_opt_value(cli, "file"));
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_flows_list(struct cli *cli, const char *unused)
{
    static const char *const head[] = {"NAME", "VERSION", "MODIFIED",
                                       "DESCRIPTION"};
    json_t *page = NULL, *f;
    struct cli_table *t;
    size_t i;

    (void)unused;
    if (client_request(&page, cli_client(cli), "GET", "/v1/flows?limit=1000",
                       NULL) != 0)
        return cli_fail();
    if (cli->json) {
        cli_print_json(page);
    } else if (json_array_size(json_object_get(page, "items")) == 0) {
        printf("no flows\n");
    } else {
        t = cli_table_create(4, head);
        json_array_foreach(json_object_get(page, "items"), i, f) {
            cli_table_cell(t, cli_str(f, "name"));
            cli_table_cellf(t, "%.12s", cli_str(f, "version"));
            cli_table_cell(t, cli_str(f, "modified"));
            cli_table_cell(t, cli_str(f, "description"));
        }
        cli_table_print(t, stdout, cli_width());
        cli_table_free(t);
    }
    json_decref(page);
    return CLI_EXIT_OK;
}

static int
cmd_flows_show(struct cli *cli, const char *name)
{
    const char *version = cli_opt_value(cli, "version");
    struct buf rest = BUF_INIT(1024);
    json_t *resp = NULL;
    int rc;

    if (version)
        client_query_add(&rest, "version", version);
    rc = client_on_flow(&resp, cli_client(cli), "GET", name, buf_str(&rest));
    buf_free(&rest);
    if (rc)
        return cli_fail();
    if (cli->json) {
        cli_print_json(resp);
    } else {
        printf("# flow %s, version %.12s, modified %s\n", name,
               cli_str(resp, "version"), cli_str(resp, "modified"));
        if (*cli_str(resp, "description"))
            printf("# %s\n", cli_str(resp, "description"));
        fputs(cli_str(resp, "definition"), stdout);
    }
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_flows_delete(struct cli *cli, const char *name)
{
    json_t *resp = NULL;

    if (client_on_flow(&resp, cli_client(cli), "DELETE", name, "") != 0)
        return cli_fail();
    if (!cli->json)
        printf("flow %s deleted (its versions stay in the history)\n", name);
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_flows_history(struct cli *cli, const char *name)
{
    static const char *const head[] = {"VERSION", "TIME", "MESSAGE"};
    json_t *resp = NULL, *v;
    struct cli_table *t;
    size_t i;

    if (client_on_flow(&resp, cli_client(cli), "GET", name, "/versions") != 0)
        return cli_fail();
    if (cli->json) {
        cli_print_json(resp);
    } else {
        t = cli_table_create(3, head);
        json_array_foreach(json_object_get(resp, "items"), i, v) {
            cli_table_cellf(t, "%.12s", cli_str(v, "commit"));
            cli_table_cell(t, cli_str(v, "time"));
            cli_table_cell(t, cli_str(v, "message"));
        }
        cli_table_print(t, stdout, cli_width());
        cli_table_free(t);
    }
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_flows_diff(struct cli *cli, const char *name)
{
    struct buf rest = BUF_INIT(1024);
    json_t *resp = NULL;
    int rc;

    buf_puts(&rest, "/diff");
    client_query_add(&rest, "from", cli->argv[2]);
    if (cli->argc > 3)
        client_query_add(&rest, "to", cli->argv[3]);
    rc = client_on_flow(&resp, cli_client(cli), "GET", name, buf_str(&rest));
    buf_free(&rest);
    if (rc)
        return cli_fail();
    if (cli->json)
        cli_print_json(resp);
    else
        fputs(cli_str(resp, "diff"), stdout);
    json_decref(resp);
    return CLI_EXIT_OK;
}

static const struct cmd_flows_action {
    const char *name;
    int (*run)(struct cli *cli, const char *flow);
    int needs_name; /* 1: a flow name comes first */
    int min_args, max_args; /* after it */
    const char *opts;
} cmd_flows_actions[] = {
    {"list", cmd_flows_list, 0, 0, 0, ""},
    {"deploy", cmd_flows_deploy, 1, 0, 0, "file description"},
    {"validate", cmd_flows_validate, 0, 0, 0, "file"},
    {"show", cmd_flows_show, 1, 0, 0, "version"},
    {"delete", cmd_flows_delete, 1, 0, 0, ""},
    {"history", cmd_flows_history, 1, 0, 0, ""},
    {"diff", cmd_flows_diff, 1, 1, 2, ""},
    {NULL, NULL, 0, 0, 0, NULL}};

int
cmd_flows_run(struct cli *cli)
{
    const char *name = cli->argc > 0 ? cli->argv[0] : "list";
    const struct cmd_flows_action *a;
    int extra, rc;

    for (a = cmd_flows_actions; a->name; a++)
        if (strcmp(a->name, name) == 0)
            break;
    if (a->name == NULL)
        return cli_usage_error(cli, "flows: no action '%s'", name);
    if ((rc = cli_check_action_opts(cli, a->name, a->opts)) != 0)
        return rc;
    if (!a->needs_name)
        return cli->argc > 1 ? cli_usage_error(cli, "flows %s takes no "
                                                    "arguments", a->name)
                             : a->run(cli, NULL);
    if (cli->argc < 2)
        return cli_usage_error(cli, "flows %s needs a flow name", a->name);
    extra = cli->argc - 2;
    if (extra < a->min_args || extra > a->max_args)
        return cli_usage_error(cli, "flows %s: wrong number of arguments",
                               a->name);
    return a->run(cli, cli->argv[1]);
}
