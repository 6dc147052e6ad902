/*
 * Unit tests for common/jsonx: parse errors that give line and column,
 * unknown fields, and field getters whose errors name the field and what
 * it must be.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/err.h"
#include "common/jsonx.h"

#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The fixture: one request-like object the getters read. */
static int
setup(void **state)
{
    json_error_t e;
    json_t *obj = json_loads(
        "{\"name\": \"orders\", \"size\": 10, \"real3\": 3.0, \"half\": 2.5,"
        " \"big\": 9007199254740993, \"neg\": -4, \"s_num\": \"10\","
        " \"flag\": true, \"nul\": null, \"ratio\": 0.25, \"list\": [1]}",
        0, &e);

    if (obj == NULL)
        return -1;
    *state = obj;
    return 0;
}

static int
teardown(void **state)
{
    json_decref(*state);
    return 0;
}

static void
test_jsonx_loads_good(void **state)
{
    json_t *j = NULL;
    static const char text[] = "{\"a\": [1, 2]} trailing";

    (void)state;
    /* only len bytes are read */
    assert_int_equal(0, jsonx_loads(&j, text, 13));
    assert_non_null(j);
    assert_true(json_is_object(j));
    assert_int_equal(2, json_array_size(json_object_get(j, "a")));
    json_decref(j);
    assert_int_equal(0, jsonx_loads(&j, "[]", 2));
    assert_true(json_is_array(j));
    json_decref(j);
}

static void
test_jsonx_loads_errors(void **state)
{
    static const struct {
        const char *text;
        const char *where;
        const char *what;
    } cases[] = {
        {"{\"a\": 1,}", "line 1, column 9", "'}' expected"},
        {"{\n  \"a\": tru\n}", "line 2, column 10", "invalid token"},
        {"[1, 2", "line 1, column 5", "end of file"},
        {"{\"a\":1,\"a\":2}", "line 1, column 10", "duplicate"},
        {"{\"a\":1} x", "line 1, column 9", "end of file expected"},
        {"\n\n   @", "line 3, column 4", "'@'"},
        {"", "line 1, column 0", "expected"},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        json_t *j = (json_t *)&j; /* must be cleared */
        int rc;

        err_clear();
        rc = jsonx_loads(&j, cases[i].text, strlen(cases[i].text));
        if (rc != ENG_EINVAL || j != NULL)
            fail_msg("'%s': rc %d, want ENG_EINVAL and NULL", cases[i].text,
                     rc);
        if (strstr(err_last(), cases[i].where) == NULL ||
            strstr(err_last(), cases[i].what) == NULL)
            fail_msg("'%s': message '%s', want '%s' and '%s'", cases[i].text,
                     err_last(), cases[i].where, cases[i].what);
        assert_string_equal("InvalidJSON", err_last_name());
    }
}

static void
test_jsonx_check_keys(void **state)
{
    static const char *const allowed[] = {"name", "size", "flag", NULL};
    static const char *const none[] = {NULL};
    json_t *obj = *state;
    json_t *ok = json_pack("{s:s, s:i}", "name", "x", "size", 1);
    json_t *empty = json_object();
    json_t *bad = json_pack("{s:s, s:s}", "name", "x", "colour", "red");

    assert_int_equal(0, jsonx_check_keys(ok, allowed));
    assert_int_equal(0, jsonx_check_keys(empty, allowed));
    assert_int_equal(0, jsonx_check_keys(empty, none));
    err_clear();
    assert_int_equal(ENG_EINVAL, jsonx_check_keys(bad, allowed));
    assert_non_null(strstr(err_last(), "unknown field 'colour'"));
    assert_int_equal(ENG_EINVAL, jsonx_check_keys(ok, none));
    assert_non_null(strstr(err_last(), "unknown field"));
    /* the fixture has keys other than these three */
    assert_int_equal(ENG_EINVAL, jsonx_check_keys(obj, allowed));
    assert_null(strstr(err_last(), "'name'"));
    assert_null(strstr(err_last(), "'size'"));
    json_decref(ok);
    json_decref(empty);
    json_decref(bad);
}

/* The bits name the allowed keys an object has, null-valued or not;
 * an unknown key is refused as jsonx_check_keys refuses it. */
static void
test_jsonx_keys_present(void **state)
{
    static const char *const allowed[] = {"name", "size", "flag", "nul",
                                          NULL};
    json_t *two = json_pack("{s:i, s:n}", "size", 1, "nul");
    json_t *empty = json_object();
    json_t *bad = json_pack("{s:s, s:s}", "flag", "x", "colour", "red");
    uint32_t has = 99;

    (void)state;
    assert_int_equal(0, jsonx_keys_present(two, allowed, &has));
    assert_int_equal(1u << 1 | 1u << 3, has);
    assert_int_equal(0, jsonx_keys_present(empty, allowed, &has));
    assert_int_equal(0, has);
    err_clear();
    assert_int_equal(ENG_EINVAL, jsonx_keys_present(bad, allowed, &has));
    assert_non_null(strstr(err_last(), "unknown field 'colour'"));
    json_decref(two);
    json_decref(empty);
    json_decref(bad);
}

static void
test_jsonx_check_keys_prefix(void **state)
{
    static const char *const allowed[] = {"name", NULL};
    json_t *obj = json_pack("{s:i}", "nam", 1);
    json_t *obj2 = json_pack("{s:i}", "names", 1);

    (void)state;
    assert_int_equal(ENG_EINVAL, jsonx_check_keys(obj, allowed));
    assert_non_null(strstr(err_last(), "'nam'"));
    assert_int_equal(ENG_EINVAL, jsonx_check_keys(obj2, allowed));
    assert_non_null(strstr(err_last(), "'names'"));
    json_decref(obj);
    json_decref(obj2);
}

static void
test_jsonx_get_int(void **state)
{
    static const struct {
        const char *key;
        int required;
        int64_t min, max;
        int rc;
        int64_t want;    /* *out after, which starts at -77 */
        const char *msg; /* in the message on failure */
    } cases[] = {
        {"size", 1, 0, 100, 0, 10, NULL},
        {"size", 0, 10, 10, 0, 10, NULL},
        {"neg", 1, -10, 0, 0, -4, NULL},
        {"real3", 1, 0, 5, 0, 3, NULL},
        {"size", 1, 0, 9, ENG_EINVAL, -77,
         "field 'size' is 10, outside 0 to 9"},
        {"size", 1, 11, 20, ENG_EINVAL, -77,
         "field 'size' is 10, outside 11 to 20"},
        {"neg", 0, 0, 5, ENG_EINVAL, -77, "field 'neg' is -4, outside 0 to 5"},
        {"half", 1, 0, 5, ENG_EINVAL, -77,
         "field 'half' must be an integer from 0 to 5"},
        {"s_num", 1, 0, 100, ENG_EINVAL, -77,
         "field 's_num' must be an integer from 0 to 100"},
        {"flag", 1, 0, 1, ENG_EINVAL, -77, "field 'flag' must be an integer"},
        {"list", 1, 0, 1, ENG_EINVAL, -77, "field 'list' must be an integer"},
        {"missing", 0, 0, 1, 0, -77, NULL},
        {"nul", 0, 0, 1, 0, -77, NULL},
        {"missing", 1, 0, 1, ENG_EINVAL, -77, "field 'missing' is required"},
        {"nul", 1, 0, 1, ENG_EINVAL, -77, "field 'nul' is required"},
    };
    json_t *obj = *state;

    for (size_t i = 0; i < NELEM(cases); i++) {
        int64_t out = -77;
        int rc;

        err_clear();
        rc = jsonx_get_int(&out, obj, cases[i].key, cases[i].required,
                           cases[i].min, cases[i].max);
        if (rc != cases[i].rc || out != cases[i].want)
            fail_msg("case %zu ('%s'): rc %d out %lld, want rc %d out %lld",
                     i, cases[i].key, rc, (long long)out, cases[i].rc,
                     (long long)cases[i].want);
        if (cases[i].msg && strstr(err_last(), cases[i].msg) == NULL)
            fail_msg("case %zu: message '%s', want '%s'", i, err_last(),
                     cases[i].msg);
    }
}

static void
test_jsonx_get_int_limits(void **state)
{
    json_t *obj = *state;
    int64_t out = 0;

    assert_int_equal(0, jsonx_get_int(&out, obj, "big", 1, INT64_MIN,
                                      INT64_MAX));
    assert_int_equal(INT64_C(9007199254740993), out);
    assert_int_equal(ENG_EINVAL, jsonx_get_int(&out, obj, "big", 1, 0,
                                               INT64_C(9007199254740992)));
    assert_non_null(strstr(err_last(), "9007199254740993"));
}

static void
test_jsonx_get_str(void **state)
{
    static const struct {
        const char *key;
        int required;
        int rc;
        const char *want; /* NULL: *out left unchanged */
        const char *msg;
    } cases[] = {
        {"name", 1, 0, "orders", NULL},
        {"name", 0, 0, "orders", NULL},
        {"s_num", 1, 0, "10", NULL},
        {"missing", 0, 0, NULL, NULL},
        {"nul", 0, 0, NULL, NULL},
        {"missing", 1, ENG_EINVAL, NULL, "field 'missing' is required"},
        {"nul", 1, ENG_EINVAL, NULL, "field 'nul' is required"},
        {"size", 1, ENG_EINVAL, NULL, "field 'size' must be a string"},
        {"size", 0, ENG_EINVAL, NULL, "field 'size' must be a string"},
        {"flag", 0, ENG_EINVAL, NULL, "field 'flag' must be a string"},
        {"list", 0, ENG_EINVAL, NULL, "field 'list' must be a string"},
    };
    static const char sentinel[] = "unchanged";
    json_t *obj = *state;

    for (size_t i = 0; i < NELEM(cases); i++) {
        const char *out = sentinel;
        int rc;

        err_clear();
        rc = jsonx_get_str(&out, obj, cases[i].key, cases[i].required);
        if (rc != cases[i].rc)
            fail_msg("case %zu ('%s'): rc %d, want %d", i, cases[i].key, rc,
                     cases[i].rc);
        if (cases[i].want) {
            assert_string_equal(cases[i].want, out);
            /* borrowed from the object, not a copy */
            assert_ptr_equal(json_string_value(
                                 json_object_get(obj, cases[i].key)),
                             out);
        } else {
            assert_ptr_equal(sentinel, out);
        }
        if (cases[i].msg && strstr(err_last(), cases[i].msg) == NULL)
            fail_msg("case %zu: message '%s', want '%s'", i, err_last(),
                     cases[i].msg);
    }
}

static void
test_jsonx_get_num_bool(void **state)
{
    json_t *obj = *state;
    double d = -1;
    int b = -1;

    assert_int_equal(0, jsonx_get_num(&d, obj, "ratio", 1));
    assert_true(d == 0.25);
    assert_int_equal(0, jsonx_get_num(&d, obj, "size", 1));
    assert_true(d == 10.0);
    d = -1;
    assert_int_equal(0, jsonx_get_num(&d, obj, "missing", 0));
    assert_true(d == -1);
    assert_int_equal(ENG_EINVAL, jsonx_get_num(&d, obj, "name", 0));
    assert_non_null(strstr(err_last(), "field 'name' must be a number"));
    assert_int_equal(ENG_EINVAL, jsonx_get_num(&d, obj, "missing", 1));
    assert_non_null(strstr(err_last(), "'missing' is required"));

    assert_int_equal(0, jsonx_get_bool(&b, obj, "flag", 1));
    assert_int_equal(1, b);
    b = -1;
    assert_int_equal(0, jsonx_get_bool(&b, obj, "nul", 0));
    assert_int_equal(-1, b);
    assert_int_equal(ENG_EINVAL, jsonx_get_bool(&b, obj, "size", 0));
    assert_non_null(strstr(err_last(), "field 'size' must be true or false"));
    assert_int_equal(-1, b);
}

static void
test_jsonx_time_dump(void **state)
{
    json_t *t = jsonx_time(1234);
    json_t *obj = json_pack("{s:i, s:[s]}", "a", 1, "b", "x");
    json_t *str = json_string("x\"y");
    char *s;

    (void)state;
    assert_true(json_is_string(t));
    assert_string_equal("1970-01-01T00:00:01.234Z", json_string_value(t));
    s = jsonx_dump(obj);
    assert_string_equal("{\"a\":1,\"b\":[\"x\"]}", s);
    free(s);
    s = jsonx_dump(str); /* not only objects and arrays */
    assert_string_equal("\"x\\\"y\"", s);
    free(s);
    json_decref(t);
    json_decref(obj);
    json_decref(str);
}

/* jsonx_stringn: ASCII skips jansson's check, anything else still gets
 * it, wherever in the text the first byte above 0x7F stands (in a whole
 * 8-byte word or in the tail). */
static void
test_jsonx_stringn(void **state)
{
    static const struct {
        const char *s;
        size_t n;
        int ok;
    } cases[] = {
        {"", 0, 1},
        {"plain ascii text, longer than a word", 36, 1},
        {"a\0b", 3, 1},                     /* NUL is UTF-8 */
        {"caf\xc3\xa9", 5, 1},              /* tail, valid */
        {"0123456789\xe2\x82\xac!", 14, 1}, /* word, valid */
        {"\xff", 1, 0},                     /* tail, never UTF-8 */
        {"01234567\xc3(", 10, 0},           /* tail after a word */
        {"0123\xed\xa0\x80\x35\x36\x37", 10, 0}, /* a surrogate, in a word */
        {"0123456789abcde\x80", 16, 0},     /* last byte of a word */
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        json_t *j = jsonx_stringn(cases[i].s, cases[i].n);

        if (!cases[i].ok) {
            assert_null(j);
            continue;
        }
        assert_non_null(j);
        assert_int_equal(cases[i].n, json_string_length(j));
        assert_memory_equal(cases[i].s, json_string_value(j), cases[i].n);
        json_decref(j);
    }
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_jsonx_loads_good),
        T(test_jsonx_loads_errors),
        T(test_jsonx_check_keys),
        T(test_jsonx_check_keys_prefix),
        T(test_jsonx_keys_present),
        T(test_jsonx_get_int),
        T(test_jsonx_get_int_limits),
        T(test_jsonx_get_str),
        T(test_jsonx_get_num_bool),
        T(test_jsonx_time_dump),
        T(test_jsonx_stringn),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
