/*
 * compat: which protocol a request speaks, the store change around each
 * call, and the helpers every adapter uses (form decoding, XML text,
 * URLs, replies).
 */
#include "compat/compat_int.h"
#include "compat/compat_sig.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/rand.h"
#include "common/xalloc.h"
#include "core/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    compat_fn fn;
    compat_error_fn error;
} compat_protos[] = {
    [COMPAT_SQS_QUERY] = {compat_sqs_query, compat_sqs_query_error},
    [COMPAT_SQS_JSON] = {compat_sqs_json, compat_sqs_json_error},
    [COMPAT_SQS_PEEK] = {compat_sqs_peek, compat_sqs_json_error},
    [COMPAT_SNS] = {compat_sns, compat_sns_error},
    [COMPAT_MNS] = {compat_mns, compat_mns_error},
    [COMPAT_FNF] = {compat_fnf, compat_fnf_error},
};

static int
compat_load_keys(json_t **out, const char *path)
{
    json_error_t jerr;
    json_t *keys = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    const char *id;
    json_t *v;

    *out = NULL;
    if (keys == NULL)
        return err_set(ENG_EINVAL, "access keys %s:%d:%d: %s", path,
                       jerr.line, jerr.column, jerr.text);
    if (!json_is_object(keys)) {
        json_decref(keys);
        return err_set(ENG_EINVAL,
                       "access keys %s: must be an object of key id -> "
                       "secret",
                       path);
    }
    json_object_foreach(keys, id, v) {
        if (!json_is_string(v) || *id == '\0') {
            err_set(ENG_EINVAL,
                    "access keys %s: the secret of '%s' must be a string",
                    path, id);
            json_decref(keys); /* owns id */
            return ENG_EINVAL;
        }
    }
    *out = keys;
    return 0;
}

/* Returns: 1 when s is 1-64 of [A-Za-z0-9-]. */
static int
compat_name_ok(const char *s)
{
    size_t n = strlen(s);

    return n >= 1 && n <= 64 && compat_chars_ok(s, n, "-");
}

int
compat_create(struct compat **out, struct engine *eng,
              const struct compat_config *cfg)
{
    struct compat *cp = xcalloc(1, sizeof(*cp));
    int rc;

    *out = NULL;
    cp->eng = eng;
    cp->aws_account = xstrdup(cfg && cfg->aws_account ? cfg->aws_account
                                                      : "000000000000");
    cp->aws_region = xstrdup(cfg && cfg->aws_region ? cfg->aws_region
                                                    : "us-east-1");
    cp->ali_account = xstrdup(cfg && cfg->ali_account ? cfg->ali_account
                                                      : "1234567890123456");
    cp->ali_region = xstrdup(cfg && cfg->ali_region ? cfg->ali_region
                                                    : "cn-hangzhou");
    cp->verify = cfg ? cfg->verify_signatures : 0;
    if (strlen(cp->aws_account) != 12 ||
        strspn(cp->aws_account, "0123456789") != 12) {
        compat_free(cp);
        return err_set(ENG_EINVAL, "the AWS account must be 12 digits");
    }
    if (!compat_name_ok(cp->aws_region) || !compat_name_ok(cp->ali_region) ||
        !compat_name_ok(cp->ali_account)) {
        compat_free(cp);
        return err_set(ENG_EINVAL,
                       "accounts and regions may hold only letters, digits "
                       "and '-', 1 to 64 of them");
    }
    if (cfg && cfg->keys_file &&
        (rc = compat_load_keys(&cp->keys, cfg->keys_file))) {
        compat_free(cp);
        return rc;
    }
    if (cp->verify && cp->keys == NULL) {
        compat_free(cp);
        return err_set(ENG_EINVAL,
                       "verifying signatures needs an access key table");
    }
    *out = cp;
    return 0;
}

void
compat_free(struct compat *cp)
{
    if (cp == NULL)
        return;
    free(cp->aws_account);
    free(cp->aws_region);
    free(cp->ali_account);
    free(cp->ali_region);
    json_decref(cp->keys);
    free(cp);
}

/* ---- which protocol ---- */

static int
compat_prefix(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);

    return strncmp(path, prefix, n) == 0 &&
           (path[n] == '\0' || path[n] == '/' || path[n] == '?');
}

/* The service of a SigV4 credential scope: ".../REGION/SERVICE/aws4_request". */
static int
compat_scope_is(const char *auth, const char *service)
{
    char want[32];

    if (auth == NULL || strncmp(auth, "AWS4-HMAC-SHA256", 16) != 0)
        return 0;
    snprintf(want, sizeof(want), "/%s/aws4_request", service);
    return strstr(auth, want) != NULL;
}

/* "/123456789012/name": the queue-URL path old query clients post to. */
static int
compat_queue_path(const char *path)
{
    const char *p = path + 1, *slash = strchr(p, '/');

    if (path[0] != '/' || slash == NULL || slash == p ||
        strchr(slash + 1, '/') || slash[1] == '\0')
        return 0;
    for (; p < slash; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

enum compat_proto
compat_detect(const struct http_req *req, const json_t *params)
{
    const char *path = req->path, *target, *version, *auth;

    if (compat_prefix(path, "/v1") || strcmp(path, "/healthz") == 0)
        return COMPAT_NONE;
    if (strcmp(path, "/_aws/sqs/messages") == 0)
        return COMPAT_SQS_PEEK;
    target = http_req_header(req, "X-Amz-Target");
    if (target)
        return strncmp(target, "AmazonSQS.", 10) == 0 ? COMPAT_SQS_JSON
                                                      : COMPAT_NONE;
    if (http_req_header(req, "x-mns-version") ||
        compat_prefix(path, "/queues") || compat_prefix(path, "/topics"))
        return COMPAT_MNS;
    version = params ? json_string_value(json_object_get(params, "Version"))
                     : NULL;
    if (version == NULL)
        version = http_req_header(req, "x-acs-version");
    if (version && strcmp(version, "2019-03-15") == 0)
        return COMPAT_FNF;
    if (version && strcmp(version, "2010-03-31") == 0)
        return COMPAT_SNS;
    if (version && strcmp(version, "2012-11-05") == 0)
        return COMPAT_SQS_QUERY;
    auth = http_req_header(req, "Authorization");
    if (compat_scope_is(auth, "sns"))
        return COMPAT_SNS;
    if (compat_scope_is(auth, "sqs"))
        return COMPAT_SQS_QUERY;
    if (params && json_object_get(params, "Action") &&
        (strcmp(path, "/") == 0 || compat_queue_path(path)))
        return COMPAT_SQS_QUERY;
    return COMPAT_NONE;
}

/* Query arguments, and a form body over them. Returns: 0 or ENG_EINVAL. */
static int
compat_params(json_t **out, const struct http_req *req)
{
    const char *ctype = http_req_header(req, "Content-Type");
    json_t *p = http_req_values(req, 0);
    int rc = 0;

    if (req->body_len && ctype &&
        strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0)
        rc = compat_form_parse(p, req->body, req->body_len);
    *out = p;
    return rc;
}

/* A call on req: its query and form parameters where its protocol has
 * them, and its action. Returns: 0, or the form's refusal. */
static int
compat_call_init(struct compat_call *c, struct compat *cp,
                 struct http_req *req)
{
    int rc = 0;

    memset(c, 0, sizeof(*c));
    c->cp = cp;
    c->req = req;
    if (!compat_prefix(req->path, "/v1") &&
        strcmp(req->path, "/healthz") != 0 &&
        http_req_header(req, "X-Amz-Target") == NULL &&
        http_req_header(req, "x-mns-version") == NULL &&
        !compat_prefix(req->path, "/queues") &&
        !compat_prefix(req->path, "/topics"))
        rc = compat_params(&c->params, req);
    if (c->params) {
        c->action = json_string_value(json_object_get(c->params, "Action"));
        if (c->action == NULL)
            c->action = http_req_header(req, "x-acs-action");
    }
    return rc;
}

/* What a held or parked call's error answer needs that its request does
 * not keep. */
struct compat_late {
    struct compat *cp;
    enum compat_proto proto;
    char request_id[37];
};

/* A held or parked call's error answer (its commit failed, or the engine
 * stops), in its protocol's shape, under the request id it was given. */
static void
compat_late_error(struct http_req *req, struct http_resp *resp, int rc,
                  void *arg)
{
    const struct compat_late *late = arg;
    const char *name = err_last_name();
    char msg[512];
    struct compat_call c;

    snprintf(msg, sizeof(msg), "%s", err_last());
    (void)compat_call_init(&c, late->cp, req); /* parsed once already */
    c.proto = late->proto;
    memcpy(c.request_id, late->request_id, sizeof(c.request_id));
    err_setn(rc, name, "%s", msg);
    compat_protos[c.proto].error(&c, resp, rc);
    json_decref(c.params);
}

int
compat_dispatch(struct compat *cp, struct http_req *req,
                struct http_resp *resp)
{
    struct engine *eng = req->eng;
    struct compat_call c;
    struct compat_late *late;
    int form_rc, rc, end;

    form_rc = compat_call_init(&c, cp, req);
    c.proto = compat_detect(req, c.params);
    if (c.proto == COMPAT_NONE) {
        json_decref(c.params);
        return ENG_ENOTFOUND;
    }
    rand_uuid(c.request_id);
    if (form_rc) {
        compat_protos[c.proto].error(&c, resp, form_rc);
        rc = HTTP_DONE;
        /* the same refusal as a failed engine_write_begin below, for
         * another cause: NOLINTNEXTLINE(bugprone-branch-clone) */
    } else if (cp->verify && (rc = compat_sig_verify(&c))) {
        compat_protos[c.proto].error(&c, resp, rc);
        rc = HTTP_DONE;
    } else if (eng->auth_token && !cp->verify) {
        compat_protos[c.proto].error(
            &c, resp,
            err_set(ENG_EAUTH, "this engine requires an API token; the wire "
                               "protocols need --verify-signatures with an "
                               "access key table"));
        rc = HTTP_DONE;
    } else if (engine_stopping(eng)) {
        compat_protos[c.proto].error(
            &c, resp, err_set(ENG_EUNAVAIL, "the engine is shutting down"));
        rc = HTTP_DONE;
    } else if ((rc = engine_write_begin(eng))) {
        compat_protos[c.proto].error(&c, resp, rc);
        rc = HTTP_DONE;
    } else {
        rc = compat_protos[c.proto].fn(&c, resp);
        end = engine_write_end(eng, rc >= 0);
        if (rc < 0) {
            rc = HTTP_DONE; /* resp holds the adapter's refusal */
        } else if (end) {
            http_resp_clear(resp);
            compat_protos[c.proto].error(&c, resp, end);
            rc = HTTP_DONE;
        } else {
            rc = rc == HTTP_PARKED ? HTTP_PARKED : HTTP_HOLD;
            late = xmalloc(sizeof(*late));
            late->cp = cp;
            late->proto = c.proto;
            memcpy(late->request_id, c.request_id, sizeof(late->request_id));
            http_req_set_error(req, compat_late_error, late);
        }
    }
    json_decref(c.params);
    return rc;
}

/* ---- helpers ---- */

int
compat_hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

int
compat_chars_ok(const char *s, size_t n, const char *extra)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || (ch && strchr(extra, ch))))
            return 0;
    }
    return 1;
}

/* Percent-decode s[0..n) ('+' is a space) into b. Returns: 0, or -1 on a
 * bad escape. */
static int
compat_unescape(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];

        if (ch == '+') {
            ch = ' ';
        } else if (ch == '%') {
            int hi = i + 2 < n ? compat_hexval((unsigned char)s[i + 1]) : -1;
            int lo = i + 2 < n ? compat_hexval((unsigned char)s[i + 2]) : -1;

            if (hi < 0 || lo < 0)
                return -1;
            ch = (char)(hi << 4 | lo);
            i += 2;
        }
        buf_append(b, &ch, 1);
    }
    return 0;
}

int
compat_form_parse(json_t *into, const char *text, size_t len)
{
    struct buf key = BUF_INIT(0), val = BUF_INIT(0);
    const char *p = text, *end = text + len;
    int rc = 0;

    while (p < end && rc == 0) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        const char *kend = eq ? eq : stop;
        json_t *v;

        buf_reset(&key);
        buf_reset(&val);
        if (kend > p) {
            if (compat_unescape(&key, p, (size_t)(kend - p)) ||
                (eq && compat_unescape(&val, eq + 1, (size_t)(stop - eq - 1)))) {
                rc = err_set(ENG_EINVAL,
                             "the form body has a malformed %%-escape near "
                             "byte %zu",
                             (size_t)(p - text));
                break;
            }
            v = json_stringn(buf_str(&val), val.len);
            if (v && memchr(buf_str(&key), '\0', key.len)) {
                json_decref(v);
                v = NULL;
            }
            /* json_object_setn_new takes v even when it fails (a key that
             * is not UTF-8) */
            if (v == NULL ||
                json_object_setn_new(into, buf_str(&key), key.len, v)) {
                rc = err_set(ENG_EINVAL,
                             "form parameter '%.64s' is not valid UTF-8",
                             buf_str(&key));
            }
        }
        p = stop + 1;
    }
    buf_free(&key);
    buf_free(&val);
    return rc;
}

const char *
compat_param(const struct compat_call *c, const char *key)
{
    return c->params ? json_string_value(json_object_get(c->params, key))
                     : NULL;
}

char *
compat_base_url(const struct compat_call *c)
{
    const char *host = http_req_header(c->req, "Host");

    if (host && *host && strlen(host) < 256 &&
        compat_chars_ok(host, strlen(host), ".-:[]_"))
        return xasprintf("http://%s", host);
    return xasprintf("http://%s", c->cp->eng->listen);
}

char *
compat_aws_arn(const struct compat *cp, const char *service, const char *name)
{
    return xasprintf("arn:aws:%s:%s:%s:%s", service, cp->aws_region,
                     cp->aws_account, name);
}

const char *
compat_arn_name(const char *arn, const char *service)
{
    size_t n = strlen(service);
    const char *p;

    if (arn == NULL || strncmp(arn, "arn:aws:", 8) != 0 ||
        strncmp(arn + 8, service, n) != 0 || arn[8 + n] != ':')
        return NULL;
    p = arn + 8 + n + 1;                     /* region:account:name */
    if ((p = strchr(p, ':')) == NULL ||      /* :account:name */
        (p = strchr(p + 1, ':')) == NULL || /* :name */
        p[1] == '\0')
        return NULL;
    return p + 1;
}

void
compat_xml_escape(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];

        switch (ch) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&apos;"); break;
        case '\r': buf_puts(b, "&#xD;"); break;
        default:
            if (ch < 0x20 && ch != '\t' && ch != '\n')
                buf_printf(b, "&#x%X;", ch);
            else
                buf_append(b, &s[i], 1);
        }
    }
}

void
compat_xml_elem(struct buf *b, const char *name, const char *text)
{
    buf_printf(b, "<%s>", name);
    compat_xml_escape(b, text, strlen(text));
    buf_printf(b, "</%s>", name);
}

void
compat_reply(struct compat_call *c, struct http_resp *resp, int status,
             const char *ctype, struct buf *b, const char *id_header)
{
    size_t len = b->len;
    char *body = buf_take(b);

    http_reply_take(resp, status, ctype, body, len);
    if (id_header)
        http_resp_header(resp, id_header, c->request_id);
}
