/*
 * h_journal: read the journal per entity or per kind.
 */
#include "http/handlers.h"

#include "common/err.h"
#include "core/engine.h"
#include "core/journal.h"

#include <stdlib.h>
#include <string.h>

int
h_journal_list(struct http_req *req, struct http_resp *resp)
{
    struct journal_query q;
    const char *order = http_req_query(req, "order");
    int64_t limit;
    json_t *out;
    int rc;

    memset(&q, 0, sizeof(q));
    q.kind = http_req_query(req, "kind");
    q.entity = http_req_query(req, "id");
    q.type = http_req_query(req, "type");
    if ((rc = http_req_query_int(&limit, req, "limit", 50, 1, 1000)))
        return rc;
    q.limit = (int)limit;
    q.ascending = q.entity != NULL;
    if (order && strcmp(order, "asc") == 0)
        q.ascending = 1;
    else if (order && strcmp(order, "desc") == 0)
        q.ascending = 0;
    else if (order)
        return err_set(ENG_EINVAL, "parameter 'order' must be asc or desc");
    if ((rc = http_req_query_cursor(&q.after, req, "cursor")) ||
        (rc = journal_list(&out, req->eng->store, &q)))
        return rc;
    return http_reply_json_new(resp, 200, out);
}
