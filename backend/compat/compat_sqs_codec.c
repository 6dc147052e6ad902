/*
 * compat_sqs_codec: the parts of the SQS wire protocols that are only
 * encoding: the query protocol's flattened parameters turned into the
 * JSON 1.0 request shape, a JSON 1.0 result rendered as the query
 * protocol's XML, the error catalogue both protocols answer from, and
 * the MD5 of message attributes clients verify. Engine thread only.
 */
#include "compat/compat_sqs.h"

#include "common/digest.h"
#include "common/err.h"
#include "common/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- the error catalogue ---- */

#define SQS_CORAL "com.amazon.coral.service#"
#define SQS_SHAPE "com.amazonaws.sqs#"
#define SQS_LEGACY "AWS.SimpleQueueService."

static const struct sqs_error sqs_errors[] = {
    {"QueueDoesNotExist", SQS_SHAPE "QueueDoesNotExist",
     SQS_LEGACY "NonExistentQueue", 400, 0},
    {"QueueNameExists", SQS_SHAPE "QueueNameExists", "QueueAlreadyExists",
     400, 0},
    {"QueueDeletedRecently", SQS_SHAPE "QueueDeletedRecently",
     SQS_LEGACY "QueueDeletedRecently", 400, 0},
    {"PurgeQueueInProgress", SQS_SHAPE "PurgeQueueInProgress",
     SQS_LEGACY "PurgeQueueInProgress", 403, 0},
    {"ReceiptHandleIsInvalid", SQS_SHAPE "ReceiptHandleIsInvalid",
     "ReceiptHandleIsInvalid", 404, 0},
    {"MessageNotInflight", SQS_SHAPE "MessageNotInflight",
     SQS_LEGACY "MessageNotInflight", 400, 0},
    {"InvalidAttributeName", SQS_SHAPE "InvalidAttributeName",
     "InvalidAttributeName", 400, 0},
    {"InvalidAttributeValue", SQS_SHAPE "InvalidAttributeValue",
     "InvalidAttributeValue", 400, 0},
    {"InvalidMessageContents", SQS_SHAPE "InvalidMessageContents",
     "InvalidMessageContents", 400, 0},
    {"EmptyBatchRequest", SQS_SHAPE "EmptyBatchRequest",
     SQS_LEGACY "EmptyBatchRequest", 400, 0},
    {"TooManyEntriesInBatchRequest", SQS_SHAPE "TooManyEntriesInBatchRequest",
     SQS_LEGACY "TooManyEntriesInBatchRequest", 400, 0},
    {"BatchEntryIdsNotDistinct", SQS_SHAPE "BatchEntryIdsNotDistinct",
     SQS_LEGACY "BatchEntryIdsNotDistinct", 400, 0},
    {"BatchRequestTooLong", SQS_SHAPE "BatchRequestTooLong",
     SQS_LEGACY "BatchRequestTooLong", 400, 0},
    {"InvalidBatchEntryId", SQS_SHAPE "InvalidBatchEntryId",
     SQS_LEGACY "InvalidBatchEntryId", 400, 0},
    {"UnsupportedOperation", SQS_SHAPE "UnsupportedOperation",
     SQS_LEGACY "UnsupportedOperation", 400, 0},
    {"OverLimit", SQS_SHAPE "OverLimit", "OverLimit", 403, 0},
    {"InvalidAddress", SQS_SHAPE "InvalidAddress", "InvalidAddress", 404, 0},
    {"InvalidSecurity", SQS_SHAPE "InvalidSecurity", "InvalidSecurity", 403,
     0},
    {"ResourceNotFoundException", SQS_SHAPE "ResourceNotFoundException",
     "ResourceNotFoundException", 404, 0},
    {"InvalidParameterValue", SQS_CORAL "InvalidParameterValueException",
     "InvalidParameterValue", 400, 0},
    {"MissingParameter", SQS_CORAL "MissingRequiredParameterException",
     "MissingParameter", 400, 0},
    {"InvalidAction", SQS_CORAL "UnknownOperationException", "InvalidAction",
     400, 0},
    {"SerializationException", SQS_CORAL "SerializationException",
     "SerializationException", 400, 0},
    {"AccessDenied", SQS_CORAL "AccessDeniedException", "AccessDenied", 403,
     0},
    {"SignatureDoesNotMatch", SQS_CORAL "SignatureDoesNotMatch",
     "SignatureDoesNotMatch", 403, 0},
    {"InvalidClientTokenId", SQS_CORAL "InvalidClientTokenId",
     "InvalidClientTokenId", 403, 0},
    {"IncompleteSignature", SQS_CORAL "IncompleteSignature",
     "IncompleteSignature", 400, 0},
    {"RequestExpired", SQS_CORAL "RequestExpired", "RequestExpired", 400, 0},
    {"MissingAuthenticationToken", SQS_CORAL "MissingAuthenticationToken",
     "MissingAuthenticationToken", 403, 0},
    {"ServiceUnavailable", SQS_CORAL "ServiceUnavailableException",
     "ServiceUnavailable", 503, 1},
    {"InternalFailure", SQS_CORAL "InternalFailure", "InternalFailure", 500,
     1},
};

/* The queue service's error names, and what each is in SQS. */
static const struct {
    const char *from, *to;
} sqs_error_aliases[] = {
    {"QueueNotFound", "QueueDoesNotExist"},
    {"QueueExists", "QueueNameExists"},
    {"ReceiptHandleInvalid", "ReceiptHandleIsInvalid"},
    {"InvalidQueueName", "InvalidParameterValue"},
    {"MessageTooLarge", "InvalidParameterValue"},
    {"MessageNotFound", "InvalidParameterValue"},
};

static const struct sqs_error *
sqs_error_named(const char *name)
{
    for (size_t i = 0; i < sizeof(sqs_error_aliases) /
                               sizeof(sqs_error_aliases[0]); i++)
        if (strcmp(name, sqs_error_aliases[i].from) == 0)
            name = sqs_error_aliases[i].to;
    for (size_t i = 0; i < sizeof(sqs_errors) / sizeof(sqs_errors[0]); i++)
        if (strcmp(name, sqs_errors[i].name) == 0)
            return &sqs_errors[i];
    return NULL;
}

const struct sqs_error *
sqs_error_for(int rc)
{
    return sqs_error_lookup(err_last_name(), rc);
}

const struct sqs_error *
sqs_error_lookup(const char *err_name, int rc)
{
    const struct sqs_error *e = err_name ? sqs_error_named(err_name) : NULL;
    const char *name;

    if (e)
        return e;
    switch (rc) {
    case ENG_ENOTFOUND: name = "QueueDoesNotExist"; break;
    case ENG_EEXISTS: name = "QueueNameExists"; break;
    case ENG_EINVAL:
    case ENG_ETOOBIG:
    case ENG_EGONE:
    case ENG_ECONFLICT: name = "InvalidParameterValue"; break;
    case ENG_EAUTH: name = "AccessDenied"; break;
    case ENG_EUNAVAIL:
    case ENG_EBUSY: name = "ServiceUnavailable"; break;
    default: name = "InternalFailure"; break;
    }
    return sqs_error_named(name);
}

/* ---- query parameters -> the JSON request ---- */

enum sqs_flat {
    SQS_LIST,        /* Head.N = value */
    SQS_MAP_NV,      /* Head.N.Name, Head.N.Value */
    SQS_MAP_KV,      /* Head.N.Key, Head.N.Value */
    SQS_MAP_STRUCT,  /* Head.N.Name, Head.N.Value.<member> */
    SQS_LIST_STRUCT  /* Head.N.<member> */
};

static const struct {
    const char *head, *member;
    enum sqs_flat kind;
} sqs_flats[] = {
    {"AttributeName", "AttributeNames", SQS_LIST},
    {"MessageSystemAttributeName", "MessageSystemAttributeNames", SQS_LIST},
    {"MessageAttributeName", "MessageAttributeNames", SQS_LIST},
    {"TagKey", "TagKeys", SQS_LIST},
    {"AWSAccountId", "AWSAccountIds", SQS_LIST},
    {"ActionName", "Actions", SQS_LIST},
    {"StringListValue", "StringListValues", SQS_LIST},
    {"BinaryListValue", "BinaryListValues", SQS_LIST},
    {"Attribute", "Attributes", SQS_MAP_NV},
    {"Tag", "Tags", SQS_MAP_KV},
    {"MessageAttribute", "MessageAttributes", SQS_MAP_STRUCT},
    {"MessageSystemAttribute", "MessageSystemAttributes", SQS_MAP_STRUCT},
    {"SendMessageBatchRequestEntry", "Entries", SQS_LIST_STRUCT},
    {"DeleteMessageBatchRequestEntry", "Entries", SQS_LIST_STRUCT},
    {"ChangeMessageVisibilityBatchRequestEntry", "Entries", SQS_LIST_STRUCT},
};

/* "N.rest" or "N": N a positive decimal index. Returns: N, or 0. */
static long
sqs_index(const char *s, const char **rest)
{
    char *end;
    long n;

    if (*s < '1' || *s > '9')
        return 0;
    n = strtol(s, &end, 10);
    if (n <= 0 || n > 100000 || (*end != '\0' && *end != '.'))
        return 0;
    *rest = *end == '.' ? end + 1 : end;
    return n;
}

static int
sqs_index_cmp(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;

    return (x > y) - (x < y);
}

/* The groups of one flattened member, {"N": {rest: value}}, in index
 * order as an array of the sub-objects. Returns: new array. */
static json_t *
sqs_ordered(json_t *groups)
{
    size_t n = json_object_size(groups), i = 0;
    long *idx = xcalloc(n + 1, sizeof(*idx));
    json_t *arr = json_array(), *v;
    const char *k;
    char key[24];

    json_object_foreach(groups, k, v)
        idx[i++] = strtol(k, NULL, 10);
    qsort(idx, n, sizeof(*idx), sqs_index_cmp);
    for (i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "%ld", idx[i]);
        json_array_append(arr, json_object_get(groups, key));
    }
    free(idx);
    return arr;
}

static json_t *sqs_decode_flat(const json_t *flat, int top);

/* Strip "Value." from the keys of a map-of-structs entry. */
static json_t *
sqs_value_struct(const json_t *sub)
{
    json_t *flat = json_object(), *v, *res;
    const char *k;

    json_object_foreach((json_t *)sub, k, v)
        if (strncmp(k, "Value.", 6) == 0)
            json_object_set(flat, k + 6, v);
    res = sqs_decode_flat(flat, 0);
    json_decref(flat);
    return res;
}

static json_t *
sqs_decode_flat(const json_t *flat, int top)
{
    json_t *out = json_object(), *groups = json_object(), *v;
    const char *key;

    json_object_foreach((json_t *)flat, key, v) {
        const char *dot = strchr(key, '.'), *rest = NULL;
        size_t hl = dot ? (size_t)(dot - key) : 0;
        json_t *byhead, *sub;
        char idx[24];
        long n;

        if (dot == NULL) {
            if (!top || (strcmp(key, "Action") && strcmp(key, "Version")))
                json_object_set(out, key, v);
            continue;
        }
        if ((n = sqs_index(dot + 1, &rest)) == 0)
            continue;
        for (size_t i = 0; i < sizeof(sqs_flats) / sizeof(sqs_flats[0]);
             i++) {
            if (strlen(sqs_flats[i].head) != hl ||
                strncmp(sqs_flats[i].head, key, hl) != 0)
                continue;
            /* groups: {head: {N: {rest: value}}} */
            if ((byhead = json_object_get(groups, sqs_flats[i].head)) ==
                NULL) {
                byhead = json_object();
                json_object_set_new(groups, sqs_flats[i].head, byhead);
            }
            snprintf(idx, sizeof(idx), "%ld", n);
            if ((sub = json_object_get(byhead, idx)) == NULL) {
                sub = json_object();
                json_object_set_new(byhead, idx, sub);
            }
            json_object_set(sub, rest, v);
            break;
        }
    }
    for (size_t i = 0; i < sizeof(sqs_flats) / sizeof(sqs_flats[0]); i++) {
        json_t *byhead = json_object_get(groups, sqs_flats[i].head);
        json_t *arr, *res, *e;
        size_t k;

        if (byhead == NULL)
            continue;
        arr = sqs_ordered(byhead);
        switch (sqs_flats[i].kind) {
        case SQS_LIST:
            res = json_array();
            json_array_foreach(arr, k, e)
                if (json_object_get(e, ""))
                    json_array_append(res, json_object_get(e, ""));
            break;
        case SQS_MAP_NV:
        case SQS_MAP_KV:
        case SQS_MAP_STRUCT:
            res = json_object();
            json_array_foreach(arr, k, e) {
                const char *name = json_string_value(json_object_get(
                    e, sqs_flats[i].kind == SQS_MAP_KV ? "Key" : "Name"));

                if (name == NULL)
                    continue;
                if (sqs_flats[i].kind == SQS_MAP_STRUCT)
                    json_object_set_new(res, name, sqs_value_struct(e));
                else if (json_object_get(e, "Value"))
                    json_object_set(res, name, json_object_get(e, "Value"));
                else
                    json_object_set_new(res, name, json_string(""));
            }
            break;
        default:
            res = json_array();
            json_array_foreach(arr, k, e)
                json_array_append_new(res, sqs_decode_flat(e, 0));
            break;
        }
        json_object_set_new(out, sqs_flats[i].member, res);
        json_decref(arr);
    }
    json_decref(groups);
    return out;
}

json_t *
sqs_query_decode(const json_t *params)
{
    return sqs_decode_flat(params, 1);
}

/* ---- a JSON result -> query XML ---- */

static void sqs_xml_members(struct buf *b, const char *action,
                            const json_t *obj);

static void
sqs_xml_scalar(struct buf *b, const char *name, const json_t *v)
{
    if (json_is_string(v)) {
        buf_printf(b, "<%s>", name);
        compat_xml_escape(b, json_string_value(v), json_string_length(v));
        buf_printf(b, "</%s>", name);
    } else if (json_is_integer(v)) {
        buf_printf(b, "<%s>%lld</%s>", name,
                   (long long)json_integer_value(v), name);
    } else if (json_is_boolean(v)) {
        buf_printf(b, "<%s>%s</%s>", name, json_is_true(v) ? "true" : "false",
                   name);
    } else if (json_is_object(v)) {
        buf_printf(b, "<%s>", name);
        sqs_xml_members(b, NULL, v);
        buf_printf(b, "</%s>", name);
    }
}

/* A map flattened as repeated <elem><kname>k</kname><Value>v</Value>. */
static void
sqs_xml_map(struct buf *b, const char *elem, const char *kname,
            const json_t *map)
{
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)map, k, v) {
        buf_printf(b, "<%s>", elem);
        compat_xml_elem(b, kname, k);
        sqs_xml_scalar(b, "Value", v);
        buf_printf(b, "</%s>", elem);
    }
}

static void
sqs_xml_members(struct buf *b, const char *action, const json_t *obj)
{
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)obj, k, v) {
        const char *elem = NULL;
        char entry[96];
        size_t i;
        json_t *e;

        if (strcmp(k, "Attributes") == 0 && json_is_object(v)) {
            sqs_xml_map(b, "Attribute", "Name", v);
            continue;
        }
        if (strcmp(k, "MessageAttributes") == 0 && json_is_object(v)) {
            sqs_xml_map(b, "MessageAttribute", "Name", v);
            continue;
        }
        if (strcmp(k, "Tags") == 0 && json_is_object(v)) {
            sqs_xml_map(b, "Tag", "Key", v);
            continue;
        }
        if (!json_is_array(v)) {
            sqs_xml_scalar(b, k, v);
            continue;
        }
        if (strcmp(k, "QueueUrls") == 0 || strcmp(k, "queueUrls") == 0)
            elem = "QueueUrl";
        else if (strcmp(k, "Messages") == 0)
            elem = "Message";
        else if (strcmp(k, "Failed") == 0)
            elem = "BatchResultErrorEntry";
        else if ((strcmp(k, "Successful") == 0 ||
                  strcmp(k, "Results") == 0) &&
                 action) {
            snprintf(entry, sizeof(entry), "%sResultEntry", action);
            elem = entry;
        }
        if (elem == NULL)
            continue;
        json_array_foreach(v, i, e)
            sqs_xml_scalar(b, elem, e);
    }
}

void
sqs_xml_result(struct buf *b, const char *action, const json_t *out,
               const char *request_id)
{
    buf_printf(b, "<?xml version=\"1.0\"?><%sResponse xmlns=\"" SQS_XMLNS
                  "\">",
               action);
    if (out) {
        buf_printf(b, "<%sResult>", action);
        sqs_xml_members(b, action, out);
        buf_printf(b, "</%sResult>", action);
    }
    buf_printf(b, "<ResponseMetadata><RequestId>%s</RequestId>"
                  "</ResponseMetadata></%sResponse>",
               request_id, action);
}

/* ---- attribute MD5 ---- */

static int
sqs_b64_val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int
sqs_base64_decode(struct buf *b, const char *s, size_t n)
{
    uint32_t acc = 0;
    int bits = 0;

    while (n && s[n - 1] == '=')
        n--;
    for (size_t i = 0; i < n; i++) {
        int v = sqs_b64_val((unsigned char)s[i]);

        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            unsigned char ch = (unsigned char)(acc >> (bits - 8));

            bits -= 8;
            buf_append(b, &ch, 1);
        }
    }
    return bits >= 6 ? -1 : 0; /* a lone trailing character */
}

static void
sqs_put_len(struct buf *b, const void *p, size_t n)
{
    unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
                            (unsigned char)(n >> 8), (unsigned char)n};

    buf_append(b, len, 4);
    buf_append(b, p, n);
}

static int
sqs_name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
sqs_attrs_md5(char *out, const json_t *attrs)
{
    size_t n = json_object_size(attrs), i = 0;
    const char **names = xcalloc(n + 1, sizeof(*names));
    struct buf b = BUF_INIT(0), bin = BUF_INIT(0);
    const char *k;
    json_t *v;
    int rc = 0;

    json_object_foreach((json_t *)attrs, k, v)
        names[i++] = k;
    qsort(names, n, sizeof(*names), sqs_name_cmp);
    for (i = 0; i < n && rc == 0; i++) {
        const json_t *a = json_object_get(attrs, names[i]);
        const char *type = json_string_value(json_object_get(a, "DataType"));
        const json_t *sv = json_object_get(a, "StringValue");
        const json_t *bv = json_object_get(a, "BinaryValue");

        if (type == NULL)
            type = "";
        sqs_put_len(&b, names[i], strlen(names[i]));
        sqs_put_len(&b, type, strlen(type));
        if (strncmp(type, "Binary", 6) == 0) {
            const char *t = json_string_value(bv);

            buf_reset(&bin);
            if (t == NULL || sqs_base64_decode(&bin, t, strlen(t))) {
                rc = -1;
                break;
            }
            buf_append(&b, "\2", 1);
            sqs_put_len(&b, bin.len ? buf_str(&bin) : "", bin.len);
        } else {
            buf_append(&b, "\1", 1);
            sqs_put_len(&b, json_string_value(sv) ? json_string_value(sv) : "",
                        json_string_length(sv));
        }
    }
    if (rc == 0)
        digest_md5_hex(out, b.len ? buf_str(&b) : "", b.len);
    buf_free(&b);
    buf_free(&bin);
    free(names);
    return rc;
}
