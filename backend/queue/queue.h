/*
 * queue: the one queue service every protocol calls (the engine API now,
 * SQS and MNS adapters later). Semantics of MNS and SQS behind one
 * implementation: priority, delay, visibility, receipt handles, long
 * polling, peek, dequeue counts, dead-letter queues, FIFO groups and
 * de-duplication, retention.
 *
 * Durable state is the `queues` and `messages` tables; the service keeps
 * an in-memory index over them (per queue: every message by id, the
 * visible ones by receive order; one heap of deadlines), rebuilt from
 * the store at start-up. Every operation that changes state runs inside
 * the caller's store change (engine_write_begin/end) and journals what it
 * did (kind "message", id = message id; kind "queue", id = queue name).
 * Engine thread only.
 *
 * Requests and results are JSON objects with snake_case fields (see
 * docs/api.md, "Queues"); every error names the parameter and its range.
 */
#ifndef FLOWDECK_QUEUE_H
#define FLOWDECK_QUEUE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct engine;
struct queue_service;
struct queue_waiter;

#define QUEUE_PARKED 1

#define QUEUE_BATCH_MAX 16
#define QUEUE_WAIT_MAX_S 30
#define QUEUE_RECEIPT_TEXT 32 /* a receipt handle: base64url of 8 + 16 bytes */

/* Returns: a service over the engine's store (nothing loaded yet). */
struct queue_service *queue_service_create(struct engine *eng);
void queue_service_free(struct queue_service *qs);

/*
 * (Re)build the index from the store, answering any waiting receive with
 * no messages first. Returns: 0 or the store error.
 */
int queue_service_load(struct queue_service *qs);

/* Answer every waiting receive with no messages (shutting down). */
void queue_service_shutdown(struct queue_service *qs);

/* Returns: the engine time of the next deadline (a delay or visibility
 * ending, a retention expiry), or INT64_MAX. */
int64_t queue_service_next_due(struct queue_service *qs);

/* Returns: the monotonic time at which a waiting receive times out, or
 * INT64_MAX. */
int64_t queue_service_next_wait(struct queue_service *qs);

/*
 * Do what is due: return messages whose delay or visibility ended, expire
 * old ones, serve waiting receives, time out waits. Opens its own store
 * changes. Call once per engine loop turn, before the commit.
 */
void queue_service_run(struct queue_service *qs);

/* Returns: new {"queues", "messages", "visible", "in_flight", "delayed",
 * "dead_letter"} totals for /v1/info. */
json_t *queue_service_counts(struct queue_service *qs);

/* ---- queues ---- */

/*
 * Create a queue. `attrs` (borrowed; may be NULL) holds delay_seconds,
 * visibility_timeout, retention_seconds, max_message_size, wait_seconds,
 * dead_letter_queue, max_receives, fifo, content_dedup, tags and extra.
 * `tags` (at most 50; keys 1-128 bytes, values up to 256) and `extra`
 * (attributes of a wire protocol the service keeps without interpreting
 * them: at most 64; keys 1-64 bytes, values up to 64 KiB) are objects of
 * strings; on queue_set each merges into what the queue has, a null
 * value removing its key. Creating again with identical attributes is
 * idempotent (*created = 0); tags are not compared.
 * Returns: 0 and the queue in *out; ENG_EINVAL; ENG_EEXISTS when it
 * exists with a different value (named).
 */
int queue_create(json_t **out, int *created, struct queue_service *qs,
                 const char *name, const json_t *attrs);

/* Returns: 0 and the queue (attributes, counts) in *out; ENG_ENOTFOUND. */
int queue_get(json_t **out, struct queue_service *qs, const char *name);

/* Change the given attributes. Returns: 0 and the queue; ENG_EINVAL... */
int queue_set(json_t **out, struct queue_service *qs, const char *name,
              const json_t *attrs);

/* List by name, with a name prefix and paging (cursor: the last name). */
int queue_list(json_t **out, struct queue_service *qs, const char *prefix,
               const char *cursor, int limit);

/* Delete a queue and its messages. Returns: 0 or ENG_ENOTFOUND. */
int queue_delete(struct queue_service *qs, const char *name);

/* Delete every message. Returns: 0 and the count in *out. */
int queue_purge(int64_t *out, struct queue_service *qs, const char *name);

/* ---- messages ---- */

/*
 * Send one message: {"body", "priority" (1 highest .. 16, default 8),
 * "delay_seconds", "attributes" {name: {"type", "value"}}, "group_id",
 * "dedup_id", "system" {name: value}}.
 * Returns: 0 and {"id", "body_md5", "attributes_md5"?, "sequence"?,
 * "duplicate"?} in *out; ENG_EINVAL naming the field.
 */
int queue_send(json_t **out, struct queue_service *qs, const char *name,
               const json_t *msg);

/*
 * Send up to QUEUE_BATCH_MAX entries, each a message with an "id" unique
 * in the batch. Whole-batch problems (empty, too many, bad or repeated
 * ids) fail it all with ENG_EINVAL; an entry's own problem fails only
 * that entry. Returns: 0 and {"successful": [...], "failed": [{"id",
 * "code", "message"}]}.
 */
int queue_send_batch(json_t **out, struct queue_service *qs,
                     const char *name, const json_t *entries);

struct queue_recv {
    int max;               /* 1..QUEUE_BATCH_MAX */
    int64_t visibility_ms; /* < 0: the queue's */
    int64_t wait_ms;       /* < 0: the queue's; at most 30 s */
};

/*
 * A received message: its row, read once. The strings end in NUL and
 * live in `mem`; body, group_id, dedup_id, source, attributes and system
 * may be NULL (attributes and system are JSON text).
 */
struct queue_msg {
    const char *id, *body, *md5, *group_id, *dedup_id, *source;
    const char *attributes, *system;
    size_t id_len, body_len, md5_len;
    int64_t priority, dequeue_count;
    int64_t enqueued_ms, visible_ms;
    int64_t first_dequeue_ms; /* < 0: never received */
    int64_t sequence;         /* < 0: none (not FIFO) */
    char receipt[QUEUE_RECEIPT_TEXT + 1];
    char *mem;
};

/* The messages one receive hands out, in order. */
struct queue_msgs {
    int n;
    struct queue_msg v[QUEUE_BATCH_MAX];
};

void queue_msgs_free(struct queue_msgs *ms);

/* Returns: the messages as a JSON array of objects (docs/api.md,
 * "Receive"), a new reference. */
json_t *queue_msgs_json(const struct queue_msgs *ms);
/* queue_msgs_json(ms), freeing ms (which may be NULL). */
json_t *queue_msgs_to_json(struct queue_msgs *ms);

/* Append the text of queue_msgs_json(ms), byte for byte, to b, without
 * building the tree: the engine API's receive answers with it. */
void queue_msgs_write(struct buf *b, const struct queue_msgs *ms);

/* Called once with the messages of a waiting receive (maybe none; the
 * callee frees them) from inside a store change. */
typedef void (*queue_wait_fn)(struct queue_msgs *messages, void *arg);

/*
 * Receive: higher priority first, then enqueue order (FIFO: group order
 * and locks). Each message gets a fresh receipt handle, its dequeue count
 * goes up and its first-dequeue time is set once; one that would exceed
 * the dead-letter rule's max receives moves to the dead-letter queue
 * instead. With nothing to give and a wait, registers a waiter: returns
 * QUEUE_PARKED and *waiter; `done` is called later exactly once (unless
 * the waiter is cancelled first).
 * Returns: 0 and the messages in *out (the caller frees them),
 * QUEUE_PARKED, or an error.
 */
int queue_receive(struct queue_msgs **out, struct queue_waiter **waiter,
                  struct queue_service *qs, const char *name,
                  const struct queue_recv *r, queue_wait_fn done, void *arg);

/* Forget a waiter (its request went away); `done` will not be called. */
void queue_waiter_cancel(struct queue_waiter *w);

/*
 * Delete by receipt handle. Returns: 0; ENG_EINVAL (malformed handle,
 * code ReceiptHandleInvalid); ENG_EGONE (a later receive made it stale,
 * or the message is gone: ReceiptHandleStale).
 */
int queue_delete_msg(struct queue_service *qs, const char *name,
                     const char *receipt);

/* Delete up to QUEUE_BATCH_MAX handles. Returns: 0 and {"deleted": n,
 * "failed": [{"receipt", "code", "message"}]}. */
int queue_delete_batch(json_t **out, struct queue_service *qs,
                       const char *name, const json_t *receipts);

/*
 * Make a received message invisible for `seconds` from now (0..43200).
 * Returns: 0 and {"receipt" (the same handle, still valid: SQS keeps
 * it; see queue_renew_receipt for MNS), "next_visible"}; errors as
 * queue_delete_msg.
 */
int queue_change_visibility(json_t **out, struct queue_service *qs,
                            const char *name, const char *receipt,
                            int64_t seconds);

/*
 * Give a received message a new receipt handle, as MNS's
 * ChangeMessageVisibility answers with one: `receipt` goes stale, nothing
 * else changes. Returns: 0 and the new handle in *out (the caller frees
 * it); errors as queue_delete_msg.
 */
int queue_renew_receipt(char **out, struct queue_service *qs,
                        const char *name, const char *receipt);

/*
 * Browse without consuming: messages in enqueue order, filtered by state
 * ("visible", "in_flight", "delayed", "all"; NULL: all). A page is the
 * `limit` messages after the cursor `after` (0: from the start), or, when
 * `before` > 0, the `limit` messages just before the cursor `before`
 * (INT64_MAX: the last page). Changes nothing. Returns: 0 and
 * {"items": [...], "self", "next"?, "prev"?}: `self` fetches this page
 * again as `after`, `next` the following page as `after`, `prev` the
 * preceding page as `before`; each is absent when there is no such page.
 */
int queue_peek(json_t **out, struct queue_service *qs, const char *name,
               const char *state, int64_t after, int64_t before, int limit);

/* One message by id, every system field. Returns: 0 or ENG_ENOTFOUND. */
int queue_get_msg(json_t **out, struct queue_service *qs, const char *name,
                  const char *id);

/* Delete one message by id (browsing, not consuming). */
int queue_remove_msg(struct queue_service *qs, const char *name,
                     const char *id);

/*
 * Move messages out of a dead-letter queue: those in `ids` (NULL: all)
 * back to the queue each came from, or all to `to`; dequeue counts reset.
 * Returns: 0 and {"moved": n, "failed": [...]}.
 */
int queue_redrive(json_t **out, struct queue_service *qs, const char *name,
                  const json_t *ids, const char *to);

#endif
