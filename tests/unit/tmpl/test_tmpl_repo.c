/*
 * Unit tests for tmpl/tmpl_repo: the checks of names, URLs and refs
 * (table-driven), and the service over an engine built by hand (a store
 * file in a temp dir, no loop: the test waits on the service's eventfd
 * and records finished jobs with tmpl_repos_poll). The upstream
 * repositories are made with git in the temp dir.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "store/store.h"
#include "tmpl/tmpl_repo.h"

#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct rt {
    char dir[64]; /* the temp dir: up/ (upstream), data/ */
    char *up;
    struct engine *eng;
    struct tmpl_repos *r;
};

/* ---- fixture ---- */

static int
rt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
rt_sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    return system(cmd);
}

#define RT_GIT "git -c user.name=t -c user.email=t@t -c init.defaultBranch=main"

/* Commit `file` with `text` upstream. */
static void
rt_commit(struct rt *t, const char *file, const char *text)
{
    assert_int_equal(0, rt_sh("cd %s && mkdir -p $(dirname %s) && "
                              "printf '%%s' '%s' > %s && " RT_GIT
                              " add -A && " RT_GIT " commit -qm '%s'",
                              t->up, file, text, file, file));
}

/* Returns: new string, the upstream's HEAD commit id. */
static char *
rt_head(struct rt *t)
{
    char cmd[256], buf[64] = "";
    FILE *p;

    snprintf(cmd, sizeof(cmd), "git -C %s rev-parse HEAD", t->up);
    p = popen(cmd, "r");
    assert_non_null(p);
    if (fgets(buf, sizeof(buf), p) == NULL)
        buf[0] = '\0';
    pclose(p);
    buf[strcspn(buf, "\n")] = '\0';
    return xstrdup(buf);
}

static int
rt_open(struct rt *t)
{
    struct engine *eng = xcalloc(1, sizeof(*eng));
    char *db = xasprintf("%s/data/state.db", t->dir);

    eng->epfd = eng->timer_fd = eng->signal_fd = eng->lock_fd = -1;
    eng->data_dir = xasprintf("%s/data", t->dir);
    mkdir(eng->data_dir, 0700);
    clock_init(&eng->clock);
    if (store_open(&eng->store, db) != 0 ||
        tmpl_repos_create(&t->r, eng) != 0) {
        fprintf(stderr, "open: %s\n", err_last());
        free(db);
        return -1;
    }
    free(db);
    t->eng = eng;
    return 0;
}

static void
rt_close(struct rt *t)
{
    if (t->eng == NULL)
        return;
    tmpl_repos_free(t->r);
    store_free(t->eng->store);
    free(t->eng->data_dir);
    free(t->eng);
    t->eng = NULL;
    t->r = NULL;
}

static int
rt_setup(void **state)
{
    struct rt *t = xcalloc(1, sizeof(*t));

    snprintf(t->dir, sizeof(t->dir), "/tmp/flowdeck-unit-repo-XXXXXX");
    if (mkdtemp(t->dir) == NULL)
        return -1;
    t->up = xasprintf("%s/up", t->dir);
    if (rt_sh(RT_GIT " init -q %s", t->up) != 0)
        return -1;
    rt_commit(t, "hello/template.yaml", "name: hello");
    rt_commit(t, "queue-callback/template.yaml", "name: queue-callback");
    if (rt_open(t) != 0)
        return -1;
    *state = t;
    return 0;
}

static int
rt_teardown(void **state)
{
    struct rt *t = *state;

    rt_close(t);
    rt_sh("rm -rf %s", t->dir);
    free(t->up);
    free(t);
    return 0;
}

/* Wait until no job runs, recording what ended (no time limit: a hung
 * clone is a failure the test runner's timeout reports). */
static void
rt_wait(struct rt *t)
{
    while (tmpl_repos_busy(t->r)) {
        struct pollfd p = {tmpl_repos_fd(t->r), POLLIN, 0};

        poll(&p, 1, 1000);
        tmpl_repos_poll(t->r);
    }
}

static const char *
rt_field(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : "";
}

/* Add, wait, and return the repo (new). */
static json_t *
rt_add(struct rt *t, const char *url, const char *ref, const char *name)
{
    json_t *j = NULL;

    assert_int_equal(0, tmpl_repo_add(&j, t->r, url, ref, name));
    assert_string_equal("cloning", rt_field(j, "status"));
    json_decref(j);
    rt_wait(t);
    assert_int_equal(0, tmpl_repo_get(&j, t->r, name));
    return j;
}

static int
rt_is_file(const char *dir, const char *file)
{
    char *p = xasprintf("%s/%s", dir, file);
    struct stat sb;
    int ok = stat(p, &sb) == 0 && S_ISREG(sb.st_mode);

    free(p);
    return ok;
}

/* The journal types of `name`, oldest first: "added,ready". */
static char *
rt_journal(struct rt *t, const char *name)
{
    sqlite3_stmt *q = store_stmt(t->eng->store,
                                 "SELECT type FROM journal WHERE kind = "
                                 "'template_repo' AND entity = ? ORDER BY "
                                 "seq");
    char buf[512] = "";

    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    while (sqlite3_step(q) == SQLITE_ROW)
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
                 *buf ? "," : "", (const char *)sqlite3_column_text(q, 0));
    store_done(q);
    return xstrdup(buf);
}

/* ---- checks ---- */

static void
test_tmpl_repo_names(void **state)
{
    static const struct {
        const char *name;
        int ok;
    } cases[] = {
        {"a", 1},
        {"templates", 1},
        {"my-templates-2", 1},
        {"0abc", 1},
        {"", 0},
        {"-a", 0},
        {"A", 0},
        {"a_b", 0},
        {"a/b", 0},
        {"..", 0},
        {".tmp-x", 0},
        {"a b", 0},
        {"1234567890123456789012345678901234567890123456789012345678901234",
         1},
        {"12345678901234567890123456789012345678901234567890123456789012345",
         0},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        int rc = tmpl_repo_check_name(cases[i].name);

        if ((rc == 0) != cases[i].ok)
            fail_msg("name '%s': rc %d (%s)", cases[i].name, rc, err_last());
    }
}

static void
test_tmpl_repo_urls(void **state)
{
    static const struct {
        const char *url;
        const char *why; /* NULL: accepted; else in the message */
    } cases[] = {
        {"/srv/templates", NULL},
        {"/srv/templates.git", NULL},
        {"file:///srv/templates", NULL},
        {"https://github.com/acme/templates.git", NULL},
        {"https://example.com:8443/t", NULL},
        {"", "empty"},
        {"templates", "absolute"},
        {"./templates", "absolute"},
        {"ssh://git@github.com/acme/t.git", "ssh"},
        {"git+ssh://github.com/acme/t.git", "ssh"},
        {"git@github.com:acme/t.git", "ssh"},
        {"git://github.com/acme/t.git", "git://"},
        {"http://github.com/acme/t.git", "http://"},
        {"ftp://example.com/t", "only https"},
        {"ext::sh -c touch% /tmp/pwned", "only https"},
        {"file://host/srv/t", "absolute path"},
        {"https://user:secret@example.com/t.git", "credentials"},
        {"https:///t", "no host"},
        {"/srv/t\nx", "control"},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        int rc = tmpl_repo_check_url(cases[i].url);

        if (cases[i].why == NULL) {
            if (rc != 0)
                fail_msg("url '%s' refused: %s", cases[i].url, err_last());
            continue;
        }
        if (rc != ENG_EINVAL)
            fail_msg("url '%s' accepted", cases[i].url);
        if (strstr(err_last(), cases[i].why) == NULL)
            fail_msg("url '%s': '%s' does not say '%s'", cases[i].url,
                     err_last(), cases[i].why);
    }
}

static void
test_tmpl_repo_refs(void **state)
{
    static const struct {
        const char *ref;
        int ok;
    } cases[] = {
        {"main", 1},
        {"release/1.2", 1},
        {"v1.0.0", 1},
        {"0123abcd", 1},
        {"", 0},
        {"-x", 0},
        {"a..b", 0},
        {"a b", 0},
        {"a~1", 0},
        {"a^", 0},
        {"a:b", 0},
        {"HEAD", 0},
        {"refs/heads/main", 0},
        {"main.lock", 0},
        {"a\tb", 0},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        int rc = tmpl_repo_check_ref(cases[i].ref);

        if ((rc == 0) != cases[i].ok)
            fail_msg("ref '%s': rc %d (%s)", cases[i].ref, rc, err_last());
    }
}

static void
test_tmpl_repo_default_names(void **state)
{
    static const struct {
        const char *url;
        const char *name; /* NULL: none */
    } cases[] = {
        {"https://github.com/acme/Templates.git", "templates"},
        {"https://github.com/acme/my_templates/", "my-templates"},
        {"/srv/git/flowdeck-templates.git/", "flowdeck-templates"},
        {"file:///srv/t", "t"},
        {"/", NULL},
        {"https://example.com/___", NULL},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        char *n = tmpl_repo_default_name(cases[i].url);

        if (cases[i].name == NULL)
            assert_null(n);
        else
            assert_string_equal(cases[i].name, n ? n : "(null)");
        free(n);
    }
}

/* ---- the service ---- */

static void
test_tmpl_repo_clone_local(void **state)
{
    struct rt *t = *state;
    char *head = rt_head(t), *types;
    json_t *j = rt_add(t, t->up, NULL, "local"), *roots, *one;
    const char *path = rt_field(j, "path");

    assert_string_equal("ready", rt_field(j, "status"));
    assert_string_equal(head, rt_field(j, "commit"));
    assert_true(json_is_null(json_object_get(j, "error")));
    assert_true(rt_is_file(path, "hello/template.yaml"));
    assert_true(rt_is_file(path, "queue-callback/template.yaml"));

    roots = tmpl_repo_roots(t->r);
    assert_int_equal(1, json_array_size(roots));
    one = json_array_get(roots, 0);
    assert_string_equal("local", rt_field(one, "name"));
    assert_string_equal(path, rt_field(one, "path"));
    assert_true(rt_field(one, "path")[0] == '/');
    json_decref(roots);

    types = rt_journal(t, "local");
    assert_string_equal("added,ready", types);
    free(types);
    json_decref(j);
    free(head);
}

static void
test_tmpl_repo_clone_file_url_ref(void **state)
{
    struct rt *t = *state;
    char *url = xasprintf("file://%s", t->up), *first;
    json_t *j, *roots;

    /* a tag on the first commit, then a branch ahead of main */
    assert_int_equal(0, rt_sh("cd %s && " RT_GIT " tag v1 HEAD~1 && " RT_GIT
                              " checkout -qb next && printf x > "
                              "hello/extra.txt && " RT_GIT " add -A && " RT_GIT
                              " commit -qm next && " RT_GIT " checkout -q "
                              "main",
                              t->up));
    j = rt_add(t, url, "v1", "tagged");
    assert_string_equal("ready", rt_field(j, "status"));
    assert_false(rt_is_file(rt_field(j, "path"), "queue-callback/template.yaml"));
    assert_true(rt_is_file(rt_field(j, "path"), "hello/template.yaml"));
    first = xstrdup(rt_field(j, "commit"));
    json_decref(j);

    j = rt_add(t, url, "next", "next");
    assert_string_equal("ready", rt_field(j, "status"));
    assert_true(rt_is_file(rt_field(j, "path"), "hello/extra.txt"));
    json_decref(j);

    j = rt_add(t, url, first, "pinned");
    assert_string_equal("ready", rt_field(j, "status"));
    assert_string_equal(first, rt_field(j, "commit"));
    json_decref(j);

    roots = tmpl_repo_roots(t->r); /* in the order added */
    assert_int_equal(3, json_array_size(roots));
    assert_string_equal("tagged", rt_field(json_array_get(roots, 0), "name"));
    assert_string_equal("next", rt_field(json_array_get(roots, 1), "name"));
    assert_string_equal("pinned", rt_field(json_array_get(roots, 2), "name"));
    json_decref(roots);
    free(first);
    free(url);
}

static void
test_tmpl_repo_failures(void **state)
{
    struct rt *t = *state;
    char *missing = xasprintf("%s/nope", t->dir);
    char *plain = xasprintf("%s/data", t->dir);
    json_t *j, *roots;

    j = rt_add(t, t->up, "no-such-branch", "badref");
    assert_string_equal("failed", rt_field(j, "status"));
    assert_non_null(strstr(rt_field(j, "error"), "no such ref "
                                                 "'no-such-branch'"));
    assert_true(json_is_null(json_object_get(j, "path")));
    json_decref(j);

    j = rt_add(t, missing, NULL, "missing");
    assert_string_equal("failed", rt_field(j, "status"));
    assert_non_null(strstr(rt_field(j, "error"), "not a git repository"));
    json_decref(j);

    j = rt_add(t, plain, NULL, "plain");
    assert_string_equal("failed", rt_field(j, "status"));
    assert_non_null(strstr(rt_field(j, "error"), "not a git repository"));
    json_decref(j);

    roots = tmpl_repo_roots(t->r);
    assert_int_equal(0, json_array_size(roots));
    json_decref(roots);

    /* nothing of the failed clones is left in catalogs/ */
    assert_int_equal(0, rt_sh("test -z \"$(ls -A %s/data/catalogs)\"",
                              t->dir));
    free(missing);
    free(plain);
}

static void
test_tmpl_repo_refused(void **state)
{
    struct rt *t = *state;
    json_t *j = NULL;

    assert_int_equal(ENG_EINVAL, tmpl_repo_add(&j, t->r, "ssh://h/r.git",
                                               NULL, "s"));
    assert_null(j);
    assert_int_equal(ENG_EINVAL, tmpl_repo_add(&j, t->r, t->up, NULL,
                                               "../escape"));
    assert_int_equal(ENG_EINVAL, tmpl_repo_add(&j, t->r, t->up, "a..b",
                                               "x"));
    json_decref(rt_add(t, t->up, NULL, "dup"));
    assert_int_equal(ENG_EEXISTS, tmpl_repo_add(&j, t->r, t->up, NULL,
                                                "dup"));
    assert_int_equal(ENG_ENOTFOUND, tmpl_repo_get(&j, t->r, "none"));
    assert_int_equal(ENG_ENOTFOUND, tmpl_repo_update(&j, t->r, "none"));
    assert_int_equal(ENG_ENOTFOUND, tmpl_repo_remove(t->r, "none"));
    /* the name from the URL: up */
    assert_int_equal(0, tmpl_repo_add(&j, t->r, t->up, NULL, NULL));
    assert_string_equal("up", rt_field(j, "name"));
    json_decref(j);
    rt_wait(t);
}

static void
test_tmpl_repo_update_fast_forward(void **state)
{
    struct rt *t = *state;
    json_t *j = rt_add(t, t->up, NULL, "ff"), *u = NULL;
    char *path = xstrdup(rt_field(j, "path")), *head, *types;

    json_decref(j);
    /* nothing new: unchanged */
    assert_int_equal(0, tmpl_repo_update(&u, t->r, "ff"));
    assert_true(json_is_true(json_object_get(u, "updating")));
    json_decref(u);
    assert_int_equal(ENG_ECONFLICT, tmpl_repo_update(&u, t->r, "ff"));
    rt_wait(t);

    rt_commit(t, "third/template.yaml", "name: third");
    head = rt_head(t);
    assert_int_equal(0, tmpl_repo_update(&u, t->r, "ff"));
    json_decref(u);
    rt_wait(t);
    assert_int_equal(0, tmpl_repo_get(&j, t->r, "ff"));
    assert_string_equal("ready", rt_field(j, "status"));
    assert_string_equal(head, rt_field(j, "commit"));
    assert_false(json_is_true(json_object_get(j, "updating")));
    assert_string_equal(path, rt_field(j, "path"));
    assert_true(rt_is_file(path, "third/template.yaml"));
    json_decref(j);
    /* the checkout still follows the branch: git sees it clean */
    assert_int_equal(0, rt_sh("cd %s && test -z \"$(git status "
                              "--porcelain)\" && git rev-parse HEAD | grep "
                              "-q %s && git rev-parse --abbrev-ref HEAD | "
                              "grep -qx main",
                              path, head));
    types = rt_journal(t, "ff");
    assert_string_equal("added,ready,update_started,updated,update_started,"
                        "updated",
                        types);
    free(types);

    /* history rewritten upstream: refused, the checkout stays */
    assert_int_equal(0, rt_sh("cd %s && " RT_GIT " reset -q --hard HEAD~2 && "
                              "printf y > other.txt && " RT_GIT " add -A && "
                              RT_GIT " commit -qm other",
                              t->up));
    assert_int_equal(0, tmpl_repo_update(&u, t->r, "ff"));
    json_decref(u);
    rt_wait(t);
    assert_int_equal(0, tmpl_repo_get(&j, t->r, "ff"));
    assert_string_equal("ready", rt_field(j, "status"));
    assert_string_equal(head, rt_field(j, "commit"));
    assert_non_null(strstr(rt_field(j, "error"), "not a fast-forward"));
    assert_true(rt_is_file(path, "third/template.yaml"));
    json_decref(j);
    free(head);
    free(path);
}

static void
test_tmpl_repo_update_failed_clones_again(void **state)
{
    struct rt *t = *state;
    char *later = xasprintf("%s/later", t->dir);
    json_t *j = rt_add(t, later, NULL, "later"), *u = NULL;

    assert_string_equal("failed", rt_field(j, "status"));
    json_decref(j);
    assert_int_equal(0, rt_sh("cp -r %s %s", t->up, later));
    assert_int_equal(0, tmpl_repo_update(&u, t->r, "later"));
    assert_string_equal("cloning", rt_field(u, "status"));
    json_decref(u);
    rt_wait(t);
    assert_int_equal(0, tmpl_repo_get(&j, t->r, "later"));
    assert_string_equal("ready", rt_field(j, "status"));
    assert_true(json_is_null(json_object_get(j, "error")));
    json_decref(j);
    free(later);
}

static void
test_tmpl_repo_remove(void **state)
{
    struct rt *t = *state;
    json_t *j = rt_add(t, t->up, NULL, "gone"), *roots;
    char *path = xstrdup(rt_field(j, "path")), *types;
    struct stat sb;

    json_decref(j);
    assert_int_equal(0, stat(path, &sb));
    assert_int_equal(0, tmpl_repo_remove(t->r, "gone"));
    assert_int_not_equal(0, stat(path, &sb));
    assert_int_equal(ENG_ENOTFOUND, tmpl_repo_get(&j, t->r, "gone"));
    roots = tmpl_repo_roots(t->r);
    assert_int_equal(0, json_array_size(roots));
    json_decref(roots);
    types = rt_journal(t, "gone");
    assert_string_equal("added,ready,removed", types);
    free(types);

    /* removed while cloning: the clone's files go when it ends */
    assert_int_equal(0, tmpl_repo_add(&j, t->r, t->up, NULL, "quick"));
    json_decref(j);
    assert_int_equal(0, tmpl_repo_remove(t->r, "quick"));
    rt_wait(t);
    assert_int_equal(ENG_ENOTFOUND, tmpl_repo_get(&j, t->r, "quick"));
    assert_int_equal(0, rt_sh("test -z \"$(ls -A %s/data/catalogs)\"",
                              t->dir));
    free(path);
}

static void
test_tmpl_repo_restart(void **state)
{
    struct rt *t = *state;
    json_t *j = rt_add(t, t->up, NULL, "kept"), *roots;
    char *stray = xasprintf("%s/data/catalogs/.tmp-crashed-abc123", t->dir);
    char *orphan = xasprintf("%s/data/catalogs/orphan", t->dir);
    sqlite3_stmt *q;
    struct stat sb;

    json_decref(j);
    /* what a crash mid-clone leaves: a row "cloning", a temp dir; and a
     * checkout no row owns */
    q = store_stmt(t->eng->store,
                   "INSERT INTO tmpl_repos(name, url, status, seq, added_ms, "
                   "updated_ms) VALUES ('crashed', '/x', 'cloning', 9, 0, 0)");
    assert_int_equal(0, store_step_done(t->eng->store, q));
    store_done(q);
    assert_int_equal(0, mkdir(stray, 0700));
    assert_int_equal(0, mkdir(orphan, 0700));
    rt_close(t);
    assert_int_equal(0, rt_open(t));

    assert_int_equal(0, tmpl_repo_get(&j, t->r, "crashed"));
    assert_string_equal("failed", rt_field(j, "status"));
    assert_non_null(strstr(rt_field(j, "error"), "interrupted"));
    json_decref(j);
    assert_int_equal(0, tmpl_repo_get(&j, t->r, "kept"));
    assert_string_equal("ready", rt_field(j, "status"));
    json_decref(j);
    assert_int_not_equal(0, stat(stray, &sb));
    assert_int_not_equal(0, stat(orphan, &sb));
    roots = tmpl_repo_roots(t->r);
    assert_int_equal(1, json_array_size(roots));
    json_decref(roots);
    free(stray);
    free(orphan);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tmpl_repo_names),
        cmocka_unit_test(test_tmpl_repo_urls),
        cmocka_unit_test(test_tmpl_repo_refs),
        cmocka_unit_test(test_tmpl_repo_default_names),
        cmocka_unit_test_setup_teardown(test_tmpl_repo_clone_local, rt_setup,
                                        rt_teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_repo_clone_file_url_ref,
                                        rt_setup, rt_teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_repo_failures, rt_setup,
                                        rt_teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_repo_refused, rt_setup,
                                        rt_teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_repo_update_fast_forward,
                                        rt_setup, rt_teardown),
        cmocka_unit_test_setup_teardown(
            test_tmpl_repo_update_failed_clones_again, rt_setup, rt_teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_repo_remove, rt_setup,
                                        rt_teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_repo_restart, rt_setup,
                                        rt_teardown),
    };

    int rc;

    rc = cmocka_run_group_tests(tests, NULL, NULL);
    return rc;
}
