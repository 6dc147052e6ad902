/*
 * journal: the journal table; see journal.h.
 */
#include "core/journal.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/xalloc.h"
#include "store/store.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
journal_append(struct store *st, int64_t ts_ms, const char *kind,
               const char *entity, const char *type, const json_t *detail)
{
    char *text = detail ? jsonx_dump(detail) : NULL;
    int rc = journal_append_text(st, ts_ms, kind, entity, type, text);

    free(text);
    return rc;
}

/* A message's records live in journal_msg, every other kind's in
 * journal (see migration 9); seq runs over both. */
static int
journal_is_msg(const char *kind)
{
    return strcmp(kind, "message") == 0;
}

int64_t
journal_msg_key(const char *entity)
{
    uint64_t v = 0;

    /* what migration 10 computes in SQL for the records before it */
    if (strlen(entity) != 33 || entity[16] != '-' || entity[0] > '7')
        return 0;
    for (int i = 0; i < 16; i++) {
        char c = entity[i];
        int d = c >= '0' && c <= '9' ? c - '0'
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;

        if (d < 0)
            return 0;
        v = v << 4 | (uint64_t)d;
    }
    return (int64_t)v;
}

/*
 * Take n journal seqs into *first. The next one is read from both tables
 * once, then counted with the store; the store forgets the count when it
 * rolls a change back, so seqs stay contiguous. Returns: 0, or the store
 * error.
 */
static int
journal_seq_take(struct store *st, int n, int64_t *first)
{
    int64_t *next = store_memo(st);

    if (*next == 0) {
        sqlite3_stmt *q = store_stmt(
            st, "SELECT max(coalesce((SELECT max(seq) FROM journal), 0), "
                "coalesce((SELECT max(seq) FROM journal_msg), 0))");
        int rc = 0;

        if (sqlite3_step(q) == SQLITE_ROW)
            *next = sqlite3_column_int64(q, 0) + 1;
        else
            rc = store_error(st);
        store_done(q);
        if (rc)
            return rc;
    }
    *first = *next;
    *next += n;
    return 0;
}

int
journal_append_text(struct store *st, int64_t ts_ms, const char *kind,
                    const char *entity, const char *type, const char *text)
{
    struct journal_row row = {entity, type, text};

    return journal_append_rows(st, ts_ms, kind, &row, 1);
}

/* "INSERT INTO journal ... VALUES (?1 + 0, ?2, ?3, ?, ?, ?), ..." for n
 * rows of a kind in journal (msg 0) or journal_msg (msg 1), built once per
 * n: the text's address stays the same, which is what store_stmt looks up
 * first. ?1 is the first row's seq, ?2 the time, ?3 the kind; a row's
 * four: entity, type, detail and (journal_msg's) entity_key. */
static const char *
journal_rows_sql(int n, int msg)
{
    static char *sql[2][JOURNAL_ROWS_MAX + 1];

    assert(n >= 1 && n <= JOURNAL_ROWS_MAX);
    if (sql[msg][n] == NULL) {
        struct buf b = BUF_INIT(0);

        buf_puts(&b, msg ? "INSERT INTO journal_msg(seq, ts_ms, entity, "
                           "type, detail, entity_key) VALUES "
                         : "INSERT INTO journal(seq, ts_ms, kind, entity, "
                           "type, detail) VALUES ");
        for (int i = 0; i < n; i++) {
            int p = 4 + 4 * i;

            buf_printf(&b, "%s(?1 + %d, ?2, %s?%d, ?%d, ?%d", i ? ", " : "",
                       i, msg ? "" : "?3, ", p, p + 1, p + 2);
            if (msg)
                buf_printf(&b, ", ?%d", p + 3);
            buf_puts(&b, ")");
        }
        sql[msg][n] = buf_take(&b);
    }
    return sql[msg][n];
}

int
journal_append_rows(struct store *st, int64_t ts_ms, const char *kind,
                    const struct journal_row *rows, int n)
{
    int msg = journal_is_msg(kind);
    sqlite3_stmt *q;
    int64_t seq;
    int rc;

    if ((rc = journal_seq_take(st, n, &seq)))
        return rc;
    q = store_stmt(st, journal_rows_sql(n, msg));
    sqlite3_bind_int64(q, 1, seq);
    sqlite3_bind_int64(q, 2, ts_ms);
    if (!msg)
        sqlite3_bind_text(q, 3, kind, -1, SQLITE_STATIC);
    for (int i = 0; i < n; i++) {
        int p = 4 + 4 * i;

        sqlite3_bind_text(q, p, rows[i].entity, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, p + 1, rows[i].type, -1, SQLITE_STATIC);
        if (rows[i].detail)
            sqlite3_bind_text(q, p + 2, rows[i].detail, -1, SQLITE_STATIC);
        if (msg)
            sqlite3_bind_int64(q, p + 3, journal_msg_key(rows[i].entity));
    }
    rc = store_step_done(st, q);
    store_done(q);
    return rc;
}

void
journal_batch_init(struct journal_batch *b, const char *kind)
{
    b->kind = kind;
    b->ts_ms = 0;
    b->n = 0;
}

void
journal_batch_clear(struct journal_batch *b)
{
    for (int i = 0; i < b->n; i++) {
        free((char *)b->rows[i].entity);
        free((char *)b->rows[i].detail);
    }
    b->n = 0;
}

int
journal_batch_flush(struct journal_batch *b, struct store *st)
{
    int rc = 0;

    if (b->n)
        rc = journal_append_rows(st, b->ts_ms, b->kind, b->rows, b->n);
    journal_batch_clear(b);
    return rc;
}

int
journal_batch_add(struct journal_batch *b, struct store *st, int64_t ts_ms,
                  const char *entity, const char *type, char *detail)
{
    int rc = 0;

    if (b->n == JOURNAL_ROWS_MAX || (b->n && ts_ms != b->ts_ms))
        rc = journal_batch_flush(b, st);
    if (rc) {
        free(detail);
        return rc;
    }
    b->ts_ms = ts_ms;
    b->rows[b->n].entity = xstrdup(entity);
    b->rows[b->n].type = type;
    b->rows[b->n].detail = detail;
    b->n++;
    return 0;
}

/* The statement for a query shape; every piece is a literal, every value
 * is bound: ?1 kind, ?2 entity, ?3 type, ?4 cursor, ?5 limit, ?6 the
 * entity's journal_msg_key. Messages' records are read from journal_msg,
 * every other kind's from journal, every kind's from both, merged by
 * seq. */
static sqlite3_stmt *
journal_stmt(struct store *st, const struct journal_query *qry)
{
    static const char *const where[3] = {
        /* [scope] */
        "(?1 IS NULL) AND (?2 IS NULL)",
        "kind = ?1 AND (?2 IS NULL)",
        "kind = ?1 AND entity = ?2",
    };
    static const char *const where_msg[3] = {
        "(?1 IS NULL) AND (?2 IS NULL)",
        "(?1 IS NOT NULL) AND (?2 IS NULL)",
        "(?1 IS NOT NULL) AND entity_key = ?6 AND entity = ?2",
    };
    int scope = qry->entity ? 2 : qry->kind ? 1 : 0;
    int asc = qry->ascending ? 1 : 0;
    const char *cmp = asc ? ">" : "<";
    char sql[1024], other[256], msg[256];

    snprintf(other, sizeof(other),
             "SELECT seq, ts_ms, kind, entity, type, detail FROM journal "
             "WHERE %s AND seq %s ?4 AND (?3 IS NULL OR type = ?3)",
             where[scope], cmp);
    snprintf(msg, sizeof(msg),
             "SELECT seq, ts_ms, 'message', entity, type, detail "
             "FROM journal_msg "
             "WHERE %s AND seq %s ?4 AND (?3 IS NULL OR type = ?3)",
             where_msg[scope], cmp);
    snprintf(sql, sizeof(sql), "%s%s%s ORDER BY seq %s LIMIT ?5",
             scope == 0 || !journal_is_msg(qry->kind) ? other : "",
             scope == 0 ? " UNION ALL " : "",
             scope == 0 || journal_is_msg(qry->kind) ? msg : "",
             asc ? "ASC" : "DESC");
    return store_stmt(st, sql);
}

int
journal_list(json_t **out, struct store *st, const struct journal_query *qry)
{
    sqlite3_stmt *q;
    json_t *items, *res;
    int64_t last = 0, after = qry->after;
    int n = 0, rc = 0, step;

    *out = NULL;
    if (qry->entity && !qry->kind)
        return err_set(ENG_EINVAL, "parameter 'id' needs 'kind' too");
    if (!qry->ascending && after <= 0)
        after = INT64_MAX;
    q = journal_stmt(st, qry);
    if (qry->kind)
        sqlite3_bind_text(q, 1, qry->kind, -1, SQLITE_STATIC);
    if (qry->entity) {
        sqlite3_bind_text(q, 2, qry->entity, -1, SQLITE_STATIC);
        if (journal_is_msg(qry->kind))
            sqlite3_bind_int64(q, 6, journal_msg_key(qry->entity));
    }
    if (qry->type)
        sqlite3_bind_text(q, 3, qry->type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, after);
    sqlite3_bind_int(q, 5, qry->limit + 1); /* one more: is there a next? */
    items = json_array();
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *detail;
        json_t *d;

        if (n == qry->limit)
            break;
        detail = (const char *)sqlite3_column_text(q, 5);
        d = detail ? json_loads(detail, 0, NULL) : NULL;
        last = sqlite3_column_int64(q, 0);
        json_array_append_new(
            items,
            json_pack("{s:I, s:o, s:s, s:s, s:s, s:o}", "seq", (json_int_t)last,
                      "time", jsonx_time(sqlite3_column_int64(q, 1)), "kind",
                      (const char *)sqlite3_column_text(q, 2), "id",
                      (const char *)sqlite3_column_text(q, 3), "type",
                      (const char *)sqlite3_column_text(q, 4), "detail",
                      d ? d : json_object()));
        n++;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = store_error(st);
    res = json_pack("{s:o}", "items", items);
    if (rc == 0 && step == SQLITE_ROW) {
        char cur[32];

        snprintf(cur, sizeof(cur), "%" PRId64, last);
        json_object_set_new(res, "next", json_string(cur));
    }
    store_done(q);
    if (rc) {
        json_decref(res);
        return rc;
    }
    *out = res;
    return 0;
}

int64_t
journal_count(struct store *st)
{
    int64_t other = store_count(st, "journal");
    int64_t msg = store_count(st, "journal_msg");

    return other < 0 || msg < 0 ? -1 : other + msg;
}
