/*
 * Unit tests for common/jsonw: jsonw_dump gives json_dumps's bytes (or
 * its NULL) for every tree, by a table and by a differential fuzz over
 * random trees; the flat writer escapes as json_dumps does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/jsonw.h"

#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* jsonw_dump(j) must be json_dumps(j) for both flag sets. */
static void
check_dump(const json_t *j)
{
    static const size_t flags[] = {JSON_COMPACT,
                                   JSON_COMPACT | JSON_ENCODE_ANY};

    for (size_t i = 0; i < NELEM(flags); i++) {
        char *fast = jsonw_dump(j, flags[i]);
        char *slow = json_dumps(j, flags[i]);

        if ((fast == NULL) != (slow == NULL) ||
            (fast && strcmp(fast, slow) != 0))
            fail_msg("jsonw_dump gave %s, json_dumps %s",
                     fast ? fast : "NULL", slow ? slow : "NULL");
        free(fast);
        free(slow);
    }
}

static void
test_jsonw_dump_table(void **state)
{
    static const char *const texts[] = {
        "{}",
        "[]",
        "{\"id\":\"0000000000000001-ABCDEF\",\"body_md5\":\"d41d8\"}",
        "{\"a\":[1,-2,0,true,false,null,\"s\"],\"b\":{\"c\":{}}}",
        "{\"n\":9223372036854775807,\"m\":-9223372036854775808}",
        "{\"esc\":\"q\\\"b\\\\s/f\\bn\\fr\\nt\\r\\t\\u0001\\u001f\\u007f\"}",
        "{\"k\\n\\u0002\":1}",
        "{\"utf8\":\"h\\u00e9 \\u20ac \\ud83d\\ude00\"}",
        "{\"r\":1.5,\"s\":[0.1,1e300]}",
        "[[[[[[\"deep\"]]]]]]",
        "{\"z\":1,\"a\":2,\"m\":3}",
    };

    (void)state;
    for (size_t i = 0; i < NELEM(texts); i++) {
        json_t *j = json_loads(texts[i], 0, NULL);

        assert_non_null(j);
        check_dump(j);
        json_decref(j);
    }
    /* scalars: only with JSON_ENCODE_ANY */
    {
        json_t *v[] = {json_integer(-7), json_string("x\x01"), json_true(),
                       json_null(), json_real(2.5)};

        for (size_t i = 0; i < NELEM(v); i++) {
            check_dump(v[i]);
            json_decref(v[i]);
        }
    }
    /* NUL in a string and a key (made with the length calls) */
    {
        json_t *o = json_object();

        json_object_set_new(o, "nul", json_stringn("a\0b", 3));
        json_object_setn_new(o, "k\0y", 3, json_integer(1));
        check_dump(o);
        json_decref(o);
    }
    /* bytes that are not UTF-8: json_dumps fails, and so must we */
    {
        static const char *const bad[] = {"\xff", "\xc3", "\xc0\x80",
                                          "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                          "\xe0\x80\x80", "ok\x80"};

        for (size_t i = 0; i < NELEM(bad); i++) {
            json_t *o = json_object();

            json_object_set_new(o, "s",
                                json_stringn_nocheck(bad[i], strlen(bad[i])));
            check_dump(o);
            json_decref(o);
        }
    }
    assert_null(jsonw_dump(NULL, JSON_COMPACT));
}

static void
test_jsonw_flat(void **state)
{
    struct jsonw w;
    char *text, *want;
    json_t *j;

    (void)state;
    jsonw_begin(&w);
    jsonw_str(&w, "queue", "q\"\\\n\x01\x1f/\xc3\xa9");
    jsonw_int(&w, "min", INT64_MIN);
    jsonw_int(&w, "max", INT64_MAX);
    jsonw_int(&w, "zero", 0);
    jsonw_strn(&w, "cut", "abcdef", 3);
    jsonw_time(&w, "t", 0);
    text = jsonw_end(&w);
    j = json_pack("{s:s, s:I, s:I, s:I, s:s, s:s}", "queue",
                  "q\"\\\n\x01\x1f/\xc3\xa9", "min", (json_int_t)INT64_MIN,
                  "max", (json_int_t)INT64_MAX, "zero", (json_int_t)0, "cut",
                  "abc", "t", "1970-01-01T00:00:00.000Z");
    want = json_dumps(j, JSON_COMPACT);
    assert_string_equal(want, text);
    free(text);
    free(want);
    json_decref(j);
}

/* jsonw_plain8 against the byte-by-byte rule, for every byte value at
 * every position of a word of plain text */
static void
test_jsonw_plain8(void **state)
{
    (void)state;
    for (int pos = 0; pos < 8; pos++) {
        for (int c = 0; c < 256; c++) {
            char w[8];
            int plain = c >= 0x20 && c < 0x80 && c != '"' && c != '\\';

            memset(w, 'a', sizeof(w));
            w[pos] = (char)c;
            if (jsonw_plain8(w) != plain)
                fail_msg("byte 0x%02x at %d: plain8 says %d", c, pos, !plain);
        }
    }
}

/* ---- differential fuzz over random trees ---- */

static uint64_t fuzz_state = 0x2545f4914f6cdd1dULL;

static uint32_t
fuzz_rand(uint32_t n)
{
    fuzz_state ^= fuzz_state << 13;
    fuzz_state ^= fuzz_state >> 7;
    fuzz_state ^= fuzz_state << 17;
    return (uint32_t)(fuzz_state % n);
}

static void
fuzz_text(char *s, size_t *n)
{
    static const char *const pieces[] = {
        "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f",
        "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xff",
        "\xc3", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x8f\xbf\xbf",
    };
    int k = (int)fuzz_rand(24);

    *n = 0;
    for (int i = 0; i < k; i++) {
        const char *p = pieces[fuzz_rand(NELEM(pieces))];

        memcpy(s + *n, p, strlen(p));
        *n += strlen(p);
    }
}

static json_t *
fuzz_tree(int depth)
{
    char s[128];
    size_t n;
    json_t *j;

    switch (depth > 0 ? fuzz_rand(8) : 2 + fuzz_rand(6)) {
    case 0:
        j = json_object();
        for (int i = (int)fuzz_rand(4); i > 0; i--) {
            fuzz_text(s, &n);
            /* nocheck: keys that are not UTF-8 must fail the dump too */
            json_object_setn_new_nocheck(j, s, n, fuzz_tree(depth - 1));
        }
        return j;
    case 1:
        j = json_array();
        for (int i = (int)fuzz_rand(4); i > 0; i--)
            json_array_append_new(j, fuzz_tree(depth - 1));
        return j;
    case 2:
    case 3:
        fuzz_text(s, &n);
        return json_stringn_nocheck(s, n); /* not UTF-8 at times */
    case 4:
        return json_integer((json_int_t)((int64_t)fuzz_state >>
                                         fuzz_rand(64)));
    case 5: return fuzz_rand(2) ? json_true() : json_false();
    case 6: return json_null();
    default:
        return fuzz_rand(8) ? json_integer((json_int_t)fuzz_rand(1000))
                            : json_real((double)fuzz_rand(1000) / 8);
    }
}

static void
test_jsonw_dump_fuzz(void **state)
{
    (void)state;
    for (int i = 0; i < 100000; i++) {
        json_t *j = fuzz_tree(4);

        check_dump(j);
        json_decref(j);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonw_dump_table),
        cmocka_unit_test(test_jsonw_flat),
        cmocka_unit_test(test_jsonw_plain8),
        cmocka_unit_test(test_jsonw_dump_fuzz),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
