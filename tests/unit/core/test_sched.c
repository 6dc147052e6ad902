/*
 * Unit tests for core/sched: durable timers over a store and an engine
 * clock that the tests move by hand. Handlers record what fired into the
 * fixture, so each test checks the exact (id, ref) order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/clock.h"
#include "common/err.h"
#include "core/journal.h"
#include "core/sched.h"
#include "store/store.h"
#include "tmpdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define T0 INT64_C(1795239000000) /* 2026-11-21T05:30:00Z */
#define MAX_FIRED 64

struct fired {
    int64_t id;
    int64_t due_ms;
    int64_t now; /* engine time when it fired */
    char ref[32];
    char payload[64];
};

struct fixture {
    int64_t hand;
    struct clock clock;
    struct store *st;
    struct sched *s;
    struct fired log[MAX_FIRED];
    int nlog;
    int fail;   /* "flaky" handler: fail this many more times */
    int calls;  /* "flaky" and "again" handler calls */
    char dir[64];
    char path[128];
};

static int64_t
hand_now(void *arg)
{
    return *(const int64_t *)arg;
}

/* Move the engine clock to T0 + ms (it follows the hand 1:1). */
static void
at(struct fixture *f, int64_t ms)
{
    f->hand = T0 + ms;
    assert_int_equal(T0 + ms, clock_now(&f->clock));
}

static void
record(struct fixture *f, const struct sched_timer *t)
{
    struct fired *r;

    assert_true(f->nlog < MAX_FIRED);
    r = &f->log[f->nlog++];
    r->id = t->id;
    r->due_ms = t->due_ms;
    r->now = clock_now(&f->clock);
    snprintf(r->ref, sizeof(r->ref), "%s", t->ref);
    snprintf(r->payload, sizeof(r->payload), "%s",
             t->payload ? t->payload : "");
}

/* kind "rec": records the timer */
static int
fire_rec(const struct sched_timer *t, void *arg)
{
    struct fixture *f = arg;

    assert_string_equal("rec", t->kind);
    record(f, t);
    return 0;
}

/* kind "flaky": writes to the store, then fails while f->fail > 0 */
static int
fire_flaky(const struct sched_timer *t, void *arg)
{
    struct fixture *f = arg;
    int rc;

    f->calls++;
    rc = store_meta_set(f->st, "flaky", t->ref);
    if (rc == 0)
        rc = journal_append(f->st, clock_now(&f->clock), "timer", t->ref,
                            "fired", NULL);
    if (rc)
        return rc;
    if (f->fail > 0) {
        f->fail--;
        return err_set(ENG_EUPSTREAM, "flaky timer %s failed", t->ref);
    }
    record(f, t);
    return 0;
}

/* kind "chain": records, then adds a "rec" timer due right now */
static int
fire_chain(const struct sched_timer *t, void *arg)
{
    struct fixture *f = arg;
    char ref[40];

    record(f, t);
    snprintf(ref, sizeof(ref), "%s.next", t->ref);
    return sched_add(NULL, f->s, clock_now(&f->clock), "rec", ref, NULL);
}

/* kind "again": re-adds itself, due now, every time it fires */
static int
fire_again(const struct sched_timer *t, void *arg)
{
    struct fixture *f = arg;

    /* stop a runaway here, so a broken guard fails instead of hanging */
    if (++f->calls > 100)
        return err_set(ENG_ERR, "runaway timer %s", t->ref);
    return sched_add(NULL, f->s, t->due_ms, "again", t->ref, NULL);
}

static void
sched_setup(struct fixture *f)
{
    f->s = sched_create(f->st, &f->clock);
    assert_non_null(f->s);
    sched_register(f->s, "rec", fire_rec, f);
    sched_register(f->s, "flaky", fire_flaky, f);
    sched_register(f->s, "chain", fire_chain, f);
    sched_register(f->s, "again", fire_again, f);
}

static struct fixture *
fixture_new(void)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return NULL;
    f->hand = T0;
    clock_init(&f->clock);
    f->clock.real_now = hand_now;
    f->clock.real_arg = &f->hand;
    clock_init_keep_source(&f->clock);
    return f;
}

static int
setup(void **state)
{
    struct fixture *f = fixture_new();

    if (f == NULL)
        return -1;
    if (store_open(&f->st, ":memory:") != 0) {
        fprintf(stderr, "store_open: %s\n", err_last());
        free(f);
        return -1;
    }
    sched_setup(f);
    *state = f;
    return 0;
}

/* A file database in a fresh temp dir, for the restart test. */
static int
setup_file(void **state)
{
    struct fixture *f = fixture_new();

    if (f == NULL)
        return -1;
    if (tmpdb_make(f->dir, sizeof(f->dir), f->path, sizeof(f->path)) != 0) {
        free(f);
        return -1;
    }
    if (store_open(&f->st, f->path) != 0) {
        fprintf(stderr, "store_open: %s\n", err_last());
        tmpdb_remove(f->dir, f->path);
        free(f);
        return -1;
    }
    sched_setup(f);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    sched_free(f->s);
    store_free(f->st);
    tmpdb_remove(f->dir, f->path);
    free(f);
    return 0;
}

static int64_t
add(struct fixture *f, int64_t due, const char *kind, const char *ref)
{
    int64_t id = -1;

    assert_int_equal(0, sched_add(&id, f->s, T0 + due, kind, ref, NULL));
    assert_true(id > 0);
    return id;
}

/* The refs fired so far, as "b,c,a". */
static void
refs_fired(char *out, size_t n, const struct fixture *f)
{
    size_t len = 0;

    out[0] = '\0';
    for (int i = 0; i < f->nlog; i++) {
        len += (size_t)snprintf(out + len, n - len, "%s%s", i ? "," : "",
                                f->log[i].ref);
        assert_true(len < n);
    }
}

static void
assert_fired(const struct fixture *f, const char *want)
{
    char got[512];

    refs_fired(got, sizeof(got), f);
    if (strcmp(got, want) != 0)
        fail_msg("fired '%s', want '%s'", got, want);
}

static void
test_sched_kinds(void **state)
{
    struct fixture *f = *state;

    assert_true(sched_has_kind(f->s, "rec"));
    assert_true(sched_has_kind(f->s, "again"));
    assert_false(sched_has_kind(f->s, "ghost"));
    assert_false(sched_has_kind(f->s, "re"));
}

static void
test_sched_add_unknown_kind(void **state)
{
    struct fixture *f = *state;
    int64_t id = 99;

    err_clear();
    assert_int_equal(ENG_EINVAL, sched_add(&id, f->s, T0, "ghost", "x", NULL));
    assert_non_null(strstr(err_last(), "ghost"));
    assert_int_equal(0, store_count(f->st, "timers"));
}

static void
test_sched_fires_in_due_order(void **state)
{
    struct fixture *f = *state;

    add(f, 300, "rec", "a");
    add(f, 100, "rec", "b");
    add(f, 200, "rec", "c");
    add(f, 250, "rec", "d");

    /* nothing is due yet: nothing fires */
    assert_int_equal(0, sched_run_due(f->s, 100));
    at(f, 99);
    assert_int_equal(0, sched_run_due(f->s, 100));
    assert_int_equal(0, f->nlog);

    at(f, 100); /* due exactly now: fires */
    assert_int_equal(1, sched_run_due(f->s, 100));
    assert_fired(f, "b");
    assert_int_equal(0, sched_run_due(f->s, 100)); /* not twice */

    at(f, 260);
    assert_int_equal(2, sched_run_due(f->s, 100));
    assert_fired(f, "b,c,d");

    at(f, 10000);
    assert_int_equal(1, sched_run_due(f->s, 100));
    assert_fired(f, "b,c,d,a");
    assert_int_equal(0, store_count(f->st, "timers"));

    /* the handler saw each timer at or after its due time */
    for (int i = 0; i < f->nlog; i++)
        assert_true(f->log[i].now >= f->log[i].due_ms);
}

static void
test_sched_ties_by_id(void **state)
{
    struct fixture *f = *state;
    int64_t x, y, z, w, v;

    x = add(f, 200, "rec", "x");
    y = add(f, 100, "rec", "y");
    z = add(f, 200, "rec", "z");
    w = add(f, 100, "rec", "w");
    v = add(f, 100, "rec", "v");
    assert_true(x < y && y < z && z < w && w < v);

    at(f, 500);
    assert_int_equal(5, sched_run_due(f->s, 100));
    assert_fired(f, "y,w,v,x,z");
    assert_int_equal(y, f->log[0].id);
    assert_int_equal(w, f->log[1].id);
    assert_int_equal(v, f->log[2].id);
    assert_int_equal(x, f->log[3].id);
    assert_int_equal(z, f->log[4].id);
}

static void
test_sched_timer_fields(void **state)
{
    struct fixture *f = *state;
    json_t *payload = json_pack("{s:s, s:[i,i]}", "msg", "hi", "n", 1, 2);
    json_t *back;
    int64_t id = 0;

    assert_int_equal(0, sched_add(&id, f->s, T0 + 5, "rec", "q/orders",
                                  payload));
    assert_int_equal(0, sched_add(NULL, f->s, T0 + 6, "rec", NULL, NULL));
    at(f, 10);
    assert_int_equal(2, sched_run_due(f->s, 10));
    assert_int_equal(id, f->log[0].id);
    assert_int_equal(T0 + 5, f->log[0].due_ms);
    assert_string_equal("q/orders", f->log[0].ref);
    back = json_loads(f->log[0].payload, 0, NULL);
    assert_non_null(back);
    assert_true(json_equal(payload, back));
    /* no ref reads as "", no payload as NULL */
    assert_string_equal("", f->log[1].ref);
    assert_string_equal("", f->log[1].payload);
    json_decref(back);
    json_decref(payload);
}

static void
test_sched_next_due(void **state)
{
    struct fixture *f = *state;
    int64_t next = 42, a, b;

    assert_int_equal(0, sched_next_due(f->s, &next));
    assert_int_equal(42, next); /* untouched when none */
    a = add(f, 500, "rec", "a");
    assert_int_equal(1, sched_next_due(f->s, &next));
    assert_int_equal(T0 + 500, next);
    b = add(f, 300, "rec", "b"); /* earlier than the cached one */
    assert_int_equal(1, sched_next_due(f->s, &next));
    assert_int_equal(T0 + 300, next);
    add(f, 400, "rec", "c"); /* later: the earliest stays */
    assert_int_equal(1, sched_next_due(f->s, &next));
    assert_int_equal(T0 + 300, next);

    assert_int_equal(0, sched_cancel(f->s, b));
    assert_int_equal(1, sched_next_due(f->s, &next));
    assert_int_equal(T0 + 400, next);

    at(f, 450);
    assert_int_equal(1, sched_run_due(f->s, 10));
    assert_int_equal(1, sched_next_due(f->s, &next));
    assert_int_equal(T0 + 500, next);
    assert_int_equal(0, sched_cancel(f->s, a));
    assert_int_equal(0, sched_next_due(f->s, &next));
}

static void
test_sched_next_due_after_invalidate(void **state)
{
    struct fixture *f = *state;
    int64_t next = 0;

    add(f, 500, "rec", "a");
    assert_int_equal(1, sched_next_due(f->s, &next));
    /* a change behind the scheduler's back (a restore) */
    assert_int_equal(0, store_exec(f->st, "UPDATE timers SET due_ms = "
                                          "due_ms - 400"));
    sched_invalidate(f->s);
    assert_int_equal(1, sched_next_due(f->s, &next));
    assert_int_equal(T0 + 100, next);
    assert_int_equal(0, store_truncate_all(f->st));
    sched_invalidate(f->s);
    assert_int_equal(0, sched_next_due(f->s, &next));
}

static void
test_sched_cancel(void **state)
{
    struct fixture *f = *state;
    int64_t a, b;

    a = add(f, 100, "rec", "a");
    b = add(f, 200, "rec", "b");
    assert_int_equal(0, sched_cancel(f->s, a));
    err_clear();
    assert_int_equal(ENG_ENOTFOUND, sched_cancel(f->s, a));
    assert_true(strlen(err_last()) > 0);
    assert_int_equal(ENG_ENOTFOUND, sched_cancel(f->s, b + 1000));
    at(f, 1000);
    assert_int_equal(1, sched_run_due(f->s, 10));
    assert_fired(f, "b");
    assert_int_equal(b, f->log[0].id);
    assert_int_equal(ENG_ENOTFOUND, sched_cancel(f->s, b)); /* fired */
}

static void
test_sched_cancel_ref(void **state)
{
    struct fixture *f = *state;

    add(f, 100, "rec", "q1");
    add(f, 200, "rec", "q1");
    add(f, 150, "rec", "q2");
    add(f, 120, "chain", "q1"); /* same ref, other kind */
    assert_int_equal(0, sched_cancel_ref(f->s, "rec", "q1"));
    assert_int_equal(2, store_count(f->st, "timers"));
    assert_int_equal(0, sched_cancel_ref(f->s, "rec", "none")); /* no-op */
    assert_int_equal(2, store_count(f->st, "timers"));
    at(f, 1000);
    assert_int_equal(3, sched_run_due(f->s, 10)); /* chain adds one */
    assert_fired(f, "q1,q2,q1.next");
}

static void
test_sched_handler_error_postponed(void **state)
{
    struct fixture *f = *state;
    int64_t id, next = 0;
    char *meta;
    int fired;

    id = add(f, 100, "flaky", "f1");
    f->fail = 1;
    at(f, 150);
    fired = sched_run_due(f->s, 100);
    /* tried once: the scheduler does not spin on it */
    assert_int_equal(1, f->calls);
    assert_true(fired <= 1);
    assert_int_equal(0, f->nlog);
    /* what the handler wrote is undone */
    meta = store_meta_get(f->st, "flaky");
    assert_null(meta);
    assert_int_equal(0, journal_count(f->st));
    /* the timer is still there, a second later on the engine clock */
    assert_int_equal(1, store_count(f->st, "timers"));
    assert_int_equal(1, sched_next_due(f->s, &next));
    assert_int_equal(T0 + 150 + 1000, next);

    /* not before that second is up */
    at(f, 1149);
    assert_int_equal(0, sched_run_due(f->s, 100));
    assert_int_equal(1, f->calls);

    at(f, 1150);
    assert_int_equal(1, sched_run_due(f->s, 100));
    assert_int_equal(2, f->calls);
    assert_int_equal(1, f->nlog);
    assert_int_equal(id, f->log[0].id); /* the same timer */
    assert_string_equal("f1", f->log[0].ref);
    meta = store_meta_get(f->st, "flaky");
    assert_non_null(meta);
    assert_string_equal("f1", meta);
    free(meta);
    assert_int_equal(1, journal_count(f->st));
    assert_int_equal(0, store_count(f->st, "timers"));
}

static void
test_sched_handler_error_others_fire(void **state)
{
    struct fixture *f = *state;
    int64_t next = 0;

    /* a failing timer does not hold up the ones behind it */
    add(f, 100, "flaky", "f1");
    add(f, 200, "rec", "r1");
    add(f, 300, "rec", "r2");
    f->fail = 1000;
    at(f, 500);
    sched_run_due(f->s, 100);
    assert_int_equal(1, f->calls);
    assert_fired(f, "r1,r2");
    assert_int_equal(1, sched_next_due(f->s, &next));
    assert_int_equal(T0 + 1500, next);
}

static void
test_sched_handler_error_paused_clock(void **state)
{
    struct fixture *f = *state;
    int64_t next = 0;

    /* with the clock paused, the retry waits for the clock to move */
    add(f, 100, "flaky", "f1");
    f->fail = 1000;
    at(f, 200);
    clock_pause(&f->clock);
    sched_run_due(f->s, 1000);
    assert_int_equal(1, f->calls);
    f->hand += 60000;
    assert_int_equal(0, sched_run_due(f->s, 1000));
    assert_int_equal(1, f->calls);
    assert_int_equal(1, sched_next_due(f->s, &next));
    assert_int_equal(T0 + 1200, next);
    assert_int_equal(0, clock_advance(&f->clock, 1000));
    sched_run_due(f->s, 1000);
    assert_int_equal(2, f->calls);
}

static void
test_sched_handler_error_batch_mode(void **state)
{
    struct fixture *f = *state;
    int64_t next = 0;
    char *meta;

    /* as the engine runs it: every change joins one batch per loop turn;
     * a failing handler undoes only its own change */
    store_set_batching(f->st, 1);
    assert_int_equal(0, store_write_begin(f->st));
    add(f, 100, "rec", "r1");
    add(f, 150, "flaky", "f1");
    add(f, 200, "rec", "r2");
    assert_int_equal(0, store_write_end(f->st, 1));
    assert_int_equal(0, store_batch_commit(f->st));

    f->fail = 1;
    at(f, 500);
    sched_run_due(f->s, 100);
    assert_int_equal(1, f->calls);
    assert_fired(f, "r1,r2");
    assert_int_equal(1, store_batch_open(f->st));
    meta = store_meta_get(f->st, "flaky");
    assert_null(meta);
    assert_int_equal(0, journal_count(f->st));
    assert_int_equal(0, store_batch_commit(f->st));
    assert_int_equal(0, store_batch_open(f->st));
    assert_int_equal(1, store_count(f->st, "timers"));
    assert_int_equal(1, sched_next_due(f->s, &next));
    assert_int_equal(T0 + 1500, next);

    at(f, 1500);
    assert_int_equal(1, sched_run_due(f->s, 100));
    assert_int_equal(0, store_batch_commit(f->st));
    assert_fired(f, "r1,r2,f1");
    assert_int_equal(0, store_count(f->st, "timers"));
    assert_int_equal(1, journal_count(f->st));
}

static void
test_sched_handler_adds_due_timer(void **state)
{
    struct fixture *f = *state;

    add(f, 100, "chain", "c1");
    add(f, 300, "rec", "later");
    at(f, 200);
    assert_int_equal(2, sched_run_due(f->s, 100));
    assert_fired(f, "c1,c1.next");
    assert_int_equal(1, store_count(f->st, "timers")); /* "later" */
}

static void
test_sched_unknown_kind_dropped(void **state)
{
    struct fixture *f = *state;
    sqlite3_stmt *q;
    int64_t next = 0;

    /* a row of a kind this build no longer has (written by an older one) */
    add(f, 100, "rec", "before");
    q = store_stmt(f->st, "INSERT INTO timers(due_ms, kind, ref) "
                          "VALUES (?, 'ghost', 'g')");
    sqlite3_bind_int64(q, 1, T0 + 150);
    assert_int_equal(0, store_step_done(f->st, q));
    store_done(q);
    add(f, 200, "rec", "after");
    sched_invalidate(f->s);

    at(f, 1000);
    sched_run_due(f->s, 100);
    assert_fired(f, "before,after");
    assert_int_equal(0, store_count(f->st, "timers"));
    assert_int_equal(0, sched_next_due(f->s, &next));
}

/*
 * sched_run_due(s, max) in a child process that gets `secs` to return.
 * Returns: what it returned (0..max), or -1 when it had to be killed.
 */
static int
run_due_bounded(struct sched *s, int max, unsigned secs)
{
    int status = 0;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(secs); /* SIGALRM ends a child that spins */
        _exit(sched_run_due(s, max) & 0x7f);
    }
    assert_int_equal(pid, waitpid(pid, &status, 0));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
test_sched_bad_due_no_spin(void **state)
{
    struct fixture *f = *state;
    int fired;

    /* a row whose due time is not a number (a damaged or hand-edited
     * database, a restored snapshot): run_due must still return, within
     * its max, and not spin on a timer it cannot take */
    assert_int_equal(0, store_exec(f->st,
                                   "INSERT INTO timers(due_ms, kind, ref) "
                                   "VALUES ('soon', 'rec', 'bad')"));
    add(f, 100, "rec", "good");
    sched_invalidate(f->s);
    at(f, 1000);
    fired = run_due_bounded(f->s, 10, 3);
    if (fired < 0)
        fail_msg("sched_run_due(max 10) did not return within 3 s");
    assert_true(fired <= 10);
}

static void
test_sched_max_guard(void **state)
{
    struct fixture *f = *state;

    add(f, 100, "again", "loop");
    at(f, 100);
    assert_int_equal(5, sched_run_due(f->s, 5));
    assert_int_equal(5, f->calls);
    assert_int_equal(1, store_count(f->st, "timers"));
    assert_int_equal(3, sched_run_due(f->s, 3));
    assert_int_equal(8, f->calls);
    assert_int_equal(0, sched_run_due(f->s, 0));
    assert_int_equal(8, f->calls);
    assert_int_equal(0, sched_cancel_ref(f->s, "again", "loop"));
    assert_int_equal(0, sched_run_due(f->s, 5));
}

static void
test_sched_follows_scaled_clock(void **state)
{
    struct fixture *f = *state;

    /* a one-minute timer fires after one real second at x60 */
    add(f, 60000, "rec", "minute");
    assert_int_equal(0, clock_set_scale(&f->clock, 60));
    f->hand = T0 + 999;
    assert_int_equal(0, sched_run_due(f->s, 10));
    f->hand = T0 + 1000;
    assert_int_equal(1, sched_run_due(f->s, 10));
    assert_fired(f, "minute");
}

static void
test_sched_restart_rearms(void **state)
{
    struct fixture *f = *state;
    int64_t ids[4];

    ids[2] = add(f, 3000, "rec", "third");
    ids[0] = add(f, 1000, "rec", "first");
    ids[3] = add(f, 3000, "rec", "fourth"); /* ties with "third" */
    ids[1] = add(f, 2000, "rec", "second");
    add(f, 500, "rec", "gone");
    at(f, 500);
    assert_int_equal(1, sched_run_due(f->s, 10));
    assert_fired(f, "gone");
    f->nlog = 0;

    /* the engine stops: nothing of the scheduler survives but the file */
    sched_free(f->s);
    f->s = NULL;
    store_free(f->st);
    f->st = NULL;

    assert_int_equal(0, store_open(&f->st, f->path));
    sched_setup(f);
    assert_int_equal(4, store_count(f->st, "timers"));
    at(f, 999);
    assert_int_equal(0, sched_run_due(f->s, 10));
    at(f, 2000);
    assert_int_equal(2, sched_run_due(f->s, 10));
    at(f, 5000);
    assert_int_equal(2, sched_run_due(f->s, 10));
    assert_fired(f, "first,second,third,fourth");
    for (int i = 0; i < 4; i++)
        assert_int_equal(ids[i], f->log[i].id);
    assert_int_equal(0, store_count(f->st, "timers"));
}

static void
test_sched_list_paging(void **state)
{
    struct fixture *f = *state;
    static const struct {
        int64_t due;
        const char *kind, *ref;
    } rows[] = {
        {300, "rec", "r3"}, {100, "rec", "r1"},  {200, "chain", "c1"},
        {100, "rec", "r2"}, {300, "chain", "c2"}, {50, "rec", "r0"},
        {300, "rec", "r4"},
    };
    static const struct {
        const char *kind;
        int limit;
        const char *want;
    } cases[] = {
        {NULL, 100, "r0,r1,r2,c1,r3,c2,r4"},
        {NULL, 1, "r0,r1,r2,c1,r3,c2,r4"},
        {NULL, 2, "r0,r1,r2,c1,r3,c2,r4"},
        {NULL, 3, "r0,r1,r2,c1,r3,c2,r4"},
        {NULL, 7, "r0,r1,r2,c1,r3,c2,r4"},
        {"rec", 2, "r0,r1,r2,r3,r4"},
        {"chain", 1, "c1,c2"},
        {"ghost", 5, ""},
    };

    for (size_t i = 0; i < NELEM(rows); i++)
        add(f, rows[i].due, rows[i].kind, rows[i].ref);
    for (size_t c = 0; c < NELEM(cases); c++) {
        char got[128] = "", *cursor = NULL;
        size_t len = 0;
        int pages = 0;

        for (;;) {
            json_t *res = NULL, *it;
            const json_t *next;
            size_t k;

            assert_int_equal(0, sched_list(&res, f->s, cases[c].kind, cursor,
                                           cases[c].limit));
            pages++;
            assert_true(json_array_size(json_object_get(res, "items")) <=
                        (size_t)cases[c].limit);
            json_array_foreach(json_object_get(res, "items"), k, it) {
                len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s",
                                        len ? "," : "",
                                        json_string_value(
                                            json_object_get(it, "ref")));
                assert_true(json_is_integer(json_object_get(it, "id")));
                assert_true(json_is_string(json_object_get(it, "due")));
                assert_true(json_is_null(json_object_get(it, "payload")));
            }
            free(cursor);
            cursor = NULL;
            next = json_object_get(res, "next");
            if (next)
                cursor = strdup(json_string_value(next));
            json_decref(res);
            if (cursor == NULL)
                break;
            assert_true(pages < 20);
        }
        if (strcmp(got, cases[c].want) != 0)
            fail_msg("kind %s limit %d: '%s', want '%s'",
                     cases[c].kind ? cases[c].kind : "(all)", cases[c].limit,
                     got, cases[c].want);
    }
    /* listing fires nothing and removes nothing */
    assert_int_equal(NELEM(rows), store_count(f->st, "timers"));
    assert_int_equal(0, f->nlog);
}

static void
test_sched_list_fields(void **state)
{
    struct fixture *f = *state;
    json_t *payload = json_pack("{s:i}", "attempt", 3);
    json_t *res = NULL, *it;
    int64_t id = 0;

    assert_int_equal(0, sched_add(&id, f->s, 1234, "rec", "r", payload));
    assert_int_equal(0, sched_list(&res, f->s, NULL, NULL, 10));
    assert_null(json_object_get(res, "next"));
    it = json_array_get(json_object_get(res, "items"), 0);
    assert_non_null(it);
    assert_int_equal(id, json_integer_value(json_object_get(it, "id")));
    assert_string_equal("rec", json_string_value(json_object_get(it, "kind")));
    assert_string_equal("r", json_string_value(json_object_get(it, "ref")));
    assert_int_equal(1234, json_integer_value(json_object_get(it, "due_ms")));
    assert_string_equal("1970-01-01T00:00:01.234Z",
                        json_string_value(json_object_get(it, "due")));
    assert_true(json_equal(payload, json_object_get(it, "payload")));
    json_decref(res);
    json_decref(payload);
}

static void
test_sched_list_bad_cursor(void **state)
{
    /* trailing text and out-of-range numbers too, which sscanf took */
    static const char *const cursors[] = {
        "", "abc", "12", "12-3", ".5", "5.", "5.6xyz", "5.6 ",
        "99999999999999999999.1", "1.99999999999999999999"};
    struct fixture *f = *state;

    add(f, 100, "rec", "r");
    for (size_t i = 0; i < NELEM(cursors); i++) {
        json_t *res = (json_t *)&res;

        err_clear();
        if (sched_list(&res, f->s, NULL, cursors[i], 10) != ENG_EINVAL)
            fail_msg("cursor '%s' accepted", cursors[i]);
        assert_null(res);
        assert_non_null(strstr(err_last(), "cursor"));
    }
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TF(fn) cmocka_unit_test_setup_teardown(fn, setup_file, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sched_kinds),
        T(test_sched_add_unknown_kind),
        T(test_sched_fires_in_due_order),
        T(test_sched_ties_by_id),
        T(test_sched_timer_fields),
        T(test_sched_next_due),
        T(test_sched_next_due_after_invalidate),
        T(test_sched_cancel),
        T(test_sched_cancel_ref),
        T(test_sched_handler_error_postponed),
        T(test_sched_handler_error_others_fire),
        T(test_sched_handler_error_paused_clock),
        T(test_sched_handler_error_batch_mode),
        T(test_sched_handler_adds_due_timer),
        T(test_sched_unknown_kind_dropped),
        T(test_sched_max_guard),
        T(test_sched_bad_due_no_spin),
        T(test_sched_follows_scaled_clock),
        TF(test_sched_restart_rearms),
        T(test_sched_list_paging),
        T(test_sched_list_fields),
        T(test_sched_list_bad_cursor),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
