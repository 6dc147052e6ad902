/*
 * journal: append-only records of what happened to each entity and why
 * (kind "message", "execution", "task", "delivery", "timer", "engine").
 * Read per entity ("everything about X") or per kind ("latest N").
 * Engine thread only; writes join the caller's store change.
 */
#ifndef FLOWDECK_JOURNAL_H
#define FLOWDECK_JOURNAL_H

#include <jansson.h>
#include <stdint.h>

struct store;

/*
 * Append one record at engine time `ts_ms`. `detail` is borrowed (may be
 * NULL). Returns: 0, or the store error.
 */
int journal_append(struct store *st, int64_t ts_ms, const char *kind,
                   const char *entity, const char *type,
                   const json_t *detail);

/* As journal_append, with the detail as JSON object text (may be NULL). */
int journal_append_text(struct store *st, int64_t ts_ms, const char *kind,
                        const char *entity, const char *type,
                        const char *detail);

struct journal_query {
    const char *kind;   /* NULL: every kind */
    const char *entity; /* NULL: every entity (needs kind) */
    const char *type;   /* NULL: every type */
    int ascending;      /* oldest first */
    int64_t after;      /* cursor: records past this seq (0 = start) */
    int limit;          /* 1..1000 */
};

/*
 * Read records. Returns: 0 and a new {"items": [...], "next": "..."} in
 * *out, or ENG_EINVAL (entity without kind) / the store error.
 */
int journal_list(json_t **out, struct store *st,
                 const struct journal_query *qry);

/* Returns: the number of records, or -1 on error. */
int64_t journal_count(struct store *st);

#endif
