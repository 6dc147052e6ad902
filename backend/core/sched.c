/*
 * sched: timers in the `timers` table, fired in (due, id) order. The
 * earliest due time is cached and refreshed from the index when stale.
 */
#include "core/sched.h"

#include "common/clock.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "store/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHED_MAX_KINDS 32
#define SCHED_RETRY_MS 1000

struct sched_kind {
    const char *name;
    sched_fire_fn fn;
    void *arg;
};

struct sched {
    struct store *st;
    const struct clock *clock;
    struct sched_kind kinds[SCHED_MAX_KINDS];
    int nkinds;
    int next_known; /* next_due is valid */
    int has_next;
    int64_t next_due;
};

struct sched *
sched_create(struct store *st, const struct clock *clock)
{
    struct sched *s = xcalloc(1, sizeof(*s));

    s->st = st;
    s->clock = clock;
    return s;
}

void
sched_free(struct sched *s)
{
    free(s);
}

static const struct sched_kind *
sched_find(const struct sched *s, const char *kind)
{
    for (int i = 0; i < s->nkinds; i++)
        if (strcmp(s->kinds[i].name, kind) == 0)
            return &s->kinds[i];
    return NULL;
}

void
sched_register(struct sched *s, const char *kind, sched_fire_fn fn, void *arg)
{
    struct sched_kind *k = (struct sched_kind *)sched_find(s, kind);

    if (k == NULL) {
        if (s->nkinds == SCHED_MAX_KINDS)
            abort(); /* a bug: kinds are a short fixed list */
        k = &s->kinds[s->nkinds++];
    }
    k->name = kind;
    k->fn = fn;
    k->arg = arg;
}

int
sched_has_kind(const struct sched *s, const char *kind)
{
    return sched_find(s, kind) != NULL;
}

int
sched_add(int64_t *out, struct sched *s, int64_t due_ms, const char *kind,
          const char *ref, const json_t *payload)
{
    sqlite3_stmt *q;
    char *text = NULL;
    int rc;

    if (!sched_has_kind(s, kind))
        return err_set(ENG_EINVAL, "no timer kind '%s'", kind);
    q = store_stmt(s->st, "INSERT INTO timers(due_ms, kind, ref, payload) "
                          "VALUES (?, ?, ?, ?)");
    sqlite3_bind_int64(q, 1, due_ms);
    sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, ref ? ref : "", -1, SQLITE_STATIC);
    if (payload) {
        text = jsonx_dump(payload);
        sqlite3_bind_text(q, 4, text, -1, SQLITE_STATIC);
    }
    rc = store_step_done(s->st, q);
    store_done(q);
    free(text);
    if (rc)
        return rc;
    if (out)
        *out = sqlite3_last_insert_rowid(store_db(s->st));
    if (s->next_known && (!s->has_next || due_ms < s->next_due)) {
        s->has_next = 1;
        s->next_due = due_ms;
    }
    return 0;
}

int
sched_cancel(struct sched *s, int64_t id)
{
    sqlite3_stmt *q = store_stmt(s->st, "DELETE FROM timers WHERE id = ?");
    int rc;

    sqlite3_bind_int64(q, 1, id);
    rc = store_step_done(s->st, q);
    store_done(q);
    if (rc)
        return rc;
    if (sqlite3_changes(store_db(s->st)) == 0)
        return err_set(ENG_ENOTFOUND, "no timer %" PRId64, id);
    s->next_known = 0;
    return 0;
}

int
sched_cancel_ref(struct sched *s, const char *kind, const char *ref)
{
    sqlite3_stmt *q =
        store_stmt(s->st, "DELETE FROM timers WHERE kind = ? AND ref = ?");
    int rc;

    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, ref, -1, SQLITE_STATIC);
    rc = store_step_done(s->st, q);
    store_done(q);
    s->next_known = 0;
    return rc;
}

int
sched_next_due(struct sched *s, int64_t *out)
{
    if (!s->next_known) {
        sqlite3_stmt *q = store_stmt(s->st, "SELECT min(due_ms) FROM timers");

        s->has_next = 0;
        if (sqlite3_step(q) == SQLITE_ROW &&
            sqlite3_column_type(q, 0) != SQLITE_NULL) {
            s->has_next = 1;
            s->next_due = sqlite3_column_int64(q, 0);
        }
        store_done(q);
        s->next_known = 1;
    }
    if (s->has_next)
        *out = s->next_due;
    return s->has_next;
}

void
sched_invalidate(struct sched *s)
{
    s->next_known = 0;
}

/* Take the earliest timer into *t (strings owned by the caller) when it
 * is due. A row whose due time is not an integer (a damaged or
 * hand-edited database) is dropped, so it cannot stall the scheduler.
 * Returns: 1 when a due timer was taken. */
static int
sched_take_due(struct sched *s, int64_t now, struct sched_timer *t)
{
    sqlite3_stmt *q = store_stmt(
        s->st, "SELECT id, due_ms, kind, ref, payload FROM timers "
               "ORDER BY due_ms, id LIMIT 1");
    int found = 0;
    int64_t bad = 0;

    if (sqlite3_step(q) == SQLITE_ROW) {
        if (sqlite3_column_type(q, 1) != SQLITE_INTEGER) {
            bad = sqlite3_column_int64(q, 0);
        } else if (sqlite3_column_int64(q, 1) <= now) {
            const char *payload = (const char *)sqlite3_column_text(q, 4);

            t->id = sqlite3_column_int64(q, 0);
            t->due_ms = sqlite3_column_int64(q, 1);
            t->kind = xstrdup((const char *)sqlite3_column_text(q, 2));
            t->ref = xstrdup((const char *)sqlite3_column_text(q, 3));
            t->payload = payload ? xstrdup(payload) : NULL;
            found = 1;
        }
    }
    store_done(q);
    if (bad) {
        log_warn("timer %" PRId64 " has no valid due time: dropped", bad);
        if (store_write_begin(s->st) == 0) {
            sqlite3_stmt *d = store_stmt(s->st, "DELETE FROM timers "
                                                "WHERE id = ?");
            int rc;

            sqlite3_bind_int64(d, 1, bad);
            rc = store_step_done(s->st, d);
            store_done(d);
            store_write_end(s->st, rc == 0);
        }
        s->next_known = 0;
    }
    return found;
}

static void
sched_postpone(struct sched *s, int64_t id, int64_t due)
{
    sqlite3_stmt *q =
        store_stmt(s->st, "UPDATE timers SET due_ms = ? WHERE id = ?");

    if (store_write_begin(s->st) != 0)
        return;
    sqlite3_bind_int64(q, 1, due);
    sqlite3_bind_int64(q, 2, id);
    store_write_end(s->st, store_step_done(s->st, q) == 0);
    store_done(q);
}

static int
sched_fire(struct sched *s, const struct sched_timer *t)
{
    const struct sched_kind *k = sched_find(s, t->kind);
    sqlite3_stmt *q;
    int rc, end;

    if ((rc = store_write_begin(s->st)))
        return rc;
    q = store_stmt(s->st, "DELETE FROM timers WHERE id = ?");
    sqlite3_bind_int64(q, 1, t->id);
    rc = store_step_done(s->st, q);
    store_done(q);
    if (rc == 0 && k)
        rc = k->fn(t, k->arg);
    else if (rc == 0)
        log_warn("timer %" PRId64 " of unknown kind '%s' dropped", t->id,
                 t->kind);
    end = store_write_end(s->st, rc == 0);
    return rc ? rc : end;
}

int
sched_run_due(struct sched *s, int max)
{
    int fired = 0;
    int64_t next;

    while (fired < max && sched_next_due(s, &next) &&
           next <= clock_now(s->clock)) {
        struct sched_timer t;
        int64_t now = clock_now(s->clock);

        if (!sched_take_due(s, now, &t)) {
            s->next_known = 0;
            fired++; /* counts towards max: never spin */
            continue;
        }
        if (sched_fire(s, &t) != 0) {
            log_error("timer %" PRId64 " (%s %s) failed: %s; retrying",
                      t.id, t.kind, t.ref, err_last());
            sched_postpone(s, t.id, now + SCHED_RETRY_MS);
        }
        s->next_known = 0;
        fired++;
        free((char *)t.kind);
        free((char *)t.ref);
        free((char *)t.payload);
    }
    return fired;
}

/* A cursor sched_list handed out: "DUE.ID", two decimal integers that
 * fit in int64_t and nothing after them. Returns: 1 when s is one. */
static int
sched_cursor_parse(int64_t *due, int64_t *id, const char *s)
{
    char *end;
    long long d, i;

    errno = 0;
    d = strtoll(s, &end, 10);
    if (end == s || *end != '.' || errno)
        return 0;
    s = end + 1;
    i = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || errno)
        return 0;
    *due = d;
    *id = i;
    return 1;
}

int
sched_list(json_t **out, struct sched *s, const char *kind,
           const char *cursor, int limit)
{
    sqlite3_stmt *q = store_stmt(
        s->st, "SELECT id, due_ms, kind, ref, payload FROM timers "
               "WHERE (?1 IS NULL OR kind = ?1) AND (due_ms, id) > (?2, ?3) "
               "ORDER BY due_ms, id LIMIT ?4");
    int64_t after_due = INT64_MIN, after_id = INT64_MIN, last_due = 0,
            last_id = 0;
    json_t *items = json_array(), *res;
    int n = 0, more = 0;

    *out = NULL;
    if (cursor && !sched_cursor_parse(&after_due, &after_id, cursor)) {
        json_decref(items);
        return err_set(ENG_EINVAL, "parameter 'cursor' is not a cursor "
                                   "this list gave");
    }
    if (kind)
        sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, after_due);
    sqlite3_bind_int64(q, 3, after_id);
    sqlite3_bind_int(q, 4, limit + 1);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *payload = (const char *)sqlite3_column_text(q, 4);
        json_t *p = payload ? json_loads(payload, 0, NULL) : NULL;

        if (n == limit) {
            more = 1;
            json_decref(p);
            break;
        }
        last_id = sqlite3_column_int64(q, 0);
        last_due = sqlite3_column_int64(q, 1);
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:o, s:I, s:o}", "id",
                             (json_int_t)last_id, "kind",
                             (const char *)sqlite3_column_text(q, 2), "ref",
                             (const char *)sqlite3_column_text(q, 3), "due",
                             jsonx_time(last_due), "due_ms",
                             (json_int_t)last_due, "payload",
                             p ? p : json_null()));
        n++;
    }
    store_done(q);
    res = json_pack("{s:o}", "items", items);
    if (more) {
        char cur[48];

        snprintf(cur, sizeof(cur), "%" PRId64 ".%" PRId64, last_due, last_id);
        json_object_set_new(res, "next", json_string(cur));
    }
    *out = res;
    return 0;
}
