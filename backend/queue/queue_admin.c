/*
 * queue_admin: queues and their attributes: create (idempotent), get,
 * set, list, delete, purge. Attribute ranges are the union of what MNS
 * and SQS allow; each protocol adapter narrows them for its clients.
 */
#include "queue/queue_int.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#define QUEUE_NAME_MAX 256

static const struct queue_range {
    const char *key;
    size_t off;
    int64_t min, max, def;
} queue_ranges[] = {
    {"delay_seconds", offsetof(struct queue_attrs, delay_s), 0, 604800, 0},
    {"visibility_timeout", offsetof(struct queue_attrs, visibility_s), 0,
     43200, 30},
    {"retention_seconds", offsetof(struct queue_attrs, retention_s), 60,
     1209600, 345600},
    {"max_message_size", offsetof(struct queue_attrs, max_size), 1024,
     1048576, 262144},
    {"wait_seconds", offsetof(struct queue_attrs, wait_s), 0,
     QUEUE_WAIT_MAX_S, 0},
};
#define QUEUE_NRANGES (sizeof(queue_ranges) / sizeof(queue_ranges[0]))

static int64_t *
queue_attr_slot(struct queue_attrs *a, const struct queue_range *r)
{
    return (int64_t *)((char *)a + r->off);
}

void
queue_attrs_clear(struct queue_attrs *a)
{
    free(a->dlq);
    a->dlq = NULL;
    json_decref(a->tags);
    json_decref(a->extra);
    a->tags = a->extra = NULL;
}

/*
 * Merge `given` (an object of strings, a null value removing its key)
 * into *map (NULL: empty), checking the result: at most max_n keys of
 * 1..key_max bytes, values of at most val_max bytes. *map becomes NULL
 * when empty. Returns: 0, or ENG_EINVAL naming `field` (*map untouched).
 */
static int
queue_map_merge(json_t **map, const json_t *given, const char *field,
                size_t max_n, size_t key_max, size_t val_max)
{
    json_t *n, *v;
    const char *k;

    if (json_is_null(given))
        given = NULL;
    if (given && !json_is_object(given))
        return err_set(ENG_EINVAL, "field '%s' must be an object of strings",
                       field);
    n = *map ? json_deep_copy(*map) : json_object();
    json_object_foreach((json_t *)given, k, v) {
        if (json_is_null(v)) {
            json_object_del(n, k);
            continue;
        }
        if (!json_is_string(v) || *k == '\0' || strlen(k) > key_max ||
            json_string_length(v) > val_max) {
            json_decref(n);
            return err_set(ENG_EINVAL,
                           "field '%s': key '%.64s' must have 1 to %zu "
                           "bytes and a string value of at most %zu",
                           field, k, key_max, val_max);
        }
        json_object_set(n, k, v);
    }
    if (json_object_size(n) > max_n) {
        json_decref(n);
        return err_set(ENG_EINVAL, "field '%s' may hold at most %zu keys",
                       field, max_n);
    }
    json_decref(*map);
    *map = json_object_size(n) ? n : NULL;
    if (*map == NULL)
        json_decref(n);
    return 0;
}

static int
queue_check_name(const char *name, int fifo)
{
    size_t n = strlen(name);
    int suffix = n > 5 && strcmp(name + n - 5, ".fifo") == 0;
    size_t body = suffix ? n - 5 : n;

    if (n == 0 || n > QUEUE_NAME_MAX)
        goto bad;
    for (size_t i = 0; i < body; i++) {
        char c = name[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_'))
            goto bad;
    }
    if (name[0] == '-' || name[0] == '_')
        goto bad;
    if (fifo && !suffix)
        return err_setn(ENG_EINVAL, "InvalidQueueName",
                        "a FIFO queue's name must end in '.fifo'");
    if (!fifo && suffix)
        return err_setn(ENG_EINVAL, "InvalidQueueName",
                        "only a FIFO queue's name may end in '.fifo' (set "
                        "fifo: true)");
    return 0;
bad:
    return err_setn(ENG_EINVAL, "InvalidQueueName",
                    "queue name '%.80s' must be 1 to %d letters, digits, "
                    "'-' or '_', starting with a letter or digit "
                    "(FIFO: ending in '.fifo')",
                    name, QUEUE_NAME_MAX);
}

/*
 * Parse attrs over `base` (NULL: defaults) into *a. `name` (may be NULL
 * when loading) is the queue's, to refuse it as its own dead-letter
 * queue. Returns: 0, or ENG_EINVAL naming the attribute (*a untouched).
 */
int
queue_attrs_parse(struct queue_attrs *a, const json_t *j,
                  const struct queue_attrs *base, int creating,
                  const char *name)
{
    static const char *const keys[] = {
        "delay_seconds", "visibility_timeout", "retention_seconds",
        "max_message_size", "wait_seconds", "dead_letter_queue",
        "max_receives", "fifo", "content_dedup", "tags", "extra", NULL};
    struct queue_attrs n;
    const json_t *dlq;
    int rc;

    memset(&n, 0, sizeof(n));
    if (base) {
        n = *base;
        n.dlq = base->dlq ? xstrdup(base->dlq) : NULL;
        n.tags = base->tags ? json_deep_copy(base->tags) : NULL;
        n.extra = base->extra ? json_deep_copy(base->extra) : NULL;
    } else {
        for (size_t i = 0; i < QUEUE_NRANGES; i++)
            *queue_attr_slot(&n, &queue_ranges[i]) = queue_ranges[i].def;
    }
    if (j && !json_is_object(j)) {
        rc = err_set(ENG_EINVAL, "queue attributes must be an object");
        goto fail;
    }
    if (j == NULL)
        goto done;
    if ((rc = jsonx_check_keys(j, keys)))
        goto fail;
    for (size_t i = 0; i < QUEUE_NRANGES; i++) {
        const struct queue_range *r = &queue_ranges[i];

        if ((rc = jsonx_get_int(queue_attr_slot(&n, r), j, r->key, 0, r->min,
                                r->max)))
            goto fail;
    }
    if (json_object_get(j, "fifo")) {
        int fifo = 0;

        if ((rc = jsonx_get_bool(&fifo, j, "fifo", 0)))
            goto fail;
        if (!creating && fifo != n.fifo) {
            rc = err_set(ENG_EINVAL, "field 'fifo' cannot change: a queue's "
                                     "type is fixed when it is created");
            goto fail;
        }
        n.fifo = fifo;
    }
    if ((rc = jsonx_get_bool(&n.content_dedup, j, "content_dedup", 0)) ||
        (rc = queue_map_merge(&n.tags, json_object_get(j, "tags"), "tags", 50,
                              128, 256)) ||
        (rc = queue_map_merge(&n.extra, json_object_get(j, "extra"), "extra",
                              64, 64, 65536)))
        goto fail;
    if (n.content_dedup && !n.fifo) {
        rc = err_set(ENG_EINVAL,
                     "field 'content_dedup' applies to FIFO queues only");
        goto fail;
    }
    dlq = json_object_get(j, "dead_letter_queue");
    if (dlq && (json_is_null(dlq) ||
                (json_is_string(dlq) && !*json_string_value(dlq)))) {
        free(n.dlq); /* removes the rule */
        n.dlq = NULL;
        n.max_receives = 0;
    } else if (dlq) {
        if (!json_is_string(dlq)) {
            rc = err_set(ENG_EINVAL, "field 'dead_letter_queue' must be a "
                                     "queue name");
            goto fail;
        }
        if (name && strcmp(json_string_value(dlq), name) == 0) {
            rc = err_set(ENG_EINVAL,
                         "a queue cannot be its own dead-letter queue");
            goto fail;
        }
        free(n.dlq);
        n.dlq = xstrdup(json_string_value(dlq));
    }
    if ((rc = jsonx_get_int(&n.max_receives, j, "max_receives", 0, 1, 1000)))
        goto fail;
    if (n.dlq && n.max_receives == 0) {
        rc = err_set(ENG_EINVAL, "a dead-letter queue needs 'max_receives' "
                                 "(1 to 1000)");
        goto fail;
    }
    if (!n.dlq && json_object_get(j, "max_receives") &&
        !json_is_null(json_object_get(j, "max_receives"))) {
        rc = err_set(ENG_EINVAL, "field 'max_receives' needs "
                                 "'dead_letter_queue'");
        goto fail;
    }
done:
    *a = n;
    return 0;
fail:
    queue_attrs_clear(&n);
    return rc;
}

json_t *
queue_attrs_to_json(const struct queue_attrs *a)
{
    json_t *j = json_object();

    for (size_t i = 0; i < QUEUE_NRANGES; i++)
        json_object_set_new(
            j, queue_ranges[i].key,
            json_integer(*queue_attr_slot((struct queue_attrs *)a,
                                          &queue_ranges[i])));
    json_object_set_new(j, "fifo", json_boolean(a->fifo));
    if (a->fifo)
        json_object_set_new(j, "content_dedup", json_boolean(a->content_dedup));
    if (a->dlq) {
        json_object_set_new(j, "dead_letter_queue", json_string(a->dlq));
        json_object_set_new(j, "max_receives", json_integer(a->max_receives));
    }
    if (a->tags)
        json_object_set_new(j, "tags", json_deep_copy(a->tags));
    if (a->extra)
        json_object_set_new(j, "extra", json_deep_copy(a->extra));
    return j;
}

void
queue_refresh_dlq_flags(struct queue_service *qs)
{
    struct queue *q, *t;

    RB_FOREACH(q, queue_names, &qs->queues)
        q->is_dlq = 0;
    RB_FOREACH(q, queue_names, &qs->queues)
        if (q->a.dlq && (t = queue_find(qs, q->a.dlq)) != NULL)
            t->is_dlq = 1;
}

json_t *
queue_to_json(struct queue_service *qs, struct queue *q)
{
    json_t *j = queue_attrs_to_json(&q->a), *sources = json_array();
    struct qmsg *oldest = RB_MIN(qmsg_ids, &q->all);
    struct queue *it;

    json_object_set_new(j, "name", json_string(q->name));
    json_object_set_new(j, "created", jsonx_time(q->created_ms));
    json_object_set_new(j, "modified", jsonx_time(q->modified_ms));
    json_object_set_new(
        j, "counts",
        json_pack("{s:i, s:i, s:i, s:i}", "visible", (int)q->n_ready,
                  "in_flight", (int)q->n_inflight, "delayed",
                  (int)q->n_delayed, "total", (int)q->n_all));
    json_object_set_new(j, "oldest_age_ms",
                        oldest ? json_integer(queue_now(qs) -
                                              oldest->enqueued_ms)
                               : json_null());
    RB_FOREACH(it, queue_names, &qs->queues)
        if (it->a.dlq && strcmp(it->a.dlq, q->name) == 0)
            json_array_append_new(sources, json_string(it->name));
    json_object_set_new(j, "dead_letter_sources", sources);
    return j;
}

static int
queue_save_attrs(struct queue_service *qs, struct queue *q)
{
    struct store *st = qs->eng->store;
    json_t *aj = queue_attrs_to_json(&q->a);
    char *text = jsonx_dump(aj);
    sqlite3_stmt *u = store_stmt(st, "UPDATE queues SET attrs = ?, "
                                     "modified_ms = ? WHERE id = ?");
    int rc;

    sqlite3_bind_text(u, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(u, 2, q->modified_ms);
    sqlite3_bind_int64(u, 3, q->id);
    rc = store_step_done(st, u);
    store_done(u);
    free(text);
    json_decref(aj);
    return rc;
}

/* The dead-letter target must exist and be of the same type. */
static int
queue_check_dlq(struct queue_service *qs, const struct queue_attrs *a)
{
    struct queue *t;

    if (a->dlq == NULL)
        return 0;
    t = queue_find(qs, a->dlq);
    if (t == NULL)
        return err_set(ENG_EINVAL, "dead-letter queue '%.300s' does not "
                                   "exist",
                       a->dlq);
    if (t->a.fifo != a->fifo)
        return err_set(ENG_EINVAL, "dead-letter queue '%.300s' must be %s "
                                   "queue like its source",
                       a->dlq, a->fifo ? "a FIFO" : "a standard");
    return 0;
}

/* Which given attribute differs from the existing queue's? */
static const char *
queue_attr_differs(const struct queue_attrs *have, const json_t *given,
                   const struct queue_attrs *want)
{
    for (size_t i = 0; i < QUEUE_NRANGES; i++)
        if (json_object_get(given, queue_ranges[i].key) &&
            *queue_attr_slot((struct queue_attrs *)have, &queue_ranges[i]) !=
                *queue_attr_slot((struct queue_attrs *)want, &queue_ranges[i]))
            return queue_ranges[i].key;
    if (have->fifo != want->fifo)
        return "fifo";
    if (json_object_get(given, "content_dedup") &&
        have->content_dedup != want->content_dedup)
        return "content_dedup";
    if (json_object_get(given, "dead_letter_queue") &&
        ((have->dlq == NULL) != (want->dlq == NULL) ||
         (have->dlq && strcmp(have->dlq, want->dlq) != 0)))
        return "dead_letter_queue";
    if (json_object_get(given, "max_receives") &&
        have->max_receives != want->max_receives)
        return "max_receives";
    if (json_is_object(json_object_get(given, "extra"))) {
        const char *k;
        json_t *v;

        json_object_foreach(json_object_get(given, "extra"), k, v) {
            json_t *h = have->extra ? json_object_get(have->extra, k) : NULL;
            json_t *w = want->extra ? json_object_get(want->extra, k) : NULL;

            if ((h == NULL) != (w == NULL) || (h && !json_equal(h, w)))
                return "extra";
        }
    }
    return NULL;
}

int
queue_create(json_t **out, int *created, struct queue_service *qs,
             const char *name, const json_t *attrs)
{
    struct store *st = qs->eng->store;
    struct queue_attrs a;
    struct queue *q;
    const json_t *fifo = attrs ? json_object_get(attrs, "fifo") : NULL;
    json_t *aj;
    char *text;
    sqlite3_stmt *ins;
    int rc;

    *out = NULL;
    *created = 0;
    if ((rc = queue_check_name(name, json_is_true(fifo))))
        return rc;
    if ((rc = queue_attrs_parse(&a, attrs, NULL, 1, name)))
        return rc;
    q = queue_find(qs, name);
    if (q) {
        const char *diff = queue_attr_differs(&q->a, attrs, &a);

        queue_attrs_clear(&a);
        if (diff)
            return err_setn(ENG_EEXISTS, "QueueExists",
                            "queue '%s' exists with a different value for "
                            "'%s'",
                            name, diff);
        *out = queue_to_json(qs, q);
        return 0;
    }
    if ((rc = queue_check_dlq(qs, &a))) {
        queue_attrs_clear(&a);
        return rc;
    }
    aj = queue_attrs_to_json(&a);
    text = jsonx_dump(aj);
    json_decref(aj);
    ins = store_stmt(st, "INSERT INTO queues(name, created_ms, modified_ms, "
                         "attrs) VALUES (?, ?, ?, ?)");
    q = xcalloc(1, sizeof(*q));
    q->created_ms = q->modified_ms = queue_now(qs);
    sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 2, q->created_ms);
    sqlite3_bind_int64(ins, 3, q->modified_ms);
    sqlite3_bind_text(ins, 4, text, -1, SQLITE_STATIC);
    rc = store_step_done(st, ins);
    store_done(ins);
    free(text);
    /* the row's id now, before the journal's insert takes its place */
    q->id = sqlite3_last_insert_rowid(store_db(st));
    if (rc == 0)
        rc = queue_journal(qs, "queue", name, "created",
                           queue_attrs_to_json(&a));
    if (rc) {
        queue_attrs_clear(&a);
        free(q);
        return rc;
    }
    q->name = xstrdup(name);
    q->next_seq = 1;
    q->a = a;
    RB_INIT(&q->all);
    RB_INIT(&q->ready);
    RB_INSERT(queue_names, &qs->queues, q);
    qs->nqueues++;
    queue_refresh_dlq_flags(qs);
    *created = 1;
    *out = queue_to_json(qs, q);
    return 0;
}

int
queue_get(json_t **out, struct queue_service *qs, const char *name)
{
    struct queue *q = queue_lookup(qs, name);

    *out = NULL;
    if (q == NULL)
        return ENG_ENOTFOUND;
    *out = queue_to_json(qs, q);
    return 0;
}

int
queue_set(json_t **out, struct queue_service *qs, const char *name,
          const json_t *attrs)
{
    struct queue *q = queue_lookup(qs, name);
    struct queue_attrs a;
    int rc, retention_changed;

    *out = NULL;
    if (q == NULL)
        return ENG_ENOTFOUND;
    if ((rc = queue_attrs_parse(&a, attrs, &q->a, 0, name)))
        return rc;
    if ((rc = queue_check_dlq(qs, &a))) {
        queue_attrs_clear(&a);
        return rc;
    }
    retention_changed = a.retention_s != q->a.retention_s;
    queue_attrs_clear(&q->a);
    q->a = a;
    q->modified_ms = queue_now(qs);
    if ((rc = queue_save_attrs(qs, q)) == 0)
        rc = queue_journal(qs, "queue", name, "changed",
                           json_deep_copy(attrs));
    if (rc)
        return rc; /* the engine reloads the index from the store */
    if (retention_changed)
        queue_index_requeue(qs, q);
    queue_refresh_dlq_flags(qs);
    *out = queue_to_json(qs, q);
    return 0;
}

int
queue_list(json_t **out, struct queue_service *qs, const char *prefix,
           const char *cursor, int limit)
{
    json_t *items = json_array();
    struct queue key, *q;
    size_t plen = prefix ? strlen(prefix) : 0;
    int n = 0;

    *out = NULL;
    if (cursor) {
        key.name = (char *)cursor;
        q = RB_NFIND(queue_names, &qs->queues, &key);
        if (q && strcmp(q->name, cursor) == 0)
            q = RB_NEXT(queue_names, &qs->queues, q);
    } else if (prefix) {
        key.name = (char *)prefix;
        q = RB_NFIND(queue_names, &qs->queues, &key);
    } else {
        q = RB_MIN(queue_names, &qs->queues);
    }
    for (; q; q = RB_NEXT(queue_names, &qs->queues, q)) {
        if (plen && strncmp(q->name, prefix, plen) != 0) {
            if (strcmp(q->name, prefix) > 0)
                break; /* past every name with the prefix */
            continue;
        }
        if (n == limit) {
            json_t *last = json_array_get(items, (size_t)n - 1);

            *out = json_pack("{s:o, s:O}", "items", items, "next",
                             json_object_get(last, "name"));
            return 0;
        }
        json_array_append_new(items, queue_to_json(qs, q));
        n++;
    }
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

/* Delete a queue's message rows (and, with dedup, its de-duplication
 * memory: a purge keeps it, as de-duplication outlives deletes). */
static int
queue_delete_rows(struct queue_service *qs, struct queue *q, int64_t *count,
                  int dedup)
{
    struct store *st = qs->eng->store;
    sqlite3_stmt *d = store_stmt(st, "DELETE FROM bodies WHERE id IN "
                                     "(SELECT id FROM messages "
                                     "WHERE queue_id = ?)");
    int rc;

    sqlite3_bind_int64(d, 1, q->id);
    rc = store_step_done(st, d);
    store_done(d);
    if (rc == 0) {
        d = store_stmt(st, "DELETE FROM messages WHERE queue_id = ?");
        sqlite3_bind_int64(d, 1, q->id);
        rc = store_step_done(st, d);
        store_done(d);
    }
    if (rc == 0)
        *count = sqlite3_changes(store_db(st));
    if (rc == 0 && dedup) {
        sqlite3_stmt *dd = store_stmt(st, "DELETE FROM dedup "
                                          "WHERE queue_id = ?");

        sqlite3_bind_int64(dd, 1, q->id);
        rc = store_step_done(st, dd);
        store_done(dd);
    }
    return rc;
}

int
queue_delete(struct queue_service *qs, const char *name)
{
    struct store *st = qs->eng->store;
    struct queue *q = queue_lookup(qs, name);
    sqlite3_stmt *d;
    int64_t n = 0;
    int rc;

    if (q == NULL)
        return ENG_ENOTFOUND;
    if ((rc = queue_delete_rows(qs, q, &n, 1)))
        return rc;
    d = store_stmt(st, "DELETE FROM queues WHERE id = ?");
    sqlite3_bind_int64(d, 1, q->id);
    rc = store_step_done(st, d);
    store_done(d);
    if (rc == 0)
        rc = queue_journal(qs, "queue", name, "deleted",
                           json_pack("{s:I}", "messages", (json_int_t)n));
    if (rc)
        return rc;
    queue_release_waiters(q);
    queue_free_msgs(qs, q);
    RB_REMOVE(queue_names, &qs->queues, q);
    qs->nqueues--;
    queue_free_one(q);
    queue_refresh_dlq_flags(qs);
    return 0;
}

int
queue_purge(int64_t *out, struct queue_service *qs, const char *name)
{
    struct queue *q = queue_lookup(qs, name);
    int rc;

    *out = 0;
    if (q == NULL)
        return ENG_ENOTFOUND;
    if ((rc = queue_delete_rows(qs, q, out, 0)) == 0)
        rc = queue_journal(qs, "queue", name, "purged",
                           json_pack("{s:I}", "messages", (json_int_t)*out));
    if (rc)
        return rc;
    queue_free_msgs(qs, q);
    return 0;
}
