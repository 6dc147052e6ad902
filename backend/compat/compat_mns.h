/*
 * compat_mns: what the MNS adapter's files share — the decoded request
 * (path segments, query arguments by case-insensitive name, the XML
 * body), the reply and error writers, and the operations each file
 * serves. Not for outside backend/compat.
 */
#ifndef FLOWDECK_COMPAT_MNS_H
#define FLOWDECK_COMPAT_MNS_H

#include "compat/compat_int.h"
#include "compat/compat_mns_xml.h"

#include <stdint.h>

#define MNS_NS "http://mns.aliyuncs.com/doc/v1/"
#define MNS_VERSION "2015-06-06"
#define MNS_BATCH_MAX 16
#define MNS_BATCH_BYTES 65536

/* One MNS request on its way through the adapter. */
struct mns_req {
    struct compat_call *c;
    const char *seg[4]; /* the names in the path: queue or topic, sub */
    json_t *query;      /* every query argument, as sent (names kept) */
    char *host;         /* "http://HOST": URLs and HostId */
};

typedef int (*mns_fn)(struct mns_req *r, struct http_resp *resp);

/* Returns: borrowed query argument `name`, matched case-insensitively,
 * or NULL. */
const char *compat_mns_query(const struct mns_req *r, const char *name);

/*
 * Parse the body as XML whose root is `root` (or `alt`, may be NULL).
 * Returns: 0 and the tree in *out (the caller frees it); ENG_EINVAL
 * (MalformedXML) naming the problem.
 */
int compat_mns_body(struct mns_xml **out, const struct mns_req *r,
                    const char *root, const char *alt);

/* A queue, topic or subscription name ("queue", ...): letters, digits
 * and '-', starting with a letter or digit, at most 256. Returns: 0, or
 * ENG_EINVAL under code `invalid` or (too long) `length`. */
int compat_mns_name_ok(const char *name, const char *what,
                       const char *invalid, const char *length);

/*
 * An integer `text` (spaces around it allowed) of field `what` in
 * [min, max]. Returns: 0, or ENG_EINVAL (InvalidArgument) naming it.
 */
int compat_mns_int(int64_t *out, const char *text, const char *what,
                   int64_t min, int64_t max);

/* A boolean in any case ("true", "True", "1", "false", ...).
 * Returns: 0, or ENG_EINVAL (InvalidArgument). */
int compat_mns_bool(int *out, const char *text, const char *what);

/* The list headers: x-mns-prefix, x-mns-marker, x-mns-ret-number
 * (1..1000; default 1000), x-mns-with-meta. Returns: 0 or ENG_EINVAL. */
int compat_mns_list_args(const struct mns_req *r, const char **prefix,
                         const char **marker, int *limit, int *meta);

/* Start a response document: the XML declaration and <root xmlns=...>. */
void compat_mns_open(struct buf *b, const char *root);

/* <name>n</name> */
void compat_mns_int_elem(struct buf *b, const char *name, int64_t n);

/* Returns: ms since the epoch of an RFC 3339 time in j (a string), or 0. */
int64_t compat_mns_ms(const json_t *j);

/* Reply with b's XML (b may be NULL: no body) and the MNS headers. */
void compat_mns_reply(struct mns_req *r, struct http_resp *resp, int status,
                      struct buf *b);

/* As compat_mns_reply, adding a Location header of host + path. */
void compat_mns_reply_at(struct mns_req *r, struct http_resp *resp, int status,
                         const char *path);

/* Fill resp with the error XML for rc and err_last(). Returns: rc. */
int compat_mns_fail(struct mns_req *r, struct http_resp *resp, int rc);

/* The error XML as a standalone response (a parked receive's answer). */
void compat_mns_error_resp(struct http_resp *resp, const char *request_id,
                           const char *host, int rc);

/* compat_mns_msg.c: messages of a queue */
int compat_mns_msg_send(struct mns_req *r, struct http_resp *resp);
int compat_mns_msg_receive(struct mns_req *r, struct http_resp *resp);
int compat_mns_msg_delete(struct mns_req *r, struct http_resp *resp);
int compat_mns_msg_visibility(struct mns_req *r, struct http_resp *resp);

/* compat_mns_topic.c: topics, subscriptions, publish */
int compat_mns_topic_list(struct mns_req *r, struct http_resp *resp);
int compat_mns_topic_put(struct mns_req *r, struct http_resp *resp);
int compat_mns_topic_get(struct mns_req *r, struct http_resp *resp);
int compat_mns_topic_delete(struct mns_req *r, struct http_resp *resp);
int compat_mns_sub_list(struct mns_req *r, struct http_resp *resp);
int compat_mns_sub_put(struct mns_req *r, struct http_resp *resp);
int compat_mns_sub_get(struct mns_req *r, struct http_resp *resp);
int compat_mns_sub_delete(struct mns_req *r, struct http_resp *resp);
int compat_mns_publish(struct mns_req *r, struct http_resp *resp);

#endif
