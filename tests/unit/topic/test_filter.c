/*
 * Unit tests for topic/topic_filter: SNS filter policies, table-driven.
 * Each case is a policy, a scope, the message's attributes and body, and
 * the verdict; explain cases also check which key passed or failed and
 * the words of the reason. Bad policies name what is wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/err.h"
#include "topic/topic_filter.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define A TOPIC_SCOPE_ATTRIBUTES
#define B TOPIC_SCOPE_BODY

static json_t *
tf_load(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &e);

    if (j == NULL)
        fail_msg("bad test JSON %s: %s", text, e.text);
    return j;
}

static void
test_filter_match(void **state)
{
    static const struct {
        const char *policy;
        int scope;
        const char *attrs; /* plain or typed; NULL: none */
        const char *body;
        int want;
    } cases[] = {
        /* empty policy: everything */
        {"{}", A, NULL, "x", 1},
        /* exact strings, OR inside a key, AND across keys */
        {"{\"store\":[\"corp\"]}", A, "{\"store\":\"corp\"}", "", 1},
        {"{\"store\":[\"corp\"]}", A, "{\"store\":\"Corp\"}", "", 0},
        {"{\"store\":[\"a\",\"corp\"]}", A, "{\"store\":\"corp\"}", "", 1},
        {"{\"store\":[\"corp\"],\"event\":[\"paid\"]}", A,
         "{\"store\":\"corp\",\"event\":\"paid\"}", "", 1},
        {"{\"store\":[\"corp\"],\"event\":[\"paid\"]}", A,
         "{\"store\":\"corp\",\"event\":\"new\"}", "", 0},
        {"{\"store\":[\"corp\"]}", A, NULL, "", 0},
        /* keys not in the policy are ignored */
        {"{\"store\":[\"corp\"]}", A, "{\"store\":\"corp\",\"x\":\"y\"}", "",
         1},
        /* numbers: exact by value, ranges */
        {"{\"n\":[5]}", A, "{\"n\":5}", "", 1},
        {"{\"n\":[5]}", A, "{\"n\":{\"type\":\"Number\",\"value\":\"5.0\"}}",
         "", 1},
        {"{\"n\":[5]}", A, "{\"n\":\"5\"}", "", 0},
        {"{\"n\":[{\"numeric\":[\"=\",100]}]}", A, "{\"n\":100}", "", 1},
        {"{\"n\":[{\"numeric\":[\">\",0,\"<=\",100]}]}", A, "{\"n\":100}", "",
         1},
        {"{\"n\":[{\"numeric\":[\">\",0,\"<=\",100]}]}", A, "{\"n\":0}", "",
         0},
        {"{\"n\":[{\"numeric\":[\">=\",0,\"<\",1]}]}", A, "{\"n\":0.5}", "",
         1},
        {"{\"n\":[{\"numeric\":[\"<\",10]}]}", A, "{\"n\":\"3\"}", "", 0},
        /* prefix, suffix, equals-ignore-case */
        {"{\"k\":[{\"prefix\":\"ord\"}]}", A, "{\"k\":\"order\"}", "", 1},
        {"{\"k\":[{\"prefix\":\"ord\"}]}", A, "{\"k\":\"or\"}", "", 0},
        {"{\"k\":[{\"suffix\":\".png\"}]}", A, "{\"k\":\"a.png\"}", "", 1},
        {"{\"k\":[{\"suffix\":\".png\"}]}", A, "{\"k\":\"a.jpg\"}", "", 0},
        {"{\"k\":[{\"equals-ignore-case\":\"PaId\"}]}", A, "{\"k\":\"paid\"}",
         "", 1},
        {"{\"k\":[{\"equals-ignore-case\":\"PaId\"}]}", A,
         "{\"k\":\"paids\"}", "", 0},
        /* anything-but */
        {"{\"k\":[{\"anything-but\":\"x\"}]}", A, "{\"k\":\"y\"}", "", 1},
        {"{\"k\":[{\"anything-but\":\"x\"}]}", A, "{\"k\":\"x\"}", "", 0},
        {"{\"k\":[{\"anything-but\":[\"x\",\"y\"]}]}", A, "{\"k\":\"y\"}",
         "", 0},
        {"{\"k\":[{\"anything-but\":[\"x\",\"y\"]}]}", A, "{\"k\":\"z\"}",
         "", 1},
        {"{\"k\":[{\"anything-but\":{\"prefix\":\"in\"}}]}", A,
         "{\"k\":\"internal\"}", "", 0},
        {"{\"k\":[{\"anything-but\":{\"prefix\":\"in\"}}]}", A,
         "{\"k\":\"public\"}", "", 1},
        {"{\"k\":[{\"anything-but\":100}]}", A, "{\"k\":99}", "", 1},
        /* presence: every form but exists:false needs the key */
        {"{\"k\":[{\"anything-but\":\"x\"}]}", A, NULL, "", 0},
        {"{\"k\":[{\"exists\":true}]}", A, "{\"k\":\"v\"}", "", 1},
        {"{\"k\":[{\"exists\":true}]}", A, NULL, "", 0},
        {"{\"k\":[{\"exists\":false}]}", A, NULL, "", 1},
        {"{\"k\":[{\"exists\":false}]}", A, "{\"k\":\"v\"}", "", 0},
        /* binary attributes are ignored */
        {"{\"k\":[{\"exists\":true}]}", A,
         "{\"k\":{\"type\":\"Binary\",\"value\":\"AAE=\"}}", "", 0},
        /* String.Array: any element */
        {"{\"c\":[\"red\"]}", A, "{\"c\":[\"blue\",\"red\"]}", "", 1},
        {"{\"c\":[\"red\"]}", A, "{\"c\":[\"blue\"]}", "", 0},
        /* cidr */
        {"{\"ip\":[{\"cidr\":\"10.0.0.0/24\"}]}", A, "{\"ip\":\"10.0.0.7\"}",
         "", 1},
        {"{\"ip\":[{\"cidr\":\"10.0.0.0/24\"}]}", A, "{\"ip\":\"10.0.1.7\"}",
         "", 0},
        /* $or across keys */
        {"{\"s\":[\"a\"],\"$or\":[{\"x\":[1]},{\"y\":[2]}]}", A,
         "{\"s\":\"a\",\"y\":2}", "", 1},
        {"{\"s\":[\"a\"],\"$or\":[{\"x\":[1]},{\"y\":[2]}]}", A,
         "{\"s\":\"a\",\"y\":3}", "", 0},
        {"{\"s\":[\"a\"],\"$or\":[{\"x\":[1]},{\"y\":[2]}]}", A,
         "{\"s\":\"b\",\"x\":1}", "", 0},
        /* body scope: nested keys, arrays, null and booleans */
        {"{\"order\":{\"kind\":[\"paid\"]}}", B, NULL,
         "{\"order\":{\"kind\":\"paid\"}}", 1},
        {"{\"order\":{\"kind\":[\"paid\"]}}", B, NULL,
         "{\"order\":{\"kind\":\"new\"}}", 0},
        {"{\"order.kind\":[\"paid\"]}", B, NULL,
         "{\"order\":{\"kind\":\"paid\"}}", 1},
        {"{\"tags\":[\"x\"]}", B, NULL, "{\"tags\":[\"w\",\"x\"]}", 1},
        {"{\"v\":[null]}", B, NULL, "{\"v\":null}", 1},
        {"{\"v\":[true]}", B, NULL, "{\"v\":true}", 1},
        {"{\"v\":[true]}", B, NULL, "{\"v\":false}", 0},
        {"{\"n\":[{\"numeric\":[\">\",10]}]}", B, NULL, "{\"n\":11}", 1},
        {"{\"n\":[{\"numeric\":[\">\",10]}]}", B, NULL, "{\"n\":\"11\"}", 0},
        {"{\"k\":[\"a\"]}", B, NULL, "not json", 0},
        {"{\"k\":[\"a\"]}", B, NULL, "[1,2]", 0},
        {"{\"k\":[{\"exists\":false}]}", B, NULL, "{\"j\":1}", 1},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        json_t *policy = tf_load(cases[i].policy), *attrs = NULL, *raw;
        int got;

        assert_int_equal(0, topic_filter_check(policy, cases[i].scope));
        raw = cases[i].attrs ? tf_load(cases[i].attrs) : NULL;
        assert_int_equal(0, topic_filter_attrs(&attrs, raw));
        got = topic_filter_match(policy, cases[i].scope, attrs,
                                 cases[i].body, NULL);
        if (got != cases[i].want)
            fail_msg("case %zu: %s over %s / %s: got %d", i,
                     cases[i].policy, cases[i].attrs ? cases[i].attrs : "-",
                     cases[i].body, got);
        json_decref(policy);
        json_decref(attrs);
        json_decref(raw);
    }
}

static void
test_filter_explain(void **state)
{
    static const struct {
        const char *policy;
        const char *attrs;
        const char *key; /* the key reported... */
        int pass;        /* ...its result */
        const char *why; /* a piece of its reason */
    } cases[] = {
        {"{\"store\":[\"corp\"]}", "{\"store\":\"corp\"}", "store", 1,
         "matched \"corp\""},
        {"{\"store\":[\"corp\"]}", "{\"store\":\"x\"}", "store", 0,
         "value \"x\" matches none of [\"corp\"]"},
        {"{\"store\":[\"corp\"]}", "{}", "store", 0, "'store' is absent"},
        {"{\"k\":[{\"exists\":false}]}", "{}", "k", 1, "absence matched"},
        {"{\"$or\":[{\"x\":[1]},{\"y\":[2]}]}", "{\"y\":2}", "$or", 1,
         "an alternative passed"},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        json_t *policy = tf_load(cases[i].policy), *raw, *attrs = NULL;
        json_t *ex = json_array(), *row = NULL;
        size_t j;
        json_t *e;

        raw = tf_load(cases[i].attrs);
        assert_int_equal(0, topic_filter_attrs(&attrs, raw));
        topic_filter_match(policy, A, attrs, "", ex);
        json_array_foreach(ex, j, e)
            if (strcmp(json_string_value(json_object_get(e, "key")),
                       cases[i].key) == 0)
                row = e;
        assert_non_null(row);
        assert_int_equal(cases[i].pass,
                         json_is_true(json_object_get(row, "pass")));
        if (strstr(json_string_value(json_object_get(row, "why")),
                   cases[i].why) == NULL)
            fail_msg("case %zu: why '%s' lacks '%s'", i,
                     json_string_value(json_object_get(row, "why")),
                     cases[i].why);
        json_decref(policy);
        json_decref(raw);
        json_decref(attrs);
        json_decref(ex);
    }
}

static void
test_filter_explain_all_keys(void **state)
{
    /* explain reports every key, even after one failed */
    json_t *policy = tf_load("{\"a\":[\"1\"],\"b\":[\"2\"]}");
    json_t *raw = tf_load("{\"a\":\"0\",\"b\":\"2\"}"), *attrs = NULL;
    json_t *ex = json_array();

    (void)state;
    assert_int_equal(0, topic_filter_attrs(&attrs, raw));
    assert_int_equal(0, topic_filter_match(policy, A, attrs, "", ex));
    assert_int_equal(2, json_array_size(ex));
    assert_false(json_is_true(json_object_get(json_array_get(ex, 0), "pass")));
    assert_true(json_is_true(json_object_get(json_array_get(ex, 1), "pass")));
    json_decref(policy);
    json_decref(raw);
    json_decref(attrs);
    json_decref(ex);
}

static void
test_filter_check_bad(void **state)
{
    static const struct {
        const char *policy;
        int scope;
        const char *msg;
    } cases[] = {
        {"[]", A, "JSON object"},
        {"{\"k\":[]}", A, "non-empty array"},
        {"{\"k\":\"x\"}", A, "non-empty array"},
        {"{\"k\":{\"j\":[\"x\"]}}", A, "does not support nested"},
        {"{\"k\":[{\"bogus\":1}]}", A, "unknown operator 'bogus'"},
        {"{\"k\":[{\"prefix\":1}]}", A, "'prefix' takes"},
        {"{\"k\":[{\"numeric\":[\"<\",1,\">\",0]}]}", A, "lower bound"},
        {"{\"k\":[{\"numeric\":[\">\",5,\"<\",1]}]}", A, "not below"},
        {"{\"k\":[{\"numeric\":[\"~\",1]}]}", A, "numeric operator"},
        {"{\"k\":[{\"numeric\":[\"=\",1e12]}]}", A, "-1e9..1e9"},
        {"{\"k\":[{\"exists\":1}]}", A, "'exists' takes"},
        {"{\"k\":[{\"anything-but\":[]}]}", A, "'anything-but' takes"},
        {"{\"k\":[{\"cidr\":\"10.0.0.0\"}]}", A, "'cidr' takes"},
        {"{\"k\":[null]}", A, "only in MessageBody"},
        {"{\"$or\":[{\"a\":[1]}]}", A, "at least two"},
        {"{\"a\":[1],\"b\":[1],\"c\":[1],\"d\":[1],\"e\":[1],\"f\":[1]}", A,
         "at most 5"},
        {"{\"a\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],"
         "\"b\":[1,2,3,4,5,6,7,8,9,10]}",
         A, "combinations"},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        json_t *p = tf_load(cases[i].policy);

        assert_int_equal(ENG_EINVAL, topic_filter_check(p, cases[i].scope));
        if (strstr(err_last(), cases[i].msg) == NULL)
            fail_msg("case %zu: '%s' lacks '%s'", i, err_last(),
                     cases[i].msg);
        json_decref(p);
    }
}

static void
test_filter_attrs_bad(void **state)
{
    static const char *const cases[] = {
        "{\"a\":{\"type\":\"Blob\",\"value\":\"x\"}}",
        "{\"a\":{\"type\":\"Number\",\"value\":\"five\"}}",
        "{\"a\":null}",
        "[1]",
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        json_t *in = tf_load(cases[i]), *out = (json_t *)1;

        assert_int_equal(ENG_EINVAL, topic_filter_attrs(&out, in));
        assert_null(out);
        json_decref(in);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_match),
        cmocka_unit_test(test_filter_explain),
        cmocka_unit_test(test_filter_explain_all_keys),
        cmocka_unit_test(test_filter_check_bad),
        cmocka_unit_test(test_filter_attrs_bad),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
