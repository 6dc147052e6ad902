/*
 * Unit tests for http/notls: libmicrohttpd's archive linked with the
 * stand-ins for GnuTLS, as flowdeckd links it. A daemon asked for TLS,
 * with a good key and certificate, is refused rather than run in the
 * clear; a plain one starts and answers. Built only with
 * FLOWDECK_STATIC_DEPS (tests/CMakeLists.txt).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* a throwaway self-signed P-256 key and certificate for localhost: with
 * the real GnuTLS, a TLS daemon starts with these */
static const char KEY[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgIGzeGlybIrh9Ggs3\n"
    "ObCmiZIwrrlffdtM6ZfCYWSm2MChRANCAAS+1NDGSs8+6Wf5zXtS5QcVJE4A085C\n"
    "w1am/1V2ImQTjgSqVU/Ut864asIiZFqqawqEOAP83ybXgWUw6vQElGYQ\n"
    "-----END PRIVATE KEY-----\n";
static const char CERT[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBfjCCASWgAwIBAgIUaNSna8ohfAfsx7/xquCaAKXoV/4wCgYIKoZIzj0EAwIw\n"
    "FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMjAyMzI1MVoYDzIxMjYxMDI5\n"
    "MDIzMjUxWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAAS+1NDGSs8+6Wf5zXtS5QcVJE4A085Cw1am/1V2ImQTjgSqVU/Ut864\n"
    "asIiZFqqawqEOAP83ybXgWUw6vQElGYQo1MwUTAdBgNVHQ4EFgQU6H5LnOuZ/cR0\n"
    "GSzO76crPiLrUucwHwYDVR0jBBgwFoAU6H5LnOuZ/cR0GSzO76crPiLrUucwDwYD\n"
    "VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiBA3aoq5ZxXCLY+uSUs6GSa\n"
    "Q+fAE4Ea16O5epwuLBHQ/QIgR0nliIy8dy7BAiJL4pVsbvYa3VKVZUjO9624Xi50\n"
    "aas=\n"
    "-----END CERTIFICATE-----\n";

static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url,
       const char *method, const char *version, const char *body,
       size_t *body_len, void **state)
{
    static const char text[] = "plain";
    struct MHD_Response *r;
    enum MHD_Result ret;

    r = MHD_create_response_from_buffer(sizeof(text) - 1, (void *)text,
                                        MHD_RESPMEM_PERSISTENT);
    ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static void
count_log(void *cls, const char *fmt, va_list ap)
{
    (*(int *)cls)++;
}

static struct sockaddr_in
loopback(void)
{
    struct sockaddr_in a;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a; /* port 0: any free one */
}

static void
test_notls_tls_daemon_refused(void **state)
{
    struct sockaddr_in a = loopback();
    struct MHD_Daemon *d;
    int logged = 0;

    d = MHD_start_daemon(
        MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
        0, NULL, NULL, answer, NULL, MHD_OPTION_SOCK_ADDR, &a,
        MHD_OPTION_HTTPS_MEM_KEY, KEY, MHD_OPTION_HTTPS_MEM_CERT, CERT,
        MHD_OPTION_EXTERNAL_LOGGER, count_log, &logged, MHD_OPTION_END);
    if (d != NULL)
        MHD_stop_daemon(d);
    assert_null(d);
    assert_true(logged > 0); /* and says so */
}

static void
test_notls_plain_daemon_answers(void **state)
{
    struct sockaddr_in a = loopback();
    const union MHD_DaemonInfo *info;
    struct MHD_Daemon *d;
    char got[256];
    ssize_t n, len = 0;
    int fd;

    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
                         answer, NULL, MHD_OPTION_SOCK_ADDR, &a,
                         MHD_OPTION_END);
    assert_non_null(d);
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    a.sin_port = htons(info->port);

    fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    static const char req[] =
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assert_int_equal(write(fd, req, sizeof(req) - 1), sizeof(req) - 1);
    while ((n = read(fd, got + len, sizeof(got) - 1 - (size_t)len)) > 0)
        len += n;
    close(fd);
    MHD_stop_daemon(d);
    got[len] = '\0';
    assert_true(strncmp(got, "HTTP/1.1 200", 12) == 0);
    assert_non_null(strstr(got, "\r\n\r\nplain"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notls_tls_daemon_refused),
        cmocka_unit_test(test_notls_plain_daemon_answers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
