/*
 * Unit tests for compat_sqs_codec: MD5OfMessageAttributes against the
 * recorded vectors, base64, the query protocol's flattened parameters
 * turned into the JSON request, the XML of a result, and the error
 * catalogue's mapping of names and codes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/err.h"
#include "compat/compat_sqs.h"

#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static json_t *
j(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);

    if (v == NULL)
        fail_msg("bad test JSON %s: %s", text, e.text);
    return v;
}

static const struct {
    const char *attrs, *md5;
} md5_cases[] = {
    {"{\"MyAttribute\": {\"DataType\": \"String\", \"StringValue\": "
     "\"foobar\"}}",
     "adb59cd4678ea5a855436b949cd07ab6"},
    {"{\"attr1\": {\"DataType\": \"Number\", \"StringValue\": \"99.12\"}}",
     "d302007e9aa062660afc85fd0a482472"},
    {"{\"attr1\": {\"DataType\": \"Number\", \"StringValue\": \"19.12\"}}",
     "1f07082409022a373fa2a2601f82b3cb"},
    {"{\"timestamp\": {\"DataType\": \"Number\", \"StringValue\": "
     "\"1493147359900\"}}",
     "235c5c510d26fb653d073faed50ae77c"},
    {"{\"timestamp\": {\"DataType\": \"Number\", \"StringValue\": "
     "\"1493147359901\"}}",
     "994258b45346a2cc3f9cbb611aa7af30"},
    /* given out of order: the names are sorted */
    {"{\"zzz\": {\"DataType\": \"Number\", \"StringValue\": \"0230.01\"}, "
     "\"ccc\": {\"DataType\": \"String\", \"StringValue\": \"testjunk\"}, "
     "\"\\u00f6ther_encodings\": {\"DataType\": \"String\", "
     "\"StringValue\": \"T\\u00fcst\"}, "
     "\"aaa\": {\"DataType\": \"Binary\", \"BinaryValue\": \"AgME\"}}",
     "8ae21a7957029ef04146b42aeaa18a22"},
    {"{\"color\": {\"DataType\": \"String\", \"StringValue\": \"red\"}, "
     "\"n\": {\"DataType\": \"Number\", \"StringValue\": \"5\"}, "
     "\"b\": {\"DataType\": \"Binary\", \"BinaryValue\": \"AQID\"}}",
     "95fed59fc35e89f4a852447e0a51c6f4"},
};

static void
test_sqs_attrs_md5_vectors(void **state)
{
    char md5[33];

    (void)state;
    for (size_t i = 0; i < NELEM(md5_cases); i++) {
        json_t *a = j(md5_cases[i].attrs);

        assert_int_equal(0, sqs_attrs_md5(md5, a));
        if (strcmp(md5, md5_cases[i].md5) != 0)
            fail_msg("case %zu: %s, want %s", i, md5, md5_cases[i].md5);
        json_decref(a);
    }
}

static void
test_sqs_attrs_md5_bad_binary(void **state)
{
    json_t *a = j("{\"b\": {\"DataType\": \"Binary\", \"BinaryValue\": "
                  "\"not base64!\"}}");
    char md5[33];

    (void)state;
    assert_int_equal(-1, sqs_attrs_md5(md5, a));
    json_decref(a);
}

static const struct {
    const char *in, *out; /* out NULL: refused */
} b64_cases[] = {
    {"", ""},        {"AQID", "\1\2\3"}, {"AQI=", "\1\2"},
    {"AQI", "\1\2"}, {"AQ==", "\1"},     {"A", NULL},
    {"AQ*D", NULL},
};

static void
test_sqs_base64(void **state)
{
    (void)state;
    for (size_t i = 0; i < NELEM(b64_cases); i++) {
        struct buf b = BUF_INIT(0);
        int rc = sqs_base64_decode(&b, b64_cases[i].in,
                                   strlen(b64_cases[i].in));

        if (b64_cases[i].out == NULL) {
            assert_int_equal(-1, rc);
        } else {
            assert_int_equal(0, rc);
            assert_int_equal(strlen(b64_cases[i].out), b.len);
            assert_memory_equal(b64_cases[i].out, buf_str(&b), b.len);
        }
        buf_free(&b);
    }
}

static void
test_sqs_query_decode(void **state)
{
    json_t *p = j(
        "{\"Action\": \"SendMessageBatch\", \"Version\": \"2012-11-05\","
        " \"QueueUrl\": \"http://h/000000000000/q\","
        " \"SendMessageBatchRequestEntry.10.Id\": \"ten\","
        " \"SendMessageBatchRequestEntry.10.MessageBody\": \"b10\","
        " \"SendMessageBatchRequestEntry.2.Id\": \"two\","
        " \"SendMessageBatchRequestEntry.2.MessageBody\": \"b2\","
        " \"SendMessageBatchRequestEntry.2.MessageAttribute.1.Name\": \"k\","
        " \"SendMessageBatchRequestEntry.2.MessageAttribute.1.Value."
        "DataType\": \"String\","
        " \"SendMessageBatchRequestEntry.2.MessageAttribute.1.Value."
        "StringValue\": \"v\","
        " \"Attribute.1.Name\": \"VisibilityTimeout\","
        " \"Attribute.1.Value\": \"5\","
        " \"AttributeName.2\": \"B\", \"AttributeName.1\": \"A\","
        " \"Tag.1.Key\": \"team\", \"Tag.1.Value\": \"a\","
        " \"Junk.x\": \"ignored\", \"AttributeName.0\": \"ignored\"}");
    json_t *want = j(
        "{\"QueueUrl\": \"http://h/000000000000/q\","
        " \"Entries\": [{\"Id\": \"two\", \"MessageBody\": \"b2\","
        "   \"MessageAttributes\": {\"k\": {\"DataType\": \"String\","
        "   \"StringValue\": \"v\"}}},"
        "  {\"Id\": \"ten\", \"MessageBody\": \"b10\"}],"
        " \"Attributes\": {\"VisibilityTimeout\": \"5\"},"
        " \"AttributeNames\": [\"A\", \"B\"],"
        " \"Tags\": {\"team\": \"a\"}}");
    json_t *got = sqs_query_decode(p);

    (void)state;
    if (!json_equal(got, want)) {
        char *text = json_dumps(got, JSON_SORT_KEYS);

        fail_msg("decoded %s", text);
        free(text);
    }
    json_decref(p);
    json_decref(want);
    json_decref(got);
}

static void
test_sqs_xml_result(void **state)
{
    json_t *out = j("{\"Messages\": [{\"MessageId\": \"m1\", \"Body\": "
                    "\"a\\r\\n<b>&\", \"Attributes\": {\"SenderId\": \"x\"},"
                    " \"MessageAttributes\": {\"k\": {\"DataType\": "
                    "\"String\", \"StringValue\": \"v\"}}}],"
                    " \"Failed\": [{\"Id\": \"e\", \"SenderFault\": true}]}");
    struct buf b = BUF_INIT(0);

    (void)state;
    sqs_xml_result(&b, "ReceiveMessage", out, "rid");
    assert_non_null(strstr(buf_str(&b), "<ReceiveMessageResponse xmlns="));
    assert_non_null(strstr(buf_str(&b), "<ReceiveMessageResult><Message>"
                                        "<MessageId>m1</MessageId>"));
    assert_non_null(strstr(buf_str(&b), "<Body>a&#xD;\n&lt;b&gt;&amp;"
                                        "</Body>"));
    assert_non_null(strstr(buf_str(&b), "<Attribute><Name>SenderId</Name>"
                                        "<Value>x</Value></Attribute>"));
    assert_non_null(strstr(buf_str(&b),
                           "<MessageAttribute><Name>k</Name><Value>"
                           "<DataType>String</DataType><StringValue>v"
                           "</StringValue></Value></MessageAttribute>"));
    assert_non_null(strstr(buf_str(&b),
                           "<BatchResultErrorEntry><Id>e</Id><SenderFault>"
                           "true</SenderFault></BatchResultErrorEntry>"));
    assert_non_null(strstr(buf_str(&b), "<ResponseMetadata><RequestId>rid"
                                        "</RequestId></ResponseMetadata>"));
    buf_free(&b);
    /* an action without a result has no Result element */
    sqs_xml_result(&b, "DeleteMessage", NULL, "rid");
    assert_null(strstr(buf_str(&b), "Result"));
    buf_free(&b);
    json_decref(out);
}

static void
test_sqs_error_catalogue(void **state)
{
    const struct sqs_error *e;

    (void)state;
    e = sqs_error_lookup("QueueNotFound", ENG_ENOTFOUND);
    assert_string_equal("AWS.SimpleQueueService.NonExistentQueue", e->code);
    assert_string_equal("com.amazonaws.sqs#QueueDoesNotExist", e->type);
    assert_int_equal(400, e->status);
    e = sqs_error_lookup("QueueExists", ENG_EEXISTS);
    assert_string_equal("QueueAlreadyExists", e->code);
    e = sqs_error_lookup("ReceiptHandleInvalid", ENG_EINVAL);
    assert_string_equal("ReceiptHandleIsInvalid", e->code);
    assert_int_equal(404, e->status);
    e = sqs_error_lookup("PurgeQueueInProgress", ENG_ECONFLICT);
    assert_int_equal(403, e->status);
    /* unnamed: by code */
    e = sqs_error_lookup("InvalidArgument", ENG_EINVAL);
    assert_string_equal("InvalidParameterValue", e->code);
    assert_string_equal("com.amazon.coral.service#"
                        "InvalidParameterValueException",
                        e->type);
    e = sqs_error_lookup(NULL, ENG_ERR);
    assert_int_equal(500, e->status);
    assert_int_equal(1, e->receiver);
    err_setn(ENG_EINVAL, "MissingParameter", "x");
    assert_string_equal("MissingParameter", sqs_error_for(ENG_EINVAL)->code);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqs_attrs_md5_vectors),
        cmocka_unit_test(test_sqs_attrs_md5_bad_binary),
        cmocka_unit_test(test_sqs_base64),
        cmocka_unit_test(test_sqs_query_decode),
        cmocka_unit_test(test_sqs_xml_result),
        cmocka_unit_test(test_sqs_error_catalogue),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
