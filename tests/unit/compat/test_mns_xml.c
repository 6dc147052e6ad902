/*
 * Unit tests for the MNS adapter's XML reader: good documents (names
 * without prefixes, text, entities and character references, nested
 * lists), malformed ones, DOCTYPE and entity declarations refused, deep
 * nesting and too many elements refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/err.h"
#include "compat/compat_mns_xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct mns_xml *
parse_ok(const char *text)
{
    struct mns_xml *x = NULL;

    assert_int_equal(compat_mns_xml_parse(&x, text, strlen(text)), 0);
    assert_non_null(x);
    return x;
}

static void
test_xml_message(void **state)
{
    const char *doc =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<Message xmlns=\"http://mns.aliyuncs.com/doc/v1/\">"
        "<MessageBody>a &amp; b &lt;c&gt; &#x263A; \xE2\x82\xAC</MessageBody>"
        "<Priority> 3 </Priority><DelaySeconds/></Message>";
    struct mns_xml *x = parse_ok(doc);

    (void)state;
    assert_string_equal(x->name, "Message");
    assert_string_equal(compat_mns_xml_text(x, "MessageBody"),
                        "a & b <c> \xE2\x98\xBA \xE2\x82\xAC");
    assert_string_equal(compat_mns_xml_text(x, "Priority"), " 3 ");
    assert_string_equal(compat_mns_xml_text(x, "DelaySeconds"), "");
    assert_null(compat_mns_xml_text(x, "Missing"));
    assert_null(compat_mns_xml_child(NULL, "Priority"));
    compat_mns_xml_free(x);
}

static void
test_xml_list_and_prefix(void **state)
{
    const char *doc =
        "<m:ReceiptHandles xmlns:m=\"http://mns.aliyuncs.com/doc/v1/\">\n"
        "  <m:ReceiptHandle>h1</m:ReceiptHandle>\n"
        "  <m:ReceiptHandle>h2</m:ReceiptHandle>\n"
        "  <m:ReceiptHandle><![CDATA[<h3>]]></m:ReceiptHandle>\n"
        "</m:ReceiptHandles>";
    static const char *const want[] = {"h1", "h2", "<h3>"};
    struct mns_xml *x = parse_ok(doc);
    const struct mns_xml *c;
    int n = 0;

    (void)state;
    assert_string_equal(x->name, "ReceiptHandles");
    for (c = x->child; c; c = c->next) {
        assert_string_equal(c->name, "ReceiptHandle");
        assert_true(n < 3);
        assert_string_equal(c->text, want[n]);
        n++;
    }
    assert_int_equal(n, 3);
    compat_mns_xml_free(x);
}

static void
test_xml_malformed(void **state)
{
    static const char *const bad[] = {
        "",
        "   ",
        "<Message>",
        "<Message><MessageBody>x</Message>",
        "<Message>&undefined;</Message>",
        "<Message>&#0;</Message>",
        "<a></a><b></b>",
        "not xml at all",
        "<Message a=\"1\" a=\"2\"/>",
        "<Message>\xFF\xFE</Message>",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct mns_xml *x = (struct mns_xml *)1;

        assert_int_equal(compat_mns_xml_parse(&x, bad[i], strlen(bad[i])),
                         ENG_EINVAL);
        assert_null(x);
        assert_string_equal(err_last_name(), "MalformedXML");
    }
}

static void
test_xml_doctype_refused(void **state)
{
    static const char *const bad[] = {
        "<!DOCTYPE Message><Message/>",
        "<!DOCTYPE Message [<!ENTITY a \"aaaaaaaaaa\">]>"
        "<Message>&a;</Message>",
        "<!DOCTYPE Message SYSTEM \"file:///etc/passwd\"><Message/>",
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>",
        "<!DOCTYPE x [<!ENTITY % p SYSTEM \"http://127.0.0.1/x\"> %p;]><x/>",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct mns_xml *x = (struct mns_xml *)1;

        assert_int_equal(compat_mns_xml_parse(&x, bad[i], strlen(bad[i])),
                         ENG_EINVAL);
        assert_null(x);
        assert_string_equal(err_last_name(), "MalformedXML");
        assert_non_null(strstr(err_last(), "DOCTYPE"));
    }
}

static void
test_xml_depth_and_count(void **state)
{
    char doc[4096];
    size_t n = 0;
    struct mns_xml *x = NULL;

    (void)state;
    /* as deep as allowed: parsed */
    for (int i = 0; i < MNS_XML_DEPTH_MAX; i++)
        n += (size_t)snprintf(doc + n, sizeof(doc) - n, "<e%d>", i);
    for (int i = MNS_XML_DEPTH_MAX - 1; i >= 0; i--)
        n += (size_t)snprintf(doc + n, sizeof(doc) - n, "</e%d>", i);
    x = parse_ok(doc);
    compat_mns_xml_free(x);
    /* one deeper: refused */
    n = 0;
    for (int i = 0; i <= MNS_XML_DEPTH_MAX; i++)
        n += (size_t)snprintf(doc + n, sizeof(doc) - n, "<e%d>", i);
    for (int i = MNS_XML_DEPTH_MAX; i >= 0; i--)
        n += (size_t)snprintf(doc + n, sizeof(doc) - n, "</e%d>", i);
    assert_int_equal(compat_mns_xml_parse(&x, doc, n), ENG_EINVAL);
    assert_null(x);
    assert_non_null(strstr(err_last(), "nest"));
    /* unclosed deep nesting: refused, nothing leaks */
    n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(doc + n, sizeof(doc) - n, "<a>");
    assert_int_equal(compat_mns_xml_parse(&x, doc, n), ENG_EINVAL);
    assert_null(x);
}

static void
test_xml_too_many(void **state)
{
    size_t cap = (MNS_XML_ELEMS_MAX + 2) * 4 + 32, n = 0;
    char *doc = malloc(cap);
    struct mns_xml *x = NULL;

    (void)state;
    assert_non_null(doc);
    n += (size_t)snprintf(doc + n, cap - n, "<r>");
    for (int i = 0; i < MNS_XML_ELEMS_MAX; i++)
        n += (size_t)snprintf(doc + n, cap - n, "<a/>");
    n += (size_t)snprintf(doc + n, cap - n, "</r>");
    assert_int_equal(compat_mns_xml_parse(&x, doc, n), ENG_EINVAL);
    assert_null(x);
    assert_non_null(strstr(err_last(), "too many"));
    free(doc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xml_message),
        cmocka_unit_test(test_xml_list_and_prefix),
        cmocka_unit_test(test_xml_malformed),
        cmocka_unit_test(test_xml_doctype_refused),
        cmocka_unit_test(test_xml_depth_and_count),
        cmocka_unit_test(test_xml_too_many),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
