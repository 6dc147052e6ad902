/*
 * queue_msg: messages: send (and batch), receive with long polling,
 * delete, visibility, peek, dead-lettering and redrive, FIFO groups.
 *
 * Every operation checks all of its input before it changes anything,
 * then changes the store first and the index after, so a failure leaves
 * both as they were (or marks the index broken for the engine to reload).
 */
#include "queue/queue_int.h"

#include "common/buf.h"
#include "common/digest.h"
#include "common/err.h"
#include "common/jsonw.h"
#include "common/jsonx.h"
#include "common/log.h"
#include "common/rand.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "core/journal.h"
#include "store/store.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

_Static_assert((8 + QUEUE_RECEIPT_BYTES) % 3 == 0 &&
                   (8 + QUEUE_RECEIPT_BYTES) / 3 * 4 == QUEUE_RECEIPT_TEXT,
               "a receipt's text is base64url of its row and secret");
#define QMSG_ATTRS_MAX 10
#define QMSG_GROUP_BUCKETS 256

/* Every message read selects these, in this order. */
#define QMSG_COLS                                                              \
    "SELECT m.msg_id, b.body, b.md5, m.priority, m.enqueued_ms, "              \
    "m.visible_ms, m.first_dequeue_ms, m.dequeue_count, m.group_id, "          \
    "m.dedup_id, m.seq, b.attrs, m.source, b.sys, m.id "                       \
    "FROM messages m JOIN bodies b ON b.id = m.id "
#define QMSG_COL_ROW 14 /* m.id */
#define QMSG_SELECT QMSG_COLS "WHERE m.id = ?"

enum qstate { QS_ALL, QS_VISIBLE, QS_INFLIGHT, QS_DELAYED };

/* ---- ids and receipt handles ---- */

/* A new message's id, of its row and 64 random bits. Returns: the
 * random half. */
static uint64_t
qmsg_make_id(char *out, int64_t row)
{
    uint64_t r;

    rand_bytes(&r, sizeof(r));
    qmsg_id_text(out, row, r);
    return r;
}

/* An id's two halves (either out may be NULL). Returns: 0, or -1 when
 * id is not of the form qmsg_id_text writes. */
static int
qmsg_parse_id(int64_t *row, uint64_t *rand_half, const char *id)
{
    char *end;
    unsigned long long v;

    if (strlen(id) != QMSG_ID_LEN || id[16] != '-')
        return -1;
    for (int i = 0; i < QMSG_ID_LEN; i++)
        if (i != 16 && !isxdigit((unsigned char)id[i]))
            return -1;
    v = strtoull(id, &end, 16);
    if (end != id + 16 || v == 0 || v > INT64_MAX)
        return -1;
    if (row)
        *row = (int64_t)v;
    if (rand_half)
        *rand_half = strtoull(id + 17, NULL, 16);
    return 0;
}

static void
qmsg_receipt_text(char *out, const struct qmsg *m)
{
    unsigned char raw[8 + QUEUE_RECEIPT_BYTES];

    for (int i = 0; i < 8; i++)
        raw[i] = (unsigned char)((uint64_t)m->id >> (56 - 8 * i));
    memcpy(raw + 8, m->receipt, QUEUE_RECEIPT_BYTES);
    rand_b64url(out, raw, sizeof(raw));
}

/* Find the message a receipt names, in q. Returns: 0, ENG_EINVAL
 * (malformed), or ENG_EGONE (stale or gone). */
static int
qmsg_by_receipt(struct qmsg **out, struct queue *q, const char *receipt)
{
    unsigned char raw[8 + QUEUE_RECEIPT_BYTES];
    unsigned char diff = 0;
    int64_t row = 0;
    struct qmsg *m;

    *out = NULL;
    if (receipt == NULL || strlen(receipt) != QUEUE_RECEIPT_TEXT ||
        rand_b64url_decode(raw, sizeof(raw), receipt, QUEUE_RECEIPT_TEXT) !=
            (int)sizeof(raw))
        return err_setn(ENG_EINVAL, "ReceiptHandleInvalid",
                        "'%.64s' is not a receipt handle this engine issued",
                        receipt ? receipt : "");
    for (int i = 0; i < 8; i++)
        row = (int64_t)((uint64_t)row << 8 | raw[i]);
    m = queue_index_find(q, row);
    if (m == NULL)
        return err_setn(ENG_EGONE, "ReceiptHandleStale",
                        "the message of this receipt handle is no longer in "
                        "queue '%.300s' (deleted, expired or moved)",
                        q->name);
    for (int i = 0; i < QUEUE_RECEIPT_BYTES; i++)
        diff |= (unsigned char)(raw[8 + i] ^ m->receipt[i]);
    if (!m->has_receipt || diff)
        return err_setn(ENG_EGONE, "ReceiptHandleStale",
                        "this receipt handle is stale: a later receive of "
                        "the message issued a new one");
    *out = m;
    return 0;
}

/* ---- FIFO groups ---- */

static uint32_t
qgroup_hash(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

void
queue_group_link(struct queue *q, struct qmsg *m, const char *name)
{
    struct qgroup *g;
    uint32_t b;

    if (name == NULL)
        name = "";
    if (q->groups == NULL) {
        q->ngroup_buckets = QMSG_GROUP_BUCKETS;
        q->groups = xcalloc(q->ngroup_buckets, sizeof(*q->groups));
    }
    b = qgroup_hash(name) % q->ngroup_buckets;
    for (g = q->groups[b]; g; g = g->next)
        if (strcmp(g->name, name) == 0)
            break;
    if (g == NULL) {
        g = xcalloc(1, sizeof(*g));
        g->name = xstrdup(name);
        g->next = q->groups[b];
        q->groups[b] = g;
    }
    m->group = g;
    /* keep the list in receive order (rank): new messages go last */
    {
        struct qmsg *p = g->tail;

        while (p && p->rank > m->rank)
            p = p->gprev;
        m->gprev = p;
        m->gnext = p ? p->gnext : g->head;
        if (m->gnext)
            m->gnext->gprev = m;
        else
            g->tail = m;
        if (p)
            p->gnext = m;
        else
            g->head = m;
    }
}

void
queue_group_unlink(struct queue *q, struct qmsg *m)
{
    struct qgroup *g = m->group;

    (void)q;
    if (m->gprev)
        m->gprev->gnext = m->gnext;
    else
        g->head = m->gnext;
    if (m->gnext)
        m->gnext->gprev = m->gprev;
    else
        g->tail = m->gprev;
    m->gprev = m->gnext = NULL;
    m->group = NULL;
}

/* Is m at the front of its group, counting `taken` (received in this very
 * call) as out of the way? Any other message before it, visible or in
 * flight, holds the group. */
static int
qgroup_deliverable(const struct qmsg *m, struct qmsg *const *taken,
                   int ntaken)
{
    for (const struct qmsg *p = m->group->head; p && p != m; p = p->gnext) {
        int was_taken = 0;

        for (int i = 0; i < ntaken && !was_taken; i++)
            was_taken = taken[i] == p;
        if (!was_taken)
            return 0;
    }
    return 1;
}

/* ---- reading rows ---- */

/* The text columns of QMSG_COLS, in the order of their copies in a
 * queue_msg's block. */
static const int qrow_text_cols[] = {0, 1, 2, 8, 9, 11, 12, 13};
#define QROW_TEXTS ((int)(sizeof(qrow_text_cols) / sizeof(qrow_text_cols[0])))

/* Read the row s stands on (QMSG_COLS) into m, its strings copied into
 * one block; no receipt. */
static void
qrow_load(struct queue_msg *m, sqlite3_stmt *s)
{
    const char *text[QROW_TEXTS], *copy[QROW_TEXTS];
    size_t len[QROW_TEXTS], total = 0;
    char *p;

    for (int i = 0; i < QROW_TEXTS; i++) {
        int col = qrow_text_cols[i];

        text[i] = (const char *)sqlite3_column_text(s, col);
        len[i] = text[i] ? (size_t)sqlite3_column_bytes(s, col) : 0;
        total += len[i] + 1;
    }
    p = m->mem = xmalloc(total);
    for (int i = 0; i < QROW_TEXTS; i++) {
        copy[i] = NULL;
        if (text[i]) {
            memcpy(p, text[i], len[i]);
            p[len[i]] = '\0';
            copy[i] = p;
            p += len[i] + 1;
        }
    }
    m->id = copy[0] ? copy[0] : "";
    m->id_len = len[0];
    m->body = copy[1];
    m->body_len = len[1];
    m->md5 = copy[2] ? copy[2] : "";
    m->md5_len = len[2];
    m->group_id = copy[3];
    m->dedup_id = copy[4];
    m->attributes = copy[5];
    m->source = copy[6];
    m->system = copy[7];
    m->priority = sqlite3_column_int(s, 3);
    m->enqueued_ms = sqlite3_column_int64(s, 4);
    m->visible_ms = sqlite3_column_int64(s, 5);
    m->first_dequeue_ms = sqlite3_column_type(s, 6) == SQLITE_NULL
                              ? -1
                              : sqlite3_column_int64(s, 6);
    m->dequeue_count = sqlite3_column_int(s, 7);
    m->sequence = sqlite3_column_type(s, 10) == SQLITE_NULL
                      ? -1
                      : sqlite3_column_int64(s, 10);
    m->receipt[0] = '\0';
}

void
queue_msgs_free(struct queue_msgs *ms)
{
    if (ms == NULL)
        return;
    for (int i = 0; i < ms->n; i++)
        free(ms->v[i].mem);
    free(ms);
}

/* Set key (a literal, ASCII) to v: jansson's check of the key is skipped. */
static void
qmsg_set(json_t *j, const char *key, json_t *v)
{
    json_object_set_new_nocheck(j, key, v);
}

/* A string known to be ASCII (an id, a digest, a checked entry id):
 * jansson's UTF-8 check is skipped. */
static json_t *
qmsg_ascii(const char *s)
{
    return json_stringn_nocheck(s, strlen(s));
}

static void
qmsg_set_str(json_t *j, const char *key, const char *s)
{
    if (s)
        qmsg_set(j, key, jsonx_stringn(s, strlen(s)));
}

/* m as a JSON object: what queue_msg_write writes. A body that is not
 * UTF-8 (never stored by a send) leaves out every field but the
 * receipt. */
static json_t *
queue_msg_json(const struct queue_msg *m)
{
    json_t *j = json_object(), *body;

    /* set one by one, not with json_pack: every received message passes
     * here, and parsing the format cost as much as the setting */
    body = m->body ? jsonx_stringn(m->body, m->body_len) : NULL;
    if (body) {
        qmsg_set(j, "id", jsonx_stringn(m->id, m->id_len));
        qmsg_set(j, "body", body);
        qmsg_set(j, "body_md5", jsonx_stringn(m->md5, m->md5_len));
        qmsg_set(j, "priority", json_integer(m->priority));
        qmsg_set(j, "enqueued", jsonx_time(m->enqueued_ms));
        qmsg_set(j, "enqueued_ms", json_integer(m->enqueued_ms));
        qmsg_set(j, "next_visible", jsonx_time(m->visible_ms));
        qmsg_set(j, "next_visible_ms", json_integer(m->visible_ms));
        qmsg_set(j, "dequeue_count", json_integer(m->dequeue_count));
        if (m->first_dequeue_ms >= 0) {
            qmsg_set(j, "first_dequeue", jsonx_time(m->first_dequeue_ms));
            qmsg_set(j, "first_dequeue_ms", json_integer(m->first_dequeue_ms));
        }
        qmsg_set_str(j, "group_id", m->group_id);
        qmsg_set_str(j, "dedup_id", m->dedup_id);
        if (m->sequence >= 0)
            qmsg_set(j, "sequence", json_integer(m->sequence));
        if (m->attributes)
            qmsg_set(j, "attributes", json_loads(m->attributes, 0, NULL));
        qmsg_set_str(j, "source", m->source);
        if (m->system)
            qmsg_set(j, "system", json_loads(m->system, 0, NULL));
    }
    if (m->receipt[0])
        qmsg_set(j, "receipt", json_string(m->receipt));
    return j;
}

json_t *
queue_msgs_json(const struct queue_msgs *ms)
{
    json_t *arr = json_array();

    for (int i = 0; ms && i < ms->n; i++)
        json_array_append_new(arr, queue_msg_json(&ms->v[i]));
    return arr;
}

json_t *
queue_msgs_to_json(struct queue_msgs *ms)
{
    json_t *arr = queue_msgs_json(ms);

    queue_msgs_free(ms);
    return arr;
}

static void
qmsg_write_str(struct jsonw *w, const char *key, const char *s)
{
    if (s)
        jsonw_strn_utf8(w, key, s, strlen(s));
}

/* key: the stored JSON text, as queue_msg_json's json_loads and the
 * dump of it give it (left out where json_loads fails). */
static void
qmsg_write_json(struct jsonw *w, const char *key, const char *text)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    char *dump = j ? jsonw_dump(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

    if (dump)
        jsonw_raw(w, key, dump);
    free(dump);
    json_decref(j);
}

/* Append queue_msg_json(m)'s text to b. */
static void
queue_msg_write(struct buf *b, const struct queue_msg *m)
{
    size_t mark;
    struct jsonw w;

    jsonw_begin_in(&w, b);
    mark = b->len;
    jsonw_strn_utf8(&w, "id", m->id, m->id_len);
    if (m->body == NULL ||
        jsonw_strn_utf8(&w, "body", m->body, m->body_len) != 0) {
        buf_truncate(b, mark); /* as queue_msg_json: nothing but the receipt */
        w.n = 0;
    } else {
        jsonw_strn_utf8(&w, "body_md5", m->md5, m->md5_len);
        jsonw_int(&w, "priority", m->priority);
        jsonw_time(&w, "enqueued", m->enqueued_ms);
        jsonw_int(&w, "enqueued_ms", m->enqueued_ms);
        jsonw_time(&w, "next_visible", m->visible_ms);
        jsonw_int(&w, "next_visible_ms", m->visible_ms);
        jsonw_int(&w, "dequeue_count", m->dequeue_count);
        if (m->first_dequeue_ms >= 0) {
            jsonw_time(&w, "first_dequeue", m->first_dequeue_ms);
            jsonw_int(&w, "first_dequeue_ms", m->first_dequeue_ms);
        }
        qmsg_write_str(&w, "group_id", m->group_id);
        qmsg_write_str(&w, "dedup_id", m->dedup_id);
        if (m->sequence >= 0)
            jsonw_int(&w, "sequence", m->sequence);
        qmsg_write_json(&w, "attributes", m->attributes);
        qmsg_write_str(&w, "source", m->source);
        qmsg_write_json(&w, "system", m->system);
    }
    if (m->receipt[0])
        jsonw_str(&w, "receipt", m->receipt);
    jsonw_close(&w);
}

void
queue_msgs_write(struct buf *b, const struct queue_msgs *ms)
{
    buf_append(b, "[", 1);
    for (int i = 0; ms && i < ms->n; i++) {
        if (i)
            buf_append(b, ",", 1);
        queue_msg_write(b, &ms->v[i]);
    }
    buf_append(b, "]", 1);
}

/* Read message m's row as JSON. Returns: new reference or NULL. */
static json_t *
qmsg_read(struct queue_service *qs, const struct qmsg *m)
{
    sqlite3_stmt *s = store_stmt(qs->eng->store, QMSG_SELECT);
    json_t *j = NULL;

    sqlite3_bind_int64(s, 1, m->id);
    if (sqlite3_step(s) == SQLITE_ROW) {
        struct queue_msg row;

        qrow_load(&row, s);
        j = queue_msg_json(&row);
        free(row.mem);
    }
    store_done(s);
    return j;
}

static const char *
qmsg_state_name(const struct qmsg *m)
{
    if (m->ready)
        return "visible";
    return m->dequeue_count ? "in_flight" : "delayed";
}

/* ---- sending ---- */

struct qsend {
    const char *body;
    size_t body_len;
    int64_t priority;
    int64_t delay_s;
    const json_t *attrs;
    const json_t *sys;
    const char *group;
    const char *dedup;
};

static int
qsend_check_id(const char *what, const char *v)
{
    size_t n = strlen(v);

    if (n == 0 || n > 128)
        goto bad;
    for (size_t i = 0; i < n; i++)
        if (v[i] < '!' || v[i] > '~')
            goto bad;
    return 0;
bad:
    return err_set(ENG_EINVAL,
                   "field '%s' must be 1 to 128 letters, digits or "
                   "punctuation",
                   what);
}

static int
qsend_check_attr_name(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > 256 || name[0] == '.' || name[n - 1] == '.' ||
        strstr(name, "..") || strncasecmp(name, "AWS.", 4) == 0 ||
        strncasecmp(name, "Amazon.", 7) == 0)
        goto bad;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];

        if (!isalnum((unsigned char)c) && c != '_' && c != '-' && c != '.')
            goto bad;
    }
    return 0;
bad:
    return err_set(ENG_EINVAL,
                   "attribute name '%.64s' must be 1 to 256 letters, digits, "
                   "'_', '-' or '.', without '..', a leading or trailing "
                   "'.', or an 'AWS.' or 'Amazon.' prefix",
                   name);
}

/* Check typed attributes; add their size to *size. */
static int
qsend_check_attrs(const json_t *attrs, size_t *size)
{
    const char *name;
    json_t *v;

    if (!json_is_object(attrs))
        return err_set(ENG_EINVAL, "field 'attributes' must be an object of "
                                   "{\"type\", \"value\"}");
    if (json_object_size(attrs) > QMSG_ATTRS_MAX)
        return err_set(ENG_EINVAL, "a message has at most %d attributes",
                       QMSG_ATTRS_MAX);
    json_object_foreach((json_t *)attrs, name, v) {
        const char *type = NULL, *value = NULL;
        int rc;

        if ((rc = qsend_check_attr_name(name)))
            return rc;
        if (!json_is_object(v) || jsonx_get_str(&type, v, "type", 1) ||
            jsonx_get_str(&value, v, "value", 1) || json_object_size(v) != 2)
            return err_set(ENG_EINVAL, "attribute '%.64s' must be "
                                       "{\"type\": ..., \"value\": ...}",
                           name);
        if (strlen(type) > 256 ||
            !(strncmp(type, "String", 6) == 0 ||
              strncmp(type, "Number", 6) == 0 ||
              strncmp(type, "Binary", 6) == 0) ||
            (type[6] != '\0' && (type[6] != '.' || type[7] == '\0')))
            return err_set(ENG_EINVAL,
                           "attribute '%.64s' has type '%.64s'; it must be "
                           "String, Number or Binary (with an optional "
                           "'.label')",
                           name, type);
        if (*value == '\0')
            return err_set(ENG_EINVAL, "attribute '%.64s' must have a "
                                       "non-empty value",
                           name);
        if (strncmp(type, "Number", 6) == 0) {
            char *end;
            double d = strtod(value, &end);

            if (*end != '\0' || !isfinite(d))
                return err_set(ENG_EINVAL, "attribute '%.64s' is a Number "
                                           "but '%.64s' is not a number",
                               name, value);
        }
        if (strncmp(type, "Binary", 6) == 0) {
            size_t n = strlen(value);

            for (size_t i = 0; i < n; i++) {
                char c = value[i];

                if (!isalnum((unsigned char)c) && c != '+' && c != '/' &&
                    c != '=')
                    return err_set(ENG_EINVAL,
                                   "attribute '%.64s' is Binary: its value "
                                   "must be base64",
                                   name);
            }
        }
        *size += strlen(name) + strlen(type) + strlen(value);
    }
    return 0;
}

/* The fields of a message, in the order of qsend_parse's key lists: bit
 * i of what jsonx_keys_present reports is the list's key i. */
enum {
    QSEND_BODY,
    QSEND_PRIORITY,
    QSEND_DELAY,
    QSEND_ATTRS,
    QSEND_SYSTEM,
    QSEND_GROUP,
    QSEND_DEDUP,
    QSEND_ENTRY_ID, /* a batch entry's alone */
};

#define QSEND_HAS(present, k) (((present) >> (k)) & 1u)

/* Check one message against queue q. Returns: 0 or ENG_EINVAL. */
static int
qsend_parse(struct qsend *s, struct queue *q, const json_t *msg,
            int with_entry_id)
{
    static const char *const entry_keys[] = {
        "body", "priority", "delay_seconds", "attributes", "system",
        "group_id", "dedup_id", "id", NULL};
    static const char *const keys[] = {
        "body", "priority", "delay_seconds", "attributes", "system",
        "group_id", "dedup_id", NULL};
    const json_t *body;
    uint32_t has;
    size_t size;
    int rc;

    memset(s, 0, sizeof(*s));
    s->priority = QUEUE_PRIORITY_DEFAULT;
    s->delay_s = -1;
    if (!json_is_object(msg))
        return err_set(ENG_EINVAL, "a message must be a JSON object");
    /* only the fields the message has are looked up: most have a body
     * and nothing else */
    if ((rc = jsonx_keys_present(msg, with_entry_id ? entry_keys : keys,
                                 &has)))
        return rc;
    body = QSEND_HAS(has, QSEND_BODY) ? json_object_get(msg, "body") : NULL;
    if (!json_is_string(body))
        return err_setn(ENG_EINVAL, "MissingParameter",
                        "field 'body' is required and must be a string");
    s->body = json_string_value(body);
    s->body_len = json_string_length(body);
    if (s->body_len == 0)
        return err_set(ENG_EINVAL, "field 'body' must not be empty");
    if ((QSEND_HAS(has, QSEND_PRIORITY) &&
         (rc = jsonx_get_int(&s->priority, msg, "priority", 0, 1, 16))) ||
        (QSEND_HAS(has, QSEND_DELAY) &&
         (rc = jsonx_get_int(&s->delay_s, msg, "delay_seconds", 0, 0,
                             604800))) ||
        (QSEND_HAS(has, QSEND_GROUP) &&
         (rc = jsonx_get_str(&s->group, msg, "group_id", 0))) ||
        (QSEND_HAS(has, QSEND_DEDUP) &&
         (rc = jsonx_get_str(&s->dedup, msg, "dedup_id", 0))))
        return rc;
    if ((s->group && (rc = qsend_check_id("group_id", s->group))) ||
        (s->dedup && (rc = qsend_check_id("dedup_id", s->dedup))))
        return rc;
    size = s->body_len;
    s->attrs = QSEND_HAS(has, QSEND_ATTRS)
                   ? json_object_get(msg, "attributes")
                   : NULL;
    if (json_is_null(s->attrs))
        s->attrs = NULL;
    if (s->attrs && (rc = qsend_check_attrs(s->attrs, &size)))
        return rc;
    if (s->attrs && json_object_size(s->attrs) == 0)
        s->attrs = NULL;
    s->sys = QSEND_HAS(has, QSEND_SYSTEM) ? json_object_get(msg, "system")
                                          : NULL;
    if (s->sys && !json_is_null(s->sys)) {
        const char *k;
        json_t *v;

        if (!json_is_object(s->sys))
            return err_set(ENG_EINVAL, "field 'system' must be an object of "
                                       "strings");
        json_object_foreach((json_t *)s->sys, k, v)
            if (!json_is_string(v))
                return err_set(ENG_EINVAL, "system attribute '%.64s' must be "
                                           "a string", k);
    } else {
        s->sys = NULL;
    }
    if (size > (size_t)q->a.max_size)
        return err_setn(ENG_EINVAL, "MessageTooLarge",
                        "the message is %zu bytes (body and attributes); "
                        "queue '%.300s' takes at most %lld",
                        size, q->name, (long long)q->a.max_size);
    if (q->a.fifo) {
        if (s->group == NULL)
            return err_setn(ENG_EINVAL, "MissingParameter",
                            "field 'group_id' is required on FIFO queue "
                            "'%.300s'",
                            q->name);
        if (s->delay_s > 0)
            return err_set(ENG_EINVAL,
                           "field 'delay_seconds' is not allowed per message "
                           "on FIFO queue '%.300s': set the queue's "
                           "delay_seconds",
                           q->name);
        if (s->dedup == NULL && !q->a.content_dedup)
            return err_setn(ENG_EINVAL, "MissingParameter",
                            "FIFO queue '%.300s' needs 'dedup_id' on each "
                            "message, or content_dedup enabled",
                            q->name);
    }
    return 0;
}

/* FIFO: was this de-duplication key seen in the last five minutes?
 * Returns: 1 and the original id in out, 0, or a store error. */
static int
qsend_dedup(struct queue_service *qs, struct queue *q, const char *key,
            const char *msg_id, int64_t now, char *orig, size_t origlen)
{
    struct store *st = qs->eng->store;
    sqlite3_stmt *s = store_stmt(st, "SELECT msg_id FROM dedup WHERE "
                                     "queue_id = ? AND key = ? AND "
                                     "expires_ms > ?");
    int found = 0, rc;

    sqlite3_bind_int64(s, 1, q->id);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now);
    if (sqlite3_step(s) == SQLITE_ROW) {
        snprintf(orig, origlen, "%s", (const char *)sqlite3_column_text(s, 0));
        found = 1;
    }
    store_done(s);
    if (found)
        return 1;
    s = store_stmt(st, "INSERT OR REPLACE INTO dedup(queue_id, key, msg_id, "
                       "expires_ms) VALUES (?, ?, ?, ?)");
    sqlite3_bind_int64(s, 1, q->id);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, msg_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, now + QUEUE_DEDUP_WINDOW_MS);
    rc = store_step_done(st, s);
    store_done(s);
    return rc;
}

/* A FIFO queue's next sequence number, taken (and saved). */
static int
queue_take_seq(int64_t *out, struct queue_service *qs, struct queue *q)
{
    struct store *st = qs->eng->store;
    sqlite3_stmt *u = store_stmt(st, "UPDATE queues SET next_seq = ? "
                                     "WHERE id = ?");
    int rc;

    sqlite3_bind_int64(u, 1, q->next_seq + 1);
    sqlite3_bind_int64(u, 2, q->id);
    rc = store_step_done(st, u);
    store_done(u);
    if (rc == 0)
        *out = q->next_seq++;
    return rc;
}

static int
queue_send_checked(json_t **out, struct queue_service *qs, struct queue *q,
                   const struct qsend *s)
{
    struct store *st = qs->eng->store;
    int64_t now = queue_now(qs), row = qs->next_row, seq = 0;
    int64_t delay = s->delay_s >= 0 ? s->delay_s : q->a.delay_s;
    char id[QMSG_ID_LEN + 1], md5[DIGEST_MD5_HEX], orig[64];
    char *attrs = NULL, *sys = NULL;
    sqlite3_stmt *ins;
    struct qmsg *m;
    uint64_t id_rand;
    json_t *res;
    int rc;

    *out = NULL;
    id_rand = qmsg_make_id(id, row);
    digest_md5_hex(md5, s->body, s->body_len);
    if (q->a.fifo) {
        char key[DIGEST_SHA256_HEX + 128]; /* a dedup_id is <= 128 */

        if (s->dedup)
            snprintf(key, sizeof(key), "%s", s->dedup);
        else
            digest_sha256_hex(key, s->body, s->body_len);
        rc = qsend_dedup(qs, q, key, id, now, orig, sizeof(orig));
        if (rc == 1) {
            *out = json_pack("{s:s, s:s, s:b}", "id", orig, "body_md5", md5,
                             "duplicate", 1);
            return queue_journal(qs, "message", orig, "deduplicated",
                                 json_pack("{s:s, s:s}", "queue", q->name,
                                           "dedup_key", key));
        }
        if (rc || (rc = queue_take_seq(&seq, qs, q)))
            return rc;
    }
    if (s->attrs)
        attrs = jsonx_dump(s->attrs);
    if (s->sys)
        sys = jsonx_dump(s->sys);
    ins = store_stmt(st, "INSERT INTO messages(id, queue_id, msg_id, "
                         "priority, enqueued_ms, visible_ms, group_id, "
                         "dedup_id, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    sqlite3_bind_int64(ins, 1, row);
    sqlite3_bind_int64(ins, 2, q->id);
    sqlite3_bind_text(ins, 3, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(ins, 4, (int)s->priority);
    sqlite3_bind_int64(ins, 5, now);
    sqlite3_bind_int64(ins, 6, now + delay * 1000);
    if (s->group)
        sqlite3_bind_text(ins, 7, s->group, -1, SQLITE_STATIC);
    if (s->dedup)
        sqlite3_bind_text(ins, 8, s->dedup, -1, SQLITE_STATIC);
    if (q->a.fifo)
        sqlite3_bind_int64(ins, 9, seq);
    rc = store_step_done(st, ins);
    store_done(ins);
    if (rc == 0) {
        ins = store_stmt(st, "INSERT INTO bodies(id, body, md5, attrs, sys) "
                             "VALUES (?, ?, ?, ?, ?)");
        sqlite3_bind_int64(ins, 1, row);
        sqlite3_bind_text(ins, 2, s->body, (int)s->body_len, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, md5, -1, SQLITE_STATIC);
        if (attrs)
            sqlite3_bind_text(ins, 4, attrs, -1, SQLITE_STATIC);
        if (sys)
            sqlite3_bind_text(ins, 5, sys, -1, SQLITE_STATIC);
        rc = store_step_done(st, ins);
        store_done(ins);
    }
    free(attrs);
    free(sys);
    if (rc == 0) {
        struct jsonw w;

        jsonw_begin(&w);
        jsonw_str(&w, "queue", q->name);
        jsonw_int(&w, "priority", s->priority);
        jsonw_int(&w, "size", (int64_t)s->body_len);
        jsonw_int(&w, "delay_seconds", delay);
        rc = engine_journal_text(qs->eng, "message", id, "sent",
                                 jsonw_end(&w));
    }
    if (rc == 0 && delay > 0) {
        struct jsonw w;

        jsonw_begin(&w);
        jsonw_time(&w, "until", now + delay * 1000);
        rc = engine_journal_text(qs->eng, "message", id, "delayed",
                                 jsonw_end(&w));
    }
    if (rc)
        return rc;
    qs->next_row++;
    m = qmsg_new(qs);
    m->id = row;
    m->id_rand = id_rand;
    m->q = q;
    m->priority = (uint8_t)s->priority;
    m->enqueued_ms = now;
    m->visible_ms = now + delay * 1000;
    m->ready = delay == 0;
    m->rank = seq; /* used by FIFO queues only */
    queue_index_add(qs, m);
    if (q->a.fifo)
        queue_group_link(q, m, s->group);
    if (m->ready)
        queue_mark_new(qs, q);
    res = json_object(); /* not json_pack: once per message sent */
    qmsg_set(res, "id", qmsg_ascii(id));
    qmsg_set(res, "body_md5", qmsg_ascii(md5));
    if (q->a.fifo)
        json_object_set_new(res, "sequence", json_integer(seq));
    *out = res;
    return 0;
}

int
queue_send(json_t **out, struct queue_service *qs, const char *name,
           const json_t *msg)
{
    struct queue *q = queue_lookup(qs, name);
    struct qsend s;
    int rc;

    *out = NULL;
    if (q == NULL)
        return ENG_ENOTFOUND;
    if ((rc = qsend_parse(&s, q, msg, 0)))
        return rc;
    rc = queue_send_checked(out, qs, q, &s);
    if (rc)
        qs->broken = 1;
    return rc;
}

static int
queue_check_entry_id(const char *id)
{
    size_t n = strlen(id);

    if (n == 0 || n > 80)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)id[i]) && id[i] != '-' && id[i] != '_')
            return -1;
    return 0;
}

/* Whole-batch checks: 1..16 entries with distinct, well-formed ids, each
 * entry's id into ids[] and their count into *count. */
static int
queue_check_batch(const json_t *entries, const char *what,
                  const char *ids[QUEUE_BATCH_MAX], size_t *count)
{
    size_t n = json_array_size(entries), i;

    *count = 0;
    if (!json_is_array(entries))
        return err_set(ENG_EINVAL, "field '%s' must be an array", what);
    if (n == 0)
        return err_setn(ENG_EINVAL, "EmptyBatchRequest",
                        "field '%s' must have 1 to %d entries; it is empty",
                        what, QUEUE_BATCH_MAX);
    if (n > QUEUE_BATCH_MAX)
        return err_setn(ENG_EINVAL, "TooManyEntriesInBatchRequest",
                        "field '%s' has %zu entries; at most %d are allowed",
                        what, n, QUEUE_BATCH_MAX);
    for (i = 0; i < n; i++) {
        const char *id = json_string_value(
            json_object_get(json_array_get(entries, i), "id"));

        if (id == NULL || queue_check_entry_id(id) != 0)
            return err_setn(ENG_EINVAL, "InvalidBatchEntryId",
                            "entry %zu of '%s' needs an 'id' of 1 to 80 "
                            "letters, digits, '-' or '_'",
                            i, what);
        for (size_t k = 0; k < i; k++)
            if (strcmp(id, ids[k]) == 0)
                return err_setn(ENG_EINVAL, "BatchEntryIdsNotDistinct",
                                "entry id '%s' appears twice in '%s'", id,
                                what);
        ids[i] = id;
    }
    *count = n;
    return 0;
}

static json_t *
queue_failure(const char *idkey, const char *id)
{
    return json_pack("{s:s, s:s, s:s}", idkey, id, "code", err_last_name(),
                     "message", err_last());
}

/* One message of a standard queue's batch, checked, on its way in. */
struct qsend_row {
    struct qsend s;
    const char *entry; /* the entry's id */
    int64_t row, delay;
    uint64_t id_rand;
    char id[QMSG_ID_LEN + 1];
    char md5[DIGEST_MD5_HEX];
    char *attrs, *sys;     /* JSON text, or NULL */
    char *sent, *delayed;  /* journal details; delayed NULL if none */
};

/* "INSERT INTO <head> VALUES (?, ...), ..." for n rows of ncols, built
 * once per n in cache[n]: the text's address stays the same, which is
 * what store_stmt looks up first. */
static const char *
qsend_rows_sql(char **cache, const char *head, int ncols, int n)
{
    if (cache[n] == NULL) {
        struct buf b = BUF_INIT(0);

        buf_printf(&b, "INSERT INTO %s VALUES ", head);
        for (int i = 0; i < n; i++) {
            buf_puts(&b, i ? ", (" : "(");
            for (int c = 0; c < ncols; c++)
                buf_puts(&b, c ? ", ?" : "?");
            buf_puts(&b, ")");
        }
        cache[n] = buf_take(&b);
    }
    return cache[n];
}

static void
qsend_rows_free(struct qsend_row *r, int n)
{
    for (int i = 0; i < n; i++) {
        free(r[i].attrs);
        free(r[i].sys);
        free(r[i].sent);
        free(r[i].delayed);
    }
}

/*
 * Store n checked messages of standard queue q with one statement per
 * table (a batch of 16 took 48 statements), then index them and append
 * their results to `ok`. The rows, ids and journal records, in their
 * order, are those queue_send_checked() writes for each in turn, all at
 * one engine time.
 */
_Static_assert(2 * QUEUE_BATCH_MAX <= JOURNAL_ROWS_MAX,
               "a batch's sent and delayed records fit one statement");
static int
queue_send_rows(json_t *ok, struct queue_service *qs, struct queue *q,
                struct qsend_row *r, int n)
{
    static char *msg_sql[QUEUE_BATCH_MAX + 1], *body_sql[QUEUE_BATCH_MAX + 1];
    struct store *st = qs->eng->store;
    struct journal_row jr[2 * QUEUE_BATCH_MAX];
    int64_t now = queue_now(qs);
    sqlite3_stmt *ins;
    int nj = 0, rc;

    for (int i = 0; i < n; i++) {
        struct jsonw w;

        r[i].row = qs->next_row + i;
        r[i].delay = r[i].s.delay_s >= 0 ? r[i].s.delay_s : q->a.delay_s;
        r[i].id_rand = qmsg_make_id(r[i].id, r[i].row);
        digest_md5_hex(r[i].md5, r[i].s.body, r[i].s.body_len);
        if (r[i].s.attrs)
            r[i].attrs = jsonx_dump(r[i].s.attrs);
        if (r[i].s.sys)
            r[i].sys = jsonx_dump(r[i].s.sys);
        jsonw_begin(&w);
        jsonw_str(&w, "queue", q->name);
        jsonw_int(&w, "priority", r[i].s.priority);
        jsonw_int(&w, "size", (int64_t)r[i].s.body_len);
        jsonw_int(&w, "delay_seconds", r[i].delay);
        r[i].sent = jsonw_end(&w);
        jr[nj++] = (struct journal_row){r[i].id, "sent", r[i].sent};
        if (r[i].delay > 0) {
            jsonw_begin(&w);
            jsonw_time(&w, "until", now + r[i].delay * 1000);
            r[i].delayed = jsonw_end(&w);
            jr[nj++] = (struct journal_row){r[i].id, "delayed",
                                            r[i].delayed};
        }
    }
    ins = store_stmt(st, qsend_rows_sql(msg_sql,
                                        "messages(id, queue_id, msg_id, "
                                        "priority, enqueued_ms, visible_ms, "
                                        "group_id, dedup_id)",
                                        8, n));
    for (int i = 0; i < n; i++) {
        int p = 8 * i;

        sqlite3_bind_int64(ins, p + 1, r[i].row);
        sqlite3_bind_int64(ins, p + 2, q->id);
        sqlite3_bind_text(ins, p + 3, r[i].id, -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, p + 4, (int)r[i].s.priority);
        sqlite3_bind_int64(ins, p + 5, now);
        sqlite3_bind_int64(ins, p + 6, now + r[i].delay * 1000);
        if (r[i].s.group)
            sqlite3_bind_text(ins, p + 7, r[i].s.group, -1, SQLITE_STATIC);
        if (r[i].s.dedup)
            sqlite3_bind_text(ins, p + 8, r[i].s.dedup, -1, SQLITE_STATIC);
    }
    rc = store_step_done(st, ins);
    store_done(ins);
    if (rc == 0) {
        ins = store_stmt(st, qsend_rows_sql(body_sql,
                                            "bodies(id, body, md5, attrs, "
                                            "sys)",
                                            5, n));
        for (int i = 0; i < n; i++) {
            int p = 5 * i;

            sqlite3_bind_int64(ins, p + 1, r[i].row);
            sqlite3_bind_text(ins, p + 2, r[i].s.body, (int)r[i].s.body_len,
                              SQLITE_STATIC);
            sqlite3_bind_text(ins, p + 3, r[i].md5, -1, SQLITE_STATIC);
            if (r[i].attrs)
                sqlite3_bind_text(ins, p + 4, r[i].attrs, -1, SQLITE_STATIC);
            if (r[i].sys)
                sqlite3_bind_text(ins, p + 5, r[i].sys, -1, SQLITE_STATIC);
        }
        rc = store_step_done(st, ins);
        store_done(ins);
    }
    if (rc == 0)
        rc = journal_append_rows(st, now, "message", jr, nj);
    if (rc)
        return rc;
    qs->next_row += n;
    for (int i = 0; i < n; i++) {
        struct qmsg *m = qmsg_new(qs);
        json_t *res = json_object();

        m->id = r[i].row;
        m->id_rand = r[i].id_rand;
        m->q = q;
        m->priority = (uint8_t)r[i].s.priority;
        m->enqueued_ms = now;
        m->visible_ms = now + r[i].delay * 1000;
        m->ready = r[i].delay == 0;
        queue_index_add(qs, m);
        if (m->ready)
            queue_mark_new(qs, q);
        qmsg_set(res, "id", qmsg_ascii(r[i].id));
        qmsg_set(res, "body_md5", qmsg_ascii(r[i].md5));
        qmsg_set(res, "entry_id", qmsg_ascii(r[i].entry));
        json_array_append_new(ok, res);
    }
    return 0;
}

int
queue_send_batch(json_t **out, struct queue_service *qs, const char *name,
                 const json_t *entries)
{
    struct queue *q = queue_lookup(qs, name);
    const char *ids[QUEUE_BATCH_MAX];
    json_t *ok, *failed;
    size_t i, count;
    int rc;

    *out = NULL;
    if (q == NULL)
        return ENG_ENOTFOUND;
    if ((rc = queue_check_batch(entries, "entries", ids, &count)))
        return rc;
    ok = json_array();
    failed = json_array();
    if (!q->a.fifo) {
        /* no de-duplication or sequence between entries: all at once */
        struct qsend_row rows[QUEUE_BATCH_MAX];
        int n = 0;

        for (i = 0; i < count; i++) {
            const json_t *e = json_array_get(entries, i);
            const char *id = ids[i];

            memset(&rows[n], 0, sizeof(rows[n]));
            if (qsend_parse(&rows[n].s, q, e, 1) != 0) {
                json_array_append_new(failed, queue_failure("id", id));
                continue;
            }
            rows[n++].entry = id;
        }
        rc = n ? queue_send_rows(ok, qs, q, rows, n) : 0;
        qsend_rows_free(rows, n);
        if (rc) {
            qs->broken = 1;
            json_decref(ok);
            json_decref(failed);
            return rc;
        }
        *out = json_pack("{s:o, s:o}", "successful", ok, "failed", failed);
        return 0;
    }
    for (i = 0; i < count; i++) {
        const json_t *e = json_array_get(entries, i);
        const char *id = ids[i];
        struct qsend s;
        json_t *res;

        if (qsend_parse(&s, q, e, 1) != 0) {
            json_array_append_new(failed, queue_failure("id", id));
            continue;
        }
        if ((rc = queue_send_checked(&res, qs, q, &s))) {
            qs->broken = 1;
            json_decref(ok);
            json_decref(failed);
            return rc;
        }
        qmsg_set(res, "entry_id", qmsg_ascii(id));
        json_array_append_new(ok, res);
    }
    *out = json_pack("{s:o, s:o}", "successful", ok, "failed", failed);
    return 0;
}

/* ---- receiving ---- */

/*
 * Move m to queue `to`: dead-lettering (reset = 0) or redrive (reset).
 * In a FIFO target the message takes the next sequence number, so it
 * queues behind what its group already holds there, as a send would.
 */
int
queue_move_to(struct queue_service *qs, struct qmsg *m, struct queue *to,
              const char *why, int reset)
{
    struct store *st = qs->eng->store;
    struct queue *from = m->q;
    int64_t now = queue_now(qs), seq = 0;
    sqlite3_stmt *u;
    char *msg_id = NULL, *group = NULL;
    int rc;

    if (to->a.fifo && (rc = queue_take_seq(&seq, qs, to)))
        return rc;
    u = store_stmt(st, "UPDATE messages SET queue_id = ?1, visible_ms = ?2, "
                       "receipt = NULL, source = CASE WHEN ?3 THEN NULL "
                       "ELSE ?4 END, dequeue_count = CASE WHEN ?3 THEN 0 "
                       "ELSE dequeue_count END, first_dequeue_ms = CASE "
                       "WHEN ?3 THEN NULL ELSE first_dequeue_ms END, "
                       "seq = CASE WHEN ?5 THEN ?6 ELSE seq END "
                       "WHERE id = ?7 RETURNING msg_id, group_id");
    sqlite3_bind_int64(u, 1, to->id);
    sqlite3_bind_int64(u, 2, now);
    sqlite3_bind_int(u, 3, reset);
    sqlite3_bind_text(u, 4, from->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(u, 5, to->a.fifo);
    sqlite3_bind_int64(u, 6, seq);
    sqlite3_bind_int64(u, 7, m->id);
    rc = sqlite3_step(u);
    if (rc == SQLITE_ROW) {
        msg_id = xstrdup((const char *)sqlite3_column_text(u, 0));
        if (sqlite3_column_type(u, 1) != SQLITE_NULL)
            group = xstrdup((const char *)sqlite3_column_text(u, 1));
        rc = 0;
    } else {
        rc = store_error(st);
    }
    store_done(u);
    if (rc == 0)
        rc = queue_journal(
            qs, "message", msg_id, reset ? "redriven" : "dead_lettered",
            json_pack("{s:s, s:s, s:s, s:i}", "from", from->name, "to",
                      to->name, "why", why, "dequeue_count",
                      (int)m->dequeue_count));
    if (rc == 0) {
        queue_index_remove(qs, m);
        if (from->a.fifo)
            queue_mark_new(qs, from);
        m->q = to;
        m->ready = 1;
        m->visible_ms = now;
        m->has_receipt = 0;
        m->rank = seq;
        if (reset)
            m->dequeue_count = 0;
        queue_index_add(qs, m);
        if (to->a.fifo)
            queue_group_link(to, m, group);
        queue_mark_new(qs, to);
    }
    free(msg_id);
    free(group);
    return rc;
}

/* The messages one receive hands out: taken in receive order, written to
 * the store together. */
struct qtake {
    struct qmsg *m[QUEUE_BATCH_MAX];
    int n;    /* taken */
    int done; /* of them, written */
};

/* Returns: 1 when the rows of n distinct messages are one run of ids,
 * *lo to *hi, as the messages a receive takes together mostly are: SQL
 * then steps through them with "id BETWEEN ?lo AND ?hi", where "id IN
 * (...)" makes SQLite build an index of the list first. */
static int
queue_rows_contiguous(struct qmsg *const *ms, int n, int64_t *lo,
                      int64_t *hi)
{
    *lo = *hi = ms[0]->id;
    for (int i = 1; i < n; i++) {
        if (ms[i]->id < *lo)
            *lo = ms[i]->id;
        if (ms[i]->id > *hi)
            *hi = ms[i]->id;
    }
    return *hi - *lo == n - 1;
}

/* "UPDATE messages SET ..., receipt = CASE id WHEN ?3 THEN ?4 ... END
 * WHERE id IN (?3, ...)" for n messages, built once per n and `run`:
 * store_stmt finds it by its address. ?1 is the deadline, ?2 the time.
 * For a run of ids (queue_rows_contiguous) the WHERE is "id BETWEEN
 * ?(3 + 2n) AND ?(4 + 2n)". */
static const char *
qtake_update_sql(int n, int run)
{
    static char *sql[2][QUEUE_BATCH_MAX + 1];

    if (sql[run][n] == NULL) {
        struct buf b = BUF_INIT(0);

        buf_puts(&b, "UPDATE messages SET visible_ms = ?1, dequeue_count = "
                     "dequeue_count + 1, first_dequeue_ms = "
                     "coalesce(first_dequeue_ms, ?2), receipt = CASE id");
        for (int i = 0; i < n; i++)
            buf_printf(&b, " WHEN ?%d THEN ?%d", 3 + 2 * i, 4 + 2 * i);
        if (run) {
            buf_printf(&b, " END WHERE id BETWEEN ?%d AND ?%d", 3 + 2 * n,
                       4 + 2 * n);
        } else {
            buf_puts(&b, " END WHERE id IN (");
            for (int i = 0; i < n; i++)
                buf_printf(&b, "%s?%d", i ? ", " : "", 3 + 2 * i);
            buf_puts(&b, ")");
        }
        sql[run][n] = buf_take(&b);
    }
    return sql[run][n];
}

/* Read the rows of ms[0..n-1] into rows[], in the order of ms, with one
 * statement; when `run`, they are the ids lo..hi. Returns: 0, or an
 * error (rows[] then holds what was read: the others have no mem). */
static int
qtake_read(struct queue_msg *rows, struct queue_service *qs,
           struct qmsg *const *ms, int n, int run, int64_t lo, int64_t hi)
{
    static char *sql[QUEUE_BATCH_MAX + 1];
    struct store *st = qs->eng->store;
    sqlite3_stmt *s =
        store_stmt(st, run ? QMSG_COLS "WHERE m.id BETWEEN ?1 AND ?2"
                           : queue_sql_ids(sql, n, QMSG_COLS "WHERE m.id IN (",
                                           ")"));
    int rc, i;

    for (i = 0; i < n; i++) {
        rows[i].mem = NULL;
        if (!run)
            sqlite3_bind_int64(s, i + 1, ms[i]->id);
    }
    if (run) {
        sqlite3_bind_int64(s, 1, lo);
        sqlite3_bind_int64(s, 2, hi);
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, QMSG_COL_ROW);

        for (i = 0; i < n; i++)
            if (ms[i]->id == id && rows[i].mem == NULL) {
                qrow_load(&rows[i], s);
                break;
            }
    }
    rc = rc == SQLITE_DONE ? 0 : store_error(st);
    store_done(s);
    for (i = 0; rc == 0 && i < n; i++)
        if (rows[i].mem == NULL)
            rc = err_set(ENG_ERR, "message row %lld missing",
                         (long long)ms[i]->id);
    return rc;
}

/*
 * Write the receive of the messages taken and not yet written, with one
 * statement: a fresh receipt each, the dequeue count, the deadline. Then
 * read their rows onto out, in the order taken, and journal "received"
 * for each, together.
 */
static int
qtake_write(struct queue_msgs *out, struct queue_service *qs,
            struct qtake *t, int64_t now, int64_t vis_ms)
{
    struct store *st = qs->eng->store;
    unsigned char secret[QUEUE_BATCH_MAX][QUEUE_RECEIPT_BYTES];
    struct queue_msg *rows = out->v + out->n;
    struct qmsg **ms = t->m + t->done;
    int n = t->n - t->done, rc, i;
    struct journal_batch jb;
    int64_t lo = 0, hi = 0;
    sqlite3_stmt *u;
    int run;

    if (n == 0)
        return 0;
    t->done = t->n;
    rand_bytes(secret, sizeof(secret[0]) * (size_t)n);
    run = n > 1 && queue_rows_contiguous(ms, n, &lo, &hi);
    u = store_stmt(st, qtake_update_sql(n, run));
    sqlite3_bind_int64(u, 1, now + vis_ms);
    sqlite3_bind_int64(u, 2, now);
    for (i = 0; i < n; i++) {
        sqlite3_bind_int64(u, 3 + 2 * i, ms[i]->id);
        sqlite3_bind_blob(u, 4 + 2 * i, secret[i], QUEUE_RECEIPT_BYTES,
                          SQLITE_STATIC);
    }
    if (run) {
        sqlite3_bind_int64(u, 3 + 2 * n, lo);
        sqlite3_bind_int64(u, 4 + 2 * n, hi);
    }
    rc = store_step_done(st, u);
    if (rc == 0 && sqlite3_changes(store_db(st)) != n)
        rc = err_set(ENG_ERR, "%d of %d message rows missing",
                     n - sqlite3_changes(store_db(st)), n);
    store_done(u);
    if (rc)
        return rc;
    if ((rc = qtake_read(rows, qs, ms, n, run, lo, hi))) {
        for (i = 0; i < n; i++)
            free(rows[i].mem);
        return rc;
    }
    out->n += n;
    journal_batch_init(&jb, "message");
    for (i = 0; i < n; i++) {
        struct qmsg *m = ms[i];
        char *receipt = rows[i].receipt;
        struct jsonw w;

        memcpy(m->receipt, secret[i], QUEUE_RECEIPT_BYTES);
        m->has_receipt = 1;
        if (qmsg_parse_id(NULL, &m->id_rand, rows[i].id) != 0)
            m->id_rand = 0; /* read from the row when needed */
        queue_index_update(qs, m, now + vis_ms, m->dequeue_count + 1, now);
        qmsg_receipt_text(receipt, m);
        jsonw_begin(&w);
        jsonw_str(&w, "queue", m->q->name);
        jsonw_strn(&w, "receipt", receipt, 8); /* enough to tell them apart */
        jsonw_time(&w, "until", now + vis_ms);
        jsonw_int(&w, "dequeue_count", m->dequeue_count);
        if (rc == 0)
            rc = journal_batch_add(&jb, st, now, rows[i].id, "received",
                                   jsonw_end(&w));
        else
            free(jsonw_end(&w));
    }
    if (rc == 0)
        rc = journal_batch_flush(&jb, st);
    journal_batch_clear(&jb);
    return rc;
}

/* Order a FIFO receive so each group's messages stand together, in the
 * order of each group's first. */
static void
queue_fifo_contiguous(struct queue_msgs *ms)
{
    struct queue_msg sorted[QUEUE_BATCH_MAX];
    int n = ms->n, k = 0;
    char placed[QUEUE_BATCH_MAX] = {0};

    if (n < 3)
        return;
    for (int i = 0; i < n; i++) {
        if (placed[i])
            continue;
        for (int j = i; j < n; j++)
            if (!placed[j] &&
                strcmp(ms->v[i].group_id, ms->v[j].group_id) == 0) {
                sorted[k++] = ms->v[j];
                placed[j] = 1;
            }
    }
    memcpy(ms->v, sorted, sizeof(sorted[0]) * (size_t)n);
}

/* Take up to max visible messages of q onto out. Their "received"
 * records go in together, in order (before a dead-lettering's own). */
static int
queue_take(struct queue_msgs *out, struct queue_service *qs, struct queue *q,
           int max, int64_t vis_ms)
{
    struct qtake t = {.n = 0, .done = 0};
    int64_t now = queue_now(qs);
    struct qmsg *m, *next;
    int rc;

    if (vis_ms < 0)
        vis_ms = q->a.visibility_s * 1000;
    for (m = RB_MIN(qmsg_ranks, &q->ready); m && t.n < max; m = next) {
        next = RB_NEXT(qmsg_ranks, &q->ready, m);
        if (q->a.fifo && !qgroup_deliverable(m, t.m, t.n))
            continue;
        if (q->a.dlq && m->dequeue_count >= q->a.max_receives) {
            struct queue *dlq = queue_find(qs, q->a.dlq);
            char why[96];

            if (dlq) {
                snprintf(why, sizeof(why), "received %u times; max_receives "
                                           "is %lld",
                         m->dequeue_count, (long long)q->a.max_receives);
                if ((rc = qtake_write(out, qs, &t, now, vis_ms)) ||
                    (rc = queue_move_to(qs, m, dlq, why, 0)))
                    return rc;
                continue;
            }
            log_warn("queue '%s': dead-letter queue '%s' is missing; "
                     "delivering the message again",
                     q->name, q->a.dlq);
        }
        t.m[t.n++] = m;
    }
    rc = qtake_write(out, qs, &t, now, vis_ms);
    if (rc == 0 && q->a.fifo)
        queue_fifo_contiguous(out);
    return rc;
}

int
queue_receive(struct queue_msgs **out, struct queue_waiter **waiter,
              struct queue_service *qs, const char *name,
              const struct queue_recv *r, queue_wait_fn done, void *arg)
{
    struct queue *q = queue_lookup(qs, name);
    struct queue_waiter *w;
    struct queue_msgs *got;
    int64_t wait;
    int rc;

    *out = NULL;
    if (waiter)
        *waiter = NULL;
    if (q == NULL)
        return ENG_ENOTFOUND;
    if (r->max < 1 || r->max > QUEUE_BATCH_MAX)
        return err_set(ENG_EINVAL, "field 'max' is %d; it must be from 1 to "
                                   "%d",
                       r->max, QUEUE_BATCH_MAX);
    if (r->visibility_ms > 43200000)
        return err_set(ENG_EINVAL, "field 'visibility_timeout' must be from "
                                   "0 to 43200 seconds");
    wait = r->wait_ms >= 0 ? r->wait_ms : q->a.wait_s * 1000;
    if (wait > QUEUE_WAIT_MAX_S * 1000)
        return err_set(ENG_EINVAL, "field 'wait_seconds' must be from 0 to "
                                   "%d",
                       QUEUE_WAIT_MAX_S);
    got = xcalloc(1, sizeof(*got));
    if ((rc = queue_take(got, qs, q, r->max, r->visibility_ms))) {
        qs->broken = 1;
        queue_msgs_free(got);
        return rc;
    }
    if (got->n || wait == 0 || done == NULL) {
        *out = got;
        return 0;
    }
    queue_msgs_free(got);
    w = xcalloc(1, sizeof(*w));
    w->q = q;
    w->max = r->max;
    w->visibility_ms = r->visibility_ms;
    w->deadline = timefmt_mono_ms() + wait;
    w->done = done;
    w->arg = arg;
    w->prev = q->wait_tail;
    if (q->wait_tail)
        q->wait_tail->next = w;
    else
        q->wait_head = w;
    q->wait_tail = w;
    queue_note_waiter(qs, w->deadline);
    if (waiter)
        *waiter = w;
    return QUEUE_PARKED;
}

void
queue_serve_waiters(struct queue_service *qs, struct queue *q)
{
    while (q->wait_head && q->n_ready) {
        struct queue_waiter *w = q->wait_head;
        struct queue_msgs *got = xcalloc(1, sizeof(*got));
        int rc = engine_write_begin(qs->eng), end;

        if (rc == 0) {
            rc = queue_take(got, qs, q, w->max, w->visibility_ms);
            end = engine_write_end(qs->eng, rc == 0);
            rc = rc ? rc : end;
        }
        if (rc) {
            log_error("queue '%s': serving a waiting receive failed: %s",
                      q->name, err_last());
            qs->broken = 1;
            queue_msgs_free(got);
            return;
        }
        if (got->n == 0) {
            queue_msgs_free(got); /* visible, but FIFO-locked */
            return;
        }
        queue_waiter_answer(w, got);
    }
}

/* ---- deleting and visibility ---- */

/* Delete n (1..QUEUE_BATCH_MAX) distinct messages, their rows with one
 * statement a table; their "deleted" records go into jb when given (the
 * caller flushes it), else straight in. */
static int
queue_delete_found(struct queue_service *qs, struct qmsg **ms, int n,
                   const char *by, struct journal_batch *jb)
{
    char *msg_ids[QUEUE_BATCH_MAX];
    int rc = queue_store_delete(qs, ms, n, msg_ids);

    for (int i = 0; i < n && rc == 0; i++) {
        struct jsonw w;

        jsonw_begin(&w);
        jsonw_str(&w, "queue", ms[i]->q->name);
        jsonw_str(&w, "by", by);
        rc = jb ? journal_batch_add(jb, qs->eng->store, queue_now(qs),
                                    msg_ids[i], "deleted", jsonw_end(&w))
                : engine_journal_text(qs->eng, "message", msg_ids[i],
                                      "deleted", jsonw_end(&w));
    }
    for (int i = 0; i < n; i++)
        free(msg_ids[i]); /* NULL when the delete failed */
    if (rc) {
        qs->broken = 1;
        return rc;
    }
    for (int i = 0; i < n; i++) {
        struct queue *q = ms[i]->q;

        queue_index_remove(qs, ms[i]);
        if (q->a.fifo)
            queue_mark_new(qs, q); /* the group's next may go now */
        qmsg_free(qs, ms[i]);
    }
    return 0;
}

int
queue_delete_msg(struct queue_service *qs, const char *name,
                 const char *receipt)
{
    struct queue *q = queue_lookup(qs, name);
    struct qmsg *m;
    int rc;

    if (q == NULL)
        return ENG_ENOTFOUND;
    if ((rc = qmsg_by_receipt(&m, q, receipt)))
        return rc;
    return queue_delete_found(qs, &m, 1, "receipt", NULL);
}

int
queue_delete_batch(json_t **out, struct queue_service *qs, const char *name,
                   const json_t *receipts)
{
    struct queue *q = queue_lookup(qs, name);
    struct qmsg *found[QUEUE_BATCH_MAX];
    struct journal_batch jb;
    json_t *failed;
    int deleted = 0, rc = 0;
    size_t i, n;

    *out = NULL;
    if (q == NULL)
        return ENG_ENOTFOUND;
    n = json_array_size(receipts);
    if (!json_is_array(receipts) || n == 0 || n > QUEUE_BATCH_MAX)
        return err_set(ENG_EINVAL, "field 'receipts' must be an array of 1 "
                                   "to %d receipt handles",
                       QUEUE_BATCH_MAX);
    for (i = 0; i < n; i++) {
        if (!json_is_string(json_array_get(receipts, i)))
            return err_set(ENG_EINVAL, "entry %zu of 'receipts' is not a "
                                       "string", i);
        for (size_t k = 0; k < i; k++)
            if (json_equal(json_array_get(receipts, i),
                           json_array_get(receipts, k)))
                return err_setn(ENG_EINVAL, "BatchEntryIdsNotDistinct",
                                "receipt handle %zu appears twice", i);
    }
    failed = json_array();
    journal_batch_init(&jb, "message");
    for (i = 0; i < n; i++) {
        /* the found messages are deleted below, all at once: none is
         * found twice, as a message has one current receipt, a receipt
         * one spelling, and the batch's receipts are distinct */
        const char *r = json_string_value(json_array_get(receipts, i));

        rc = qmsg_by_receipt(&found[deleted], q, r);
        if (rc == 0) {
            deleted++;
        } else if (rc == ENG_EINVAL || rc == ENG_EGONE) {
            json_array_append_new(failed, queue_failure("receipt", r));
        } else {
            goto out;
        }
    }
    rc = deleted ? queue_delete_found(qs, found, deleted, "receipt", &jb) : 0;
    if (rc)
        goto out;
    if ((rc = journal_batch_flush(&jb, qs->eng->store)))
        qs->broken = 1;
out:
    journal_batch_clear(&jb);
    if (rc) { /* a store error: the refusals were answered in `failed` */
        json_decref(failed);
        return rc;
    }
    *out = json_pack("{s:i, s:o}", "deleted", deleted, "failed", failed);
    return 0;
}

/*
 * Step `u`, an UPDATE of one message row ending in "RETURNING msg_id",
 * and release it. Returns: 0 and the message id in *msg_id (the caller
 * frees it), or the store's error.
 */
static int
queue_step_msg_id(char **msg_id, struct store *st, sqlite3_stmt *u)
{
    int rc = sqlite3_step(u);

    if (rc == SQLITE_ROW) {
        *msg_id = xstrdup((const char *)sqlite3_column_text(u, 0));
        rc = 0;
    } else {
        rc = store_error(st);
    }
    store_done(u);
    return rc;
}

int
queue_change_visibility(json_t **out, struct queue_service *qs,
                        const char *name, const char *receipt,
                        int64_t seconds)
{
    struct store *st = qs->eng->store;
    struct queue *q = queue_lookup(qs, name);
    int64_t now = queue_now(qs), until;
    char text[QUEUE_RECEIPT_TEXT + 8];
    sqlite3_stmt *u;
    struct qmsg *m;
    char *msg_id = NULL;
    int rc;

    *out = NULL;
    if (q == NULL)
        return ENG_ENOTFOUND;
    if (seconds < 0 || seconds > 43200)
        return err_set(ENG_EINVAL, "field 'visibility_timeout' is %lld; it "
                                   "must be from 0 to 43200 seconds",
                       (long long)seconds);
    if ((rc = qmsg_by_receipt(&m, q, receipt)))
        return rc;
    until = now + seconds * 1000;
    u = store_stmt(st, "UPDATE messages SET visible_ms = ? WHERE id = ? "
                       "RETURNING msg_id");
    sqlite3_bind_int64(u, 1, until);
    sqlite3_bind_int64(u, 2, m->id);
    rc = queue_step_msg_id(&msg_id, st, u);
    if (rc == 0)
        rc = queue_journal(qs, "message", msg_id, "visibility_changed",
                           json_pack("{s:s, s:I, s:o}", "queue", q->name,
                                     "visibility_timeout",
                                     (json_int_t)seconds, "until",
                                     jsonx_time(until)));
    free(msg_id);
    if (rc) {
        qs->broken = 1;
        return rc;
    }
    queue_index_set_visible(qs, m, until, now);
    qmsg_receipt_text(text, m);
    *out = json_pack("{s:s, s:o, s:I}", "receipt", text, "next_visible",
                     jsonx_time(until), "next_visible_ms", (json_int_t)until);
    return 0;
}

int
queue_renew_receipt(char **out, struct queue_service *qs, const char *name,
                    const char *receipt)
{
    struct store *st = qs->eng->store;
    struct queue *q = queue_lookup(qs, name);
    unsigned char secret[QUEUE_RECEIPT_BYTES];
    char text[QUEUE_RECEIPT_TEXT + 8];
    char *msg_id = NULL;
    sqlite3_stmt *u;
    struct qmsg *m;
    int rc;

    *out = NULL;
    if (q == NULL)
        return ENG_ENOTFOUND;
    if ((rc = qmsg_by_receipt(&m, q, receipt)))
        return rc;
    rand_bytes(secret, sizeof(secret));
    u = store_stmt(st, "UPDATE messages SET receipt = ? WHERE id = ? "
                       "RETURNING msg_id");
    sqlite3_bind_blob(u, 1, secret, sizeof(secret), SQLITE_STATIC);
    sqlite3_bind_int64(u, 2, m->id);
    rc = queue_step_msg_id(&msg_id, st, u);
    if (rc == 0)
        rc = queue_journal(qs, "message", msg_id, "receipt_renewed",
                           json_pack("{s:s}", "queue", q->name));
    free(msg_id);
    if (rc) {
        qs->broken = 1;
        return rc;
    }
    memcpy(m->receipt, secret, sizeof(secret));
    qmsg_receipt_text(text, m);
    *out = xstrdup(text);
    return 0;
}

/* ---- browsing ---- */

static int
queue_parse_state(enum qstate *out, const char *state)
{
    static const struct {
        const char *name;
        enum qstate s;
    } states[] = {{"all", QS_ALL},
                  {"visible", QS_VISIBLE},
                  {"in_flight", QS_INFLIGHT},
                  {"delayed", QS_DELAYED}};

    *out = QS_ALL;
    if (state == NULL || *state == '\0')
        return 0;
    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
        if (strcmp(state, states[i].name) == 0) {
            *out = states[i].s;
            return 0;
        }
    }
    return err_set(ENG_EINVAL, "parameter 'state' is '%.32s'; it must be one "
                               "of visible, in_flight, delayed, all",
                   state);
}

static int
queue_state_match(const struct qmsg *m, enum qstate s)
{
    switch (s) {
    case QS_VISIBLE: return m->ready;
    case QS_INFLIGHT: return !m->ready && m->dequeue_count > 0;
    case QS_DELAYED: return !m->ready && m->dequeue_count == 0;
    default: return 1;
    }
}

static json_t *
queue_peek_item(struct queue_service *qs, const struct qmsg *m)
{
    json_t *j = qmsg_read(qs, m);

    if (j)
        json_object_set_new(j, "state", json_string(qmsg_state_name(m)));
    return j;
}

static void
queue_peek_cursor(json_t *page, const char *key, int64_t v)
{
    char text[24];

    snprintf(text, sizeof(text), "%lld", (long long)v);
    json_object_set_new(page, key, json_string(text));
}

/* The nearest message of state st before (dir < 0) or after m. */
static struct qmsg *
queue_peek_step(struct queue *q, struct qmsg *m, enum qstate st, int dir)
{
    do {
        m = dir < 0 ? RB_PREV(qmsg_ids, &q->all, m)
                    : RB_NEXT(qmsg_ids, &q->all, m);
    } while (m && !queue_state_match(m, st));
    return m;
}

int
queue_peek(json_t **out, struct queue_service *qs, const char *name,
           const char *state, int64_t after, int64_t before, int limit)
{
    struct queue *q = queue_lookup(qs, name);
    struct qmsg key, *m, *first = NULL, *last = NULL, **page;
    enum qstate st;
    json_t *items, *res;
    int n = 0, rc;

    *out = NULL;
    if (q == NULL)
        return ENG_ENOTFOUND;
    if ((rc = queue_parse_state(&st, state)))
        return rc;
    page = xcalloc((size_t)limit, sizeof(*page));
    if (before > 0) {
        /* walk back from the cursor, then show in enqueue order */
        key.id = before;
        m = RB_NFIND(qmsg_ids, &q->all, &key);
        m = m ? RB_PREV(qmsg_ids, &q->all, m) : RB_MAX(qmsg_ids, &q->all);
        if (m && !queue_state_match(m, st))
            m = queue_peek_step(q, m, st, -1);
        for (; m && n < limit; m = queue_peek_step(q, m, st, -1))
            page[limit - 1 - n++] = m;
        memmove(page, page + (limit - n), (size_t)n * sizeof(*page));
        if (m == NULL && n < limit) {
            /* back at the start with a short page: the first page is
             * the first `limit` messages, as paging forward gives it */
            before = 0;
            after = 0;
            n = 0;
        }
    }
    if (before == 0) {
        key.id = after + 1;
        m = RB_NFIND(qmsg_ids, &q->all, &key);
        if (m && !queue_state_match(m, st))
            m = queue_peek_step(q, m, st, 1);
        for (; m && n < limit; m = queue_peek_step(q, m, st, 1))
            page[n++] = m;
    }
    items = json_array();
    for (int i = 0; i < n; i++) {
        json_t *j = queue_peek_item(qs, page[i]);

        if (j)
            json_array_append_new(items, j);
    }
    res = json_pack("{s:o}", "items", items);
    if (n) {
        struct qmsg *before_first;

        first = page[0];
        last = page[n - 1];
        before_first = queue_peek_step(q, first, st, -1);
        queue_peek_cursor(res, "self", before_first ? before_first->id : 0);
        if (before_first)
            queue_peek_cursor(res, "prev", first->id);
        if (queue_peek_step(q, last, st, 1))
            queue_peek_cursor(res, "next", last->id);
    } else {
        queue_peek_cursor(res, "self", before > 0 ? 0 : after);
    }
    free(page);
    *out = res;
    return 0;
}

/* Find a message of q by its public id. */
static int
queue_msg_by_id(struct qmsg **out, json_t **row, struct queue_service *qs,
                struct queue *q, const char *id)
{
    struct qmsg *m;
    int64_t r;
    json_t *j;

    *out = NULL;
    *row = NULL;
    if (qmsg_parse_id(&r, NULL, id) != 0 ||
        (m = queue_index_find(q, r)) == NULL || (j = qmsg_read(qs, m)) == NULL)
        return err_setn(ENG_ENOTFOUND, "MessageNotFound",
                        "no message '%.64s' in queue '%.300s'", id, q->name);
    if (strcmp(json_string_value(json_object_get(j, "id")), id) != 0) {
        json_decref(j);
        return err_setn(ENG_ENOTFOUND, "MessageNotFound",
                        "no message '%.64s' in queue '%.300s'", id, q->name);
    }
    json_object_set_new(j, "state", json_string(qmsg_state_name(m)));
    *out = m;
    *row = j;
    return 0;
}

int
queue_get_msg(json_t **out, struct queue_service *qs, const char *name,
              const char *id)
{
    struct queue *q = queue_lookup(qs, name);
    struct qmsg *m;

    *out = NULL;
    if (q == NULL)
        return ENG_ENOTFOUND;
    return queue_msg_by_id(&m, out, qs, q, id);
}

int
queue_remove_msg(struct queue_service *qs, const char *name, const char *id)
{
    struct queue *q = queue_lookup(qs, name);
    struct qmsg *m;
    json_t *row;
    int rc;

    if (q == NULL)
        return ENG_ENOTFOUND;
    if ((rc = queue_msg_by_id(&m, &row, qs, q, id)))
        return rc;
    json_decref(row);
    return queue_delete_found(qs, &m, 1, "id", NULL);
}

/* ---- redrive ---- */

static struct queue *
queue_source_of(struct queue_service *qs, const struct qmsg *m)
{
    sqlite3_stmt *s = store_stmt(qs->eng->store, "SELECT source FROM "
                                                 "messages WHERE id = ?");
    struct queue *q = NULL;

    sqlite3_bind_int64(s, 1, m->id);
    if (sqlite3_step(s) == SQLITE_ROW &&
        sqlite3_column_type(s, 0) != SQLITE_NULL)
        q = queue_find(qs, (const char *)sqlite3_column_text(s, 0));
    store_done(s);
    return q;
}

int
queue_redrive(json_t **out, struct queue_service *qs, const char *name,
              const json_t *ids, const char *to)
{
    struct queue *q = queue_lookup(qs, name), *target = NULL;
    struct qmsg **list = NULL, *m;
    json_t *failed;
    size_t n = 0, i;
    int moved = 0, rc = 0;

    *out = NULL;
    if (q == NULL)
        return ENG_ENOTFOUND;
    if (to) {
        if ((target = queue_lookup(qs, to)) == NULL)
            return ENG_ENOTFOUND;
        if (target == q)
            return err_set(ENG_EINVAL, "field 'to' names the queue the "
                                       "messages are in");
        if (target->a.fifo != q->a.fifo)
            return err_set(ENG_EINVAL, "queue '%.300s' is %s queue; redrive "
                                       "moves messages between queues of "
                                       "one type",
                           to, target->a.fifo ? "a FIFO" : "a standard");
    }
    failed = json_array();
    if (ids) {
        if (!json_is_array(ids) || json_array_size(ids) > 1000) {
            json_decref(failed);
            return err_set(ENG_EINVAL, "field 'ids' must be an array of at "
                                       "most 1000 message ids");
        }
        list = xcalloc(json_array_size(ids) + 1, sizeof(*list));
        for (i = 0; i < json_array_size(ids); i++) {
            const char *id = json_string_value(json_array_get(ids, i));
            json_t *row;

            if (id == NULL || queue_msg_by_id(&m, &row, qs, q, id) != 0) {
                json_array_append_new(
                    failed, json_pack("{s:s, s:s, s:s}", "id", id ? id : "",
                                      "code", "MessageNotFound", "message",
                                      "no such message in the queue"));
                continue;
            }
            json_decref(row);
            list[n++] = m;
        }
    } else {
        list = xcalloc(q->n_all + 1, sizeof(*list));
        RB_FOREACH(m, qmsg_ids, &q->all)
            list[n++] = m;
    }
    for (i = 0; i < n; i++) {
        struct queue *dest = target ? target : queue_source_of(qs, list[i]);

        if (dest == NULL || dest == q || dest->a.fifo != q->a.fifo) {
            json_t *row = qmsg_read(qs, list[i]);

            json_array_append_new(
                failed,
                json_pack("{s:O, s:s, s:s}", "id",
                          row ? json_object_get(row, "id") : json_null(),
                          "code", "NoTarget", "message",
                          "the message has no source queue to go back to "
                          "(name one with 'to')"));
            json_decref(row);
            continue;
        }
        if ((rc = queue_move_to(qs, list[i], dest, "redrive", 1)))
            break;
        moved++;
    }
    free(list);
    if (rc) {
        qs->broken = 1;
        json_decref(failed);
        return rc;
    }
    *out = json_pack("{s:i, s:o}", "moved", moved, "failed", failed);
    return 0;
}
