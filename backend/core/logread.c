/*
 * logread: see logread.h. Reads with pread; never holds the file open.
 */
#include "core/logread.h"

#include "common/err.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOGREAD_CHUNK 65536
#define LOGREAD_MAX_BYTES (4 << 20)

/* Where the last `limit` lines of fd start (size = file size). */
static int64_t
logread_tail_start(int fd, int64_t size, int limit)
{
    char chunk[LOGREAD_CHUNK];
    int64_t pos = size;
    int lines = 0;

    /* a final newline ends the last line; it does not start one */
    while (pos > 0 && size - pos < LOGREAD_MAX_BYTES) {
        int64_t start = pos > LOGREAD_CHUNK ? pos - LOGREAD_CHUNK : 0;
        ssize_t n = pread(fd, chunk, (size_t)(pos - start), start);

        if (n <= 0)
            break;
        for (ssize_t i = n - 1; i >= 0; i--) {
            if (chunk[i] != '\n' || start + i == size - 1)
                continue;
            if (++lines == limit)
                return start + i + 1;
        }
        pos = start;
    }
    return pos;
}

static json_t *
logread_line(const char *line, size_t len)
{
    json_t *j = json_loadb(line, len, 0, NULL);

    if (json_is_object(j))
        return j;
    json_decref(j);
    return json_pack("{s:s%}", "msg", line, len);
}

int
logread(json_t **out, const char *path, int64_t offset, int limit)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    json_t *items = json_array(), *res;
    char *data = NULL;
    size_t len_all = 0;
    int64_t size = 0, pos, next;
    struct stat st;
    char cur[32];
    int n = 0;

    *out = NULL;
    if (fd >= 0 && fstat(fd, &st) == 0)
        size = st.st_size;
    if (offset > size)
        offset = 0; /* rotated or truncated: start over */
    pos = offset >= 0 ? offset
                      : (fd >= 0 ? logread_tail_start(fd, size, limit) : 0);
    next = pos;
    if (fd >= 0 && size > pos) {
        size_t want = (size_t)(size - pos);
        ssize_t got;

        if (want > LOGREAD_MAX_BYTES)
            want = LOGREAD_MAX_BYTES;
        data = xmalloc(want);
        got = pread(fd, data, want, pos);
        len_all = got > 0 ? (size_t)got : 0;
    }
    for (size_t i = 0; i < len_all && n < limit;) {
        char *nl = memchr(data + i, '\n', len_all - i);
        size_t len;

        if (nl == NULL)
            break; /* a line still being written */
        len = (size_t)(nl - (data + i));
        if (len)
            json_array_append_new(items, logread_line(data + i, len));
        i += len + 1;
        next = pos + (int64_t)i;
        n += len ? 1 : 0;
    }
    if (fd >= 0)
        close(fd);
    free(data);
    snprintf(cur, sizeof(cur), "%" PRId64, next);
    res = json_pack("{s:o, s:s}", "items", items, "next", cur);
    *out = res;
    return 0;
}
