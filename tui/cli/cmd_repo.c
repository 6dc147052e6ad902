/*
 * cmd_repo: `flowdeck templates repo ...`: add, list, show, update and
 * remove the git repositories templates come from. The engine clones
 * and fetches in the background (202); add and update wait for the
 * result by polling GET /v1/templates/repos/NAME unless --no-wait.
 * Tables for people; with -o json, the API's JSON.
 */
#include "cli/cmd_repo.h"

#include "cli/cli_table.h"
#include "client/client.h"
#include "common/err.h"
#include "common/xalloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define CMD_REPO_POLL_MS 200

struct cmd_repo_action {
    const char *name;
    int (*run)(struct cli *cli);
    int min_args, max_args; /* after the action */
    const char *opts;
};

/* ---- helpers ---- */

/*
 * The engine does not share our working directory: a path that exists
 * here is sent absolute. URLs go as they are.
 */
static char *
cmd_repo_url(const char *arg)
{
    char buf[PATH_MAX];
    struct stat sb;

    if (strstr(arg, "://") == NULL && stat(arg, &sb) == 0 &&
        realpath(arg, buf) != NULL)
        return xstrdup(buf);
    return xstrdup(arg);
}

static void
cmd_repo_sleep(void)
{
    struct timespec ts = {0, CMD_REPO_POLL_MS * 1000000L};

    nanosleep(&ts, NULL);
}

static int
cmd_repo_busy(const json_t *repo)
{
    return strcmp(cli_str(repo, "status"), "cloning") == 0 ||
           json_is_true(json_object_get(repo, "updating"));
}

/*
 * Poll until no clone or fetch of `name` runs. Returns: CLI_EXIT_OK and
 * the repo (new) in *out, or CLI_EXIT_FAIL.
 */
static int
cmd_repo_wait(json_t **out, struct cli *cli, const char *name)
{
    char *path = cli_path("/v1/templates/repos", name, "");
    json_t *repo = NULL;
    int rc;

    *out = NULL;
    for (;;) {
        json_decref(repo);
        repo = NULL;
        if ((rc = cli_call(&repo, cli, "GET", path, NULL)))
            break;
        if (!cmd_repo_busy(repo)) {
            *out = repo;
            repo = NULL;
            break;
        }
        cmd_repo_sleep();
    }
    json_decref(repo);
    free(path);
    return rc;
}

static const char *
cmd_repo_short(const json_t *repo)
{
    static char s[13];

    snprintf(s, sizeof(s), "%s", cli_str(repo, "commit"));
    return s;
}

/* ---- actions ---- */

static int
cmd_repo_list(struct cli *cli)
{
    static const char *const head[] = {"NAME", "STATUS", "COMMIT", "REF",
                                       "URL", "ERROR"};
    json_t *resp = NULL, *item;
    struct cli_table *t;
    size_t i;
    int rc = cli_call(&resp, cli, "GET", "/v1/templates/repos", NULL);

    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(resp);
    } else if (json_array_size(json_object_get(resp, "items")) == 0) {
        printf("no template repositories\n");
    } else {
        t = cli_table_create(6, head);
        json_array_foreach(json_object_get(resp, "items"), i, item) {
            cli_table_cell(t, cli_str(item, "name"));
            cli_table_cell(t, json_is_true(json_object_get(item, "updating"))
                                  ? "updating"
                                  : cli_str(item, "status"));
            cli_table_cell(t, cmd_repo_short(item));
            cli_table_cell(t, *cli_str(item, "ref") ? cli_str(item, "ref")
                                                    : "(default)");
            cli_table_cell(t, cli_str(item, "url"));
            cli_table_cell(t, cli_str(item, "error"));
        }
        cli_table_print(t, stdout, cli_width());
        cli_table_free(t);
    }
    json_decref(resp);
    return CLI_EXIT_OK;
}

/* Print where a finished clone or fetch left `repo`. Returns: the exit
 * status it means. */
static int
cmd_repo_report(struct cli *cli, const json_t *repo, const char *before)
{
    const char *name = cli_str(repo, "name");

    if (cli->json)
        cli_print_json(repo);
    if (strcmp(cli_str(repo, "status"), "failed") == 0) {
        fprintf(stderr, "flowdeck: repository %s failed: %s\n", name,
                cli_str(repo, "error"));
        return CLI_EXIT_FAIL;
    }
    if (*cli_str(repo, "error")) {
        fprintf(stderr, "flowdeck: repository %s: update failed: %s\n", name,
                cli_str(repo, "error"));
        return CLI_EXIT_FAIL;
    }
    if (cli->json)
        return CLI_EXIT_OK;
    if (before == NULL)
        printf("repository %s ready at %s (%s)\n", name,
               cmd_repo_short(repo), cli_str(repo, "path"));
    else if (strcmp(before, cli_str(repo, "commit")) == 0)
        printf("repository %s is up to date at %s\n", name,
               cmd_repo_short(repo));
    else
        printf("repository %s updated %.12s..%s\n", name, before,
               cmd_repo_short(repo));
    return CLI_EXIT_OK;
}

static int
cmd_repo_add(struct cli *cli)
{
    char *url = cmd_repo_url(cli->argv[2]);
    json_t *body = json_pack("{s:s}", "url", url), *resp = NULL, *done;
    int rc;

    free(url);
    if (cli_opt_value(cli, "ref"))
        json_object_set_new(body, "ref",
                            json_string(cli_opt_value(cli, "ref")));
    if (cli_opt_value(cli, "name"))
        json_object_set_new(body, "name",
                            json_string(cli_opt_value(cli, "name")));
    rc = cli_call(&resp, cli, "POST", "/v1/templates/repos", body);
    json_decref(body);
    if (rc)
        goto out;
    if (cli_opt_value(cli, "no-wait")) {
        if (cli->json)
            cli_print_json(resp);
        else
            printf("repository %s: cloning %s\n", cli_str(resp, "name"),
                   cli_str(resp, "url"));
        goto out;
    }
    if ((rc = cmd_repo_wait(&done, cli, cli_str(resp, "name"))) == 0) {
        rc = cmd_repo_report(cli, done, NULL);
        json_decref(done);
    }
out:
    json_decref(resp);
    return rc;
}

static int
cmd_repo_show(struct cli *cli)
{
    char *path = cli_path("/v1/templates/repos", cli->argv[2], "");
    json_t *r = NULL;
    int rc = cli_call(&r, cli, "GET", path, NULL);

    free(path);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(r);
    } else {
        printf("name:    %s\n", cli_str(r, "name"));
        printf("url:     %s\n", cli_str(r, "url"));
        printf("ref:     %s\n", *cli_str(r, "ref") ? cli_str(r, "ref")
                                                   : "(default branch)");
        printf("status:  %s%s\n", cli_str(r, "status"),
               json_is_true(json_object_get(r, "updating")) ? ", updating"
                                                            : "");
        if (*cli_str(r, "commit"))
            printf("commit:  %s\n", cli_str(r, "commit"));
        if (*cli_str(r, "path"))
            printf("path:    %s\n", cli_str(r, "path"));
        if (*cli_str(r, "error"))
            printf("error:   %s\n", cli_str(r, "error"));
        printf("added:   %s\nupdated: %s\n", cli_str(r, "added"),
               cli_str(r, "updated"));
    }
    json_decref(r);
    return CLI_EXIT_OK;
}

/* Start the update of one repository; *before gets its commit (new). */
static int
cmd_repo_update_one(struct cli *cli, const char *name, char **before)
{
    char *path = cli_path("/v1/templates/repos", name, "/update");
    json_t *body = json_object(), *resp = NULL;
    int rc = cli_call(&resp, cli, "POST", path, body);

    free(path);
    json_decref(body);
    *before = NULL;
    if (rc == CLI_EXIT_OK) {
        /* a failed repository is cloned again: report it as a clone */
        if (strcmp(cli_str(resp, "status"), "cloning") != 0)
            *before = xstrdup(cli_str(resp, "commit"));
        if (cli_opt_value(cli, "no-wait")) {
            if (cli->json)
                cli_print_json(resp);
            else
                printf("repository %s: %s\n", name,
                       *before ? "fetching" : "cloning again");
        }
    }
    json_decref(resp);
    return rc;
}

static int
cmd_repo_update(struct cli *cli)
{
    json_t *names = json_array(), *busy = json_object(), *list = NULL, *v;
    char **before;
    size_t i, n;
    int rc = CLI_EXIT_OK, one;

    if (cli->argc > 2) {
        json_array_append_new(names, json_string(cli->argv[2]));
    } else {
        if ((rc = cli_call(&list, cli, "GET", "/v1/templates/repos",
                           NULL))) {
            json_decref(names);
            return rc;
        }
        /* one already being cloned or fetched is waited for, not asked
         * again (that would be refused) */
        json_array_foreach(json_object_get(list, "items"), i, v) {
            json_array_append_new(names, json_string(cli_str(v, "name")));
            if (cmd_repo_busy(v))
                json_object_set(busy, cli_str(v, "name"), v);
        }
        json_decref(list);
        if (json_array_size(names) == 0 && !cli->json)
            printf("no template repositories\n");
    }
    n = json_array_size(names);
    before = xcalloc(n ? n : 1, sizeof(*before));
    /* start them all, then wait: the fetches run side by side */
    json_array_foreach(names, i, v) {
        const json_t *b = json_object_get(busy, json_string_value(v));

        if (b) {
            if (strcmp(cli_str(b, "status"), "cloning") != 0)
                before[i] = xstrdup(cli_str(b, "commit"));
            continue;
        }
        one = cmd_repo_update_one(cli, json_string_value(v), &before[i]);
        if (one)
            rc = one;
    }
    if (!cli_opt_value(cli, "no-wait")) {
        json_array_foreach(names, i, v) {
            json_t *done = NULL;

            one = cmd_repo_wait(&done, cli, json_string_value(v));
            if (one == 0) {
                one = cmd_repo_report(cli, done, before[i]);
                json_decref(done);
            }
            if (one)
                rc = one;
        }
    }
    for (i = 0; i < n; i++)
        free(before[i]);
    free(before);
    json_decref(names);
    json_decref(busy);
    return rc;
}

static int
cmd_repo_remove(struct cli *cli)
{
    char *path = cli_path("/v1/templates/repos", cli->argv[2], "");
    json_t *resp = NULL;
    int rc = cli_call(&resp, cli, "DELETE", path, NULL);

    free(path);
    json_decref(resp);
    if (rc == CLI_EXIT_OK && !cli->json)
        printf("removed repository %s\n", cli->argv[2]);
    return rc;
}

static const struct cmd_repo_action cmd_repo_actions[] = {
    {"list", cmd_repo_list, 0, 0, ""},
    {"add", cmd_repo_add, 1, 1, "ref name no-wait"},
    {"show", cmd_repo_show, 1, 1, ""},
    {"update", cmd_repo_update, 0, 1, "no-wait"},
    {"remove", cmd_repo_remove, 1, 1, ""},
    {NULL, NULL, 0, 0, NULL}};

int
cmd_templates_repo(struct cli *cli)
{
    const char *name = cli->argc > 1 ? cli->argv[1] : "list";
    int nargs = cli->argc > 2 ? cli->argc - 2 : 0;

    for (const struct cmd_repo_action *a = cmd_repo_actions; a->name; a++) {
        char what[32];
        int rc;

        if (strcmp(a->name, name) != 0)
            continue;
        if (nargs < a->min_args || nargs > a->max_args)
            return cli_usage_error(cli, "templates repo %s takes %s",
                                   a->name,
                                   a->min_args == a->max_args
                                       ? (a->min_args ? "one argument"
                                                      : "no arguments")
                                       : "at most one argument");
        snprintf(what, sizeof(what), "repo %s", a->name);
        if ((rc = cli_check_action_opts(cli, what, a->opts)))
            return rc;
        return a->run(cli);
    }
    return cli_usage_error(cli, "unknown templates repo action '%s' (list, "
                           "add, show, update, remove)",
                           name);
}
