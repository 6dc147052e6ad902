/*
 * test_gitrepo: versioned files in a bare repository (store/gitrepo.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "store/gitrepo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
    char dir[64];
    char *path;
    struct gitrepo *r;
};

static int
setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));

    gitrepo_global_init();
    snprintf(f->dir, sizeof(f->dir), "/tmp/flowdeck-git-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->path = xasprintf("%s/flows.git", f->dir);
    assert_int_equal(0, gitrepo_open(&f->r, f->path));
    *state = f;
    return 0;
}

static int
rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    gitrepo_free(f->r);
    nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(f->path);
    free(f);
    gitrepo_global_shutdown();
    return 0;
}

static char *
read_version(struct gitrepo *r, const char *name, const char *rev)
{
    char *text = NULL;
    size_t len = 0;

    if (gitrepo_read(&text, &len, r, name, rev) != 0)
        return NULL;
    assert_int_equal(strlen(text), len);
    return text;
}

static void
test_gitrepo_versions_log_read_diff(void **state)
{
    struct fixture *f = *state;
    char v1[GITREPO_OID_HEX], v2[GITREPO_OID_HEX], again[GITREPO_OID_HEX];
    char other[GITREPO_OID_HEX];
    json_t *log = NULL;
    char *text, *diff;

    assert_int_equal(0, gitrepo_commit_file(v1, f->r, "a.yaml", "one\ntwo\n",
                                            8, "deploy a", 1000000));
    assert_int_equal(40, strlen(v1));
    assert_int_equal(0, gitrepo_commit_file(other, f->r, "b.yaml", "b\n", 2,
                                            "deploy b", 2000000));
    assert_int_equal(0, gitrepo_commit_file(v2, f->r, "a.yaml",
                                            "one\nTWO\n", 8, "update a",
                                            3000000));
    assert_string_not_equal(v1, v2);
    /* the same text again is no new version */
    assert_int_equal(0, gitrepo_commit_file(again, f->r, "a.yaml",
                                            "one\nTWO\n", 8, "again",
                                            4000000));
    assert_string_equal(v2, again);

    assert_int_equal(0, gitrepo_log(&log, f->r, "a.yaml", 10));
    assert_int_equal(2, json_array_size(log));
    assert_string_equal(v2, json_string_value(json_object_get(
                                json_array_get(log, 0), "commit")));
    assert_string_equal("update a", json_string_value(json_object_get(
                                        json_array_get(log, 0), "message")));
    assert_string_equal(v1, json_string_value(json_object_get(
                                json_array_get(log, 1), "commit")));
    assert_string_equal("1970-01-01T00:16:40.000Z",
                        json_string_value(json_object_get(
                            json_array_get(log, 1), "time")));
    json_decref(log);
    assert_int_equal(0, gitrepo_log(&log, f->r, "a.yaml", 1));
    assert_int_equal(1, json_array_size(log));
    json_decref(log);

    text = read_version(f->r, "a.yaml", v1);
    assert_string_equal("one\ntwo\n", text);
    free(text);
    text = read_version(f->r, "a.yaml", NULL);
    assert_string_equal("one\nTWO\n", text);
    free(text);
    v1[12] = '\0'; /* a unique prefix is enough */
    text = read_version(f->r, "a.yaml", v1);
    assert_string_equal("one\ntwo\n", text);
    free(text);

    assert_int_equal(0, gitrepo_diff(&diff, f->r, "a.yaml", v1, v2));
    assert_non_null(strstr(diff, "-two\n"));
    assert_non_null(strstr(diff, "+TWO\n"));
    assert_non_null(strstr(diff, "a.yaml"));
    free(diff);
}

static void
test_gitrepo_missing_and_bad_versions(void **state)
{
    struct fixture *f = *state;
    char v1[GITREPO_OID_HEX];
    char *text = NULL, *diff = NULL;
    size_t len;
    json_t *log = NULL;

    assert_int_equal(ENG_ENOTFOUND,
                     gitrepo_read(&text, &len, f->r, "a.yaml", NULL));
    assert_null(text);
    assert_int_equal(0, gitrepo_log(&log, f->r, "a.yaml", 10));
    assert_int_equal(0, json_array_size(log));
    json_decref(log);
    assert_int_equal(0, gitrepo_commit_file(v1, f->r, "a.yaml", "x", 1, "m",
                                            0));
    assert_int_equal(ENG_ENOTFOUND,
                     gitrepo_read(&text, &len, f->r, "nope.yaml", NULL));
    for (size_t i = 0; i < 4; i++) {
        static const char *const bad[] = {"zz", "abc", "../HEAD",
                                          "0000000000000000000000000000000000000000"};

        assert_int_equal(ENG_ENOTFOUND,
                         gitrepo_read(&text, &len, f->r, "a.yaml", bad[i]));
    }
    assert_int_equal(ENG_ENOTFOUND,
                     gitrepo_diff(&diff, f->r, "a.yaml", "deadbeef", v1));
    assert_null(diff);
}

static void
test_gitrepo_remove_and_reopen(void **state)
{
    struct fixture *f = *state;
    char v1[GITREPO_OID_HEX];
    json_t *log = NULL;
    char *text;

    assert_int_equal(0, gitrepo_commit_file(v1, f->r, "a.yaml", "x", 1, "m",
                                            0));
    assert_int_equal(0, gitrepo_remove_file(f->r, "a.yaml", "delete a", 0));
    assert_int_equal(ENG_ENOTFOUND,
                     gitrepo_remove_file(f->r, "a.yaml", "again", 0));
    assert_null(read_version(f->r, "a.yaml", NULL));
    text = read_version(f->r, "a.yaml", v1); /* old versions stay */
    assert_string_equal("x", text);
    free(text);
    gitrepo_free(f->r);
    assert_int_equal(0, gitrepo_open(&f->r, f->path));
    assert_int_equal(0, gitrepo_log(&log, f->r, "a.yaml", 10));
    assert_int_equal(2, json_array_size(log));
    assert_true(json_is_true(json_object_get(json_array_get(log, 0),
                                             "deleted")));
    json_decref(log);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_gitrepo_versions_log_read_diff,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_gitrepo_missing_and_bad_versions,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_gitrepo_remove_and_reopen, setup,
                                        teardown),
    };

    xalloc_init_json();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
