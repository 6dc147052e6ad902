/*
 * Unit tests for store/store_check: the checks of the database and WAL
 * files before opening, and the seal. Each test works on databases that
 * SQLite itself wrote (through store_open) in a fresh temp dir, damaged
 * the ways a disk or a person damages them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/err.h"
#include "store/store.h"
#include "store/store_check.h"
#include "tmpdb.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
    char dir[64];
    char path[128];
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    if (tmpdb_make(f->dir, sizeof(f->dir), f->path, sizeof(f->path)) != 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static void
rm(const char *path, const char *suffix)
{
    char p[200];

    snprintf(p, sizeof(p), "%s%s", path, suffix);
    unlink(p);
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    rm(f->path, ".copy");
    rm(f->path, ".copy-wal");
    rm(f->path, ".copy-seal");
    tmpdb_remove(f->dir, f->path);
    free(f);
    return 0;
}

/* A database of `rows` meta rows, closed cleanly (sealed). */
static void
make_db(const char *path, int rows)
{
    struct store *st = NULL;
    char key[32];

    assert_int_equal(0, store_open(&st, path));
    for (int i = 0; i < rows; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(0, store_write_begin(st));
        assert_int_equal(0, store_meta_set(st, key, "a value of some length"));
        assert_int_equal(0, store_write_end(st, 1));
    }
    store_free(st);
}

static void
copy_file(const char *from, const char *to)
{
    char buf[8192];
    int in = open(from, O_RDONLY), out;
    ssize_t n;

    assert_true(in >= 0);
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(out >= 0);
    while ((n = read(in, buf, sizeof(buf))) > 0)
        assert_int_equal(n, write(out, buf, (size_t)n));
    close(in);
    close(out);
}

static void
poke(const char *path, off_t off, const void *data, size_t n)
{
    int fd = open(path, O_WRONLY);

    assert_true(fd >= 0);
    assert_int_equal((ssize_t)n, pwrite(fd, data, n, off));
    close(fd);
}

/* With the database open (its WAL full of commits), copy both files to
 * path.copy and path.copy-wal: a data dir left by kill -9. */
static void
make_killed_copy(struct fixture *f, char *copy, size_t n)
{
    struct store *st = NULL;
    char wal[160], cwal[200];

    assert_int_equal(0, store_open(&st, f->path));
    for (int i = 0; i < 8; i++) {
        char key[16];

        snprintf(key, sizeof(key), "w%d", i);
        assert_int_equal(0, store_write_begin(st));
        assert_int_equal(0, store_meta_set(st, key, "in the WAL"));
        assert_int_equal(0, store_write_end(st, 1));
    }
    snprintf(copy, n, "%s.copy", f->path);
    snprintf(wal, sizeof(wal), "%s-wal", f->path);
    snprintf(cwal, sizeof(cwal), "%s-wal", copy);
    copy_file(f->path, copy);
    copy_file(wal, cwal);
    store_free(st);
}

static void
test_check_new_and_memory(void **state)
{
    struct fixture *f = *state;
    int sealed = 0;

    assert_int_equal(0, store_check_files(&sealed, f->path));
    assert_int_equal(1, sealed);
    sealed = 0;
    assert_int_equal(0, store_check_files(&sealed, ":memory:"));
    assert_int_equal(1, sealed);
}

static void
test_check_sealed_after_close(void **state)
{
    struct fixture *f = *state;
    int sealed = 0;

    make_db(f->path, 20);
    assert_int_equal(0, store_check_files(&sealed, f->path));
    assert_int_equal(1, sealed);
    /* a change behind the engine's back breaks the seal */
    chmod(f->path, 0640);
    assert_int_equal(0, store_check_files(&sealed, f->path));
    assert_int_equal(0, sealed);
    assert_int_equal(0, store_check_seal(f->path));
    assert_int_equal(0, store_check_files(&sealed, f->path));
    assert_int_equal(1, sealed);
}

static void
test_check_truncated(void **state)
{
    struct fixture *f = *state;
    struct stat st;
    int sealed;

    make_db(f->path, 400);
    assert_int_equal(0, stat(f->path, &st));
    assert_int_equal(0, truncate(f->path, st.st_size / 2));
    assert_int_equal(ENG_ERR, store_check_files(&sealed, f->path));
    assert_non_null(strstr(err_last(), "is truncated"));
    assert_non_null(strstr(err_last(), f->path));
    assert_int_equal(0, truncate(f->path, 50));
    assert_int_equal(ENG_ERR, store_check_files(&sealed, f->path));
    assert_non_null(strstr(err_last(), "shorter than a database header"));
    assert_int_equal(0, truncate(f->path, 0));
    assert_int_equal(ENG_ERR, store_check_files(&sealed, f->path));
    assert_non_null(strstr(err_last(), "is empty"));
    /* an empty file without a seal is a new database (SQLite made the
     * file, nothing was written yet) */
    rm(f->path, "-seal");
    assert_int_equal(0, store_check_files(&sealed, f->path));
}

static void
test_check_header(void **state)
{
    struct fixture *f = *state;
    int sealed;

    make_db(f->path, 2);
    poke(f->path, 0, "SQLite format 4", 16);
    assert_int_equal(ENG_ERR, store_check_files(&sealed, f->path));
    assert_non_null(strstr(err_last(), "does not begin with a database"));
    poke(f->path, 0, "SQLite format 3", 16);
    poke(f->path, 16, "\x03\x00", 2); /* page size 768 */
    assert_int_equal(ENG_ERR, store_check_files(&sealed, f->path));
    poke(f->path, 16, "\x08\x00", 2); /* 2048, what store_open makes */
    assert_int_equal(0, store_check_files(&sealed, f->path));
}

static void
test_check_wal_whole_and_torn(void **state)
{
    struct fixture *f = *state;
    char copy[160], wal[200];
    struct stat st;
    int sealed;

    make_killed_copy(f, copy, sizeof(copy));
    assert_int_equal(0, store_check_files(&sealed, copy));
    /* a torn last write: the tail of the last commit is missing */
    snprintf(wal, sizeof(wal), "%s-wal", copy);
    assert_int_equal(0, stat(wal, &st));
    assert_int_equal(0, truncate(wal, st.st_size - 3000));
    assert_int_equal(0, store_check_files(&sealed, copy));
    /* and it opens: SQLite drops the torn commit */
    {
        struct store *st2 = NULL;

        assert_int_equal(0, store_open(&st2, copy));
        store_free(st2);
    }
}

static void
test_check_wal_damaged(void **state)
{
    struct fixture *f = *state;
    char copy[160], wal[200];
    unsigned char junk[64];
    int sealed;

    make_killed_copy(f, copy, sizeof(copy));
    snprintf(wal, sizeof(wal), "%s-wal", copy);
    memset(junk, 0x5a, sizeof(junk));
    /* the page of the first frame: later commits would be dropped */
    poke(wal, 32 + 24 + 100, junk, sizeof(junk));
    assert_int_equal(ENG_ERR, store_check_files(&sealed, copy));
    assert_non_null(strstr(err_last(), "frame 1 fails its checksum"));
    assert_non_null(strstr(err_last(), wal));
    /* the header */
    poke(wal, 8, junk, 4);
    assert_int_equal(ENG_ERR, store_check_files(&sealed, copy));
    assert_non_null(strstr(err_last(), "damaged header"));
}

static void
test_check_wal_sum_known(void **state)
{
    /* SQLite's checksum of 8 bytes from zero: s1 = x0, s2 = x1 + x0 */
    static const unsigned char d[8] = {0, 0, 0, 1, 0, 0, 0, 2};
    unsigned s[2] = {0, 0};

    (void)state;
    store_check_wal_sum(s, d, 8, 1);
    assert_int_equal(1, s[0]);
    assert_int_equal(3, s[1]);
    s[0] = s[1] = 0;
    store_check_wal_sum(s, d, 8, 0);
    assert_int_equal(0x01000000u, s[0]);
    assert_int_equal(0x03000000u, s[1]);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_check_new_and_memory),
        T(test_check_sealed_after_close),
        T(test_check_truncated),
        T(test_check_header),
        T(test_check_wal_whole_and_torn),
        T(test_check_wal_damaged),
        cmocka_unit_test(test_check_wal_sum_known),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
