/*
 * Unit tests for compat's shared helpers: form decoding (escapes, '+',
 * repeated keys, malformed escapes and non-UTF-8 refused) and XML text
 * escaping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/err.h"
#include "compat/compat_int.h"

#include <stdlib.h>
#include <string.h>

static const char *
get(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void
test_form_decodes(void **state)
{
    const char *text = "Action=SendMessage&MessageBody=a+b%26c%3D%F0%9F%98%80"
                       "&Empty=&Flag&Action=ReceiveMessage&%41ttr.1=x";
    json_t *o = json_object();

    (void)state;
    assert_int_equal(compat_form_parse(o, text, strlen(text)), 0);
    assert_string_equal(get(o, "Action"), "ReceiveMessage");
    assert_string_equal(get(o, "MessageBody"), "a b&c=\xF0\x9F\x98\x80");
    assert_string_equal(get(o, "Empty"), "");
    assert_string_equal(get(o, "Flag"), "");
    assert_string_equal(get(o, "Attr.1"), "x");
    assert_int_equal(json_object_size(o), 5);
    json_decref(o);
}

static void
test_form_refuses(void **state)
{
    static const char *const bad[] = {
        "A=%", "A=%4", "A=%zz", "%=1", "A=%FF%FE", "A=%00", "%00=1",
        /* keys that are not UTF-8: jansson frees the value itself (a
         * double free found by fuzz_sqs_query) */
        "%FF=1", "\xd9", "a=1&%C3=2",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *o = json_object();
        int rc = compat_form_parse(o, bad[i], strlen(bad[i]));

        if (strcmp(bad[i], "A=%00") == 0) {
            /* NUL is a valid code point in a value: kept, length 1 */
            assert_int_equal(rc, 0);
            assert_int_equal(json_string_length(json_object_get(o, "A")), 1);
        } else {
            assert_int_equal(rc, ENG_EINVAL);
            assert_non_null(strstr(err_last(), "form"));
        }
        json_decref(o);
    }
}

static void
test_xml_escape(void **state)
{
    struct buf b = BUF_INIT(0);
    const char s[] = "<a href=\"x\">&'\r\n\t\x01</a>";

    (void)state;
    compat_xml_escape(&b, s, sizeof(s) - 1);
    assert_string_equal(buf_str(&b),
                        "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#xD;\n\t"
                        "&#x1;&lt;/a&gt;");
    buf_reset(&b);
    compat_xml_elem(&b, "Body", "1 < 2");
    assert_string_equal(buf_str(&b), "<Body>1 &lt; 2</Body>");
    buf_free(&b);
}

static void
test_arns(void **state)
{
    struct compat_config cfg = {.aws_account = "123456789012",
                                .aws_region = "eu-west-1"};
    struct compat *cp;
    char *arn;

    (void)state;
    assert_int_equal(compat_create(&cp, NULL, &cfg), 0);
    arn = compat_aws_arn(cp, "sqs", "orders.fifo");
    assert_string_equal(arn, "arn:aws:sqs:eu-west-1:123456789012:orders.fifo");
    assert_string_equal(compat_arn_name(arn, "sqs"), "orders.fifo");
    assert_null(compat_arn_name(arn, "sns"));
    assert_string_equal(compat_arn_name("arn:aws:sns:us-east-1:000000000000:"
                                        "t:6f1c",
                                        "sns"),
                        "t:6f1c");
    assert_null(compat_arn_name("arn:aws:sqs:us-east-1:000000000000:", "sqs"));
    assert_null(compat_arn_name("arn:aws:sqs:us-east-1", "sqs"));
    assert_null(compat_arn_name("orders", "sqs"));
    free(arn);
    compat_free(cp);
    cfg.aws_account = "12345";
    assert_int_equal(compat_create(&cp, NULL, &cfg), ENG_EINVAL);
    assert_null(cp);
}

static void
test_chars_and_hex(void **state)
{
    (void)state;
    assert_true(compat_chars_ok("Ab-9_", 5, "-_"));
    assert_false(compat_chars_ok("Ab-9_", 5, "-"));
    assert_false(compat_chars_ok("a.fifo", 6, "-_"));
    assert_true(compat_chars_ok("a.fifo", 1, "-_")); /* only n bytes */
    assert_false(compat_chars_ok("a\0b", 3, "-"));   /* NUL is never extra */
    assert_false(compat_chars_ok("\xc3\xa9", 2, "-"));
    assert_int_equal(compat_hexval('7'), 7);
    assert_int_equal(compat_hexval('b'), 11);
    assert_int_equal(compat_hexval('F'), 15);
    assert_int_equal(compat_hexval('g'), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_decodes),
        cmocka_unit_test(test_form_refuses),
        cmocka_unit_test(test_xml_escape),
        cmocka_unit_test(test_arns),
        cmocka_unit_test(test_chars_and_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
