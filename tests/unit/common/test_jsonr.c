/*
 * Unit tests for common/jsonr: every text it accepts gives the tree
 * jansson gives (types, values, key order), and it gives up on every
 * text outside its subset, so that jansson answers (with its error).
 * A table of cases, then a differential fuzz against json_loadb over
 * generated and mutated texts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/jsonr.h"

#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Check jsonr against jansson on text[0..len). Returns: 1 if jsonr read
 * it. A text jsonr reads must be one jansson reads to the same tree. */
static int
check_same(const char *text, size_t len)
{
    json_t *fast = jsonr_parse(text, len);
    json_t *slow = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    int took = fast != NULL;

    if (fast) {
        char *a, *b;

        if (slow == NULL)
            fail_msg("jsonr read text jansson refuses: %.*s", (int)len,
                     text);
        a = json_dumps(fast, JSON_COMPACT);
        b = json_dumps(slow, JSON_COMPACT);
        if (!json_equal(fast, slow) || strcmp(a, b) != 0)
            fail_msg("jsonr and jansson differ on %.*s: %s vs %s", (int)len,
                     text, a, b);
        free(a);
        free(b);
    }
    json_decref(fast);
    json_decref(slow);
    return took;
}

static void
test_jsonr_table(void **state)
{
    static const struct {
        const char *text;
        int fast; /* 1: jsonr reads it; 0: it leaves it to jansson */
    } cases[] = {
        /* the shapes the hot endpoints take */
        {"{\"body\":\"hello\"}", 1},
        {"{\"entries\":[{\"id\":\"e1\",\"body\":\"a\"},{\"id\":\"e2\","
         "\"body\":\"b\",\"priority\":3}]}", 1},
        {"{\"max\":16,\"wait_seconds\":0}", 1},
        {"{\"receipts\":[\"AAAA\",\"BBBB\"]}", 1},
        {" \t\r\n{ \"a\" : [ 1 , -2 , 0 , -0 , true , false , null ] } \n", 1},
        {"[]", 1},
        {"{}", 1},
        {"[[[[{}]]]]", 1},
        {"{\"a\":{\"b\":{\"c\":[]}}}", 1},
        {"{\"s\":\"q\\\"b\\\\s\\/f\\bn\\fr\\nt\\r\\t\"}", 1},
        {"{\"k\\n\":1,\"k\":2}", 1},
        {"{\"utf8\":\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}", 1},
        {"{\"n\":999999999999999999}", 1},
        {"{\"n\":-999999999999999999}", 1},
        {"{\"del\":\"\x7f\"}", 1},
        /* valid, but jansson's to read */
        {"{\"u\":\"\\u00e9\"}", 0},
        {"{\"u\":\"\\u0000\"}", 0},
        {"{\"r\":1.5}", 0},
        {"{\"r\":1e3}", 0},
        {"{\"r\":1E3}", 0},
        {"{\"n\":1000000000000000000}", 0},
        {"{\"n\":99999999999999999999999}", 0},
        /* invalid: jansson gives the error */
        {"", 0},
        {"   ", 0},
        {"1", 0},
        {"\"s\"", 0},
        {"true", 0},
        {"null", 0},
        {"{", 0},
        {"{\"a\"", 0},
        {"{\"a\":", 0},
        {"{\"a\":1", 0},
        {"{\"a\":1,}", 0},
        {"[1,]", 0},
        {"[,1]", 0},
        {"{\"a\":1}x", 0},
        {"{\"a\":1}{}", 0},
        {"{\"a\":01}", 0},
        {"{\"a\":-}", 0},
        {"{\"a\":+1}", 0},
        {"{\"a\":1a}", 0},
        {"{\"a\":tru}", 0},
        {"{\"a\":truex}", 0},
        {"{\"a\":nul}", 0},
        {"{\"a\":1,\"a\":2}", 0},
        {"{\"a\\n\":1,\"a\\n\":2}", 0},
        {"{a:1}", 0},
        {"{'a':1}", 0},
        {"{\"a\":\"x\ny\"}", 0},
        {"{\"a\":\"\\x\"}", 0},
        {"{\"a\":\"\\", 0},
        {"{\"a\":\"abc", 0},
        {"{\"bad\":\"\xff\"}", 0},
        {"{\"bad\":\"\xc3\"}", 0},
        {"{\"bad\":\"\xed\xa0\x80\"}", 0},
        {"{\"\xff\":1}", 0},
        {"\xef\xbb\xbf{}", 0},
        {"{\"a\":[1 2]}", 0},
        {"{\"a\" 1}", 0},
        {"[\"a\":1]", 0},
        {"{\"a\":1]", 0},
        {"[1}", 0},
        {"{\"a\":NaN}", 0},
        {"{\"a\":\v1}", 0},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        int took = check_same(cases[i].text, strlen(cases[i].text));

        if (took != cases[i].fast)
            fail_msg("case %zu (%s): jsonr %s it", i, cases[i].text,
                     took ? "read" : "gave up on");
    }
}

static void
test_jsonr_bounds(void **state)
{
    static const char text[] = "{\"a\":[1,2]}{\"b\":3}";
    char deep[2 * (JSONR_DEPTH_MAX + 1) + 1];
    char nul[] = "{\"a\":\"x\0y\"}";
    json_t *j;

    (void)state;
    /* only len bytes are read */
    j = jsonr_parse(text, 11);
    assert_non_null(j);
    assert_int_equal(2, json_array_size(json_object_get(j, "a")));
    json_decref(j);
    assert_null(jsonr_parse(text, 10));
    /* a raw NUL inside a string is a control character */
    assert_int_equal(0, check_same(nul, sizeof(nul) - 1));
    /* as deep as allowed, then one more */
    for (int i = 0; i < JSONR_DEPTH_MAX; i++) {
        deep[i] = '[';
        deep[2 * JSONR_DEPTH_MAX - 1 - i] = ']';
    }
    assert_int_equal(1, check_same(deep, 2 * JSONR_DEPTH_MAX));
    memmove(deep + 1, deep, 2 * JSONR_DEPTH_MAX);
    deep[0] = '[';
    deep[2 * JSONR_DEPTH_MAX + 1] = ']';
    assert_int_equal(0, check_same(deep, 2 * JSONR_DEPTH_MAX + 2));
    /* a long escaped key is left to jansson, a long plain one is read */
    {
        char key[400];
        size_t n;

        n = (size_t)snprintf(key, sizeof(key), "{\"%0200d\\n\":1}", 0);
        assert_int_equal(0, check_same(key, n));
        n = (size_t)snprintf(key, sizeof(key), "{\"%0300d\":1}", 0);
        assert_int_equal(1, check_same(key, n));
    }
}

/* ---- differential fuzz ---- */

static uint64_t fuzz_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
fuzz_rand(uint32_t n)
{
    fuzz_state ^= fuzz_state << 13;
    fuzz_state ^= fuzz_state >> 7;
    fuzz_state ^= fuzz_state << 17;
    return (uint32_t)(fuzz_state % n);
}

/* Append a random value, mostly well-formed, of depth at most d. */
static void
fuzz_value(char *out, size_t *len, size_t cap, int d)
{
    static const char *const atoms[] = {
        "0", "-0", "7", "-12", "123456789012345678", "1234567890123456789",
        "1.5", "2e3", "true", "false", "null", "\"\"", "\"abc\"",
        "\"a\\\"b\"", "\"\\u00e9\"", "\"\\n\\t\"", "\"h\xc3\xa9\"",
        "\"\xff\"", "\"e1\"", "\"id\"", "\"body\"", "01", "-", "tru",
        "\"\\/\"", "\"x\\\\\"",
        /* long runs: the word-at-a-time scan and what interrupts it */
        "\"abcdefghijklmnopqrstuvwxyz0123456789\"",
        "\"abcdefghijk\\nlmnopqrstuvwxyz\\\"0123456789\"",
        "\"abcdefgh\xc3\xa9ijklmnopq\xe2\x82\xacrstuvwxyz\"",
    };
    static const char *const keys[] = {
        "\"id\"", "\"body\"", "\"priority\"", "\"a\"", "\"a\"", "\"\"",
        "\"k\\n\"", "\"\\u0041\"", "\"\xc3\xa9\"", "id",
    };
    static const char *const ws[] = {"", "", "", " ", "\n", "\t", "\r\n "};
    char tmp[64];
    int n = 0;

#define PUT(s)                                                              \
    do {                                                                    \
        const char *s_ = (s); /* once: s may draw a random number */        \
        size_t l_ = strlen(s_);                                             \
        if (*len + l_ < cap) {                                              \
            memcpy(out + *len, s_, l_);                                     \
            *len += l_;                                                     \
        }                                                                   \
    } while (0)
    PUT(ws[fuzz_rand(NELEM(ws))]);
    switch (d > 0 ? fuzz_rand(4) : 3) {
    case 0:
        PUT("{");
        n = (int)fuzz_rand(4);
        for (int i = 0; i < n; i++) {
            if (i)
                PUT(",");
            PUT(ws[fuzz_rand(NELEM(ws))]);
            PUT(keys[fuzz_rand(NELEM(keys))]);
            PUT(ws[fuzz_rand(NELEM(ws))]);
            PUT(":");
            fuzz_value(out, len, cap, d - 1);
        }
        PUT("}");
        break;
    case 1:
        PUT("[");
        n = (int)fuzz_rand(4);
        for (int i = 0; i < n; i++) {
            if (i)
                PUT(",");
            fuzz_value(out, len, cap, d - 1);
        }
        PUT("]");
        break;
    case 2:
        snprintf(tmp, sizeof(tmp), "%d", (int)fuzz_rand(100000) - 50000);
        PUT(tmp);
        break;
    default:
        PUT(atoms[fuzz_rand(NELEM(atoms))]);
        break;
    }
    PUT(ws[fuzz_rand(NELEM(ws))]);
#undef PUT
}

static void
fuzz_mutate(char *t, size_t *len, size_t cap)
{
    static const char bytes[] = "{}[],:\"\\ 0-1e.tn\x01\x80\xc3\xff";
    size_t at = *len ? fuzz_rand((uint32_t)*len) : 0;

    switch (fuzz_rand(4)) {
    case 0: /* flip a byte */
        if (*len)
            t[at] = bytes[fuzz_rand(sizeof(bytes) - 1)];
        break;
    case 1: /* insert one */
        if (*len + 1 < cap) {
            memmove(t + at + 1, t + at, *len - at);
            t[at] = bytes[fuzz_rand(sizeof(bytes) - 1)];
            (*len)++;
        }
        break;
    case 2: /* delete one */
        if (*len) {
            memmove(t + at, t + at + 1, *len - at - 1);
            (*len)--;
        }
        break;
    default: /* cut short */
        *len = at;
        break;
    }
}

static void
test_jsonr_fuzz(void **state)
{
    char text[4096];
    int took = 0, rounds = 200000;

    (void)state;
    for (int i = 0; i < rounds; i++) {
        size_t len = 0;
        int top = (int)fuzz_rand(2);

        text[len++] = top ? '{' : '[';
        if (top) {
            memcpy(text + len, "\"e\":", 4);
            len += 4;
        }
        fuzz_value(text, &len, sizeof(text) - 2, 4);
        text[len++] = top ? '}' : ']';
        for (int m = (int)fuzz_rand(3); m > 0; m--)
            fuzz_mutate(text, &len, sizeof(text));
        took += check_same(text, len);
    }
    /* the fuzz must exercise both ways: reading, and giving up */
    assert_true(took > rounds / 20);
    assert_true(took < rounds - rounds / 20);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonr_table),
        cmocka_unit_test(test_jsonr_bounds),
        cmocka_unit_test(test_jsonr_fuzz),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
