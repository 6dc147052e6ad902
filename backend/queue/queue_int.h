/*
 * queue_int: the queue service's in-memory index, shared by its files
 * (queue.c: life cycle, deadlines, waiters; queue_admin.c: queues;
 * queue_msg.c: messages). Nothing outside backend/queue includes it.
 */
#ifndef FLOWDECK_QUEUE_INT_H
#define FLOWDECK_QUEUE_INT_H

#include "queue/queue.h"

#include <bsd/sys/tree.h>
#include <stdint.h>

#define QUEUE_RECEIPT_BYTES 16
#define QUEUE_NO_HEAP UINT32_MAX
#define QUEUE_PRIORITY_DEFAULT 8
#define QUEUE_DEDUP_WINDOW_MS (5 * 60 * 1000)

struct queue;
struct qgroup;

/* One message, as the index knows it; its body lives in the store. */
struct qmsg {
    int64_t id;          /* the row id: enqueue order */
    int64_t rank;        /* receive order: (priority, id); FIFO: its
                          * sequence number, renewed when it moves in */
    int64_t enqueued_ms;
    int64_t visible_ms; /* invisible until then */
    struct queue *q;
    struct qgroup *group;      /* FIFO only */
    struct qmsg *gprev, *gnext; /* the group's messages in rank order */
    RB_ENTRY(qmsg) by_id;      /* q->all */
    RB_ENTRY(qmsg) by_rank;    /* q->ready, while visible */
    uint64_t id_rand; /* its public id's random half, once sent or
                       * received in this run; 0: read the row */
    uint32_t heap_idx;
    uint32_t dequeue_count;
    uint8_t priority;
    uint8_t ready;             /* visible now */
    uint8_t has_receipt;
    uint8_t receipt[QUEUE_RECEIPT_BYTES];
};

/* An entry of the deadline heap: its key is kept beside the message, so
 * sifting reads the array, not a message per level. */
struct qheap_ent {
    int64_t due;
    struct qmsg *m;
};

RB_HEAD(qmsg_ids, qmsg);
RB_HEAD(qmsg_ranks, qmsg);

struct qgroup {
    char *name;
    struct qmsg *head, *tail;
    struct qgroup *next; /* hash chain */
};

struct queue_attrs {
    int64_t delay_s;
    int64_t visibility_s;
    int64_t retention_s;
    int64_t max_size;
    int64_t wait_s;
    char *dlq;           /* NULL: none */
    int64_t max_receives;
    int fifo;
    int content_dedup;
    json_t *tags;  /* string -> string; NULL: none */
    json_t *extra; /* protocol attributes kept verbatim; NULL: none */
};

struct queue_waiter {
    struct queue *q;
    struct queue_waiter *prev, *next; /* the queue's waiters, oldest first */
    int max;
    int64_t visibility_ms;
    int64_t deadline;                 /* monotonic ms */
    queue_wait_fn done;
    void *arg;
};

struct queue {
    int64_t id;
    char *name;
    int64_t created_ms, modified_ms;
    int64_t next_seq;
    struct queue_attrs a;
    struct qmsg_ids all;
    struct qmsg_ranks ready;
    uint32_t n_all, n_ready, n_delayed, n_inflight;
    struct queue_waiter *wait_head, *wait_tail;
    struct qgroup **groups; /* FIFO: hash of groups */
    uint32_t ngroup_buckets;
    int has_new;            /* messages turned visible: serve waiters */
    int is_dlq;             /* some queue names this one as dead-letter */
    RB_ENTRY(queue) by_name;
};

RB_HEAD(queue_names, queue);

struct queue_service {
    struct engine *eng;
    struct queue_names queues;
    uint32_t nqueues;
    struct qheap_ent *heap; /* deadlines, earliest first */
    uint32_t nheap, heap_cap;
    struct qslab *slabs;      /* where every struct qmsg lives */
    struct qslab_free *spare; /* freed entries, for the next ones */
    int64_t wait_next;  /* cached earliest waiter deadline */
    int any_new;        /* some queue has_new */
    int64_t next_row;   /* the id of the next message row */
    int broken;         /* a store call failed halfway: reload */
    int load_fn;        /* flowdeck_queue_load is registered */
    struct queue_loader *loader; /* the load under way, if any */
};

/* index entries (queue.c): zeroed; freed ones are kept for reuse, and
 * poisoned in a build with AddressSanitizer (QUEUE_ASAN) */
#if defined(__SANITIZE_ADDRESS__)
#define QUEUE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define QUEUE_ASAN 1
#endif
#endif
struct qslab {
    struct qslab *next;
    size_t used; /* entries handed out from this slab, never given back */
};

struct qslab_free {
    struct qslab_free *next;
};

struct qmsg *qmsg_new(struct queue_service *qs);
void qmsg_free(struct queue_service *qs, struct qmsg *m);

/* trees (queue.c) */
int qmsg_id_cmp(const struct qmsg *a, const struct qmsg *b);
int qmsg_rank_cmp(const struct qmsg *a, const struct qmsg *b);
int queue_name_cmp(const struct queue *a, const struct queue *b);
RB_PROTOTYPE(qmsg_ids, qmsg, by_id, qmsg_id_cmp)
RB_PROTOTYPE(qmsg_ranks, qmsg, by_rank, qmsg_rank_cmp)
RB_PROTOTYPE(queue_names, queue, by_name, queue_name_cmp)

/* queue.c: the index */
struct queue *queue_find(struct queue_service *qs, const char *name);
/* Returns: the queue, or ENG_ENOTFOUND set and NULL. */
struct queue *queue_lookup(struct queue_service *qs, const char *name);
void queue_index_add(struct queue_service *qs, struct qmsg *m);
void queue_index_remove(struct queue_service *qs, struct qmsg *m);
/* Change a message's visibility time (and readiness). */
void queue_index_set_visible(struct queue_service *qs, struct qmsg *m,
                             int64_t visible_ms, int64_t now);
/* Set visibility time and dequeue count together (a receive). */
void queue_index_update(struct queue_service *qs, struct qmsg *m,
                        int64_t visible_ms, uint32_t dequeue_count,
                        int64_t now);
/* Recompute a queue's messages' deadlines (retention changed). */
void queue_index_requeue(struct queue_service *qs, struct queue *q);
struct qmsg *queue_index_find(struct queue *q, int64_t id);
void queue_free_msgs(struct queue_service *qs, struct queue *q);
/* Forget w and call its `done` with got (which it then owns). */
void queue_waiter_answer(struct queue_waiter *w, struct queue_msgs *got);
/* Answer every waiter of q with no messages. */
void queue_release_waiters(struct queue *q);
void queue_free_one(struct queue *q);
void queue_mark_new(struct queue_service *qs, struct queue *q);
/* A receive parked until `deadline` (monotonic ms). */
void queue_note_waiter(struct queue_service *qs, int64_t deadline);
int64_t queue_now(struct queue_service *qs);
/* head "?1, ..., ?n" tail, for a statement on n (1..QUEUE_BATCH_MAX) ids,
 * built once per n in cache[n]: store_stmt finds it by its address. */
const char *queue_sql_ids(char **cache, int n, const char *head,
                          const char *tail);
#define QMSG_ID_LEN 33 /* "%016" PRIX64 "-%016" PRIX64: row, random half */
/* A message's public id into out (QMSG_ID_LEN + 1 bytes). */
void qmsg_id_text(char *out, int64_t row, uint64_t rand_half);
/* Delete the rows of n (1..QUEUE_BATCH_MAX) distinct messages; their
 * public ids in msg_ids[0..n-1], in the order of ms (the caller frees
 * them). Returns: 0 or the store error (no ids). */
int queue_store_delete(struct queue_service *qs, struct qmsg *const *ms,
                       int n, char **msg_ids);
int queue_journal(struct queue_service *qs, const char *kind,
                  const char *id, const char *type, json_t *detail);

/* queue_admin.c */
json_t *queue_to_json(struct queue_service *qs, struct queue *q);
json_t *queue_attrs_to_json(const struct queue_attrs *a);
int queue_attrs_parse(struct queue_attrs *a, const json_t *j,
                      const struct queue_attrs *base, int creating,
                      const char *name);
void queue_attrs_clear(struct queue_attrs *a);
void queue_refresh_dlq_flags(struct queue_service *qs);

/* queue_msg.c */
void queue_serve_waiters(struct queue_service *qs, struct queue *q);
int queue_move_to(struct queue_service *qs, struct qmsg *m, struct queue *to,
                  const char *why, int reset_count);
void queue_group_link(struct queue *q, struct qmsg *m, const char *group);
void queue_group_unlink(struct queue *q, struct qmsg *m);

#endif
