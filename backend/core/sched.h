/*
 * sched: the engine's durable timers. A timer is a row (due time on the
 * engine clock, kind, ref, payload); one scheduler fires due timers in
 * (due, id) order through the handler its kind registered. Pending timers
 * live only in the table, so a restart re-arms every one of them.
 * Engine thread only.
 */
#ifndef FLOWDECK_SCHED_H
#define FLOWDECK_SCHED_H

#include <jansson.h>
#include <stdint.h>

struct store;
struct clock;
struct sched;

struct sched_timer {
    int64_t id;
    int64_t due_ms;
    const char *kind;
    const char *ref;     /* the entity it belongs to ("" when none) */
    const char *payload; /* JSON text or NULL */
};

/*
 * Fire one timer. Runs inside a store change that also deletes the
 * timer; returning an error undoes both, and the timer is tried again
 * a second later (engine time). Returns: 0 or an ENG_* code.
 */
typedef int (*sched_fire_fn)(const struct sched_timer *t, void *arg);

/* Returns: a scheduler over `st`, reading `clock` (both borrowed). */
struct sched *sched_create(struct store *st, const struct clock *clock);
void sched_free(struct sched *s);

/* Register the handler of a kind (a literal). Kinds are few and fixed. */
void sched_register(struct sched *s, const char *kind, sched_fire_fn fn,
                    void *arg);

/* Returns: 1 when `kind` has a handler. */
int sched_has_kind(const struct sched *s, const char *kind);

/*
 * Add a timer; joins the caller's store change. `payload` is borrowed
 * (may be NULL). Returns: 0 and its id in *out (may be NULL), or the
 * store error; ENG_EINVAL for an unregistered kind.
 */
int sched_add(int64_t *out, struct sched *s, int64_t due_ms,
              const char *kind, const char *ref, const json_t *payload);

/* Cancel by id. Returns: 0, ENG_ENOTFOUND, or the store error. */
int sched_cancel(struct sched *s, int64_t id);

/* Cancel every timer of `kind` for `ref`. Returns: 0 or store error. */
int sched_cancel_ref(struct sched *s, const char *kind, const char *ref);

/*
 * The earliest due time, in *out. Returns: 1 when there is a timer, 0
 * when none.
 */
int sched_next_due(struct sched *s, int64_t *out);

/* Forget cached knowledge (after a restore or reset of the store). */
void sched_invalidate(struct sched *s);

/*
 * Fire every timer due at the clock's now, in (due, id) order, including
 * timers that firing adds and that are due already; at most `max` (a
 * guard against a handler that re-adds itself). Returns: the number
 * fired.
 */
int sched_run_due(struct sched *s, int max);

/*
 * List pending timers, soonest first, optionally of one kind.
 * Returns: 0 and a new {"items": [...], "next": ...} in *out.
 */
int sched_list(json_t **out, struct sched *s, const char *kind,
               const char *cursor, int limit);

#endif
