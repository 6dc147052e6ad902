/*
 * cmd_fn: `flowdeck fn ACTION ...`: local functions through
 * /v1/functions: list, create, show, delete, invoke, logs, invocations
 * (a table), invocation (one, with its result and log), and queue
 * triggers (trigger list|create|pause|resume|delete). Tables for people;
 * with -o json, the API's JSON.
 */
#include "cli/cmd_fn.h"

#include "cli/cli_table.h"
#include "client/client.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD_FN_EVENT_MAX (4u << 20)

const struct cli_opt cmd_fn_opts[] = {
    {"url", 0, "URL", "create: an HTTP function at URL (no command)"},
    {"cwd", 0, "DIR", "create: the command's working directory"},
    {"env", 0, "JSON", "create: extra environment, {\"NAME\": \"value\"}"},
    {"timeout", 0, "SECONDS", "create: kill or cut it after (default 30)"},
    {"max-concurrency", 0, "N",
     "create: invocations at once (default 10); trigger create: batches "
     "at once (default 2)"},
    {"queue", 0, "QUEUE", "trigger create: the queue to poll"},
    {"batch-size", 0, "N", "trigger create: messages per batch (1-10)"},
    {"window", 0, "SECONDS", "trigger create: batching window (0-300)"},
    {"async", 0, NULL, "invoke: do not wait for the result"},
    {"limit", 0, "N", "logs, invocations: at most N (default 20)"},
    {NULL, 0, NULL, NULL}};

static int
cmd_fn_int_opt(struct cli *cli, json_t *body, const char *opt,
               const char *field, long min, long max)
{
    const char *v = cli_opt_value(cli, opt);
    long n;

    if (v == NULL)
        return 0;
    if (cli_parse_int(&n, v, min, max) != 0)
        return cli_usage_error(cli, "--%s: %s", opt, err_last());
    json_object_set_new(body, field, json_integer(n));
    return 0;
}

static int
cmd_fn_print(struct cli *cli, json_t *j, int rc)
{
    if (rc == CLI_EXIT_OK && cli->json)
        cli_print_json(j);
    json_decref(j);
    return rc;
}

static int
cmd_fn_list(struct cli *cli)
{
    static const char *const head[] = {"NAME", "KIND", "RUNS", "TIMEOUT",
                                       "CONCURRENCY"};
    json_t *page = NULL, *f;
    struct cli_table *t;
    size_t i;
    int rc;

    if ((rc = cli_call(&page, cli, "GET", "/v1/functions", NULL)))
        return rc;
    if (cli->json)
        return cmd_fn_print(cli, page, rc);
    if (json_array_size(json_object_get(page, "items")) == 0) {
        printf("no functions\n");
        json_decref(page);
        return CLI_EXIT_OK;
    }
    t = cli_table_create(5, head);
    json_array_foreach(json_object_get(page, "items"), i, f) {
        char *what;

        cli_table_cell(t, cli_str(f, "name"));
        cli_table_cell(t, cli_str(f, "kind"));
        if (json_object_get(f, "url")) {
            what = xstrdup(cli_str(f, "url"));
        } else {
            struct buf b = BUF_INIT(0);
            size_t k;
            json_t *a;

            json_array_foreach(json_object_get(f, "command"), k, a)
                buf_printf(&b, "%s%s", k ? " " : "", json_string_value(a));
            what = buf_take(&b);
        }
        cli_table_cell(t, what ? what : "");
        free(what);
        cli_table_cellf(t, "%llds", (long long)json_integer_value(
                                        json_object_get(f, "timeout_seconds")));
        cli_table_cellf(t, "%lld", (long long)json_integer_value(
                                       json_object_get(f, "max_concurrency")));
    }
    cli_table_print(t, stdout, cli_width());
    cli_table_free(t);
    json_decref(page);
    return CLI_EXIT_OK;
}

static int
cmd_fn_create(struct cli *cli)
{
    const char *name = cli->argv[1];
    const char *url = cli_opt_value(cli, "url");
    const char *cwd = cli_opt_value(cli, "cwd");
    json_t *body = json_pack("{s:s}", "name", name), *env = NULL, *out = NULL;
    int rc;

    if (url && cli->argc > 2) {
        json_decref(body);
        return cli_usage_error(cli, "fn create: a command or --url, not both");
    }
    if (url) {
        json_object_set_new(body, "url", json_string(url));
    } else if (cli->argc > 2) {
        json_t *argv = json_array();

        for (int i = 2; i < cli->argc; i++)
            json_array_append_new(argv, json_string(cli->argv[i]));
        json_object_set_new(body, "command", argv);
    } else {
        json_decref(body);
        return cli_usage_error(cli, "fn create needs a command after the "
                                    "name (fn create NAME -- PROGRAM ARG...) "
                                    "or --url");
    }
    if (cwd)
        json_object_set_new(body, "cwd", json_string(cwd));
    if (cli_opt_value(cli, "env") &&
        (rc = cli_json_object_arg(&env, cli, "env",
                                  cli_opt_value(cli, "env")))) {
        json_decref(body);
        return rc;
    }
    if (env)
        json_object_set_new(body, "env", env);
    if ((rc = cmd_fn_int_opt(cli, body, "timeout", "timeout_seconds", 1,
                             3600)) ||
        (rc = cmd_fn_int_opt(cli, body, "max-concurrency", "max_concurrency",
                             1, 1000))) {
        json_decref(body);
        return rc;
    }
    rc = cli_call(&out, cli, "POST", "/v1/functions", body);
    json_decref(body);
    if (rc == CLI_EXIT_OK && !cli->json)
        printf("function %s is ready\n", name);
    return cmd_fn_print(cli, out, rc);
}

static int
cmd_fn_show(struct cli *cli)
{
    char *path = cli_path("/v1/functions", cli->argv[1], NULL);
    json_t *out = NULL;
    int rc = cli_call(&out, cli, "GET", path, NULL);

    free(path);
    if (rc == CLI_EXIT_OK && !cli->json)
        cli_print_json(out);
    return cmd_fn_print(cli, out, rc);
}

static int
cmd_fn_delete(struct cli *cli)
{
    char *path = cli_path("/v1/functions", cli->argv[1], NULL);
    json_t *out = NULL;
    int rc = cli_call(&out, cli, "DELETE", path, NULL);

    free(path);
    json_decref(out);
    if (rc == CLI_EXIT_OK && !cli->json)
        printf("function %s deleted\n", cli->argv[1]);
    return rc;
}

static int
cmd_fn_invoke(struct cli *cli)
{
    const char *arg = cli->argc > 2 ? cli->argv[2] : "{}";
    char *text = NULL, *path;
    json_t *event = NULL, *body, *out = NULL;
    int rc;

    if (arg[0] == '@' || strcmp(arg, "-") == 0) {
        if (cli_read_file(&text, arg[0] == '@' ? arg + 1 : "-",
                          CMD_FN_EVENT_MAX) != 0)
            return cli_fail();
        arg = text;
    }
    if (jsonx_loads(&event, arg, strlen(arg)) != 0) {
        free(text);
        return cli_usage_error(cli, "fn invoke: the event is not JSON: %s",
                               err_last());
    }
    free(text);
    body = json_pack("{s:o, s:b}", "event", event, "async",
                     cli_opt_value(cli, "async") != NULL);
    path = cli_path("/v1/functions", cli->argv[1], "/invocations");
    rc = cli_call(&out, cli, "POST", path, body);
    free(path);
    json_decref(body);
    if (rc != CLI_EXIT_OK || cli->json)
        return cmd_fn_print(cli, out, rc);
    if (json_object_get(out, "result") || json_object_get(out, "error")) {
        const char *status = cli_str(out, "status");

        if (strcmp(status, "succeeded") == 0) {
            cli_print_json(json_object_get(out, "result"));
        } else {
            fprintf(stderr, "flowdeck: %s %s: %s: %s\n", cli->argv[1], status,
                    cli_str(out, "error"), cli_str(out, "cause"));
            rc = CLI_EXIT_FAIL;
        }
    } else {
        printf("invocation %s %s\n", cli_str(out, "id"),
               cli_str(out, "status"));
    }
    json_decref(out);
    return rc;
}

static int
cmd_fn_logs(struct cli *cli)
{
    json_t *out = NULL, *inv;
    long limit = 20;
    char *path;
    size_t i;
    int rc;

    if (cli_opt_value(cli, "limit") &&
        cli_parse_int(&limit, cli_opt_value(cli, "limit"), 1, 1000) != 0)
        return cli_usage_error(cli, "--limit: %s", err_last());
    path = xasprintf("/v1/functions/%s/invocations?limit=%ld", cli->argv[1],
                     limit);
    rc = cli_call(&out, cli, "GET", path, NULL);
    free(path);
    if (rc != CLI_EXIT_OK || cli->json)
        return cmd_fn_print(cli, out, rc);
    if (json_array_size(json_object_get(out, "items")) == 0)
        printf("no invocations of %s\n", cli->argv[1]);
    /* oldest first, like a log */
    for (i = json_array_size(json_object_get(out, "items")); i-- > 0;) {
        const char *log;

        inv = json_array_get(json_object_get(out, "items"), i);
        printf("%s  %s  %-9s %5lldms  %s", cli_str(inv, "started"),
               cli_str(inv, "id"), cli_str(inv, "status"),
               (long long)json_integer_value(
                   json_object_get(inv, "duration_ms")),
               cli_str(inv, "trigger"));
        if (json_object_get(inv, "error"))
            printf("  %s: %s", cli_str(inv, "error"), cli_str(inv, "cause"));
        putchar('\n');
        log = cli_str(inv, "log");
        if (*log) {
            fputs(log, stdout);
            if (log[strlen(log) - 1] != '\n')
                putchar('\n');
        }
    }
    json_decref(out);
    return CLI_EXIT_OK;
}

/* fn invocations NAME: the newest finished invocations, one a line */
static int
cmd_fn_invocations(struct cli *cli)
{
    static const char *const head[] = {"ID", "STARTED", "TRIGGER", "STATUS",
                                       "DURATION", "ERROR"};
    json_t *out = NULL, *inv;
    struct cli_table *t;
    long limit = 20;
    char *path;
    size_t i;
    int rc;

    if (cli_opt_value(cli, "limit") &&
        cli_parse_int(&limit, cli_opt_value(cli, "limit"), 1, 1000) != 0)
        return cli_usage_error(cli, "--limit: %s", err_last());
    path = xasprintf("/v1/functions/%s/invocations?limit=%ld", cli->argv[1],
                     limit);
    rc = cli_call(&out, cli, "GET", path, NULL);
    free(path);
    if (rc != CLI_EXIT_OK || cli->json)
        return cmd_fn_print(cli, out, rc);
    if (json_array_size(json_object_get(out, "items")) == 0) {
        printf("no invocations of %s\n", cli->argv[1]);
        json_decref(out);
        return CLI_EXIT_OK;
    }
    t = cli_table_create(6, head);
    json_array_foreach(json_object_get(out, "items"), i, inv) {
        cli_table_cell(t, cli_str(inv, "id"));
        cli_table_cell(t, cli_str(inv, "started"));
        cli_table_cell(t, cli_str(inv, "trigger"));
        cli_table_cell(t, cli_str(inv, "status"));
        cli_table_cellf(t, "%lldms", (long long)json_integer_value(
                                         json_object_get(inv, "duration_ms")));
        cli_table_cell(t, cli_str(inv, "error"));
    }
    cli_table_print(t, stdout, cli_width());
    cli_table_free(t);
    json_decref(out);
    return CLI_EXIT_OK;
}

/* fn invocation NAME ID: one invocation, its result or error, its log */
static int
cmd_fn_invocation(struct cli *cli)
{
    json_t *out = NULL;
    const char *log;
    char *path, *rest;
    int rc;

    rest = xasprintf("/invocations/%s", cli->argv[2]);
    path = cli_path("/v1/functions", cli->argv[1], rest);
    free(rest);
    rc = cli_call(&out, cli, "GET", path, NULL);
    free(path);
    if (rc != CLI_EXIT_OK || cli->json)
        return cmd_fn_print(cli, out, rc);
    printf("invocation   %s\n", cli_str(out, "id"));
    printf("status       %s\n", cli_str(out, "status"));
    if (json_object_get(out, "trigger")) {
        printf("trigger      %s\n", cli_str(out, "trigger"));
        printf("started      %s\n", cli_str(out, "started"));
        printf("duration     %lldms\n", (long long)json_integer_value(
                                              json_object_get(out,
                                                              "duration_ms")));
    }
    if (json_is_integer(json_object_get(out, "exit_status")))
        printf("exit status  %lld\n", (long long)json_integer_value(
                                            json_object_get(out,
                                                            "exit_status")));
    if (json_object_get(out, "error"))
        printf("error        %s: %s\n", cli_str(out, "error"),
               cli_str(out, "cause"));
    if (json_object_get(out, "result")) {
        printf("result\n");
        cli_print_json(json_object_get(out, "result"));
    }
    log = cli_str(out, "log");
    printf("log\n");
    if (*log) {
        fputs(log, stdout);
        if (log[strlen(log) - 1] != '\n')
            putchar('\n');
    }
    json_decref(out);
    return CLI_EXIT_OK;
}

/* fn trigger ACTION NAME [ID] */
static int
cmd_fn_trigger(struct cli *cli)
{
    static const char *const head[] = {"ID", "QUEUE", "STATE", "BATCH",
                                       "WINDOW", "CONCURRENCY", "IN FLIGHT"};
    const char *action = cli->argc > 1 ? cli->argv[1] : "";
    const char *fname = cli->argc > 2 ? cli->argv[2] : NULL;
    const char *id = cli->argc > 3 ? cli->argv[3] : NULL;
    json_t *out = NULL, *body = NULL, *t;
    struct cli_table *tab;
    char *path;
    size_t i;
    int rc;

    if (fname == NULL)
        return cli_usage_error(cli, "fn trigger %s needs a function name",
                               *action ? action : "ACTION");
    if (strcmp(action, "list") == 0) {
        path = cli_path("/v1/functions", fname, "/triggers");
        rc = cli_call(&out, cli, "GET", path, NULL);
        free(path);
        if (rc != CLI_EXIT_OK || cli->json)
            return cmd_fn_print(cli, out, rc);
        tab = cli_table_create(7, head);
        json_array_foreach(json_object_get(out, "items"), i, t) {
            cli_table_cell(tab, cli_str(t, "id"));
            cli_table_cell(tab, cli_str(t, "queue"));
            cli_table_cell(tab, cli_str(t, "state"));
            cli_table_cellf(tab, "%lld", (long long)json_integer_value(
                                             json_object_get(t, "batch_size")));
            cli_table_cellf(tab, "%llds",
                            (long long)json_integer_value(json_object_get(
                                t, "batching_window_seconds")));
            cli_table_cellf(tab, "%lld",
                            (long long)json_integer_value(
                                json_object_get(t, "max_concurrency")));
            cli_table_cellf(tab, "%lld", (long long)json_integer_value(
                                             json_object_get(t, "in_flight")));
        }
        cli_table_print(tab, stdout, cli_width());
        cli_table_free(tab);
        json_decref(out);
        return CLI_EXIT_OK;
    }
    if (strcmp(action, "create") == 0) {
        if (cli_opt_value(cli, "queue") == NULL)
            return cli_usage_error(cli, "fn trigger create needs --queue");
        body = json_pack("{s:s}", "queue", cli_opt_value(cli, "queue"));
        if ((rc = cmd_fn_int_opt(cli, body, "batch-size", "batch_size", 1,
                                 10)) ||
            (rc = cmd_fn_int_opt(cli, body, "window",
                                 "batching_window_seconds", 0, 300)) ||
            (rc = cmd_fn_int_opt(cli, body, "max-concurrency",
                                 "max_concurrency", 1, 100))) {
            json_decref(body);
            return rc;
        }
        path = cli_path("/v1/functions", fname, "/triggers");
        rc = cli_call(&out, cli, "POST", path, body);
        free(path);
        json_decref(body);
        if (rc == CLI_EXIT_OK && !cli->json)
            printf("trigger %s: %s -> %s\n", cli_str(out, "id"),
                   cli_str(out, "queue"), fname);
        return cmd_fn_print(cli, out, rc);
    }
    if (id == NULL)
        return cli_usage_error(cli, "fn trigger %s needs a function name and "
                                    "a trigger id", action);
    if (strcmp(action, "pause") == 0 || strcmp(action, "resume") == 0) {
        char *rest = xasprintf("/triggers/%s/%s", id, action);

        path = cli_path("/v1/functions", fname, rest);
        free(rest);
        body = json_object();
        rc = cli_call(&out, cli, "POST", path, body);
        json_decref(body);
        free(path);
        if (rc == CLI_EXIT_OK && !cli->json)
            printf("trigger %s %s\n", id, cli_str(out, "state"));
        return cmd_fn_print(cli, out, rc);
    }
    if (strcmp(action, "delete") == 0) {
        char *rest = xasprintf("/triggers/%s", id);

        path = cli_path("/v1/functions", fname, rest);
        free(rest);
        rc = cli_call(&out, cli, "DELETE", path, NULL);
        free(path);
        json_decref(out);
        if (rc == CLI_EXIT_OK && !cli->json)
            printf("trigger %s deleted\n", id);
        return rc;
    }
    return cli_usage_error(cli, "fn trigger: no action '%s' (list, create, "
                                "pause, resume, delete)", action);
}

int
cmd_fn_run(struct cli *cli)
{
    const char *action = cli->argc > 0 ? cli->argv[0] : "list";

    if (strcmp(action, "list") == 0)
        return cmd_fn_list(cli);
    if (strcmp(action, "trigger") == 0)
        return cmd_fn_trigger(cli);
    if (cli->argc < 2)
        return cli_usage_error(cli, "fn %s needs a function name", action);
    if (strcmp(action, "create") == 0)
        return cmd_fn_create(cli);
    if (strcmp(action, "invocation") == 0) {
        if (cli->argc != 3)
            return cli_usage_error(cli, "fn invocation NAME ID");
        return cmd_fn_invocation(cli);
    }
    if (cli->argc > (strcmp(action, "invoke") == 0 ? 3 : 2))
        return cli_usage_error(cli, "fn %s: too many arguments", action);
    if (strcmp(action, "show") == 0)
        return cmd_fn_show(cli);
    if (strcmp(action, "delete") == 0)
        return cmd_fn_delete(cli);
    if (strcmp(action, "invoke") == 0)
        return cmd_fn_invoke(cli);
    if (strcmp(action, "logs") == 0)
        return cmd_fn_logs(cli);
    if (strcmp(action, "invocations") == 0)
        return cmd_fn_invocations(cli);
    return cli_usage_error(cli, "fn: no action '%s'", action);
}
