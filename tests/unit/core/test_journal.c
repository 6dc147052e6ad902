/*
 * Unit tests for core/journal: appending records and reading them back
 * per entity, per kind, by type, and page by page with the cursor.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/err.h"
#include "common/timefmt.h"
#include "core/journal.h"
#include "store/migrations.h"
#include "store/store.h"
#include "tmpdb.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define TS0 INT64_C(1704067200000) /* 2024-01-01T00:00:00Z */

static int
setup(void **state)
{
    struct store *st;

    if (store_open(&st, ":memory:") != 0) {
        fprintf(stderr, "store_open: %s\n", err_last());
        return -1;
    }
    *state = st;
    return 0;
}

/* The store with the records every listing test reads:
 *   seq kind       entity type
 *   1   message    m1     sent
 *   2   message    m2     sent
 *   3   execution  e1     started
 *   4   message    m1     received
 *   5   execution  m1     started   (same entity name, other kind)
 *   6   message    m1     deleted
 */
static const struct {
    const char *kind, *entity, *type;
} sample[] = {
    {"message", "m1", "sent"},          {"message", "m2", "sent"},
    {"execution", "e1", "started"},     {"message", "m1", "received"},
    {"execution", "m1", "started"},     {"message", "m1", "deleted"},
};

static int
setup_sample(void **state)
{
    struct store *st;

    if (setup(state))
        return -1;
    st = *state;
    for (size_t i = 0; i < NELEM(sample); i++) {
        json_t *d = json_pack("{s:i}", "n", (int)i + 1);
        int rc = journal_append(st, TS0 + (int64_t)i * 1000, sample[i].kind,
                                sample[i].entity, sample[i].type, d);

        json_decref(d);
        if (rc)
            return -1;
    }
    return 0;
}

static int
teardown(void **state)
{
    store_free(*state);
    return 0;
}

/* The seqs of a list result, as "1,4,6". */
static void
seqs_of(char *out, size_t n, const json_t *res)
{
    const json_t *items = json_object_get(res, "items");
    size_t i, len = 0;
    json_t *it;

    out[0] = '\0';
    assert_true(json_is_array(items));
    json_array_foreach(items, i, it) {
        len += (size_t)snprintf(out + len, n - len, "%s%lld", i ? "," : "",
                                (long long)json_integer_value(
                                    json_object_get(it, "seq")));
        assert_true(len < n);
    }
}

static void
test_journal_append_count(void **state)
{
    struct store *st = *state;

    assert_int_equal(0, journal_count(st));
    assert_int_equal(0, journal_append(st, TS0, "engine", "engine", "start",
                                       NULL));
    assert_int_equal(1, journal_count(st));
    assert_int_equal(0, journal_append(st, TS0, "engine", "engine", "stop",
                                       NULL));
    assert_int_equal(2, journal_count(st));
}

static void
test_journal_append_joins_change(void **state)
{
    struct store *st = *state;

    assert_int_equal(0, store_write_begin(st));
    assert_int_equal(0, journal_append(st, TS0, "task", "t1", "failed",
                                       NULL));
    assert_int_equal(1, journal_count(st));
    assert_int_equal(0, store_write_end(st, 0));
    assert_int_equal(0, journal_count(st));
}

static void
test_journal_list_queries(void **state)
{
    static const struct {
        const char *what;
        const char *kind, *entity, *type;
        int ascending;
        const char *seqs;
    } cases[] = {
        {"entity, ascending", "message", "m1", NULL, 1, "1,4,6"},
        {"entity, descending", "message", "m1", NULL, 0, "6,4,1"},
        {"entity of other kind", "execution", "m1", NULL, 1, "5"},
        {"kind, latest first", "message", NULL, NULL, 0, "6,4,2,1"},
        {"kind, ascending", "execution", NULL, NULL, 1, "3,5"},
        {"kind + type", "message", NULL, "sent", 0, "2,1"},
        {"entity + type", "message", "m1", "received", 1, "4"},
        {"every kind", NULL, NULL, NULL, 0, "6,5,4,3,2,1"},
        {"every kind, by type", NULL, NULL, "started", 0, "5,3"},
        {"unknown kind", "delivery", NULL, NULL, 0, ""},
        {"unknown entity", "message", "nope", NULL, 1, ""},
        {"unknown type", "message", NULL, "nope", 0, ""},
    };
    struct store *st = *state;

    for (size_t i = 0; i < NELEM(cases); i++) {
        struct journal_query q = {cases[i].kind, cases[i].entity,
                                  cases[i].type, cases[i].ascending, 0, 100};
        json_t *res = NULL;
        char seqs[128];
        int rc = journal_list(&res, st, &q);

        if (rc != 0)
            fail_msg("%s: rc %d (%s)", cases[i].what, rc, err_last());
        seqs_of(seqs, sizeof(seqs), res);
        if (strcmp(seqs, cases[i].seqs) != 0)
            fail_msg("%s: seqs '%s', want '%s'", cases[i].what, seqs,
                     cases[i].seqs);
        /* everything fit on one page */
        assert_null(json_object_get(res, "next"));
        json_decref(res);
    }
}

static void
test_journal_list_item_fields(void **state)
{
    struct store *st = *state;
    struct journal_query q = {"message", "m1", "received", 1, 0, 10};
    json_t *res = NULL, *it;
    char ts[TIMEFMT_MAX];

    assert_int_equal(0, journal_list(&res, st, &q));
    assert_int_equal(1, json_array_size(json_object_get(res, "items")));
    it = json_array_get(json_object_get(res, "items"), 0);
    assert_int_equal(4, json_integer_value(json_object_get(it, "seq")));
    timefmt_rfc3339(ts, TS0 + 3 * 1000);
    assert_string_equal(ts, json_string_value(json_object_get(it, "time")));
    assert_string_equal("message",
                        json_string_value(json_object_get(it, "kind")));
    assert_string_equal("m1", json_string_value(json_object_get(it, "id")));
    assert_string_equal("received",
                        json_string_value(json_object_get(it, "type")));
    assert_int_equal(4, json_integer_value(json_object_get(
                            json_object_get(it, "detail"), "n")));
    json_decref(res);
}

static void
test_journal_entity_needs_kind(void **state)
{
    struct store *st = *state;
    struct journal_query q = {NULL, "m1", NULL, 1, 0, 10};
    json_t *res = (json_t *)&q;

    err_clear();
    assert_int_equal(ENG_EINVAL, journal_list(&res, st, &q));
    assert_null(res);
    assert_non_null(strstr(err_last(), "kind"));
}

static void
test_journal_detail_round_trip(void **state)
{
    static const char *const details[] = {
        "{\"a\": [1, 2, {\"b\": \"c\"}], \"s\": \"x\\\"y\", \"f\": 1.5,"
        " \"t\": true, \"n\": null, \"u\": \"\\u00e9\\u4e2d\"}",
        "{}",
        "{\"deep\": {\"er\": {\"est\": [[], {}]}}}",
        "[1, \"two\", 3.25]",
    };
    struct store *st = *state;
    struct journal_query q = {"delivery", "d1", NULL, 1, 0, 10};
    json_t *res = NULL, *items;

    for (size_t i = 0; i < NELEM(details); i++) {
        json_t *d = json_loads(details[i], 0, NULL);

        assert_non_null(d);
        assert_int_equal(0, journal_append(st, TS0, "delivery", "d1", "try",
                                           d));
        json_decref(d);
    }
    assert_int_equal(0, journal_append(st, TS0, "delivery", "d1", "none",
                                       NULL));
    assert_int_equal(0, journal_list(&res, st, &q));
    items = json_object_get(res, "items");
    assert_int_equal(NELEM(details) + 1, json_array_size(items));
    for (size_t i = 0; i < NELEM(details); i++) {
        json_t *want = json_loads(details[i], 0, NULL);
        json_t *got = json_object_get(json_array_get(items, i), "detail");

        if (!json_equal(want, got)) {
            char *s = json_dumps(got, JSON_ENCODE_ANY);

            fail_msg("detail %zu came back as %s", i, s ? s : "(null)");
        }
        json_decref(want);
    }
    /* no detail reads back as an empty object */
    assert_true(json_is_object(
        json_object_get(json_array_get(items, NELEM(details)), "detail")));
    assert_int_equal(0, json_object_size(json_object_get(
                            json_array_get(items, NELEM(details)), "detail")));
    json_decref(res);
}

static void
test_journal_paging(void **state)
{
    static const struct {
        int ascending;
        int limit;
        int pages;
    } cases[] = {
        {1, 1, 25}, {1, 7, 4}, {1, 24, 2}, {1, 25, 1}, {1, 26, 1},
        {0, 1, 25}, {0, 7, 4}, {0, 24, 2}, {0, 25, 1}, {0, 1000, 1},
    };
    enum { N = 25 };
    struct store *st = *state;

    for (int i = 0; i < N; i++) {
        /* interleave another entity and kind that must not show up */
        assert_int_equal(0, journal_append(st, TS0 + i, "task", "t1", "step",
                                           NULL));
        assert_int_equal(0, journal_append(st, TS0 + i, "task", "t2", "step",
                                           NULL));
        assert_int_equal(0, journal_append(st, TS0 + i, "timer", "t1", "step",
                                           NULL));
    }
    for (size_t c = 0; c < NELEM(cases); c++) {
        struct journal_query q = {"task", "t1", NULL, cases[c].ascending, 0,
                                  cases[c].limit};
        int64_t seen[N];
        int nseen = 0, pages = 0;

        for (;;) {
            json_t *res = NULL, *it;
            const json_t *next;
            size_t k;

            assert_int_equal(0, journal_list(&res, st, &q));
            pages++;
            assert_true(json_array_size(json_object_get(res, "items")) <=
                        (size_t)cases[c].limit);
            json_array_foreach(json_object_get(res, "items"), k, it) {
                assert_true(nseen < N);
                assert_string_equal("t1", json_string_value(
                                              json_object_get(it, "id")));
                seen[nseen++] = json_integer_value(json_object_get(it, "seq"));
            }
            next = json_object_get(res, "next");
            if (next == NULL) {
                json_decref(res);
                break;
            }
            assert_true(json_is_string(next));
            q.after = strtoll(json_string_value(next), NULL, 10);
            json_decref(res);
            assert_true(pages <= N + 1);
        }
        if (nseen != N || pages != cases[c].pages)
            fail_msg("asc %d limit %d: %d records in %d pages, want %d in %d",
                     cases[c].ascending, cases[c].limit, nseen, pages, N,
                     cases[c].pages);
        /* strictly monotonic: no duplicates, in the asked order; t1's
         * records are every third seq from 1 */
        for (int i = 0; i < N; i++) {
            int64_t want = cases[c].ascending ? 1 + 3 * i : 1 + 3 * (N - 1 - i);

            if (seen[i] != want)
                fail_msg("asc %d limit %d: record %d is seq %lld, want %lld",
                         cases[c].ascending, cases[c].limit, i,
                         (long long)seen[i], (long long)want);
        }
    }
}

static void
test_journal_paging_kind_latest(void **state)
{
    struct store *st = *state;
    struct journal_query q = {"message", NULL, NULL, 0, 0, 3};
    json_t *res = NULL;
    char seqs[64];

    /* latest first, three at a time: 6,4,2 then 1 */
    assert_int_equal(0, journal_list(&res, st, &q));
    seqs_of(seqs, sizeof(seqs), res);
    assert_string_equal("6,4,2", seqs);
    assert_string_equal("2", json_string_value(json_object_get(res, "next")));
    q.after = 2;
    json_decref(res);
    assert_int_equal(0, journal_list(&res, st, &q));
    seqs_of(seqs, sizeof(seqs), res);
    assert_string_equal("1", seqs);
    assert_null(json_object_get(res, "next"));
    json_decref(res);
}

/* Every seq, newest first, as "3,2,1". */
static void
all_seqs(char *out, size_t n, struct store *st)
{
    struct journal_query q = {NULL, NULL, NULL, 0, 0, 1000};
    json_t *res = NULL;

    assert_int_equal(0, journal_list(&res, st, &q));
    seqs_of(out, n, res);
    json_decref(res);
}

static void
append(struct store *st, const char *kind, const char *entity)
{
    assert_int_equal(0, journal_append(st, TS0, kind, entity, "t", NULL));
}

static void
test_journal_seq_after_rollback(void **state)
{
    struct store *st = *state;
    char seqs[64];

    /* a rolled-back record's seq is handed out again: no gap */
    append(st, "engine", "e");
    assert_int_equal(0, store_write_begin(st));
    append(st, "message", "m1");
    append(st, "queue", "q1");
    assert_int_equal(0, store_write_end(st, 0));
    append(st, "message", "m2");
    all_seqs(seqs, sizeof(seqs), st);
    assert_string_equal("2,1", seqs);
    /* nor after emptying the store */
    assert_int_equal(0, store_truncate_all(st));
    append(st, "message", "m3");
    all_seqs(seqs, sizeof(seqs), st);
    assert_string_equal("1", seqs);
}

/* A file store in a new temp dir (tmpdb_make). */
static struct store *
open_file_store(char *dir, size_t ndir, char *path, size_t npath)
{
    struct store *st = NULL;

    assert_int_equal(0, tmpdb_make(dir, ndir, path, npath));
    assert_int_equal(0, store_open(&st, path));
    return st;
}

/* A database at a fresh path in dir, made by the migrations up to
 * `version` alone, as a data dir of that version was. Returns: it, open
 * (the caller fills and closes it). */
static sqlite3 *
open_old_db(char *dir, size_t ndir, char *path, size_t npath, int version)
{
    struct store *st = open_file_store(dir, ndir, path, npath);
    sqlite3 *db = NULL;
    char sql[64];

    store_free(st);
    unlink(path);
    assert_int_equal(SQLITE_OK, sqlite3_open(path, &db));
    for (int i = 0; i < migrations_count && migrations[i].version <= version;
         i++)
        assert_int_equal(SQLITE_OK,
                         sqlite3_exec(db, migrations[i].sql, 0, 0, 0));
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
    assert_int_equal(SQLITE_OK, sqlite3_exec(db, sql, 0, 0, 0));
    return db;
}

static void
test_journal_seq_over_both_tables(void **state)
{
    char dir[64], path[128], seqs[64];
    struct store *st = open_file_store(dir, sizeof(dir), path, sizeof(path));

    (void)state;
    /* a reopened store goes on from the highest seq of either table */
    append(st, "engine", "e");
    append(st, "message", "m1");
    append(st, "message", "m1");
    store_free(st);
    assert_int_equal(0, store_open(&st, path));
    append(st, "engine", "e");
    store_free(st);
    assert_int_equal(0, store_open(&st, path));
    append(st, "message", "m2");
    all_seqs(seqs, sizeof(seqs), st);
    assert_string_equal("5,4,3,2,1", seqs);
    assert_int_equal(5, journal_count(st));
    store_free(st);
    tmpdb_remove(dir, path);
}

static void
test_journal_migration_moves_message_records(void **state)
{
    char dir[64], path[128], seqs[64];
    struct store *st;
    struct journal_query q = {"message", "m1", NULL, 1, 0, 100};
    /* a data dir of version 8: one journal table for every kind */
    sqlite3 *db = open_old_db(dir, sizeof(dir), path, sizeof(path), 8);
    json_t *res = NULL;

    (void)state;
    assert_int_equal(
        SQLITE_OK,
        sqlite3_exec(db,
                     "INSERT INTO journal(seq, ts_ms, kind, entity, type) "
                     "VALUES (1, 1, 'queue', 'q', 'created'),"
                     " (2, 2, 'message', 'm1', 'sent'),"
                     " (3, 3, 'message', 'm2', 'sent'),"
                     " (4, 4, 'execution', 'm1', 'started'),"
                     " (5, 5, 'message', 'm1', 'received');",
                     0, 0, 0));
    sqlite3_close(db);

    assert_int_equal(0, store_open(&st, path));
    assert_int_equal(3, store_count(st, "journal_msg"));
    assert_int_equal(2, store_count(st, "journal"));
    all_seqs(seqs, sizeof(seqs), st);
    assert_string_equal("5,4,3,2,1", seqs);
    assert_int_equal(0, journal_list(&res, st, &q));
    seqs_of(seqs, sizeof(seqs), res);
    assert_string_equal("2,5", seqs);
    json_decref(res);
    append(st, "message", "m1");
    all_seqs(seqs, sizeof(seqs), st);
    assert_string_equal("6,5,4,3,2,1", seqs);
    store_free(st);
    tmpdb_remove(dir, path);
}

static void
test_journal_msg_key(void **state)
{
    static const struct {
        const char *entity;
        int64_t key;
    } cases[] = {
        {"0000000000000001-F0DA4A369CFA4907", 1},
        {"00000000000ABCDE-0000000000000000", 0xABCDE},
        {"7FFFFFFFFFFFFFFF-FFFFFFFFFFFFFFFF", INT64_MAX},
        {"8000000000000000-0000000000000001", 0}, /* past any row */
        {"00000000000abcde-0000000000000000", 0}, /* ids are upper case */
        {"00000000000ABCDE+0000000000000000", 0},
        {"00000000000ABCDE-00000000000000000", 0},
        {"00000000000ABCDE-000000000000000", 0},
        {"0000000000000G01-0000000000000000", 0},
        {"m1", 0},
        {"", 0},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++)
        if (journal_msg_key(cases[i].entity) != cases[i].key)
            fail_msg("'%s': key %lld, want %lld", cases[i].entity,
                     (long long)journal_msg_key(cases[i].entity),
                     (long long)cases[i].key);
}

/* Records of ids with one row and two random halves (a row SQLite used
 * again), of other entities (key 0), and the search by the key's index. */
static void
test_journal_msg_key_lookup(void **state)
{
    static const char *const a = "0000000000000005-1111111111111111";
    static const char *const b = "0000000000000005-2222222222222222";
    struct journal_query q = {"message", a, NULL, 1, 0, 100};
    sqlite3_stmt *plan;
    json_t *res = NULL;
    char seqs[64], detail[256] = "";
    struct store *st = *state;

    append(st, "message", a);
    append(st, "message", b);
    append(st, "message", "m1");
    append(st, "message", "m2");
    append(st, "message", a);
    append(st, "message", "m1");
    assert_int_equal(0, journal_list(&res, st, &q));
    seqs_of(seqs, sizeof(seqs), res);
    assert_string_equal("1,5", seqs);
    json_decref(res);
    q.entity = b;
    assert_int_equal(0, journal_list(&res, st, &q));
    seqs_of(seqs, sizeof(seqs), res);
    assert_string_equal("2", seqs);
    json_decref(res);
    q.entity = "m1";
    assert_int_equal(0, journal_list(&res, st, &q));
    seqs_of(seqs, sizeof(seqs), res);
    assert_string_equal("3,6", seqs);
    json_decref(res);

    assert_int_equal(SQLITE_OK,
                     sqlite3_prepare_v2(store_db(st),
                                        "EXPLAIN QUERY PLAN SELECT seq FROM "
                                        "journal_msg WHERE entity_key = 5 "
                                        "AND entity = 'x' AND seq > 0 "
                                        "ORDER BY seq",
                                        -1, &plan, NULL));
    while (sqlite3_step(plan) == SQLITE_ROW)
        snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
                 "%s;", (const char *)sqlite3_column_text(plan, 3));
    sqlite3_finalize(plan);
    assert_non_null(strstr(detail, "USING INDEX journal_msg_key"));
}

/* Migration 10 gives the records before it the keys journal_msg_key
 * gives new ones, and they are found by them. */
static void
test_journal_migration_keys_message_records(void **state)
{
    static const char *const entities[] = {
        "0000000000000001-F0DA4A369CFA4907", "00000000000ABCDE-0000000000000001",
        "7FFFFFFFFFFFFFFF-FFFFFFFFFFFFFFFF", "8000000000000000-0000000000000001",
        "00000000000abcde-0000000000000000", "0000000000000G01-0000000000000000",
        "00000000000ABCDE-00000000000000000", "m1",
    };
    char dir[64], path[128], sql[256], seqs[64], want[64];
    struct store *st;
    sqlite3 *db = open_old_db(dir, sizeof(dir), path, sizeof(path), 9);
    sqlite3_stmt *rows;
    json_t *res = NULL;
    size_t n = 0;

    (void)state;
    for (size_t i = 0; i < NELEM(entities); i++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO journal_msg(seq, ts_ms, entity, type) "
                 "VALUES (%zu, 1, '%s', 'sent')",
                 i + 1, entities[i]);
        assert_int_equal(SQLITE_OK, sqlite3_exec(db, sql, 0, 0, 0));
    }
    sqlite3_close(db);

    assert_int_equal(0, store_open(&st, path));
    assert_int_equal(SQLITE_OK,
                     sqlite3_prepare_v2(store_db(st),
                                        "SELECT entity, entity_key FROM "
                                        "journal_msg ORDER BY seq",
                                        -1, &rows, NULL));
    while (sqlite3_step(rows) == SQLITE_ROW) {
        const char *e = (const char *)sqlite3_column_text(rows, 0);

        if (sqlite3_column_int64(rows, 1) != journal_msg_key(e))
            fail_msg("'%s': migrated key %lld, new records get %lld", e,
                     (long long)sqlite3_column_int64(rows, 1),
                     (long long)journal_msg_key(e));
        n++;
    }
    sqlite3_finalize(rows);
    assert_int_equal(NELEM(entities), n);
    for (size_t i = 0; i < NELEM(entities); i++) {
        struct journal_query q = {"message", entities[i], NULL, 1, 0, 100};

        append(st, "message", entities[i]);
        assert_int_equal(0, journal_list(&res, st, &q));
        seqs_of(seqs, sizeof(seqs), res);
        snprintf(want, sizeof(want), "%zu,%zu", i + 1,
                 NELEM(entities) + i + 1);
        assert_string_equal(want, seqs);
        json_decref(res);
    }
    store_free(st);
    tmpdb_remove(dir, path);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TS(fn) cmocka_unit_test_setup_teardown(fn, setup_sample, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_journal_append_count),
        T(test_journal_msg_key),
        T(test_journal_msg_key_lookup),
        T(test_journal_migration_keys_message_records),
        T(test_journal_append_joins_change),
        TS(test_journal_list_queries),
        TS(test_journal_list_item_fields),
        TS(test_journal_entity_needs_kind),
        T(test_journal_detail_round_trip),
        T(test_journal_paging),
        TS(test_journal_paging_kind_latest),
        T(test_journal_seq_after_rollback),
        cmocka_unit_test(test_journal_seq_over_both_tables),
        cmocka_unit_test(test_journal_migration_moves_message_records),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
