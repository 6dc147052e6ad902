/*
 * Unit tests for common/buf: growth, the hard cap (nothing appended when
 * over it), printf, and handing the data over with take.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/err.h"

#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int
setup(void **state)
{
    struct buf *b = malloc(sizeof(*b));

    if (b == NULL)
        return -1;
    buf_init(b, 0);
    *state = b;
    return 0;
}

static int
teardown(void **state)
{
    struct buf *b = *state;

    buf_free(b);
    free(b);
    return 0;
}

static void
test_buf_empty(void **state)
{
    struct buf *b = *state;
    struct buf s = BUF_INIT(16);

    assert_null(b->data);
    assert_int_equal(0, b->len);
    assert_string_equal("", buf_str(b));
    assert_null(s.data);
    assert_int_equal(16, s.max);
    assert_string_equal("", buf_str(&s));
    buf_free(&s); /* freeing an empty buffer is fine */
    buf_free(&s);
}

static void
test_buf_append_grows(void **state)
{
    struct buf *b = *state;
    char want[5001];

    assert_int_equal(0, buf_puts(b, "hello"));
    assert_int_equal(0, buf_append(b, ", world", 7));
    assert_int_equal(12, b->len);
    assert_string_equal("hello, world", buf_str(b));
    /* binary data with a NUL inside keeps its length */
    assert_int_equal(0, buf_append(b, "a\0b", 3));
    assert_int_equal(15, b->len);
    assert_memory_equal("hello, worlda\0b", b->data, 16);
    buf_reset(b);
    assert_int_equal(0, b->len);
    assert_string_equal("", buf_str(b));
    /* well past the first allocation */
    for (int i = 0; i < 5000; i++) {
        want[i] = (char)('a' + i % 26);
        assert_int_equal(0, buf_append(b, &want[i], 1));
    }
    want[5000] = '\0';
    assert_int_equal(5000, b->len);
    assert_true(b->cap > b->len);
    assert_string_equal(want, buf_str(b));
}

static void
test_buf_append_empty(void **state)
{
    struct buf *b = *state;

    assert_int_equal(0, buf_append(b, NULL, 0));
    assert_int_equal(0, b->len);
    assert_string_equal("", buf_str(b));
}

static void
test_buf_cap(void **state)
{
    static const struct {
        size_t max;
        const char *have;
        const char *add;
        int rc;
    } cases[] = {
        {8, "", "12345678", 0},         /* exactly the cap */
        {8, "", "123456789", ENG_ETOOBIG},
        {8, "12345", "678", 0},
        {8, "12345", "6789", ENG_ETOOBIG},
        {8, "12345678", "", 0},
        {8, "12345678", "9", ENG_ETOOBIG},
        {1, "", "ab", ENG_ETOOBIG},
        {0, "12345678", "9abcdef", 0}, /* 0: unlimited */
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct buf b = BUF_INIT(cases[i].max);
        int rc;

        assert_int_equal(0, buf_puts(&b, cases[i].have));
        err_clear();
        rc = buf_puts(&b, cases[i].add);
        if (rc != cases[i].rc)
            fail_msg("case %zu: '%s' + '%s' (max %zu): rc %d, want %d", i,
                     cases[i].have, cases[i].add, cases[i].max, rc,
                     cases[i].rc);
        if (rc) {
            /* nothing appended */
            assert_int_equal(strlen(cases[i].have), b.len);
            assert_string_equal(cases[i].have, buf_str(&b));
            assert_non_null(strstr(err_last(), "limit"));
        } else {
            assert_int_equal(strlen(cases[i].have) + strlen(cases[i].add),
                             b.len);
        }
        buf_free(&b);
    }
}

static void
test_buf_cap_overflow(void **state)
{
    struct buf b = BUF_INIT(8);

    (void)state;
    assert_int_equal(0, buf_puts(&b, "abc"));
    /* a length that would wrap len + n: refused before it is read */
    assert_int_equal(ENG_ETOOBIG, buf_append(&b, "x", SIZE_MAX));
    assert_int_equal(ENG_ETOOBIG, buf_append(&b, "x", SIZE_MAX - 2));
    assert_int_equal(3, b.len);
    assert_string_equal("abc", buf_str(&b));
    assert_non_null(strstr(err_last(), "8 bytes"));
    buf_free(&b);
}

static void
test_buf_printf(void **state)
{
    struct buf *b = *state;
    char big[300];

    assert_int_equal(0, buf_printf(b, "%s=%d", "n", 42));
    assert_int_equal(0, buf_printf(b, ", %s", "more"));
    assert_string_equal("n=42, more", buf_str(b));
    assert_int_equal(10, b->len);
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(0, buf_printf(b, "[%s]", big));
    assert_int_equal(10 + 2 + 299, b->len);
    assert_int_equal('[', b->data[10]);
    assert_int_equal(']', b->data[b->len - 1]);
    assert_int_equal('\0', b->data[b->len]);
    assert_int_equal(0, buf_printf(b, "%s", ""));
    assert_int_equal(311, b->len);
}

static void
test_buf_printf_cap(void **state)
{
    struct buf b = BUF_INIT(10);

    (void)state;
    assert_int_equal(0, buf_printf(&b, "%d", 12345));
    assert_int_equal(ENG_ETOOBIG, buf_printf(&b, "%s", "abcdef"));
    assert_int_equal(5, b.len);
    assert_string_equal("12345", buf_str(&b));
    assert_int_equal(0, buf_printf(&b, "%s", "abcde"));
    assert_string_equal("12345abcde", buf_str(&b));
    assert_int_equal(ENG_ETOOBIG, buf_printf(&b, "%c", '!'));
    assert_string_equal("12345abcde", buf_str(&b));
    buf_free(&b);
}

static void
test_buf_take(void **state)
{
    struct buf *b = *state;
    char *s;

    assert_int_equal(0, buf_puts(b, "owned"));
    s = buf_take(b);
    assert_string_equal("owned", s);
    assert_null(b->data);
    assert_int_equal(0, b->len);
    assert_int_equal(0, b->cap);
    assert_string_equal("", buf_str(b));
    /* the buffer is usable again and independent of what was taken */
    assert_int_equal(0, buf_puts(b, "next"));
    assert_string_equal("next", buf_str(b));
    assert_string_equal("owned", s);
    assert_ptr_not_equal(s, b->data);
    free(s);
}

static void
test_buf_take_empty(void **state)
{
    struct buf *b = *state;
    char *s = buf_take(b);

    assert_non_null(s);
    assert_string_equal("", s);
    free(s); /* the caller owns it even when empty */
}

static void
test_buf_take_keeps_cap(void **state)
{
    struct buf b = BUF_INIT(4);
    char *s;

    (void)state;
    assert_int_equal(0, buf_puts(&b, "abcd"));
    s = buf_take(&b);
    assert_int_equal(4, b.max);
    assert_int_equal(ENG_ETOOBIG, buf_puts(&b, "abcde"));
    assert_int_equal(0, buf_puts(&b, "wxyz"));
    free(s);
    buf_free(&b);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_buf_empty),
        T(test_buf_append_grows),
        T(test_buf_append_empty),
        T(test_buf_cap),
        T(test_buf_cap_overflow),
        T(test_buf_printf),
        T(test_buf_printf_cap),
        T(test_buf_take),
        T(test_buf_take_empty),
        T(test_buf_take_keeps_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
