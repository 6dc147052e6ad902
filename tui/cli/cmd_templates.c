/*
 * cmd_templates: `flowdeck templates ACTION ...` and `flowdeck stacks
 * ACTION ...`: the template catalog, deploys with per-resource states,
 * demos that run a sample to the end step by step, and the stacks a
 * deploy leaves, through /v1/templates and /v1/stacks.
 */
#include "cli/cmd_templates.h"

#include "cli/cli_table.h"
#include "cli/cmd_repo.h"
#include "client/client.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/timefmt.h"
#include "common/xalloc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMD_TMPL_POLL_MS 150    /* how often a demo looks for new events */
#define CMD_TMPL_DETAIL_MAX 100 /* an event's detail, at most, in a demo */

const struct cli_opt cmd_templates_opts[] = {
    {"param", 'p', "K=V", "deploy/demo: a parameter's value (repeat for "
                          "more)"},
    {"stack", 0, "S", "deploy/demo: the stack's name (default: the "
                      "template's)"},
    {"input", 0, "SAMPLE", "demo: the sample to run (default: the first)"},
    {"timeout", 0, "SECONDS", "demo: stop following after SECONDS"},
    CMD_REPO_OPTS,
    {NULL, 0, NULL, NULL}};

const struct cli_opt cmd_stacks_opts[] = {{NULL, 0, NULL, NULL}};

/* ---- helpers ---- */

/* "creating" -> "Creating" */
static const char *
cmd_tmpl_state(const char *s, char *buf, size_t n)
{
    snprintf(buf, n, "%s", s);
    if (buf[0] >= 'a' && buf[0] <= 'z')
        buf[0] = (char)(buf[0] - 'a' + 'A');
    return buf;
}

/* --param K=V (repeated: one a line) into {K: V}. */
static int
cmd_tmpl_params(json_t **out, struct cli *cli)
{
    const char *v = cli_opt_value(cli, "param");
    json_t *params = json_object();
    char *copy, *line, *next;

    *out = NULL;
    copy = xstrdup(v ? v : "");
    for (line = copy; v && line; line = next) {
        char *eq = strchr(line, '=');

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (eq == NULL || eq == line) {
            int rc = cli_usage_error(cli, "--param '%s': expected K=V",
                                     line);

            free(copy);
            json_decref(params);
            return rc;
        }
        *eq = '\0';
        json_object_set_new(params, line, json_string(eq + 1));
    }
    free(copy);
    *out = params;
    return CLI_EXIT_OK;
}

/* Print a deploy's (or delete's) events, one line per resource. */
static void
cmd_tmpl_print_events(const json_t *events)
{
    struct buf line = BUF_INIT(0);
    const char *type = NULL, *name = NULL;
    char st[32];
    size_t i;
    json_t *ev;

    json_array_foreach(events, i, ev) {
        const char *t = cli_str(ev, "type"), *n = cli_str(ev, "name");

        if (strcmp(t, "stack") == 0)
            continue;
        if (type == NULL || strcmp(t, type) != 0 || strcmp(n, name) != 0) {
            if (line.len)
                printf("%s\n", buf_str(&line));
            buf_reset(&line);
            buf_printf(&line, "  %-12s %-28s %s", t, n,
                       cmd_tmpl_state(cli_str(ev, "status"), st, sizeof(st)));
        } else {
            buf_printf(&line, " -> %s",
                       cmd_tmpl_state(cli_str(ev, "status"), st, sizeof(st)));
        }
        if (*cli_str(ev, "reason"))
            buf_printf(&line, " (%s)", cli_str(ev, "reason"));
        type = t;
        name = n;
    }
    if (line.len)
        printf("%s\n", buf_str(&line));
    buf_free(&line);
}

/* Deploy: the stack in *out (new). Prints the states unless -o json. */
static int
cmd_tmpl_deploy_one(json_t **out, struct cli *cli, const char *name,
                    int quiet)
{
    json_t *params = NULL, *body, *s = NULL;
    int rc;

    *out = NULL;
    if ((rc = cmd_tmpl_params(&params, cli)))
        return rc;
    body = json_pack("{s:s, s:o}", "template", name, "params", params);
    if (cli_opt_value(cli, "stack"))
        json_object_set_new(body, "stack",
                            json_string(cli_opt_value(cli, "stack")));
    rc = cli_call(&s, cli, "POST", "/v1/stacks", body);
    json_decref(body);
    if (rc)
        return rc;
    if (!quiet) {
        printf("stack %s (template %s, %s), deploy %lld\n",
               cli_str(s, "name"), cli_str(s, "template"),
               cli_str(s, "source"),
               (long long)json_integer_value(json_object_get(s, "deploys")));
        cmd_tmpl_print_events(json_object_get(s, "events"));
        printf("stack %s is %s: %zu resources\n", cli_str(s, "name"),
               cli_str(s, "status"),
               json_array_size(json_object_get(s, "resources")));
    }
    *out = s;
    return CLI_EXIT_OK;
}

/* ---- templates actions ---- */

static int
cmd_tmpl_list(struct cli *cli)
{
    static const char *const head[] = {"NAME", "SOURCE", "RESOURCES",
                                       "DESCRIPTION"};
    json_t *resp = NULL, *it;
    struct cli_table *t;
    size_t i;
    int rc;

    if ((rc = cli_call(&resp, cli, "GET", "/v1/templates", NULL)))
        return rc;
    if (cli->json) {
        cli_print_json(resp);
        json_decref(resp);
        return CLI_EXIT_OK;
    }
    if (json_array_size(json_object_get(resp, "items")) == 0)
        printf("no templates\n");
    t = cli_table_create(4, head);
    json_array_foreach(json_object_get(resp, "items"), i, it) {
        cli_table_cell(t, cli_str(it, "name"));
        cli_table_cell(t, cli_str(it, "source"));
        if (*cli_str(it, "error")) {
            cli_table_cell(t, "-");
            cli_table_cellf(t, "cannot load: %s", cli_str(it, "error"));
            continue;
        }
        cli_table_cellf(
            t, "%lld",
            (long long)json_integer_value(json_object_get(it, "resources")));
        cli_table_cell(t, cli_str(it, "description"));
    }
    if (json_array_size(json_object_get(resp, "items")))
        cli_table_print(t, stdout, cli_width());
    cli_table_free(t);
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_tmpl_show(struct cli *cli)
{
    char *path = cli_path("/v1/templates", cli->argv[1], "");
    json_t *t = NULL, *x;
    size_t i;
    int rc = cli_call(&t, cli, "GET", path, NULL);

    free(path);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(t);
        json_decref(t);
        return CLI_EXIT_OK;
    }
    printf("%-12s %s\n", "template", cli_str(t, "name"));
    printf("%-12s %s\n", "description", cli_str(t, "description"));
    printf("%-12s %s (%s)\n", "source", cli_str(t, "source"),
           cli_str(t, "path"));
    printf("\nparameters:\n");
    if (json_array_size(json_object_get(t, "parameters")) == 0)
        printf("  (none)\n");
    json_array_foreach(json_object_get(t, "parameters"), i, x) {
        char *def = cli_json_text(json_object_get(x, "default"));

        printf("  %-16s default %-16s %s\n", cli_str(x, "name"), def,
               cli_str(x, "description"));
        free(def);
    }
    printf("\nresources:\n");
    json_array_foreach(json_object_get(t, "resources"), i, x) {
        const char *type = cli_str(x, "type");

        if (strcmp(type, "subscription") == 0)
            printf("  %-12s %s/%s\n", type, cli_str(x, "topic"),
                   cli_str(x, "name"));
        else if (strcmp(type, "trigger") == 0)
            printf("  %-12s %s <- %s\n", type, cli_str(x, "function"),
                   cli_str(x, "queue"));
        else
            printf("  %-12s %s\n", type, cli_str(x, "name"));
    }
    printf("\nsamples:\n");
    if (json_array_size(json_object_get(t, "samples")) == 0)
        printf("  (none)\n");
    json_array_foreach(json_object_get(t, "samples"), i, x)
        printf("  %-16s flow %-20s %s\n", cli_str(x, "name"),
               cli_str(x, "flow"), cli_str(x, "description"));
    if (*cli_str(t, "readme"))
        printf("\n%s", cli_str(t, "readme"));
    json_decref(t);
    return CLI_EXIT_OK;
}

static int
cmd_tmpl_deploy(struct cli *cli)
{
    json_t *s = NULL;
    int rc = cmd_tmpl_deploy_one(&s, cli, cli->argv[1], cli->json);

    if (rc == CLI_EXIT_OK && cli->json)
        cli_print_json(s);
    json_decref(s);
    return rc;
}

static volatile sig_atomic_t cmd_tmpl_interrupted;

static void
cmd_tmpl_on_int(int sig)
{
    (void)sig;
    cmd_tmpl_interrupted = 1;
}

/* One history event as a demo line. */
static void
cmd_tmpl_demo_event(const json_t *ev, int64_t t0)
{
    char *detail = cli_json_text(json_object_get(ev, "detail"));
    int64_t at = 0;
    size_t dl = strlen(detail);

    timefmt_parse_rfc3339(&at, cli_str(ev, "time"));
    printf("  %+8.3fs  %-24s %-20s", t0 ? (double)(at - t0) / 1000.0 : 0.0,
           cli_str(ev, "type"), cli_str(ev, "step"));
    if (dl > 2 && strcmp(detail, "{}") != 0)
        printf(" %.*s%s", CMD_TMPL_DETAIL_MAX, detail,
               dl > CMD_TMPL_DETAIL_MAX ? "..." : "");
    printf("\n");
    free(detail);
}

/* Follow execution `name` event by event until it ends (or the time is
 * up, or ^C). Returns: the last describe of it (new) in *out. */
static int
cmd_tmpl_follow(json_t **out, struct cli *cli, const char *name,
                long timeout_s)
{
    char *hist = cli_path("/v1/executions", name, "/history");
    char *desc = cli_path("/v1/executions", name, "");
    int64_t t0 = 0, deadline = timefmt_mono_ms() + timeout_s * 1000;
    char cursor[32] = "";
    json_t *x = NULL;
    int said_waiting = 0, ended = 0, rc = 0;
    struct sigaction sa, old;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = cmd_tmpl_on_int;
    sigaction(SIGINT, &sa, &old);
    for (;;) {
        struct buf p = BUF_INIT(0);
        json_t *page = NULL, *ev;
        const char *status;
        size_t i;

        buf_puts(&p, hist);
        if (*cursor)
            client_query_add(&p, "cursor", cursor);
        rc = client_request(&page, cli_client(cli), "GET", buf_str(&p),
                            NULL);
        buf_free(&p);
        if (rc)
            break;
        json_array_foreach(json_object_get(page, "items"), i, ev) {
            if (t0 == 0)
                timefmt_parse_rfc3339(&t0, cli_str(ev, "time"));
            cmd_tmpl_demo_event(ev, t0);
            snprintf(cursor, sizeof(cursor), "%lld",
                     (long long)json_integer_value(json_object_get(ev, "id")));
        }
        if (*cli_str(page, "next")) {
            json_decref(page);
            continue; /* more pages at once */
        }
        json_decref(page);
        json_decref(x);
        x = NULL;
        if ((rc = client_request(&x, cli_client(cli), "GET", desc, NULL)))
            break;
        status = cli_str(x, "status");
        if (strcmp(status, "Running") != 0) {
            if (ended)
                break;
            ended = 1; /* once more: the events it recorded as it ended */
            continue;
        }
        if (!said_waiting) {
            const json_t *cur = json_object_get(x, "current"), *c;
            size_t j;

            json_array_foreach(cur, j, c) {
                if (strcmp(cli_str(c, "state"), "waiting") != 0 ||
                    !*cli_str(c, "token"))
                    continue;
                printf("  ... step %s waits for a callback; a worker (or "
                       "you: flowdeck tasks succeed TOKEN) reports it with "
                       "token\n      %s\n",
                       cli_str(c, "step"), cli_str(c, "token"));
                said_waiting = 1;
            }
        }
        fflush(stdout);
        if (cmd_tmpl_interrupted ||
            (timeout_s > 0 && timefmt_mono_ms() > deadline))
            break;
        {
            struct timespec ts = {0, CMD_TMPL_POLL_MS * 1000000L};

            nanosleep(&ts, NULL);
        }
    }
    sigaction(SIGINT, &old, NULL);
    free(hist);
    free(desc);
    if (rc) {
        json_decref(x);
        return rc;
    }
    *out = x;
    return 0;
}

static int
cmd_tmpl_demo(struct cli *cli)
{
    const char *want = cli_opt_value(cli, "input");
    const char *tv = cli_opt_value(cli, "timeout");
    char *path = cli_path("/v1/templates", cli->argv[1], "");
    json_t *t = NULL, *s = NULL, *sample = NULL, *x = NULL, *body, *it;
    const char *status;
    long timeout = 0;
    size_t i;
    int rc;

    if (tv && cli_parse_int(&timeout, tv, 1, 86400) != 0) {
        free(path);
        return cli_usage_error(cli, "--timeout: %s", err_last());
    }
    rc = cli_call(&t, cli, "GET", path, NULL);
    free(path);
    if (rc)
        return rc;
    json_array_foreach(json_object_get(t, "samples"), i, it)
        if (sample == NULL &&
            (want == NULL || strcmp(cli_str(it, "name"), want) == 0))
            sample = it;
    if (sample == NULL) {
        fprintf(stderr, "flowdeck: template %s has %s\n",
                cli_str(t, "name"),
                want ? "no such sample (templates show lists them)"
                     : "no samples to run");
        json_decref(t);
        return CLI_EXIT_FAIL;
    }
    /* deploy (again: a deploy that changes nothing is quick and safe) */
    if ((rc = cmd_tmpl_deploy_one(&s, cli, cli_str(t, "name"), 0))) {
        json_decref(t);
        return rc;
    }
    body = json_pack("{s:s, s:O}", "flow", cli_str(sample, "flow"), "input",
                     json_object_get(sample, "input"));
    rc = cli_call(&x, cli, "POST", "/v1/executions", body);
    json_decref(body);
    if (rc == CLI_EXIT_OK) {
        char *in = cli_json_text(json_object_get(sample, "input"));
        json_t *last = NULL;

        printf("\nexecution %s of flow %s, sample %s: %s\n",
               cli_str(x, "name"), cli_str(x, "flow"),
               cli_str(sample, "name"), in);
        free(in);
        if (cmd_tmpl_follow(&last, cli, cli_str(x, "name"), timeout) != 0) {
            rc = cli_fail();
        } else {
            char *output = cli_json_text(json_object_get(last, "output"));

            status = cli_str(last, "status");
            printf("execution %s: %s", cli_str(last, "name"), status);
            if (*cli_str(last, "error"))
                printf(": %s (%s)", cli_str(last, "error"),
                       cli_str(last, "cause"));
            printf("\n");
            if (json_object_get(last, "output"))
                printf("output: %s\n", output);
            free(output);
            if (strcmp(status, "Running") == 0)
                printf("still running: flowdeck exec show %s\n",
                       cli_str(last, "name"));
            rc = strcmp(status, "Succeeded") == 0 ? CLI_EXIT_OK
                                                  : CLI_EXIT_FAIL;
        }
        json_decref(last);
    }
    json_decref(x);
    json_decref(s);
    json_decref(t);
    return rc;
}

static const struct {
    const char *name;
    int (*run)(struct cli *cli);
    int args; /* after the action: exactly this many (-1: any) */
    const char *opts;
} cmd_tmpl_actions[] = {
    {"list", cmd_tmpl_list, 0, ""},
    {"show", cmd_tmpl_show, 1, ""},
    {"deploy", cmd_tmpl_deploy, 1, "param stack"},
    {"demo", cmd_tmpl_demo, 1, "param stack input timeout"},
    {"repo", cmd_templates_repo, -1, "ref name no-wait"},
    {NULL, NULL, 0, NULL}};

int
cmd_templates_run(struct cli *cli)
{
    const char *name = cli->argc > 0 ? cli->argv[0] : "list";
    int rc;

    for (size_t i = 0; cmd_tmpl_actions[i].name; i++) {
        if (strcmp(cmd_tmpl_actions[i].name, name) != 0)
            continue;
        if ((rc = cli_check_action_opts(cli, name,
                                        cmd_tmpl_actions[i].opts)) != 0)
            return rc;
        if (cmd_tmpl_actions[i].args >= 0 && cli->argc > 0 &&
            cli->argc - 1 != cmd_tmpl_actions[i].args)
            return cli_usage_error(cli, "templates %s: %s", name,
                                   cmd_tmpl_actions[i].args
                                       ? "needs a template name"
                                       : "takes no arguments");
        return cmd_tmpl_actions[i].run(cli);
    }
    return cli_usage_error(cli, "templates: no action '%s'", name);
}

/* ---- stacks ---- */

static int
cmd_stacks_list(struct cli *cli)
{
    static const char *const head[] = {"NAME", "TEMPLATE", "STATUS",
                                       "RESOURCES", "DEPLOYS", "UPDATED"};
    json_t *resp = NULL, *it;
    struct cli_table *t;
    size_t i;
    int rc;

    if ((rc = cli_call(&resp, cli, "GET", "/v1/stacks", NULL)))
        return rc;
    if (cli->json) {
        cli_print_json(resp);
    } else if (json_array_size(json_object_get(resp, "items")) == 0) {
        printf("no stacks\n");
    } else {
        t = cli_table_create(6, head);
        json_array_foreach(json_object_get(resp, "items"), i, it) {
            cli_table_cell(t, cli_str(it, "name"));
            cli_table_cell(t, cli_str(it, "template"));
            cli_table_cell(t, cli_str(it, "status"));
            cli_table_cellf(t, "%lld",
                            (long long)json_integer_value(
                                json_object_get(it, "resources")));
            cli_table_cellf(t, "%lld",
                            (long long)json_integer_value(
                                json_object_get(it, "deploys")));
            cli_table_cell(t, cli_str(it, "updated"));
        }
        cli_table_print(t, stdout, cli_width());
        cli_table_free(t);
    }
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_stacks_show(struct cli *cli)
{
    static const char *const head[] = {"TYPE", "NAME", "STATUS"};
    char *path = cli_path("/v1/stacks", cli->argv[1], "");
    json_t *s = NULL, *r, *v;
    struct cli_table *t;
    const char *k;
    size_t i;
    int rc = cli_call(&s, cli, "GET", path, NULL);

    free(path);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(s);
        json_decref(s);
        return CLI_EXIT_OK;
    }
    printf("%-10s %s\n", "stack", cli_str(s, "name"));
    printf("%-10s %s (%s)\n", "template", cli_str(s, "template"),
           cli_str(s, "source"));
    printf("%-10s %s, deploy %lld, %s\n", "status", cli_str(s, "status"),
           (long long)json_integer_value(json_object_get(s, "deploys")),
           cli_str(s, "updated"));
    json_object_foreach(json_object_get(s, "params"), k, v) {
        char *text = cli_json_text(v);

        printf("%-10s %s=%s\n", "param", k, text);
        free(text);
    }
    printf("\n");
    t = cli_table_create(3, head);
    json_array_foreach(json_object_get(s, "resources"), i, r) {
        cli_table_cell(t, cli_str(r, "type"));
        cli_table_cell(t, cli_str(r, "name"));
        cli_table_cell(t, cli_str(r, "status"));
    }
    cli_table_print(t, stdout, cli_width());
    cli_table_free(t);
    json_decref(s);
    return CLI_EXIT_OK;
}

static int
cmd_stacks_delete(struct cli *cli)
{
    char *path = cli_path("/v1/stacks", cli->argv[1], "");
    json_t *out = NULL;
    int rc = cli_call(&out, cli, "DELETE", path, NULL);

    free(path);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(out);
    } else {
        cmd_tmpl_print_events(json_object_get(out, "events"));
        printf("stack %s deleted\n", cli_str(out, "name"));
    }
    json_decref(out);
    return CLI_EXIT_OK;
}

static int
cmd_stacks_events(struct cli *cli)
{
    static const char *const head[] = {"DEPLOY", "TIME", "TYPE", "NAME",
                                       "STATUS"};
    char *path = cli_path("/v1/stacks", cli->argv[1], "/events");
    json_t *all = NULL, *ev;
    struct cli_table *t;
    size_t i;
    int rc = cli_get_all(&all, cli, path);

    free(path);
    if (rc)
        return cli_fail();
    if (cli->json) {
        cli_print_json(all);
        json_decref(all);
        return CLI_EXIT_OK;
    }
    t = cli_table_create(5, head);
    json_array_foreach(json_object_get(all, "items"), i, ev) {
        cli_table_cellf(
            t, "%lld",
            (long long)json_integer_value(json_object_get(ev, "deploy")));
        cli_table_cell(t, cli_str(ev, "time"));
        cli_table_cell(t, cli_str(ev, "type"));
        cli_table_cell(t, cli_str(ev, "name"));
        cli_table_cell(t, cli_str(ev, "status"));
    }
    cli_table_print(t, stdout, cli_width());
    cli_table_free(t);
    json_decref(all);
    return CLI_EXIT_OK;
}

static const struct {
    const char *name;
    int (*run)(struct cli *cli);
    int args;
} cmd_stacks_actions[] = {{"list", cmd_stacks_list, 0},
                          {"show", cmd_stacks_show, 1},
                          {"delete", cmd_stacks_delete, 1},
                          {"events", cmd_stacks_events, 1},
                          {NULL, NULL, 0}};

int
cmd_stacks_run(struct cli *cli)
{
    const char *name = cli->argc > 0 ? cli->argv[0] : "list";

    for (size_t i = 0; cmd_stacks_actions[i].name; i++) {
        if (strcmp(cmd_stacks_actions[i].name, name) != 0)
            continue;
        if (cli->argc > 0 && cli->argc - 1 != cmd_stacks_actions[i].args)
            return cli_usage_error(cli, "stacks %s: %s", name,
                                   cmd_stacks_actions[i].args
                                       ? "needs a stack name"
                                       : "takes no arguments");
        return cmd_stacks_actions[i].run(cli);
    }
    return cli_usage_error(cli, "stacks: no action '%s'", name);
}
