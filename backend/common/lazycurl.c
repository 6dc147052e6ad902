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

struct lazylib lazycurl = LAZYLIB_INIT(FLOWDECK_LIBCURL_SONAME, "HTTP delivery",
                                       lazycurl_syms, lazycurl_init);
