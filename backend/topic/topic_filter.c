/*
 * topic_filter: SNS filter policies. Checking walks the policy once and
 * names the first bad key; matching flattens each key to the candidate
 * values of the message (one for a String or Number attribute, the
 * elements of a String.Array or of a body array) and tries every element
 * of the key's array against each. Pure; no engine state.
 */
#include "topic/topic_filter.h"

#include "common/err.h"
#include "common/jsonx.h"
#include "common/xalloc.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TOPIC_FILTER_KEYS_MAX 5
#define TOPIC_FILTER_COMBOS_MAX 150
#define TOPIC_FILTER_DEPTH_MAX 8
#define TOPIC_FILTER_NUM_MAX 1e9

/* ---- checking ---- */

static int
topic_filter_is_num(const json_t *v)
{
    return json_is_number(v) && fabs(json_number_value(v)) <=
                                    TOPIC_FILTER_NUM_MAX;
}

static int
topic_filter_check_numeric(const char *key, const json_t *arr)
{
    size_t n = json_array_size(arr);
    const char *op1, *op2;

    if (!json_is_array(arr) || (n != 2 && n != 4))
        goto bad;
    op1 = json_string_value(json_array_get(arr, 0));
    if (op1 == NULL || !topic_filter_is_num(json_array_get(arr, 1)))
        goto bad;
    if (n == 2)
        return strcmp(op1, "=") == 0 || strcmp(op1, ">") == 0 ||
                       strcmp(op1, ">=") == 0 || strcmp(op1, "<") == 0 ||
                       strcmp(op1, "<=") == 0
                   ? 0
                   : err_set(ENG_EINVAL, "filter policy key '%s': unknown "
                             "numeric operator '%s'", key, op1);
    op2 = json_string_value(json_array_get(arr, 2));
    if (op2 == NULL || !topic_filter_is_num(json_array_get(arr, 3)))
        goto bad;
    if ((strcmp(op1, ">") && strcmp(op1, ">=")) ||
        (strcmp(op2, "<") && strcmp(op2, "<=")))
        return err_set(ENG_EINVAL, "filter policy key '%s': a numeric range "
                       "is a lower bound ('>' or '>=') then an upper bound "
                       "('<' or '<=')", key);
    if (json_number_value(json_array_get(arr, 1)) >=
        json_number_value(json_array_get(arr, 3)))
        return err_set(ENG_EINVAL, "filter policy key '%s': the numeric "
                       "range's lower bound is not below its upper bound",
                       key);
    return 0;
bad:
    return err_set(ENG_EINVAL, "filter policy key '%s': 'numeric' takes "
                   "[op, number] or [op, number, op, number] with numbers "
                   "in -1e9..1e9", key);
}

static int
topic_filter_check_rule(const char *key, const json_t *rule,
                        enum topic_scope scope)
{
    const char *op;
    const json_t *v;

    if (json_is_string(rule) || topic_filter_is_num(rule))
        return 0;
    if (json_is_null(rule) || json_is_boolean(rule))
        return scope == TOPIC_SCOPE_BODY
                   ? 0
                   : err_set(ENG_EINVAL, "filter policy key '%s': null and "
                             "booleans match only in MessageBody scope", key);
    if (!json_is_object(rule) || json_object_size(rule) != 1)
        return err_set(ENG_EINVAL, "filter policy key '%s': each value is a "
                       "string, a number or an object with one operator",
                       key);
    op = json_object_iter_key(json_object_iter((json_t *)rule));
    v = json_object_iter_value(json_object_iter((json_t *)rule));
    if (!strcmp(op, "prefix") || !strcmp(op, "suffix") ||
        !strcmp(op, "equals-ignore-case")) {
        if (!json_is_string(v) || *json_string_value(v) == '\0')
            return err_set(ENG_EINVAL, "filter policy key '%s': '%s' takes "
                           "a non-empty string", key, op);
        return 0;
    }
    if (!strcmp(op, "exists"))
        return json_is_boolean(v) ? 0
                                  : err_set(ENG_EINVAL, "filter policy key "
                                            "'%s': 'exists' takes true or "
                                            "false", key);
    if (!strcmp(op, "numeric"))
        return topic_filter_check_numeric(key, v);
    if (!strcmp(op, "cidr")) {
        char ip[64];
        const char *s = json_string_value(v), *slash;
        unsigned char buf[4];
        char *end;
        long bits;

        if (s == NULL || (slash = strchr(s, '/')) == NULL ||
            (size_t)(slash - s) >= sizeof(ip))
            goto badcidr;
        memcpy(ip, s, (size_t)(slash - s));
        ip[slash - s] = '\0';
        bits = strtol(slash + 1, &end, 10);
        if (*end || slash[1] == '\0' || bits < 0 || bits > 32 ||
            inet_pton(AF_INET, ip, buf) != 1)
            goto badcidr;
        return 0;
    badcidr:
        return err_set(ENG_EINVAL, "filter policy key '%s': 'cidr' takes an "
                       "IPv4 block like \"10.0.0.0/24\"", key);
    }
    if (!strcmp(op, "anything-but")) {
        if (json_is_string(v) || topic_filter_is_num(v))
            return 0;
        if (json_is_array(v) && json_array_size(v) > 0) {
            size_t i;
            const json_t *e;

            json_array_foreach(v, i, e)
                if (!json_is_string(e) && !topic_filter_is_num(e))
                    goto badab;
            return 0;
        }
        if (json_is_object(v) && json_object_size(v) == 1) {
            const json_t *p = json_object_get(v, "prefix");
            const json_t *s = json_object_get(v, "suffix");

            if ((json_is_string(p) && *json_string_value(p)) ||
                (json_is_string(s) && *json_string_value(s)))
                return 0;
        }
    badab:
        return err_set(ENG_EINVAL, "filter policy key '%s': 'anything-but' "
                       "takes a string, a number, a non-empty array of them, "
                       "or {\"prefix\"|\"suffix\": string}", key);
    }
    return err_set(ENG_EINVAL, "filter policy key '%s': unknown operator "
                   "'%s'", key, op);
}

static int
topic_filter_check_obj(const json_t *obj, enum topic_scope scope, int depth,
                       int *leaves, long *combos)
{
    const char *key;
    const json_t *v;

    if (!json_is_object(obj))
        return err_set(ENG_EINVAL, "a filter policy is a JSON object");
    if (depth > TOPIC_FILTER_DEPTH_MAX)
        return err_set(ENG_EINVAL, "filter policy nests too deep");
    json_object_foreach((json_t *)obj, key, v) {
        size_t i;
        const json_t *e;
        int rc;

        if (strcmp(key, "$or") == 0) {
            if (!json_is_array(v) || json_array_size(v) < 2)
                return err_set(ENG_EINVAL, "filter policy: '$or' takes an "
                               "array of at least two policies");
            json_array_foreach(v, i, e)
                if ((rc = topic_filter_check_obj(e, scope, depth + 1, leaves,
                                                 combos)))
                    return rc;
            continue;
        }
        if (json_is_object(v)) {
            if (scope != TOPIC_SCOPE_BODY)
                return err_set(ENG_EINVAL, "filter policy key '%s': filter "
                               "policy scope MessageAttributes does not "
                               "support nested filter policy", key);
            if ((rc = topic_filter_check_obj(v, scope, depth + 1, leaves,
                                             combos)))
                return rc;
            continue;
        }
        if (!json_is_array(v) || json_array_size(v) == 0)
            return err_set(ENG_EINVAL, "filter policy key '%s': match values "
                           "are a non-empty array", key);
        json_array_foreach(v, i, e)
            if ((rc = topic_filter_check_rule(key, e, scope)))
                return rc;
        (*leaves)++;
        *combos *= (long)json_array_size(v);
        if (*combos > TOPIC_FILTER_COMBOS_MAX)
            return err_set(ENG_EINVAL, "filter policy: more than %d value "
                           "combinations", TOPIC_FILTER_COMBOS_MAX);
    }
    return 0;
}

int
topic_filter_check(const json_t *policy, enum topic_scope scope)
{
    int leaves = 0;
    long combos = 1;
    int rc = topic_filter_check_obj(policy, scope, 0, &leaves, &combos);

    if (rc == 0 && leaves > TOPIC_FILTER_KEYS_MAX)
        rc = err_set(ENG_EINVAL, "filter policy: %d keys, at most %d",
                     leaves, TOPIC_FILTER_KEYS_MAX);
    return rc;
}

/* ---- matching ---- */

struct tf_ctx {
    enum topic_scope scope;
    const json_t *attrs;
    json_t *body; /* parsed body object (body scope) */
};

/* The candidate values at `path` (dotted), appended to `out`; returns 1
 * when the key is present. */
static int
topic_filter_collect(json_t *out, const json_t *node, const char *path)
{
    const char *dot = strchr(path, '.');
    char *seg;
    const json_t *v;
    int found = 0;

    if (json_is_array(node)) {
        size_t i;
        const json_t *e;

        json_array_foreach(node, i, e)
            found |= topic_filter_collect(out, e, path);
        return found;
    }
    if (!json_is_object(node))
        return 0;
    seg = dot ? xstrndup(path, (size_t)(dot - path)) : xstrdup(path);
    v = json_object_get(node, seg);
    free(seg);
    if (v == NULL)
        return 0;
    if (dot)
        return topic_filter_collect(out, v, dot + 1);
    if (json_is_array(v)) {
        size_t i;
        const json_t *e;

        json_array_foreach(v, i, e)
            json_array_append(out, (json_t *)e);
    } else if (!json_is_object(v)) {
        json_array_append(out, (json_t *)v);
    }
    return 1;
}

static int
topic_filter_attr_values(json_t *out, const json_t *attrs, const char *key)
{
    const json_t *a = json_object_get(attrs, key);
    const char *type = json_string_value(json_object_get(a, "type"));
    const char *val = json_string_value(json_object_get(a, "value"));

    if (a == NULL || type == NULL || val == NULL ||
        strcmp(type, "Binary") == 0)
        return 0;
    if (strncmp(type, "Number", 6) == 0) {
        char *end;
        double d = strtod(val, &end);

        json_array_append_new(out, *end == '\0' && *val ? json_real(d)
                                                        : json_string(val));
    } else if (strcmp(type, "String.Array") == 0) {
        json_t *arr = json_loads(val, JSON_DECODE_ANY, NULL);
        size_t i;
        json_t *e;

        if (json_is_array(arr))
            json_array_foreach(arr, i, e)
                json_array_append(out, e);
        else
            json_array_append_new(out, json_string(val));
        json_decref(arr);
    } else {
        json_array_append_new(out, json_string(val));
    }
    return 1;
}

static int
topic_filter_eq(const json_t *rule, const json_t *c)
{
    if (json_is_string(rule))
        return json_is_string(c) &&
               strcmp(json_string_value(rule), json_string_value(c)) == 0;
    if (json_is_number(rule))
        return json_is_number(c) &&
               json_number_value(rule) == json_number_value(c);
    return json_equal((json_t *)rule, (json_t *)c);
}

static int
topic_filter_numeric(const json_t *arr, double d)
{
    for (size_t i = 0; i + 1 < json_array_size(arr); i += 2) {
        const char *op = json_string_value(json_array_get(arr, i));
        double n = json_number_value(json_array_get(arr, i + 1));
        int ok = !strcmp(op, "=")    ? d == n
                 : !strcmp(op, ">")  ? d > n
                 : !strcmp(op, ">=") ? d >= n
                 : !strcmp(op, "<")  ? d < n
                                     : d <= n;

        if (!ok)
            return 0;
    }
    return 1;
}

static int
topic_filter_affix(const char *s, const char *p, int suffix)
{
    size_t sl = strlen(s), pl = strlen(p);

    if (pl > sl)
        return 0;
    return memcmp(suffix ? s + sl - pl : s, p, pl) == 0;
}

static int
topic_filter_cidr(const char *block, const char *ip)
{
    char net[64];
    const char *slash = strchr(block, '/');
    unsigned char a[4], b[4];
    long bits = strtol(slash + 1, NULL, 10);
    uint32_t x, y, mask;

    memcpy(net, block, (size_t)(slash - block));
    net[slash - block] = '\0';
    if (inet_pton(AF_INET, net, a) != 1 || inet_pton(AF_INET, ip, b) != 1)
        return 0;
    x = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 |
        a[3];
    y = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
        b[3];
    mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
    return (x & mask) == (y & mask);
}

/* One rule element against one candidate value. */
static int
topic_filter_rule(const json_t *rule, const json_t *c)
{
    const char *op;
    const json_t *v;
    const char *s = json_string_value(c);

    if (!json_is_object(rule))
        return topic_filter_eq(rule, c);
    op = json_object_iter_key(json_object_iter((json_t *)rule));
    v = json_object_iter_value(json_object_iter((json_t *)rule));
    if (!strcmp(op, "prefix"))
        return s && topic_filter_affix(s, json_string_value(v), 0);
    if (!strcmp(op, "suffix"))
        return s && topic_filter_affix(s, json_string_value(v), 1);
    if (!strcmp(op, "equals-ignore-case"))
        return s && strcasecmp(s, json_string_value(v)) == 0;
    if (!strcmp(op, "numeric"))
        return json_is_number(c) &&
               topic_filter_numeric(v, json_number_value(c));
    if (!strcmp(op, "cidr"))
        return s && topic_filter_cidr(json_string_value(v), s);
    if (!strcmp(op, "anything-but")) {
        if (json_is_array(v)) {
            size_t i;
            const json_t *e;

            json_array_foreach(v, i, e)
                if (topic_filter_eq(e, c))
                    return 0;
            return 1;
        }
        if (json_is_object(v)) {
            const json_t *p = json_object_get(v, "prefix");

            if (s == NULL)
                return 1;
            return p ? !topic_filter_affix(s, json_string_value(p), 0)
                     : !topic_filter_affix(
                           s, json_string_value(json_object_get(v, "suffix")),
                           1);
        }
        return !topic_filter_eq(v, c);
    }
    return 0; /* exists: handled by the caller */
}

/* A leaf key: its rule array against the message. */
static int
topic_filter_leaf(struct tf_ctx *cx, const char *key, const json_t *rules,
                  json_t *explain)
{
    json_t *cands = json_array();
    int present, pass = 0;
    const json_t *matched = NULL;
    size_t i;
    const json_t *rule;
    char *why;

    present = cx->scope == TOPIC_SCOPE_BODY
                  ? topic_filter_collect(cands, cx->body, key)
                  : topic_filter_attr_values(cands, cx->attrs, key);
    json_array_foreach(rules, i, rule) {
        const json_t *ex = json_is_object(rule)
                               ? json_object_get(rule, "exists")
                               : NULL;

        if (ex) {
            if (json_is_true(ex) == present) {
                pass = 1;
                matched = rule;
                break;
            }
            continue;
        }
        if (!present)
            continue;
        for (size_t j = 0; j < json_array_size(cands); j++)
            if (topic_filter_rule(rule, json_array_get(cands, j))) {
                pass = 1;
                matched = rule;
                break;
            }
        if (pass)
            break;
    }
    if (explain) {
        char *rtext = jsonx_dump(rules);

        if (pass) {
            char *mtext = jsonx_dump(matched);

            why = xasprintf("%s matched %s", present ? "value" : "absence",
                            mtext);
            free(mtext);
        } else if (!present) {
            why = xasprintf("'%s' is absent; none of %s accepts that", key,
                            rtext);
        } else {
            char *ctext = jsonx_dump(json_array_size(cands) == 1
                                         ? json_array_get(cands, 0)
                                         : cands);

            why = xasprintf("value %s matches none of %s", ctext, rtext);
            free(ctext);
        }
        free(rtext);
        json_array_append_new(
            explain,
            json_pack("{s:s, s:b, s:o, s:O, s:s}", "key", key, "pass", pass,
                      "value",
                      !present ? json_null()
                      : json_array_size(cands) == 1
                          ? json_incref(json_array_get(cands, 0))
                          : json_incref(cands),
                      "rules", rules, "why", why));
        free(why);
    }
    json_decref(cands);
    return pass;
}

static int
topic_filter_obj(struct tf_ctx *cx, const json_t *obj, const char *prefix,
                 json_t *explain)
{
    const char *key;
    const json_t *v;
    int all = 1;

    json_object_foreach((json_t *)obj, key, v) {
        char *path = xasprintf("%s%s", prefix, key);
        int pass;

        if (strcmp(key, "$or") == 0) {
            json_t *alts = explain ? json_array() : NULL;
            size_t i;
            const json_t *e;

            pass = 0;
            json_array_foreach(v, i, e) {
                json_t *sub = explain ? json_array() : NULL;

                if (topic_filter_obj(cx, e, prefix, sub))
                    pass = 1;
                if (alts)
                    json_array_append_new(alts, sub);
                if (pass && !explain)
                    break;
            }
            if (explain)
                json_array_append_new(
                    explain,
                    json_pack("{s:s, s:b, s:o, s:s}", "key", "$or", "pass",
                              pass, "alternatives", alts, "why",
                              pass ? "an alternative passed"
                                   : "no alternative passed"));
        } else if (json_is_object(v)) {
            char *sub = xasprintf("%s.", path);

            pass = topic_filter_obj(cx, v, sub, explain);
            free(sub);
        } else {
            pass = topic_filter_leaf(cx, path, v, explain);
        }
        free(path);
        if (!pass) {
            all = 0;
            if (!explain)
                break;
        }
    }
    return all;
}

int
topic_filter_match(const json_t *policy, enum topic_scope scope,
                   const json_t *attrs, const char *body, json_t *explain)
{
    struct tf_ctx cx = {scope, attrs, NULL};
    int pass;

    if (policy == NULL || json_object_size(policy) == 0)
        return 1;
    if (scope == TOPIC_SCOPE_BODY) {
        cx.body = body ? json_loads(body, 0, NULL) : NULL;
        if (!json_is_object(cx.body)) {
            if (explain)
                json_array_append_new(
                    explain, json_pack("{s:s, s:b, s:s}", "key", "", "pass",
                                       0, "why",
                                       "the body is not a JSON object, so a "
                                       "MessageBody policy matches nothing"));
            json_decref(cx.body);
            return 0;
        }
    }
    pass = topic_filter_obj(&cx, policy, "", explain);
    json_decref(cx.body);
    return pass;
}

/* ---- attributes ---- */

int
topic_filter_attrs(json_t **out, const json_t *in)
{
    json_t *res = json_object();
    const char *name;
    const json_t *v;

    *out = NULL;
    if (in != NULL && !json_is_object(in)) {
        json_decref(res);
        return err_set(ENG_EINVAL, "'attributes' is an object of name: "
                       "value or name: {\"type\", \"value\"}");
    }
    json_object_foreach((json_t *)in, name, v) {
        const char *type = NULL;
        json_t *val = NULL;

        if (json_is_object(v)) {
            const json_t *t = json_object_get(v, "type");
            const json_t *x = json_object_get(v, "value");

            type = json_string_value(t);
            if (type == NULL ||
                (strcmp(type, "String") && strcmp(type, "Number") &&
                 strcmp(type, "String.Array") && strcmp(type, "Binary"))) {
                json_decref(res);
                return err_set(ENG_EINVAL, "attribute '%s': 'type' is "
                               "String, Number, String.Array or Binary",
                               name);
            }
            if (json_is_string(x))
                val = json_incref((json_t *)x);
            else if (json_is_number(x) || json_is_array(x)) {
                char *text = jsonx_dump(x);

                val = json_string(text);
                free(text);
            }
        } else if (json_is_string(v)) {
            type = "String";
            val = json_incref((json_t *)v);
        } else if (json_is_number(v) || json_is_array(v)) {
            char *text = jsonx_dump(v);

            type = json_is_number(v) ? "Number" : "String.Array";
            val = json_string(text);
            free(text);
        } else if (json_is_boolean(v)) {
            type = "String";
            val = json_string(json_is_true(v) ? "true" : "false");
        }
        if (val == NULL) {
            json_decref(res);
            return err_set(ENG_EINVAL, "attribute '%s': give a string, a "
                           "number, an array or {\"type\", \"value\"}",
                           name);
        }
        if (!strcmp(type, "Number")) {
            char *end;

            strtod(json_string_value(val), &end);
            if (*end || !*json_string_value(val)) {
                json_decref(val);
                json_decref(res);
                return err_set(ENG_EINVAL, "attribute '%s': a Number's "
                               "value is a number", name);
            }
        }
        json_object_set_new(res, name,
                            json_pack("{s:s, s:o}", "type", type, "value",
                                      val));
    }
    *out = res;
    return 0;
}
