/*
 * lazycurl: libcurl, opened at its first use; see lazycurl.h.
 */
#include "common/lazycurl.h"

#include "common/err.h"

LAZY_CURL_FUNCS(LAZYLIB_DEFINE)

static const struct lazylib_sym lazycurl_syms[] = {
    LAZY_CURL_FUNCS(LAZYLIB_SYM)};

static int
lazycurl_init(void)
{
    CURLcode rc = sym_curl_global_init(CURL_GLOBAL_DEFAULT);

    return rc == CURLE_OK ? 0
                          : err_set(ENG_ERR, "curl_global_init: %d", (int)rc);
}

int
lazycurl_multi(CURLM **out, curl_socket_callback sock,
               curl_multi_timer_callback timer, void *arg)
{
    int rc;

    *out = NULL;
    if ((rc = lazycurl_load()))
        return rc;
    if ((*out = sym_curl_multi_init()) == NULL)
        return err_set(ENG_EUNAVAIL, "libcurl would not start");
    sym_curl_multi_setopt(*out, CURLMOPT_SOCKETFUNCTION, sock);
    sym_curl_multi_setopt(*out, CURLMOPT_SOCKETDATA, arg);
    sym_curl_multi_setopt(*out, CURLMOPT_TIMERFUNCTION, timer);
    sym_curl_multi_setopt(*out, CURLMOPT_TIMERDATA, arg);
    return 0;
}

struct lazylib lazycurl = LAZYLIB_INIT(FLOWDECK_LIBCURL_SONAME, "HTTP delivery",
                                       lazycurl_syms, lazycurl_init);
