/*
 * The executor over a hand-built engine (no HTTP): a store in memory, a
 * scheduler, the queue service, and an engine clock that moves only when
 * the test moves its hand. Retry back-offs, waits and task timeouts must
 * fire exactly at their engine times, and not a millisecond before.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "core/sched.h"
#include "flow/exec.h"
#include "queue/queue.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 INT64_C(1795239000000) /* 2026-11-21T05:30:00Z */

struct xt {
    int64_t hand;
    struct engine *eng;
};

static int64_t
xt_hand_now(void *arg)
{
    return *(const int64_t *)arg;
}

static int
xt_setup(void **state)
{
    struct xt *f = xcalloc(1, sizeof(*f));
    struct engine *eng = xcalloc(1, sizeof(*eng));

    f->hand = T0;
    if (store_open(&eng->store, ":memory:") != 0)
        return -1;
    clock_init(&eng->clock);
    eng->clock.real_now = xt_hand_now;
    eng->clock.real_arg = &f->hand;
    clock_init_keep_source(&eng->clock);
    eng->sched = sched_create(eng->store, &eng->clock);
    eng->queues = queue_service_create(eng);
    if (queue_service_load(eng->queues) != 0)
        return -1;
    eng->execs = exec_service_create(eng);
    f->eng = eng;
    *state = f;
    return 0;
}

static int
xt_teardown(void **state)
{
    struct xt *f = *state;

    exec_service_free(f->eng->execs);
    engine_hooks_clear(f->eng);
    queue_service_free(f->eng->queues);
    sched_free(f->eng->sched);
    store_free(f->eng->store);
    free(f->eng);
    free(f);
    return 0;
}

/* Deploy `text` as flow `name` (the row flow_defs would write). */
static void
xt_flow(struct xt *f, const char *name, const char *text)
{
    sqlite3_stmt *q = store_stmt(
        f->eng->store, "INSERT INTO flows (name, definition, version, "
                       "created_ms, modified_ms) VALUES (?, ?, ?, 0, 0)");
    char version[48];

    snprintf(version, sizeof(version), "test-%s", name);
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, version, -1, SQLITE_STATIC);
    assert_int_equal(SQLITE_DONE, sqlite3_step(q));
    store_done(q);
}

/* Move the hand to T0 + ms and fire what is due. */
static void
xt_at(struct xt *f, int64_t ms)
{
    f->hand = T0 + ms;
    sched_run_due(f->eng->sched, 1000);
}

static json_t *
xt_start(struct xt *f, const char *flow, const char *name)
{
    json_t *out = NULL;
    int created = 0;

    if (exec_start(&out, &created, f->eng->execs, flow, name, NULL) != 0)
        fail_msg("exec_start: %s", err_last());
    assert_true(created);
    return out;
}

static char *
xt_status(struct xt *f, const char *name)
{
    json_t *x = NULL;
    char *s;

    assert_int_equal(0, exec_get(&x, f->eng->execs, NULL, name));
    s = xstrdup(json_string_value(json_object_get(x, "status")));
    json_decref(x);
    return s;
}

/* The engine times (ms after T0) of the events of `type`, "a,b,c". */
static void
xt_times(char *out, size_t n, struct xt *f, const char *name,
         const char *type)
{
    json_t *h = NULL, *ev;
    size_t i, len = 0;

    out[0] = '\0';
    assert_int_equal(0, exec_history(&h, f->eng->execs, NULL, name, 0,
                                     1000));
    json_array_foreach(json_object_get(h, "items"), i, ev) {
        int64_t ms = 0;

        if (strcmp(json_string_value(json_object_get(ev, "type")), type))
            continue;
        timefmt_parse_rfc3339(&ms, json_string_value(
                                       json_object_get(ev, "time")));
        len += (size_t)snprintf(out + len, n - len, "%s%lld",
                                len ? "," : "", (long long)(ms - T0));
    }
    json_decref(h);
}

static const char retry_flow[] =
    "version: v1\n"
    "type: flow\n"
    "steps:\n"
    "  - type: task\n"
    "    name: send\n"
    "    resourceArn: acs:mns:::/queues/missing/messages\n"
    "    serviceParams:\n"
    "      MessageBody: $\n"
    "    retry:\n"
    "      - errors: [MNS.QueueNotExist]\n"
    "        intervalSeconds: 2\n"
    "        multiplier: 3\n"
    "        maxAttempts: 3\n"
    "        maxIntervalSeconds: 10\n";

/* Retries at 2 s, then 2*3 = 6 s, then 18 s capped at 10 s after each
 * failure; never a millisecond early. */
static void
test_exec_retry_backoff_on_the_engine_clock(void **state)
{
    struct xt *f = *state;
    char times[256], *st;

    xt_flow(f, "r", retry_flow);
    json_decref(xt_start(f, "r", "e"));
    xt_times(times, sizeof(times), f, "e", "TaskScheduled");
    assert_string_equal("0", times);

    xt_at(f, 1999);
    xt_times(times, sizeof(times), f, "e", "TaskScheduled");
    assert_string_equal("0", times);
    xt_at(f, 2000);
    xt_at(f, 2000 + 5999);
    xt_times(times, sizeof(times), f, "e", "TaskScheduled");
    assert_string_equal("0,2000", times);
    xt_at(f, 8000);
    xt_at(f, 8000 + 9999);
    st = xt_status(f, "e");
    assert_string_equal("Running", st);
    free(st);
    xt_at(f, 18000);
    xt_times(times, sizeof(times), f, "e", "TaskScheduled");
    assert_string_equal("0,2000,8000,18000", times);
    st = xt_status(f, "e");
    assert_string_equal("Failed", st); /* three retries, then it fails */
    free(st);
}

/* A wait step sleeps on the engine clock: a paused clock holds it. */
static void
test_exec_wait_follows_pause_and_advance(void **state)
{
    struct xt *f = *state;
    char *st;

    xt_flow(f, "w", "version: v1\ntype: flow\nsteps:\n"
                    "  - type: wait\n    name: nap\n    duration: 60\n");
    json_decref(xt_start(f, "w", "e"));
    clock_pause(&f->eng->clock);
    xt_at(f, 120000); /* real time passes; the engine clock does not */
    st = xt_status(f, "e");
    assert_string_equal("Running", st);
    free(st);
    clock_advance(&f->eng->clock, 59999);
    sched_run_due(f->eng->sched, 1000);
    st = xt_status(f, "e");
    assert_string_equal("Running", st);
    free(st);
    clock_advance(&f->eng->clock, 1);
    sched_run_due(f->eng->sched, 1000);
    st = xt_status(f, "e");
    assert_string_equal("Succeeded", st);
    free(st);
}

/* Bad input changes nothing. */
static void
test_exec_bad_starts(void **state)
{
    struct xt *f = *state;
    json_t *out = NULL, *arr = json_array();
    int created = 0;

    xt_flow(f, "p", "version: v1\ntype: flow\nsteps:\n"
                    "  - type: pass\n    name: a\n");
    assert_int_equal(ENG_EINVAL, exec_start(&out, &created, f->eng->execs,
                                            "p", "x", arr));
    assert_non_null(strstr(err_last(), "JSON object"));
    assert_int_equal(ENG_ENOTFOUND, exec_start(&out, &created,
                                               f->eng->execs, "nope", "x",
                                               NULL));
    assert_int_equal(ENG_EINVAL, exec_start(&out, &created, f->eng->execs,
                                            "p", "9bad", NULL));
    assert_null(out);
    assert_int_equal(0, (int)store_count(f->eng->store, "executions"));
    json_decref(arr);
}

/* A caller's own task waits for an execution started for it
 * (exec_start_for): the execution's outcome completes that task. */
static void
test_exec_start_for_reports_to_the_waiting_task(void **state)
{
    struct xt *f = *state;
    json_t *q = NULL, *tasks = NULL, *out = NULL, *x = NULL;
    const char *token;
    char *st;
    int created = 0;

    assert_int_equal(0, queue_create(&q, &created, f->eng->queues, "jobs",
                                     NULL));
    json_decref(q);
    xt_flow(f, "parent",
            "version: v1\ntype: flow\nsteps:\n"
            "  - type: task\n    name: wait\n"
            "    resourceArn: acs:mns:::/queues/jobs/messages\n"
            "    pattern: waitForCallback\n"
            "    serviceParams:\n      MessageBody: $\n"
            "    outputMappings:\n      - target: got\n"
            "        source: $local.v\n");
    xt_flow(f, "child", "version: v1\ntype: flow\nsteps:\n"
                        "  - type: pass\n    name: a\n"
                        "    outputMappings:\n      - target: v\n"
                        "        source: $input.v\n");
    json_decref(xt_start(f, "parent", "p"));
    assert_int_equal(0, exec_tasks_list(&tasks, f->eng->execs, NULL, NULL,
                                        NULL, 10));
    token = json_string_value(json_object_get(
        json_array_get(json_object_get(tasks, "items"), 0), "token"));
    assert_non_null(token);
    x = json_pack("{s:i}", "v", 7);
    assert_int_equal(0, exec_start_for(&out, &created, f->eng->execs,
                                       "child", "c", x, token));
    assert_true(created);
    json_decref(out);
    json_decref(x);
    json_decref(tasks);
    st = xt_status(f, "p");
    assert_string_equal("Succeeded", st);
    free(st);
    assert_int_equal(0, exec_get(&x, f->eng->execs, "parent", "p"));
    assert_int_equal(7, json_integer_value(json_object_get(
                            json_object_get(x, "output"), "got")));
    json_decref(x);
    /* a token that names no waiting task is ignored at the end */
    assert_int_equal(0, exec_start_for(&out, &created, f->eng->execs,
                                       "child", "c2", NULL, "nosuchtoken"));
    json_decref(out);
    st = xt_status(f, "c2");
    assert_string_equal("Succeeded", st);
    free(st);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_exec_retry_backoff_on_the_engine_clock, xt_setup,
            xt_teardown),
        cmocka_unit_test_setup_teardown(
            test_exec_wait_follows_pause_and_advance, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_exec_bad_starts, xt_setup,
                                        xt_teardown),
        cmocka_unit_test_setup_teardown(
            test_exec_start_for_reports_to_the_waiting_task, xt_setup,
            xt_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
