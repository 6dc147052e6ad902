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

/* One record of a journal_append_rows() call. */
struct journal_row {
    const char *entity;
    const char *type;
    const char *detail; /* JSON object text, or NULL */
};

#define JOURNAL_ROWS_MAX 32

/*
 * Append n (1..JOURNAL_ROWS_MAX) records of one kind at one time, in
 * order, with one statement: what n journal_append_text() calls would
 * write, for less. Returns: 0, or the store error.
 */
int journal_append_rows(struct store *st, int64_t ts_ms, const char *kind,
                        const struct journal_row *rows, int n);

/*
 * Records gathered to go in with one statement, in the order added: a
 * receive or delete of 16 messages journals 16 records. The batch owns
 * copies of the entities and takes the details. Everything added must be
 * flushed (or the batch cleared, dropping it) before the caller's change
 * ends.
 */
struct journal_batch {
    const char *kind;
    int64_t ts_ms;
    int n;
    struct journal_row rows[JOURNAL_ROWS_MAX];
};

void journal_batch_init(struct journal_batch *b, const char *kind);

/* Add a record at ts_ms; `detail` (may be NULL) is taken, even on
 * failure. A full batch, or one of another time, is flushed first.
 * Returns: 0, or the store error of that flush. */
int journal_batch_add(struct journal_batch *b, struct store *st,
                      int64_t ts_ms, const char *entity, const char *type,
                      char *detail);

/* Append what is gathered. Returns: 0, or the store error (the records
 * are dropped either way). */
int journal_batch_flush(struct journal_batch *b, struct store *st);

/* Drop what is gathered, unwritten. */
void journal_batch_clear(struct journal_batch *b);

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

/* The key a message record is indexed by: the row in a message id
 * ("%016X-%016X", 16 upper-case hex digits, a dash and 16 more), 0 for
 * any other entity. Ids of messages sent one after another get keys one
 * after another. */
int64_t journal_msg_key(const char *entity);

/* Returns: the number of records, or -1 on error. */
int64_t journal_count(struct store *st);

#endif
