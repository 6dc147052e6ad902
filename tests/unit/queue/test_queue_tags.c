/*
 * Unit tests of a queue's tags and extra attributes: merged on set (a
 * null removes a key), checked, kept across a restart, compared on a
 * repeated create (extra) or not (tags).
 */
#include "qtest.h"

/* Returns: new compact text of the queue's field `key`, or "-". */
static char *
qt_field(struct qtest *f, const char *name, const char *key)
{
    json_t *q = NULL, *v;
    char *text;

    assert_int_equal(0, queue_get(&q, f->qs, name));
    v = json_object_get(q, key);
    text = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
             : xstrdup("-");
    json_decref(q);
    return text;
}

static void
qt_expect(struct qtest *f, const char *name, const char *key,
          const char *want)
{
    char *got = qt_field(f, name, key);

    if (strcmp(got, want) != 0) {
        char msg[256];

        snprintf(msg, sizeof(msg), "%s: got %s, want %s", key, got, want);
        free(got);
        fail_msg("%s", msg);
    }
    free(got);
}

static void
qt_set(struct qtest *f, const char *name, const char *attrs, int want)
{
    json_t *a = qt_json(attrs), *out = NULL;
    int rc = queue_set(&out, f->qs, name, a);

    json_decref(a);
    json_decref(out);
    if (rc != want)
        fail_msg("set %s: %d (%s), want %d", attrs, rc, err_last(), want);
}

static void
test_queue_tags_merge_and_remove(void **state)
{
    struct qtest *f = *state;

    qt_create(f, "q", "{\"tags\": {\"team\": \"a\"}}");
    qt_expect(f, "q", "tags", "{\"team\":\"a\"}");
    qt_expect(f, "q", "extra", "-");
    qt_set(f, "q", "{\"tags\": {\"env\": \"dev\", \"team\": \"b\"}}", 0);
    qt_expect(f, "q", "tags", "{\"env\":\"dev\",\"team\":\"b\"}");
    qt_set(f, "q", "{\"tags\": {\"team\": null, \"nope\": null}}", 0);
    qt_expect(f, "q", "tags", "{\"env\":\"dev\"}");
    qt_set(f, "q", "{\"tags\": {\"env\": null}}", 0);
    qt_expect(f, "q", "tags", "-");
    qt_set(f, "q", "{\"extra\": {\"Policy\": \"{}\"}}", 0);
    qt_expect(f, "q", "extra", "{\"Policy\":\"{}\"}");
    /* other attributes leave them alone */
    qt_set(f, "q", "{\"visibility_timeout\": 7}", 0);
    qt_expect(f, "q", "extra", "{\"Policy\":\"{}\"}");
}

static void
test_queue_tags_refusals_change_nothing(void **state)
{
    struct qtest *f = *state;
    json_t *many = json_object(), *a, *out = NULL;
    char key[16];

    qt_create(f, "q", "{\"tags\": {\"k\": \"v\"}}");
    qt_set(f, "q", "{\"tags\": [\"k\"]}", ENG_EINVAL);
    assert_non_null(strstr(err_last(), "tags"));
    qt_set(f, "q", "{\"tags\": {\"k\": 5}}", ENG_EINVAL);
    qt_set(f, "q", "{\"tags\": {\"\": \"v\"}}", ENG_EINVAL);
    qt_set(f, "q", "{\"extra\": {\"k\": true}}", ENG_EINVAL);
    assert_non_null(strstr(err_last(), "extra"));
    for (int i = 0; i < 50; i++) {
        snprintf(key, sizeof(key), "t%d", i);
        json_object_set_new(many, key, json_string("x"));
    }
    a = json_pack("{s:o}", "tags", many); /* 50 new + "k" = 51 */
    assert_int_equal(ENG_EINVAL, queue_set(&out, f->qs, "q", a));
    assert_non_null(strstr(err_last(), "at most 50"));
    json_decref(a);
    qt_expect(f, "q", "tags", "{\"k\":\"v\"}");
}

static void
test_queue_tags_survive_restart(void **state)
{
    struct qtest *f = *state;

    qt_create(f, "q", "{\"tags\": {\"team\": \"a\"}, \"extra\": "
                      "{\"KmsMasterKeyId\": \"alias/x\"}}");
    qt_restart(f);
    qt_expect(f, "q", "tags", "{\"team\":\"a\"}");
    qt_expect(f, "q", "extra", "{\"KmsMasterKeyId\":\"alias/x\"}");
}

static void
test_queue_create_again_compares_extra_not_tags(void **state)
{
    struct qtest *f = *state;
    json_t *a, *out = NULL;
    int created = -1;

    qt_create(f, "q", "{\"tags\": {\"team\": \"a\"}, \"extra\": "
                      "{\"Policy\": \"p1\"}}");
    a = qt_json("{\"tags\": {\"team\": \"b\"}, \"extra\": "
                "{\"Policy\": \"p1\"}}");
    assert_int_equal(0, queue_create(&out, &created, f->qs, "q", a));
    assert_int_equal(0, created);
    json_decref(out);
    json_decref(a);
    a = qt_json("{\"extra\": {\"Policy\": \"p2\"}}");
    assert_int_equal(ENG_EEXISTS, queue_create(&out, &created, f->qs, "q", a));
    assert_non_null(strstr(err_last(), "extra"));
    json_decref(a);
    qt_expect(f, "q", "tags", "{\"team\":\"a\"}");
}

static void
test_queue_max_message_size_up_to_1mib(void **state)
{
    struct qtest *f = *state;

    qt_create(f, "q", "{\"max_message_size\": 1048576}");
    qt_expect(f, "q", "max_message_size", "1048576");
    qt_set(f, "q", "{\"max_message_size\": 1048577}", ENG_EINVAL);
    qt_create(f, "d", NULL);
    qt_expect(f, "d", "max_message_size", "262144");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, qt_setup, qt_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_queue_tags_merge_and_remove),
        T(test_queue_tags_refusals_change_nothing),
        cmocka_unit_test_setup_teardown(test_queue_tags_survive_restart,
                                        qt_setup_file, qt_teardown),
        T(test_queue_create_again_compares_extra_not_tags),
        T(test_queue_max_message_size_up_to_1mib),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
