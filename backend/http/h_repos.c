/*
 * h_repos: /v1/templates/repos — git repositories of templates: add
 * (clones in the background: 202), list, get, update (fetch and
 * fast-forward in the background: 202) and remove.
 */
#include "http/handlers.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "core/engine.h"
#include "tmpl/tmpl_repo.h"

static struct tmpl_repos *
h_repos(struct http_req *req)
{
    return req->eng->repos;
}

int
h_repos_list(struct http_req *req, struct http_resp *resp)
{
    json_t *items;
    int rc = tmpl_repo_list(&items, h_repos(req));

    if (rc)
        return rc;
    return http_reply_json_new(resp, 200, json_pack("{s:o}", "items", items));
}

int
h_repos_add(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {"url", "ref", "name", NULL};
    const char *url = NULL, *ref = NULL, *name = NULL;
    json_t *out;
    int rc;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = jsonx_get_str(&url, req->json, "url", 1)) ||
        (rc = jsonx_get_str(&ref, req->json, "ref", 0)) ||
        (rc = jsonx_get_str(&name, req->json, "name", 0)) ||
        (rc = tmpl_repo_add(&out, h_repos(req), url, ref, name)))
        return rc;
    return http_reply_json_new(resp, 202, out);
}

int
h_repos_get(struct http_req *req, struct http_resp *resp)
{
    json_t *out;
    int rc = tmpl_repo_get(&out, h_repos(req), req->params[0]);

    return rc ? rc : http_reply_json_new(resp, 200, out);
}

int
h_repos_remove(struct http_req *req, struct http_resp *resp)
{
    int rc = tmpl_repo_remove(h_repos(req), req->params[0]);

    return rc ? rc : http_reply_empty(resp, 204);
}

int
h_repos_update(struct http_req *req, struct http_resp *resp)
{
    static const char *const keys[] = {NULL};
    json_t *out;
    int rc;

    if ((rc = jsonx_check_keys(req->json, keys)) ||
        (rc = tmpl_repo_update(&out, h_repos(req), req->params[0])))
        return rc;
    return http_reply_json_new(resp, 202, out);
}
