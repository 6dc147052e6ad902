/*
 * Unit tests for queue_renew_receipt: a received message gets a new
 * handle, the old one goes stale, its visibility and counts stay; bad,
 * stale and unknown-queue handles are refused; a receive after it issues
 * yet another handle.
 */
#include "qtest.h"

static void
test_queue_renew_receipt(void **state)
{
    struct qtest *f = *state;
    char r1[64], r3[64];
    char *r2 = NULL, *none = (char *)1;
    json_t *m, *out = NULL;

    qt_create(f, "q", "{\"visibility_timeout\": 30}");
    qt_send_body(f, "q", "a", NULL);
    m = qt_recv1(f, "q", -1);
    snprintf(r1, sizeof(r1), "%s", qt_str(m, "receipt"));
    json_decref(m);

    assert_int_equal(0, queue_renew_receipt(&r2, f->qs, "q", r1));
    assert_non_null(r2);
    assert_string_not_equal(r1, r2);
    assert_int_equal(strlen(r1), strlen(r2));
    /* the old handle is stale; the message is still in flight */
    assert_int_equal(ENG_EGONE, queue_delete_msg(f->qs, "q", r1));
    assert_string_equal("ReceiptHandleStale", err_last_name());
    assert_int_equal(ENG_EGONE,
                     queue_renew_receipt(&none, f->qs, "q", r1));
    assert_null(none);
    qt_assert_counts(f, "q", "0/1/0/1");
    /* the new one works, and its visibility is the receive's */
    assert_int_equal(0, queue_change_visibility(&out, f->qs, "q", r2, 0));
    json_decref(out);
    qt_assert_counts(f, "q", "1/0/0/1");
    m = qt_recv1(f, "q", -1);
    snprintf(r3, sizeof(r3), "%s", qt_str(m, "receipt"));
    assert_int_equal(2, qt_int(m, "dequeue_count"));
    json_decref(m);
    /* a later receive makes the renewed handle stale too */
    assert_int_equal(ENG_EGONE, queue_delete_msg(f->qs, "q", r2));
    assert_int_equal(ENG_EINVAL,
                     queue_renew_receipt(&none, f->qs, "q", "nonsense"));
    assert_string_equal("ReceiptHandleInvalid", err_last_name());
    assert_int_equal(ENG_ENOTFOUND,
                     queue_renew_receipt(&none, f->qs, "nope", r3));
    assert_int_equal(0, queue_delete_msg(f->qs, "q", r3));
    qt_assert_counts(f, "q", "0/0/0/0");
    free(r2);
}

/* The renewed handle is what the store keeps: it survives a restart. */
static void
test_queue_renew_receipt_restart(void **state)
{
    struct qtest *f = *state;
    char r1[64];
    char *r2 = NULL;
    json_t *m;

    qt_create(f, "q", NULL);
    qt_send_body(f, "q", "a", NULL);
    m = qt_recv1(f, "q", -1);
    snprintf(r1, sizeof(r1), "%s", qt_str(m, "receipt"));
    json_decref(m);
    assert_int_equal(0, queue_renew_receipt(&r2, f->qs, "q", r1));
    qt_restart(f);
    assert_int_equal(ENG_EGONE, queue_delete_msg(f->qs, "q", r1));
    assert_int_equal(0, queue_delete_msg(f->qs, "q", r2));
    free(r2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_queue_renew_receipt, qt_setup,
                                        qt_teardown),
        cmocka_unit_test_setup_teardown(test_queue_renew_receipt_restart,
                                        qt_setup_file, qt_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
