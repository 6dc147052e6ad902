/*
 * lazycurl: libcurl, opened at the first HTTP push or HTTP function (see
 * lazylib.h). Call lazycurl_load() first; then call libcurl through the
 * sym_ pointers: sym_curl_easy_init() for curl_easy_init().
 */
#ifndef FLOWDECK_LAZYCURL_H
#define FLOWDECK_LAZYCURL_H

#include "common/lazylib.h"

#include <curl/curl.h>

#define LAZY_CURL_FUNCS(X)                                                     \
    X(curl_easy_cleanup)                                                       \
    X(curl_easy_getinfo)                                                       \
    X(curl_easy_init)                                                          \
    X(curl_easy_setopt)                                                        \
    X(curl_easy_strerror)                                                      \
    X(curl_global_init)                                                        \
    X(curl_multi_add_handle)                                                   \
    X(curl_multi_assign)                                                       \
    X(curl_multi_cleanup)                                                      \
    X(curl_multi_info_read)                                                    \
    X(curl_multi_init)                                                         \
    X(curl_multi_remove_handle)                                                \
    X(curl_multi_setopt)                                                       \
    X(curl_multi_socket_action)                                                \
    X(curl_slist_append)                                                       \
    X(curl_slist_free_all)

LAZY_CURL_FUNCS(LAZYLIB_DECLARE)

extern struct lazylib lazycurl;

/*
 * Open libcurl and run curl_global_init, the first time. Returns: 0, or
 * ENG_EUNAVAIL with a message naming the library and what went wrong.
 */
static inline int
lazycurl_load(void)
{
    return lazylib_load(&lazycurl);
}

/*
 * A multi handle for the engine loop to drive: libcurl opened first, then
 * `sock` and `timer` set as its socket and timer callbacks, both given
 * `arg`. Returns: 0 and *out, or ENG_EUNAVAIL.
 */
int lazycurl_multi(CURLM **out, curl_socket_callback sock,
                   curl_multi_timer_callback timer, void *arg);

#endif
