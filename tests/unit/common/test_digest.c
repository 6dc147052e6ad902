/*
 * Unit tests for common/digest: MD5, SHA-256 and the HMACs against the
 * published test vectors (RFC 1321, FIPS 180-2, RFC 2202, RFC 4231), and
 * base64 against RFC 4648's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/digest.h"

#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
test_digest_md5(void **state)
{
    static const struct {
        const char *in, *hex;
    } cases[] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"12345678901234567890123456789012345678901234567890123456789012345"
         "678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    char hex[DIGEST_MD5_HEX];
    unsigned char raw[16];

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        digest_md5_hex(hex, cases[i].in, strlen(cases[i].in));
        assert_string_equal(hex, cases[i].hex);
        digest_md5(raw, cases[i].in, strlen(cases[i].in));
        digest_hex(hex, raw, sizeof(raw));
        assert_string_equal(hex, cases[i].hex);
    }
}

static void
test_digest_sha256(void **state)
{
    static const struct {
        const char *in, *hex;
    } cases[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc",
         "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    char hex[DIGEST_SHA256_HEX];
    unsigned char raw[DIGEST_SHA256_SIZE];

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        digest_sha256_hex(hex, cases[i].in, strlen(cases[i].in));
        assert_string_equal(hex, cases[i].hex);
        digest_sha256(raw, cases[i].in, strlen(cases[i].in));
        digest_hex(hex, raw, sizeof(raw));
        assert_string_equal(hex, cases[i].hex);
    }
}

static void
test_digest_hmac(void **state)
{
    static const char big_data[] =
        "Test Using Larger Than Block-Size Key - Hash Key First";
    unsigned char big_key[131], mac[DIGEST_SHA256_SIZE];
    char hex[2 * DIGEST_SHA256_SIZE + 1];
    const char *jefe = "what do ya want for nothing?";

    (void)state;
    /* RFC 2202 test case 2, RFC 4231 test case 2 */
    assert_int_equal(digest_hmac(mac, DIGEST_HMAC_SHA1, "Jefe", 4, jefe,
                                 strlen(jefe)),
                     DIGEST_SHA1_SIZE);
    digest_hex(hex, mac, DIGEST_SHA1_SIZE);
    assert_string_equal(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    assert_int_equal(digest_hmac(mac, DIGEST_HMAC_SHA256, "Jefe", 4, jefe,
                                 strlen(jefe)),
                     DIGEST_SHA256_SIZE);
    digest_hex(hex, mac, DIGEST_SHA256_SIZE);
    assert_string_equal(
        hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

    /* keys longer than the block are hashed first: RFC 2202 case 6
     * (80 bytes of 0xaa), RFC 4231 case 6 (131 bytes) */
    memset(big_key, 0xaa, sizeof(big_key));
    digest_hmac(mac, DIGEST_HMAC_SHA1, big_key, 80, big_data,
                strlen(big_data));
    digest_hex(hex, mac, DIGEST_SHA1_SIZE);
    assert_string_equal(hex, "aa4ae5e15272d00e95705637ce8a3b55ed402112");
    digest_hmac(mac, DIGEST_HMAC_SHA256, big_key, sizeof(big_key), big_data,
                strlen(big_data));
    digest_hex(hex, mac, DIGEST_SHA256_SIZE);
    assert_string_equal(
        hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void
test_digest_base64(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
        {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    static const unsigned char high[] = {0xfb, 0xff, 0x00, 0x3e};
    char out[DIGEST_BASE64_SIZE(8)];

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        memset(out, 'x', sizeof(out));
        assert_int_equal(digest_base64(out, cases[i].in, strlen(cases[i].in)),
                         strlen(cases[i].out));
        assert_string_equal(out, cases[i].out);
    }
    /* the two characters past 'z' and '9', and a NUL byte in the input */
    assert_int_equal(digest_base64(out, high, sizeof(high)), 8);
    assert_string_equal(out, "+/8APg==");
    assert_int_equal(DIGEST_BASE64_SIZE(0), 1);
    assert_int_equal(DIGEST_BASE64_SIZE(20), 29);
    assert_int_equal(DIGEST_BASE64_SIZE(32), 45);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digest_md5),
        cmocka_unit_test(test_digest_sha256),
        cmocka_unit_test(test_digest_hmac),
        cmocka_unit_test(test_digest_base64),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
