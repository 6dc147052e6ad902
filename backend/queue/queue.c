/*
 * queue: the service's life cycle and in-memory index. The index mirrors
 * the store inside the current transaction; when a commit fails or a
 * store call fails halfway, the engine reloads it from the store.
 *
 * Per queue: `all` (every message by id) and `ready` (visible messages in
 * receive order); for the service: one binary heap of deadlines, where a
 * message's deadline is when it turns visible (delay or visibility ends)
 * or, once visible, when retention expires it. Waiting receives hang on
 * their queue, oldest first.
 */
#include "queue/queue_int.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "store/store.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifdef QUEUE_ASAN
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#endif

int
qmsg_id_cmp(const struct qmsg *a, const struct qmsg *b)
{
    return a->id < b->id ? -1 : a->id > b->id;
}

int
qmsg_rank_cmp(const struct qmsg *a, const struct qmsg *b)
{
    return a->rank < b->rank ? -1 : a->rank > b->rank;
}

int
queue_name_cmp(const struct queue *a, const struct queue *b)
{
    return strcmp(a->name, b->name);
}

RB_GENERATE(qmsg_ids, qmsg, by_id, qmsg_id_cmp)
RB_GENERATE(qmsg_ranks, qmsg, by_rank, qmsg_rank_cmp)
RB_GENERATE(queue_names, queue, by_name, queue_name_cmp)

int64_t
queue_now(struct queue_service *qs)
{
    return engine_now(qs->eng);
}

int
queue_journal(struct queue_service *qs, const char *kind, const char *id,
              const char *type, json_t *detail)
{
    int rc = engine_journal(qs->eng, kind, id, type, detail);

    json_decref(detail);
    return rc;
}

const char *
queue_sql_ids(char **cache, int n, const char *head, const char *tail)
{
    assert(n >= 1 && n <= QUEUE_BATCH_MAX);
    if (cache[n] == NULL) {
        struct buf b = BUF_INIT(0);

        buf_puts(&b, head);
        for (int i = 0; i < n; i++)
            buf_printf(&b, "%s?%d", i ? ", " : "", i + 1);
        buf_puts(&b, tail);
        cache[n] = buf_take(&b);
    }
    return cache[n];
}

/* v as 16 upper-case hex digits, as "%016" PRIX64 writes it. */
static void
qmsg_hex16(char *out, uint64_t v)
{
    static const char hex[] = "0123456789ABCDEF";

    for (int i = 15; i >= 0; i--, v >>= 4)
        out[i] = hex[v & 15];
}

/* By hand: snprintf cost a send more than its MD5's setup. */
void
qmsg_id_text(char *out, int64_t row, uint64_t rand_half)
{
    qmsg_hex16(out, (uint64_t)row);
    out[16] = '-';
    qmsg_hex16(out + 17, rand_half);
    out[QMSG_ID_LEN] = '\0';
}

/* m's public id, from memory when known, else from its row. Returns: 0
 * and *out (the caller frees it), or an error. */
static int
qmsg_public_id(char **out, struct store *st, const struct qmsg *m)
{
    sqlite3_stmt *s;
    int rc;

    *out = NULL;
    if (m->id_rand) {
        *out = xmalloc(QMSG_ID_LEN + 1);
        qmsg_id_text(*out, m->id, m->id_rand);
        return 0;
    }
    s = store_stmt(st, "SELECT msg_id FROM messages WHERE id = ?");
    sqlite3_bind_int64(s, 1, m->id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = xstrdup((const char *)sqlite3_column_text(s, 0));
    rc = rc == SQLITE_ROW  ? 0
         : rc == SQLITE_DONE ? err_set(ENG_ERR, "message row %lld missing",
                                       (long long)m->id)
                             : store_error(st);
    store_done(s);
    return rc;
}

/* Delete the n rows lo..hi (a run of ids) with sql ("DELETE ... WHERE
 * id BETWEEN ?1 AND ?2"). Returns: 0, or an error (also when a row was
 * missing). */
static int
queue_delete_run(struct store *st, const char *sql, int64_t lo, int64_t hi,
                 int n)
{
    sqlite3_stmt *d = store_stmt(st, sql);
    int rc;

    sqlite3_bind_int64(d, 1, lo);
    sqlite3_bind_int64(d, 2, hi);
    rc = store_step_done(st, d);
    store_done(d);
    if (rc == 0 && sqlite3_changes(store_db(st)) != n)
        rc = err_set(ENG_ERR, "message rows %lld to %lld: %d missing",
                     (long long)lo, (long long)hi,
                     n - sqlite3_changes(store_db(st)));
    return rc;
}

/*
 * The ids, sorted, are deleted a run at a time (a receive's messages are
 * mostly one run), with one statement a table that steps from row to
 * row; a lone id is a run of one. Not one statement with an IN list a
 * table: SQLite builds an index of the list and, for RETURNING, a table
 * of the results, which cost more than the statements saved. The ids
 * come from memory.
 */
int
queue_store_delete(struct queue_service *qs, struct qmsg *const *ms, int n,
                   char **msg_ids)
{
    static const char *const sql[] = {
        "DELETE FROM messages WHERE id BETWEEN ?1 AND ?2",
        "DELETE FROM bodies WHERE id BETWEEN ?1 AND ?2",
    };
    struct store *st = qs->eng->store;
    int64_t ids[QUEUE_BATCH_MAX];
    int rc = 0, i, j;

    for (i = 0; i < n; i++) {
        msg_ids[i] = NULL;
        for (j = i; j > 0 && ids[j - 1] > ms[i]->id; j--)
            ids[j] = ids[j - 1];
        ids[j] = ms[i]->id;
    }
    for (i = 0; i < n && rc == 0; i++)
        rc = qmsg_public_id(&msg_ids[i], st, ms[i]);
    for (i = 0; i < n && rc == 0; i = j) {
        for (j = i + 1; j < n && ids[j] == ids[j - 1] + 1; j++)
            ;
        for (size_t t = 0; t < sizeof(sql) / sizeof(sql[0]) && rc == 0; t++)
            rc = queue_delete_run(st, sql[t], ids[i], ids[j - 1], j - i);
    }
    if (rc)
        for (i = 0; i < n; i++) {
            free(msg_ids[i]);
            msg_ids[i] = NULL;
        }
    return rc;
}

struct queue *
queue_find(struct queue_service *qs, const char *name)
{
    struct queue key;

    key.name = (char *)name;
    return RB_FIND(queue_names, &qs->queues, &key);
}

struct queue *
queue_lookup(struct queue_service *qs, const char *name)
{
    struct queue *q = queue_find(qs, name);

    if (q == NULL)
        err_setn(ENG_ENOTFOUND, "QueueNotFound", "no queue '%.300s'", name);
    return q;
}

struct qmsg *
queue_index_find(struct queue *q, int64_t id)
{
    struct qmsg key;

    key.id = id;
    return RB_FIND(qmsg_ids, &q->all, &key);
}

void
queue_mark_new(struct queue_service *qs, struct queue *q)
{
    /* only a waiting receive cares; sends to a queue nobody waits on must
     * not cost a loop turn each */
    if (q->wait_head == NULL)
        return;
    q->has_new = 1;
    qs->any_new = 1;
}

/* ---- the deadline heap ---- */

static int64_t
qmsg_deadline(const struct qmsg *m)
{
    int64_t expire = m->enqueued_ms + m->q->a.retention_s * 1000;

    if (!m->ready && m->visible_ms < expire)
        return m->visible_ms;
    return expire;
}

/* ---- index entries ---- */

/*
 * Every struct qmsg comes from 2 MiB slabs that the kernel may back with
 * huge pages (MADV_HUGEPAGE); a freed one goes to a list for the next
 * send, not back to malloc. Loading 100,000 messages at start took one
 * page fault per 24 entries from malloc, and huge pages took a tenth off
 * that restart. Slabs go when the service is cleared or freed. Under
 * ASan a free entry is poisoned, so a use after free is still caught.
 */
#define QSLAB_BYTES ((size_t)2 << 20)

/* entries per slab, after the header rounded up to an entry's alignment */
#define QSLAB_HEAD                                                          \
    ((sizeof(struct qslab) + _Alignof(struct qmsg) - 1) /                   \
     _Alignof(struct qmsg) * _Alignof(struct qmsg))
#define QSLAB_ENTRIES ((QSLAB_BYTES - QSLAB_HEAD) / sizeof(struct qmsg))

struct qmsg *
qmsg_new(struct queue_service *qs)
{
    struct qmsg *m;

    if (qs->spare) {
        struct qslab_free *f = qs->spare;

        ASAN_UNPOISON_MEMORY_REGION(f, sizeof(struct qmsg));
        qs->spare = f->next;
        m = (struct qmsg *)(void *)f;
    } else {
        struct qslab *s = qs->slabs;

        if (s == NULL || s->used == QSLAB_ENTRIES) {
            s = xmemalign(QSLAB_BYTES, QSLAB_BYTES);
            (void)madvise(s, QSLAB_BYTES, MADV_HUGEPAGE); /* a hint */
            s->next = qs->slabs;
            s->used = 0;
            qs->slabs = s;
        }
        m = (struct qmsg *)(void *)((char *)s + QSLAB_HEAD) + s->used++;
    }
    memset(m, 0, sizeof(*m));
    return m;
}

void
qmsg_free(struct queue_service *qs, struct qmsg *m)
{
    struct qslab_free *f = (struct qslab_free *)(void *)m;

    if (m == NULL)
        return;
    f->next = qs->spare;
    qs->spare = f;
    ASAN_POISON_MEMORY_REGION(m, sizeof(*m));
}

/* Free every slab: every entry in them is gone. */
static void
qslab_free_all(struct queue_service *qs)
{
    while (qs->slabs) {
        struct qslab *s = qs->slabs;

        qs->slabs = s->next;
        ASAN_UNPOISON_MEMORY_REGION(s, QSLAB_BYTES);
        free(s);
    }
    qs->spare = NULL;
}

static void
heap_set(struct queue_service *qs, uint32_t i, struct qheap_ent e)
{
    qs->heap[i] = e;
    e.m->heap_idx = i;
}

/* Sift the entry at i toward the root, or the leaves, to where it goes:
 * the entries it passes move into its hole, one write each. */
static void
heap_up(struct queue_service *qs, uint32_t i)
{
    struct qheap_ent e = qs->heap[i];

    while (i > 0) {
        uint32_t p = (i - 1) / 2;

        if (qs->heap[p].due <= e.due)
            break;
        heap_set(qs, i, qs->heap[p]);
        i = p;
    }
    heap_set(qs, i, e);
}

static void
heap_down(struct queue_service *qs, uint32_t i)
{
    struct qheap_ent e = qs->heap[i];

    for (;;) {
        uint32_t c = 2 * i + 1;

        if (c >= qs->nheap)
            break;
        if (c + 1 < qs->nheap && qs->heap[c + 1].due < qs->heap[c].due)
            c++;
        if (qs->heap[c].due >= e.due)
            break;
        heap_set(qs, i, qs->heap[c]);
        i = c;
    }
    heap_set(qs, i, e);
}

/* The key at i changed, or a new entry took i: sift it whichever way it
 * goes. */
static void
heap_fix(struct queue_service *qs, uint32_t i)
{
    if (i > 0 && qs->heap[i].due < qs->heap[(i - 1) / 2].due)
        heap_up(qs, i);
    else
        heap_down(qs, i);
}

/* Put m last in the heap, unordered. Returns: its place. */
static uint32_t
heap_append(struct queue_service *qs, struct qmsg *m, int64_t due)
{
    if (qs->nheap == qs->heap_cap) {
        qs->heap_cap = qs->heap_cap ? qs->heap_cap * 2 : 1024;
        qs->heap = xreallocarray(qs->heap, qs->heap_cap, sizeof(*qs->heap));
    }
    heap_set(qs, qs->nheap, (struct qheap_ent){due, m});
    return qs->nheap++;
}

static void
heap_push(struct queue_service *qs, struct qmsg *m, int64_t due)
{
    heap_up(qs, heap_append(qs, m, due));
}

static void
heap_remove(struct queue_service *qs, struct qmsg *m)
{
    uint32_t i = m->heap_idx;

    if (i == QUEUE_NO_HEAP)
        return;
    qs->nheap--;
    if (i != qs->nheap) {
        heap_set(qs, i, qs->heap[qs->nheap]);
        heap_fix(qs, i);
    }
    m->heap_idx = QUEUE_NO_HEAP;
}

static void
heap_update(struct queue_service *qs, struct qmsg *m)
{
    int64_t due = qmsg_deadline(m);

    if (m->heap_idx == QUEUE_NO_HEAP) {
        heap_push(qs, m, due);
        return;
    }
    if (due == qs->heap[m->heap_idx].due)
        return;
    qs->heap[m->heap_idx].due = due;
    heap_fix(qs, m->heap_idx);
}

/* ---- the index ---- */

static void
qidx_account(struct queue *q, const struct qmsg *m, int d)
{
    if (m->ready)
        q->n_ready += (uint32_t)d;
    else if (m->dequeue_count)
        q->n_inflight += (uint32_t)d;
    else
        q->n_delayed += (uint32_t)d;
}

void
queue_index_add(struct queue_service *qs, struct qmsg *m)
{
    struct queue *q = m->q;

    if (!q->a.fifo) /* a FIFO message's rank is its sequence number */
        m->rank = ((int64_t)m->priority << 56) | m->id;
    RB_INSERT(qmsg_ids, &q->all, m);
    if (m->ready)
        RB_INSERT(qmsg_ranks, &q->ready, m);
    q->n_all++;
    qidx_account(q, m, 1);
    heap_push(qs, m, qmsg_deadline(m));
}

void
queue_index_remove(struct queue_service *qs, struct qmsg *m)
{
    struct queue *q = m->q;

    RB_REMOVE(qmsg_ids, &q->all, m);
    if (m->ready)
        RB_REMOVE(qmsg_ranks, &q->ready, m);
    q->n_all--;
    qidx_account(q, m, -1);
    heap_remove(qs, m);
    if (m->group)
        queue_group_unlink(q, m);
}

void
queue_index_set_visible(struct queue_service *qs, struct qmsg *m,
                        int64_t visible_ms, int64_t now)
{
    queue_index_update(qs, m, visible_ms, m->dequeue_count, now);
}

void
queue_index_update(struct queue_service *qs, struct qmsg *m,
                   int64_t visible_ms, uint32_t dequeue_count, int64_t now)
{
    struct queue *q = m->q;
    int ready = visible_ms <= now;

    qidx_account(q, m, -1);
    m->dequeue_count = dequeue_count;
    if (ready && !m->ready) {
        RB_INSERT(qmsg_ranks, &q->ready, m);
        queue_mark_new(qs, q);
    } else if (!ready && m->ready) {
        RB_REMOVE(qmsg_ranks, &q->ready, m);
    }
    m->ready = (uint8_t)ready;
    m->visible_ms = visible_ms;
    qidx_account(q, m, 1);
    heap_update(qs, m);
}

void
queue_index_requeue(struct queue_service *qs, struct queue *q)
{
    struct qmsg *m;

    RB_FOREACH(m, qmsg_ids, &q->all)
        heap_update(qs, m);
}

void
queue_free_msgs(struct queue_service *qs, struct queue *q)
{
    struct qmsg *m, *next;

    for (m = RB_MIN(qmsg_ids, &q->all); m; m = next) {
        next = RB_NEXT(qmsg_ids, &q->all, m);
        queue_index_remove(qs, m);
        qmsg_free(qs, m);
    }
}

/* Free a queue that is out of the service's tree and has no messages. */
void
queue_free_one(struct queue *q)
{
    for (uint32_t i = 0; i < q->ngroup_buckets; i++) {
        struct qgroup *g = q->groups[i], *next;

        for (; g; g = next) {
            next = g->next;
            free(g->name);
            free(g);
        }
    }
    free(q->groups);
    queue_attrs_clear(&q->a);
    free(q->name);
    free(q);
}

/* ---- waiters ---- */

static void
queue_waiter_unlink(struct queue_waiter *w)
{
    struct queue *q = w->q;

    if (w->prev)
        w->prev->next = w->next;
    else
        q->wait_head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        q->wait_tail = w->prev;
    w->prev = w->next = NULL;
}

void
queue_waiter_cancel(struct queue_waiter *w)
{
    if (w == NULL)
        return;
    queue_waiter_unlink(w);
    free(w);
}

void
queue_waiter_answer(struct queue_waiter *w, struct queue_msgs *got)
{
    queue_wait_fn done = w->done;
    void *arg = w->arg;

    queue_waiter_cancel(w);
    done(got, arg);
}

/* Forget w and answer it with no messages. */
static void
queue_waiter_answer_none(struct queue_waiter *w)
{
    queue_waiter_answer(w, xcalloc(1, sizeof(struct queue_msgs)));
}

void
queue_release_waiters(struct queue *q)
{
    /* answering w (whose w->q is q) unlinks it and moves wait_head on,
     * so w is never the waiter freed in the turn before (NOLINT) */
    while (q->wait_head)
        queue_waiter_answer_none(q->wait_head); /* NOLINT */
}

static void
queue_time_out_waiters(struct queue_service *qs)
{
    int64_t now = timefmt_mono_ms(), next = INT64_MAX;
    struct queue *q;

    if (now < qs->wait_next)
        return;
    RB_FOREACH(q, queue_names, &qs->queues) {
        struct queue_waiter *w = q->wait_head, *nw;

        for (; w; w = nw) {
            nw = w->next;
            if (w->deadline <= now)
                queue_waiter_answer_none(w);
            else if (w->deadline < next)
                next = w->deadline;
        }
    }
    qs->wait_next = next;
}

void
queue_note_waiter(struct queue_service *qs, int64_t deadline)
{
    if (deadline < qs->wait_next)
        qs->wait_next = deadline;
}

/* ---- life cycle ---- */

struct queue_service *
queue_service_create(struct engine *eng)
{
    struct queue_service *qs = xcalloc(1, sizeof(*qs));

    qs->eng = eng;
    RB_INIT(&qs->queues);
    qs->wait_next = INT64_MAX;
    return qs;
}

static void
queue_service_clear(struct queue_service *qs)
{
    struct queue *q, *next;

    /* every message goes with its slab, rather than by one tree removal
     * and heap repair each, which was most of stopping an engine that
     * holds 100,000 messages */
    qslab_free_all(qs);
    qs->nheap = 0;
    for (q = RB_MIN(queue_names, &qs->queues); q; q = next) {
        next = RB_NEXT(queue_names, &qs->queues, q);
        queue_release_waiters(q);
        RB_INIT(&q->all);
        RB_INIT(&q->ready);
        q->n_all = 0;
        RB_REMOVE(queue_names, &qs->queues, q);
        queue_free_one(q);
    }
    qs->nqueues = 0;
    qs->wait_next = INT64_MAX;
    qs->any_new = 0;
}

void
queue_service_free(struct queue_service *qs)
{
    if (qs == NULL)
        return;
    queue_service_clear(qs);
    free(qs->heap);
    free(qs);
}

void
queue_service_shutdown(struct queue_service *qs)
{
    struct queue *q;

    RB_FOREACH(q, queue_names, &qs->queues)
        queue_release_waiters(q);
    qs->wait_next = INT64_MAX;
}

static int
queue_by_id_cmp(const void *a, const void *b)
{
    const struct queue *x = *(struct queue *const *)a;
    const struct queue *y = *(struct queue *const *)b;

    return x->id < y->id ? -1 : x->id > y->id;
}

/* Returns: the slot of queue `id` in `sorted` (by id), or n if none. */
static uint32_t
queue_slot(struct queue **sorted, uint32_t n, int64_t id)
{
    uint32_t lo = 0, hi = n;

    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;

        if (sorted[mid]->id < id)
            lo = mid + 1;
        else if (sorted[mid]->id > id)
            hi = mid;
        else
            return mid;
    }
    return n;
}

static int
queue_load_queues(struct queue_service *qs)
{
    struct store *st = qs->eng->store;
    sqlite3_stmt *q = store_stmt(st, "SELECT id, name, created_ms, "
                                     "modified_ms, attrs, next_seq "
                                     "FROM queues");
    int rc = 0, step;

    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        struct queue *nq = xcalloc(1, sizeof(*nq));
        json_t *attrs = json_loads((const char *)sqlite3_column_text(q, 4), 0,
                                   NULL);

        nq->id = sqlite3_column_int64(q, 0);
        nq->name = xstrdup((const char *)sqlite3_column_text(q, 1));
        nq->created_ms = sqlite3_column_int64(q, 2);
        nq->modified_ms = sqlite3_column_int64(q, 3);
        nq->next_seq = sqlite3_column_int64(q, 5);
        RB_INIT(&nq->all);
        RB_INIT(&nq->ready);
        if (attrs == NULL ||
            queue_attrs_parse(&nq->a, attrs, NULL, 1, NULL) != 0) {
            log_error("queue '%s' has unreadable attributes: %s", nq->name,
                      err_last());
            queue_attrs_parse(&nq->a, NULL, NULL, 1, NULL);
        }
        json_decref(attrs);
        RB_INSERT(queue_names, &qs->queues, nq);
        qs->nqueues++;
    }
    if (step != SQLITE_DONE)
        rc = store_error(st);
    store_done(q);
    return rc;
}

/* The trees a bulk build links an entry into. */
#define QIDX_IDS 1   /* q->all, by id */
#define QIDX_RANKS 2 /* q->ready, by rank */

/*
 * Bulk-build a red-black tree from a sorted array in O(n): a balanced
 * tree whose deepest level is red and every other node black (every path
 * then has the same number of black nodes, and no red node a red child).
 * With QIDX_IDS | QIDX_RANKS, an array in the same order by id as by rank
 * (every message visible, as after a run of sends at one priority) gives
 * both trees in one walk.
 */
static struct qmsg *
qidx_build(struct qmsg **a, size_t lo, size_t hi, struct qmsg *parent,
           int depth, int deepest, int trees)
{
    size_t mid;
    struct qmsg *m, *l, *r;
    int color = depth == deepest && depth > 0 ? RB_RED : RB_BLACK;

    if (lo >= hi)
        return NULL;
    mid = lo + (hi - lo) / 2;
    m = a[mid];
    l = qidx_build(a, lo, mid, m, depth + 1, deepest, trees);
    r = qidx_build(a, mid + 1, hi, m, depth + 1, deepest, trees);
    if (trees & QIDX_IDS) {
        RB_PARENT(m, by_id) = parent;
        RB_COLOR(m, by_id) = color;
        RB_LEFT(m, by_id) = l;
        RB_RIGHT(m, by_id) = r;
    }
    if (trees & QIDX_RANKS) {
        RB_PARENT(m, by_rank) = parent;
        RB_COLOR(m, by_rank) = color;
        RB_LEFT(m, by_rank) = l;
        RB_RIGHT(m, by_rank) = r;
    }
    return m;
}

static int
qidx_deepest(size_t n)
{
    int d = 0;

    while (n >>= 1)
        d++;
    return d;
}

static int
qidx_rank_sort(const void *a, const void *b)
{
    return qmsg_rank_cmp(*(struct qmsg *const *)a, *(struct qmsg *const *)b);
}

/* A queue's messages as the load reads them, in row order. */
struct qload_list {
    struct qmsg **v;
    size_t n, cap;
    int unsorted; /* an entry came before one it sorts after */
};

static void
qload_push(struct qload_list *l, struct qmsg *m,
           int (*cmp)(const struct qmsg *, const struct qmsg *))
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
    }
    if (l->n && cmp(l->v[l->n - 1], m) > 0)
        l->unsorted = 1;
    l->v[l->n++] = m;
}

static int
qidx_id_sort(const void *a, const void *b)
{
    return qmsg_id_cmp(*(struct qmsg *const *)a, *(struct qmsg *const *)b);
}

static struct qmsg *
qidx_build_list(const struct qload_list *l, int trees)
{
    return qidx_build(l->v, 0, l->n, NULL, 0, qidx_deepest(l->n), trees);
}

/* Build q's trees from its messages and its visible ones at start-up. */
static void
queue_bulk_index(struct queue *q, struct qload_list *all,
                 struct qload_list *ready)
{
    /* a rowid scan gives id order; sorting is for a scan that did not */
    if (all->unsorted)
        qsort(all->v, all->n, sizeof(*all->v), qidx_id_sort);
    if (ready->unsorted)
        qsort(ready->v, ready->n, sizeof(*ready->v), qidx_rank_sort);
    q->n_all = (uint32_t)all->n;
    if (ready->n == all->n && !all->unsorted && !ready->unsorted) {
        /* the same messages pushed in the same order: the same list */
        RB_ROOT(&q->all) = RB_ROOT(&q->ready) =
            qidx_build_list(all, QIDX_IDS | QIDX_RANKS);
        return;
    }
    RB_ROOT(&q->all) = qidx_build_list(all, QIDX_IDS);
    RB_ROOT(&q->ready) = qidx_build_list(ready, QIDX_RANKS);
}

/* The columns the load reads: id, queue_id, priority, enqueued_ms,
 * visible_ms, dequeue_count, receipt; then, if any queue is FIFO,
 * group_id and seq (two more columns cost a tenth of the scan). */
#define QUEUE_LOAD_ARGS 9
#define QUEUE_LOAD_ARGS_NO_FIFO 7

/* The messages being read into the index at start-up. */
struct queue_loader {
    struct queue **byid; /* the queues, by id */
    uint32_t nq;
    int64_t now;
    struct qload_list *all, *ready; /* per queue, as byid */
};

/* One row of `messages`, into the index: the step of the aggregate
 * function that reads them all. SQLite hands each row's values to it
 * within one sqlite3_step, which costs half what stepping and reading
 * the columns one by one does (bench/README.md). Each entry is counted,
 * listed and put on the deadline heap here, while it is in the cache. */
static void
queue_load_row(sqlite3_context *ctx, int argc, sqlite3_value **v)
{
    struct queue_service *qs = sqlite3_user_data(ctx);
    struct queue_loader *ld = qs->loader;
    struct queue *owner;
    struct qmsg *m;
    uint32_t slot;

    if (ld == NULL || argc < QUEUE_LOAD_ARGS_NO_FIFO) {
        sqlite3_result_error(ctx,
                             ld ? "too few columns for the queue index"
                                : "queues are not being loaded",
                             -1);
        return;
    }
    slot = queue_slot(ld->byid, ld->nq, sqlite3_value_int64(v[1]));
    if (slot == ld->nq)
        return; /* its queue is gone */
    owner = ld->byid[slot];
    if (owner->a.fifo && argc < QUEUE_LOAD_ARGS) {
        sqlite3_result_error(ctx, "a FIFO message read without its group",
                             -1);
        return;
    }
    m = qmsg_new(qs);
    m->id = sqlite3_value_int64(v[0]);
    m->q = owner;
    m->priority = (uint8_t)sqlite3_value_int(v[2]);
    m->rank = owner->a.fifo ? sqlite3_value_int64(v[8])
                            : ((int64_t)m->priority << 56) | m->id;
    m->enqueued_ms = sqlite3_value_int64(v[3]);
    m->visible_ms = sqlite3_value_int64(v[4]);
    m->dequeue_count = (uint32_t)sqlite3_value_int(v[5]);
    if (sqlite3_value_bytes(v[6]) == QUEUE_RECEIPT_BYTES) {
        memcpy(m->receipt, sqlite3_value_blob(v[6]), QUEUE_RECEIPT_BYTES);
        m->has_receipt = 1;
    }
    m->ready = m->visible_ms <= ld->now;
    if (owner->a.fifo)
        queue_group_link(owner, m, (const char *)sqlite3_value_text(v[7]));
    qidx_account(owner, m, 1);
    qload_push(&ld->all[slot], m, qmsg_id_cmp);
    if (m->ready)
        qload_push(&ld->ready[slot], m, qmsg_rank_cmp);
    (void)heap_append(qs, m, qmsg_deadline(m)); /* ordered after the scan */
}

static void
queue_load_end(sqlite3_context *ctx)
{
    struct queue_service *qs = sqlite3_user_data(ctx);

    sqlite3_result_int64(ctx, qs->nheap);
}

static int
queue_load_messages(struct queue_service *qs)
{
    struct store *st = qs->eng->store;
    struct queue_loader ld = {.now = queue_now(qs)};
    sqlite3_stmt *q;
    struct queue *it;
    int rc = 0, step, fifo = 0;

    ld.byid = xcalloc(qs->nqueues ? qs->nqueues : 1, sizeof(*ld.byid));
    RB_FOREACH(it, queue_names, &qs->queues) {
        ld.byid[ld.nq++] = it;
        fifo |= it->a.fifo;
    }
    qsort(ld.byid, ld.nq, sizeof(*ld.byid), queue_by_id_cmp);
    if (!qs->load_fn) {
        if (sqlite3_create_function_v2(
                store_db(st), "flowdeck_queue_load", -1,
                SQLITE_UTF8 | SQLITE_DIRECTONLY, qs, NULL, queue_load_row,
                queue_load_end, NULL) != SQLITE_OK) {
            free(ld.byid);
            return store_error(st);
        }
        qs->load_fn = 1;
    }
    ld.all = xcalloc(ld.nq ? ld.nq : 1, sizeof(*ld.all));
    ld.ready = xcalloc(ld.nq ? ld.nq : 1, sizeof(*ld.ready));
    qs->loader = &ld;
    q = store_stmt(st, fifo ? "SELECT flowdeck_queue_load(id, queue_id, "
                              "priority, enqueued_ms, visible_ms, "
                              "dequeue_count, receipt, group_id, seq) "
                              "FROM messages"
                            : "SELECT flowdeck_queue_load(id, queue_id, "
                              "priority, enqueued_ms, visible_ms, "
                              "dequeue_count, receipt) FROM messages");
    while ((step = sqlite3_step(q)) == SQLITE_ROW)
        ;
    qs->loader = NULL;
    if (step != SQLITE_DONE)
        rc = store_error(st);
    store_done(q);
    for (uint32_t i = 0; i < ld.nq; i++) {
        queue_bulk_index(ld.byid[i], &ld.all[i], &ld.ready[i]);
        free(ld.all[i].v);
        free(ld.ready[i].v);
    }
    /* the deadline heap holds every message: now put it in order */
    for (uint32_t i = qs->nheap / 2; i-- > 0;)
        heap_down(qs, i);
    free(ld.all);
    free(ld.ready);
    free(ld.byid);
    return rc;
}

int
queue_service_load(struct queue_service *qs)
{
    int64_t t0 = timefmt_mono_ms();
    int rc;

    queue_service_clear(qs);
    qs->broken = 0;
    if ((rc = queue_load_queues(qs)) || (rc = queue_load_messages(qs)))
        return rc;
    {
        sqlite3_stmt *q = store_stmt(qs->eng->store, "SELECT "
                                     "coalesce(max(id), 0) + 1 FROM messages");

        qs->next_row = sqlite3_step(q) == SQLITE_ROW
                           ? sqlite3_column_int64(q, 0)
                           : 1;
        store_done(q);
    }
    queue_refresh_dlq_flags(qs);
    log_debug("queues loaded: %u queues, %u messages in %lld ms",
              qs->nqueues, qs->nheap,
              (long long)(timefmt_mono_ms() - t0));
    return 0;
}

int64_t
queue_service_next_due(struct queue_service *qs)
{
    if (qs->any_new)
        return queue_now(qs);
    return qs->nheap ? qs->heap[0].due : INT64_MAX;
}

int64_t
queue_service_next_wait(struct queue_service *qs)
{
    return qs->wait_next;
}

/* One due message: expire it, or make it visible. */
static int
queue_fire(struct queue_service *qs, struct qmsg *m, int64_t now)
{
    struct store *st = qs->eng->store;
    char idbuf[24];
    int rc;

    snprintf(idbuf, sizeof(idbuf), "%lld", (long long)m->id);
    if (m->enqueued_ms + m->q->a.retention_s * 1000 <= now) {
        char *msg_id = NULL;

        rc = queue_store_delete(qs, &m, 1, &msg_id);
        if (rc == 0)
            rc = queue_journal(qs, "message", msg_id, "expired",
                               json_pack("{s:s, s:I}", "queue", m->q->name,
                                         "retention_seconds",
                                         (json_int_t)m->q->a.retention_s));
        free(msg_id);
        if (rc)
            return rc;
        queue_index_remove(qs, m);
        if (m->q->a.fifo)
            queue_mark_new(qs, m->q); /* a group head may have gone */
        qmsg_free(qs, m);
        return 0;
    }
    if (m->dequeue_count > 0) {
        char *msg_id;

        if ((rc = qmsg_public_id(&msg_id, st, m)) == 0)
            rc = queue_journal(
                qs, "message", msg_id, "returned",
                json_pack("{s:s, s:s, s:i}", "queue", m->q->name, "why",
                          "visibility timeout ended", "dequeue_count",
                          (int)m->dequeue_count));
        free(msg_id);
        if (rc)
            return rc;
    }
    queue_index_set_visible(qs, m, m->visible_ms, now);
    return 0;
}

void
queue_service_run(struct queue_service *qs)
{
    int64_t now = queue_now(qs);
    int budget = 4096;

    if (qs->broken) {
        /* a store call failed halfway this turn: trust the store */
        log_warn("queues: reloading the index from the store");
        if (queue_service_load(qs) != 0)
            log_error("queues: reload failed: %s", err_last());
    }
    /* queue_fire frees a message only once queue_index_remove took it off
     * the heap: NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
    while (qs->nheap && qs->heap[0].due <= now && budget-- > 0) {
        struct qmsg *m = qs->heap[0].m;
        int rc = engine_write_begin(qs->eng);

        if (rc == 0) {
            rc = queue_fire(qs, m, now);
            if (engine_write_end(qs->eng, rc == 0) && rc == 0)
                rc = ENG_ERR;
        }
        if (rc) {
            log_error("queues: a due message could not be handled: %s",
                      err_last());
            qs->broken = 1; /* reloaded next turn */
            break;
        }
    }
    if (qs->any_new) {
        struct queue *q;

        qs->any_new = 0;
        RB_FOREACH(q, queue_names, &qs->queues) {
            if (!q->has_new)
                continue;
            q->has_new = 0;
            if (q->wait_head && q->n_ready)
                queue_serve_waiters(qs, q);
        }
    }
    queue_time_out_waiters(qs);
}

json_t *
queue_service_counts(struct queue_service *qs)
{
    json_int_t visible = 0, inflight = 0, delayed = 0, total = 0, dead = 0;
    struct queue *q;

    RB_FOREACH(q, queue_names, &qs->queues) {
        visible += q->n_ready;
        inflight += q->n_inflight;
        delayed += q->n_delayed;
        total += q->n_all;
        if (q->is_dlq)
            dead += q->n_all;
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "queues",
                     (json_int_t)qs->nqueues, "messages", total, "visible",
                     visible, "in_flight", inflight, "delayed", delayed,
                     "dead_letter", dead);
}
