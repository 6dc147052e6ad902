/*
 * cmd_topics: `flowdeck topics ACTION ...`: topics, subscriptions,
 * publish, deliveries, redeliver and explain through /v1/topics. Tables
 * for people; with -o json, the API's JSON.
 */
#include "cli/cmd_topics.h"

#include "cli/cli_table.h"
#include "client/client.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD_TOPICS_BODY_MAX (4u << 20)

const struct cli_opt cmd_topics_opts[] = {
    {"prefix", 0, "P", "list: names starting with P"},
    {"max-size", 0, "BYTES", "create: largest message (1024-65536)"},
    {"tag", 0, "T", "subscribe: filter tag; publish/explain: message tag"},
    {"policy", 0, "JSON", "subscribe: SNS filter policy (text or @FILE)"},
    {"scope", 0, "S", "subscribe: policy on 'attributes' (default) or "
                      "'body'"},
    {"strategy", 0, "S", "subscribe: BACKOFF_RETRY (default) or "
                         "EXPONENTIAL_DECAY_RETRY"},
    {"format", 0, "F", "subscribe: XML (default), JSON, SIMPLIFIED, SNS or "
                       "RAW"},
    {"attrs", 0, "JSON", "publish/explain: message attributes"},
    {"sub", 0, "S", "deliveries: only this subscription's"},
    {"status", 0, "S", "deliveries: only pending, retry_wait, delivered, "
                       "failed or cancelled"},
    {"limit", 0, "N", "deliveries: at most N (default 50)"},
    {NULL, 0, NULL, NULL}};

struct cmd_topics_action {
    const char *name;
    int (*run)(struct cli *cli, const char *topic);
    int min_args, max_args; /* after the topic name; -1: no topic */
    const char *opts;
};

/* ---- helpers ---- */

/* publish/explain: {body, tag?, attributes?} from argv[2] and options. */
static int
cmd_topics_message(json_t **out, struct cli *cli)
{
    const char *arg = cli->argc > 2 ? cli->argv[2] : "-";
    json_t *msg = json_object(), *attrs = NULL;
    char *body = NULL;
    int rc;

    *out = NULL;
    if (arg[0] != '@' && strcmp(arg, "-") != 0) {
        body = xstrdup(arg);
    } else if (cli_read_file(&body, arg[0] == '@' ? arg + 1 : "-",
                             CMD_TOPICS_BODY_MAX) != 0) {
        json_decref(msg);
        return cli_fail();
    }
    json_object_set_new(msg, "body", json_string(body));
    free(body);
    if (cli_opt_value(cli, "tag"))
        json_object_set_new(msg, "tag",
                            json_string(cli_opt_value(cli, "tag")));
    if (cli_opt_value(cli, "attrs")) {
        if ((rc = cli_json_object_arg(&attrs, cli, "attrs",
                                      cli_opt_value(cli, "attrs")))) {
            json_decref(msg);
            return rc;
        }
        json_object_set_new(msg, "attributes", attrs);
    }
    *out = msg;
    return CLI_EXIT_OK;
}

/* ---- actions ---- */

static int
cmd_topics_list(struct cli *cli, const char *unused)
{
    static const char *const head[] = {"NAME", "SUBSCRIPTIONS", "CREATED"};
    json_t *resp = NULL, *item;
    struct cli_table *t;
    char *path = NULL;
    size_t i;
    int rc;

    (void)unused;
    if (cli_opt_value(cli, "prefix")) {
        char *p = client_escape(cli_opt_value(cli, "prefix"));

        path = xasprintf("/v1/topics?prefix=%s", p);
        free(p);
    }
    rc = cli_get_all(&resp, cli, path ? path : "/v1/topics");
    free(path);
    if (rc)
        return cli_fail();
    if (cli->json) {
        cli_print_json(resp);
    } else if (json_array_size(json_object_get(resp, "items")) == 0) {
        printf("no topics\n");
    } else {
        t = cli_table_create(3, head);
        json_array_foreach(json_object_get(resp, "items"), i, item) {
            cli_table_cell(t, cli_str(item, "name"));
            cli_table_cellf(t, "%lld", (long long)json_integer_value(
                                           json_object_get(item,
                                                           "subscriptions")));
            cli_table_cell(t, cli_str(item, "created"));
        }
        cli_table_print(t, stdout, cli_width());
        cli_table_free(t);
    }
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_topics_create(struct cli *cli, const char *topic)
{
    json_t *body = json_pack("{s:s}", "name", topic), *resp = NULL;
    const char *v = cli_opt_value(cli, "max-size");
    int rc;

    if (v) {
        long n;

        if (cli_parse_int(&n, v, 1024, 65536) != 0) {
            json_decref(body);
            return cli_usage_error(cli, "--max-size: %s", err_last());
        }
        json_object_set_new(body, "max_message_size", json_integer(n));
    }
    rc = cli_call(&resp, cli, "POST", "/v1/topics", body);
    json_decref(body);
    if (rc == CLI_EXIT_OK) {
        if (cli->json)
            cli_print_json(resp);
        else
            printf("topic %s\n", topic);
    }
    json_decref(resp);
    return rc;
}

static void
cmd_topics_print_sub(struct cli_table *t, const json_t *s)
{
    const json_t *fp = json_object_get(s, "filter_policy");
    char *policy = fp ? cli_json_text(fp) : xstrdup("");

    cli_table_cell(t, cli_str(s, "name"));
    cli_table_cell(t, cli_str(s, "endpoint"));
    cli_table_cell(t, cli_str(s, "format"));
    cli_table_cell(t, cli_str(s, "notify_strategy"));
    if (*cli_str(s, "filter_tag"))
        cli_table_cellf(t, "tag=%s%s%s", cli_str(s, "filter_tag"),
                        *policy ? " " : "", policy);
    else
        cli_table_cell(t, policy);
    free(policy);
}

static int
cmd_topics_show(struct cli *cli, const char *topic)
{
    static const char *const head[] = {"SUBSCRIPTION", "ENDPOINT", "FORMAT",
                                       "STRATEGY", "FILTER"};
    char *path = cli_path("/v1/topics", topic, "");
    json_t *resp = NULL, *s;
    struct cli_table *t;
    size_t i;
    int rc = cli_call(&resp, cli, "GET", path, NULL);

    free(path);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(resp);
    } else {
        printf("topic %s: max message size %lld, %lld messages published\n",
               topic,
               (long long)json_integer_value(
                   json_object_get(resp, "max_message_size")),
               (long long)json_integer_value(
                   json_object_get(resp, "messages")));
        if (json_array_size(json_object_get(resp, "subscriptions")) == 0) {
            printf("no subscriptions\n");
        } else {
            t = cli_table_create(5, head);
            json_array_foreach(json_object_get(resp, "subscriptions"), i, s)
                cmd_topics_print_sub(t, s);
            cli_table_print(t, stdout, cli_width());
            cli_table_free(t);
        }
    }
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_topics_delete(struct cli *cli, const char *topic)
{
    char *path = cli_path("/v1/topics", topic, "");
    json_t *resp = NULL;
    int rc = cli_call(&resp, cli, "DELETE", path, NULL);

    free(path);
    json_decref(resp);
    if (rc == CLI_EXIT_OK && !cli->json)
        printf("deleted topic %s\n", topic);
    return rc;
}

static int
cmd_topics_subscribe(struct cli *cli, const char *topic)
{
    json_t *body = json_pack("{s:s, s:s}", "name", cli->argv[2], "endpoint",
                             cli->argv[3]),
           *resp = NULL;
    const char *scope = cli_opt_value(cli, "scope");
    char *path;
    int rc;

    if (cli_opt_value(cli, "tag"))
        json_object_set_new(body, "filter_tag",
                            json_string(cli_opt_value(cli, "tag")));
    if (cli_opt_value(cli, "policy")) {
        json_t *p = NULL;

        if ((rc = cli_json_object_arg(&p, cli, "policy",
                                      cli_opt_value(cli, "policy")))) {
            json_decref(body);
            return rc;
        }
        json_object_set_new(body, "filter_policy", p);
    }
    if (scope)
        json_object_set_new(body, "filter_policy_scope",
                            json_string(!strcmp(scope, "body")
                                            ? "MessageBody"
                                        : !strcmp(scope, "attributes")
                                            ? "MessageAttributes"
                                            : scope));
    if (cli_opt_value(cli, "strategy"))
        json_object_set_new(body, "notify_strategy",
                            json_string(cli_opt_value(cli, "strategy")));
    if (cli_opt_value(cli, "format"))
        json_object_set_new(body, "format",
                            json_string(cli_opt_value(cli, "format")));
    path = cli_path("/v1/topics", topic, "/subscriptions");
    rc = cli_call(&resp, cli, "POST", path, body);
    free(path);
    json_decref(body);
    if (rc == CLI_EXIT_OK) {
        if (cli->json)
            cli_print_json(resp);
        else
            printf("subscription %s on %s -> %s\n", cli->argv[2], topic,
                   cli->argv[3]);
    }
    json_decref(resp);
    return rc;
}

static int
cmd_topics_unsubscribe(struct cli *cli, const char *topic)
{
    char *s = client_escape(cli->argv[2]);
    char *rest = xasprintf("/subscriptions/%s", s);
    char *path = cli_path("/v1/topics", topic, rest);
    json_t *resp = NULL;
    int rc = cli_call(&resp, cli, "DELETE", path, NULL);

    free(s);
    free(rest);
    free(path);
    json_decref(resp);
    if (rc == CLI_EXIT_OK && !cli->json)
        printf("unsubscribed %s from %s\n", cli->argv[2], topic);
    return rc;
}

static int
cmd_topics_publish(struct cli *cli, const char *topic)
{
    json_t *msg = NULL, *resp = NULL, *d;
    char *path;
    size_t i;
    int rc;

    if ((rc = cmd_topics_message(&msg, cli)))
        return rc;
    path = cli_path("/v1/topics", topic, "/messages");
    rc = cli_call(&resp, cli, "POST", path, msg);
    free(path);
    json_decref(msg);
    if (rc == CLI_EXIT_OK) {
        if (cli->json) {
            cli_print_json(resp);
        } else {
            printf("published %s (body MD5 %s) to %zu subscription%s\n",
                   cli_str(resp, "id"), cli_str(resp, "body_md5"),
                   json_array_size(json_object_get(resp, "deliveries")),
                   json_array_size(json_object_get(resp, "deliveries")) == 1
                       ? ""
                       : "s");
            json_array_foreach(json_object_get(resp, "deliveries"), i, d)
                printf("  %s: delivery %lld (%s)\n",
                       cli_str(d, "subscription"),
                       (long long)json_integer_value(json_object_get(d,
                                                                     "id")),
                       cli_str(d, "kind"));
        }
    }
    json_decref(resp);
    return rc;
}

static int
cmd_topics_deliveries(struct cli *cli, const char *topic)
{
    static const char *const head[] = {"ID", "SUBSCRIPTION", "STATUS",
                                       "ATTEMPTS", "LAST", "NEXT"};
    static const char *const q[][2] = {{"sub", "subscription"},
                                       {"status", "status"},
                                       {"limit", "limit"}};
    char *path = cli_path("/v1/topics", topic, "/deliveries"), sep = '?';
    json_t *resp = NULL, *d;
    struct cli_table *t;
    size_t i;
    int rc;

    for (size_t k = 0; k < sizeof(q) / sizeof(q[0]); k++) {
        const char *v = cli_opt_value(cli, q[k][0]);

        if (v) {
            char *e = client_escape(v), *p;

            p = xasprintf("%s%c%s=%s", path, sep, q[k][1], e);
            free(e);
            free(path);
            path = p;
            sep = '&';
        }
    }
    rc = cli_call(&resp, cli, "GET", path, NULL);
    free(path);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(resp);
    } else if (json_array_size(json_object_get(resp, "items")) == 0) {
        printf("no deliveries\n");
    } else {
        t = cli_table_create(6, head);
        json_array_foreach(json_object_get(resp, "items"), i, d) {
            const json_t *last = json_object_get(d, "last");
            const json_t *st = json_object_get(last, "status");

            cli_table_cellf(t, "%lld", (long long)json_integer_value(
                                           json_object_get(d, "id")));
            cli_table_cell(t, cli_str(d, "subscription"));
            cli_table_cell(t, cli_str(d, "status"));
            cli_table_cellf(t, "%lld", (long long)json_integer_value(
                                           json_object_get(d, "attempts")));
            if (json_is_integer(st))
                cli_table_cellf(t, "HTTP %lld in %lldms",
                                (long long)json_integer_value(st),
                                (long long)json_integer_value(
                                    json_object_get(last, "latency_ms")));
            else if (*cli_str(last, "error"))
                cli_table_cell(t, cli_str(last, "error"));
            else
                cli_table_cell(t, cli_str(last, "message_id"));
            cli_table_cell(t, cli_str(d, "next_attempt"));
        }
        cli_table_print(t, stdout, cli_width());
        cli_table_free(t);
    }
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_topics_redeliver(struct cli *cli, const char *topic)
{
    long id;
    char *rest, *path;
    json_t *resp = NULL;
    int rc;

    if (cli_parse_int(&id, cli->argv[2], 1, 0x7fffffffL) != 0)
        return cli_usage_error(cli, "redeliver: %s", err_last());
    rest = xasprintf("/deliveries/%ld/redeliver", id);
    path = cli_path("/v1/topics", topic, rest);
    free(rest);
    {
        json_t *empty = json_object();

        rc = cli_call(&resp, cli, "POST", path, empty);
        json_decref(empty);
    }
    free(path);
    if (rc == CLI_EXIT_OK) {
        if (cli->json)
            cli_print_json(resp);
        else
            printf("delivery %ld: %s\n", id, cli_str(resp, "status"));
    }
    json_decref(resp);
    return rc;
}

static int
cmd_topics_explain(struct cli *cli, const char *topic)
{
    json_t *msg = NULL, *resp = NULL, *s;
    char *path;
    size_t i;
    int rc;

    if ((rc = cmd_topics_message(&msg, cli)))
        return rc;
    path = cli_path("/v1/topics", topic, "/explain");
    rc = cli_call(&resp, cli, "POST", path, msg);
    free(path);
    json_decref(msg);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(resp);
        json_decref(resp);
        return CLI_EXIT_OK;
    }
    json_array_foreach(json_object_get(resp, "subscriptions"), i, s) {
        const json_t *tag = json_object_get(s, "tag");
        const json_t *pol = json_object_get(s, "policy"), *c;
        size_t j;

        printf("%s %s (%s)\n",
               json_is_true(json_object_get(s, "match")) ? "MATCH" : "skip ",
               cli_str(s, "subscription"), cli_str(s, "endpoint"));
        if (*cli_str(s, "why"))
            printf("    %s\n", cli_str(s, "why"));
        if (tag)
            printf("    tag: %s: %s\n",
                   json_is_true(json_object_get(tag, "pass")) ? "pass"
                                                              : "FAIL",
                   cli_str(tag, "why"));
        json_array_foreach(json_object_get(pol, "clauses"), j, c)
            printf("    %s: %s: %s\n", cli_str(c, "key"),
                   json_is_true(json_object_get(c, "pass")) ? "pass" : "FAIL",
                   cli_str(c, "why"));
    }
    json_decref(resp);
    return CLI_EXIT_OK;
}

static const struct cmd_topics_action cmd_topics_actions[] = {
    {"list", cmd_topics_list, -1, -1, "prefix"},
    {"create", cmd_topics_create, 0, 0, "max-size"},
    {"show", cmd_topics_show, 0, 0, ""},
    {"delete", cmd_topics_delete, 0, 0, ""},
    {"subscribe", cmd_topics_subscribe, 2, 2,
     "tag policy scope strategy format"},
    {"unsubscribe", cmd_topics_unsubscribe, 1, 1, ""},
    {"publish", cmd_topics_publish, 0, 1, "tag attrs"},
    {"deliveries", cmd_topics_deliveries, 0, 0, "sub status limit"},
    {"redeliver", cmd_topics_redeliver, 1, 1, ""},
    {"explain", cmd_topics_explain, 0, 1, "tag attrs"},
    {NULL, NULL, 0, 0, NULL}};

int
cmd_topics_run(struct cli *cli)
{
    const char *name = cli->argc > 0 ? cli->argv[0] : "list";
    const struct cmd_topics_action *a = NULL;
    int extra, rc;

    for (const struct cmd_topics_action *x = cmd_topics_actions; x->name;
         x++)
        if (strcmp(x->name, name) == 0)
            a = x;
    if (a == NULL)
        return cli_usage_error(cli, "topics: no action '%s'", name);
    if ((rc = cli_check_action_opts(cli, a->name, a->opts)) != 0)
        return rc;
    if (a->min_args < 0)
        return cli->argc > 1 ? cli_usage_error(cli, "topics list takes no "
                                                    "topic name")
                             : a->run(cli, NULL);
    if (cli->argc < 2)
        return cli_usage_error(cli, "topics %s needs a topic name", a->name);
    extra = cli->argc - 2;
    if (extra < a->min_args || extra > a->max_args)
        return cli_usage_error(cli, "topics %s: wrong number of arguments",
                               a->name);
    return a->run(cli, cli->argv[1]);
}
