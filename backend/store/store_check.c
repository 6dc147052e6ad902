/*
 * store_check: see store_check.h. Reads the database header, the WAL and
 * the seal with plain system calls; SQLite's file formats as documented
 * in https://www.sqlite.org/fileformat2.html (the database header, the
 * WAL header and frames, and the WAL checksum).
 */
#include "store/store_check.h"

#include "common/err.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_CHECK_HDR 100 /* the database header */
#define STORE_CHECK_WAL_HDR 32
#define STORE_CHECK_FRAME_HDR 24
#define STORE_CHECK_HINT                                                       \
    "flowdeckd leaves the file as it is: restore a copy of the data dir, or "  \
    "move the file aside to start with an empty one"

static uint32_t
store_check_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

static uint32_t
store_check_le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 |
           (uint32_t)p[0];
}

void
store_check_wal_sum(unsigned s[2], const unsigned char *data, size_t n, int big)
{
    uint32_t s1 = s[0], s2 = s[1];

    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint32_t x0 =
            big ? store_check_be32(data + i) : store_check_le32(data + i);
        uint32_t x1 = big ? store_check_be32(data + i + 4)
                          : store_check_le32(data + i + 4);

        s1 += x0 + s2;
        s2 += x1 + s1;
    }
    s[0] = s1;
    s[1] = s2;
}

/* Read exactly n bytes at off. Returns: 0, 1 at end of file, -1 (errno) */
static int
store_check_pread(int fd, void *buf, size_t n, off_t off)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = pread(fd, (char *)buf + got, n - got, off + (off_t)got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return 1;
        got += (size_t)r;
    }
    return 0;
}

static int
store_check_page_size(uint32_t v)
{
    return v >= 512 && v <= 65536 && (v & (v - 1)) == 0;
}

/* Returns: the seal text of `st` into out. */
static void
store_check_seal_text(char *out, size_t n, const struct stat *st)
{
    snprintf(out, n,
             "flowdeck-seal 1 %" PRIu64 " %" PRIu64 " %" PRId64 " %" PRId64
             " %ld\n",
             (uint64_t)st->st_dev, (uint64_t)st->st_ino, (int64_t)st->st_size,
             (int64_t)st->st_ctim.tv_sec, (long)st->st_ctim.tv_nsec);
}

/* Returns: 1 when path-seal records `st`, 0 when not; *had: it exists. */
static int
store_check_sealed(int *had, const char *path, const struct stat *st)
{
    char *seal = xasprintf("%s-seal", path);
    char want[160], got[160];
    int fd = open(seal, O_RDONLY | O_CLOEXEC), same = 0;
    ssize_t n;

    *had = fd >= 0;
    free(seal);
    if (fd < 0)
        return 0;
    store_check_seal_text(want, sizeof(want), st);
    n = read(fd, got, sizeof(got) - 1);
    close(fd);
    if (n > 0) {
        got[n] = '\0';
        same = strcmp(got, want) == 0;
    }
    return same;
}

int
store_check_seal(const char *path)
{
    char *seal, *tmp;
    char text[160];
    struct stat st;
    int fd, rc = 0;
    size_t len;

    if (strcmp(path, ":memory:") == 0 || stat(path, &st) != 0)
        return 0;
    seal = xasprintf("%s-seal", path);
    tmp = xasprintf("%s-seal.tmp", path);
    store_check_seal_text(text, sizeof(text), &st);
    len = strlen(text);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
        rc = err_set(ENG_ERR, "cannot write %s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        unlink(seal); /* an old seal must not vouch for the file */
        goto out;
    }
    close(fd);
    if (rename(tmp, seal) != 0) {
        rc = err_set(ENG_ERR, "cannot write %s: %s", seal, strerror(errno));
        unlink(tmp);
        unlink(seal);
    }
out:
    free(seal);
    free(tmp);
    return rc;
}

/*
 * Walk the WAL's frames of its current generation (those carrying the
 * header's salts). A frame that fails its checksum ends what SQLite will
 * replay; behind a torn last write that is right (nothing of it was
 * acknowledged), but a commit frame of this generation behind it is a
 * committed transaction that would be lost. *out_frames: valid frames.
 * Returns: 0 or ENG_ERR naming the file.
 */
static int
store_check_wal(int64_t *out_frames, const char *wal)
{
    unsigned char hdr[STORE_CHECK_WAL_HDR], *frame = NULL;
    unsigned sum[2] = {0, 0};
    int64_t i, bad = -1, valid = 0;
    struct stat st;
    uint32_t magic, pgsz;
    size_t fsz;
    int fd, big, r, rc = 0;

    *out_frames = 0;
    fd = open(wal, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0
                               : err_set(ENG_ERR, "cannot read %s: %s", wal,
                                         strerror(errno));
    if (fstat(fd, &st) != 0 || st.st_size < STORE_CHECK_WAL_HDR)
        goto out; /* empty: SQLite writes the header with the first frame */
    if (store_check_pread(fd, hdr, sizeof(hdr), 0) != 0) {
        rc = err_set(ENG_ERR, "cannot read %s: %s", wal, strerror(errno));
        goto out;
    }
    magic = store_check_be32(hdr);
    pgsz = store_check_be32(hdr + 8);
    big = magic & 1;
    store_check_wal_sum(sum, hdr, 24, big);
    if ((magic & ~1u) != 0x377f0682 || store_check_be32(hdr + 4) != 3007000 ||
        !store_check_page_size(pgsz) || sum[0] != store_check_be32(hdr + 24) ||
        sum[1] != store_check_be32(hdr + 28)) {
        rc = err_set(ENG_ERR,
                     "%s, the database's write-ahead log (%lld bytes), has a "
                     "damaged header: the transactions in it would be "
                     "lost; " STORE_CHECK_HINT,
                     wal, (long long)st.st_size);
        goto out;
    }
    fsz = STORE_CHECK_FRAME_HDR + pgsz;
    frame = xmalloc(fsz);
    for (i = 0; (r = store_check_pread(
                     fd, frame, fsz,
                     (off_t)(STORE_CHECK_WAL_HDR + (int64_t)fsz * i))) == 0;
         i++) {
        if (memcmp(frame + 8, hdr + 16, 8) != 0)
            break; /* an older generation's frame: the end of this one */
        if (bad >= 0) {
            if (store_check_be32(frame + 4) != 0) {
                rc = err_set(ENG_ERR,
                             "%s, the database's write-ahead log, is "
                             "damaged: frame %lld fails its checksum, and "
                             "committed transactions follow it (frame %lld) "
                             "that would be lost; " STORE_CHECK_HINT,
                             wal, (long long)bad + 1, (long long)i + 1);
                goto out;
            }
            continue;
        }
        store_check_wal_sum(sum, frame, 8, big);
        store_check_wal_sum(sum, frame + STORE_CHECK_FRAME_HDR, pgsz, big);
        if (sum[0] != store_check_be32(frame + 16) ||
            sum[1] != store_check_be32(frame + 20))
            bad = i;
        else
            valid = i + 1;
    }
    if (r < 0)
        rc = err_set(ENG_ERR, "cannot read %s: %s", wal, strerror(errno));
    *out_frames = valid;
out:
    free(frame);
    close(fd);
    return rc;
}

int
store_check_files(int *out_sealed, const char *path)
{
    unsigned char hdr[STORE_CHECK_HDR];
    char *wal = NULL;
    struct stat st;
    int64_t frames = 0;
    uint32_t pgsz, pages;
    int fd = -1, had_seal, rc = 0;

    *out_sealed = 1;
    if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
        return 0;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return 0; /* a new data dir */
        return err_set(ENG_ERR, "cannot read %s: %s", path, strerror(errno));
    }
    *out_sealed = store_check_sealed(&had_seal, path, &st);
    wal = xasprintf("%s-wal", path);
    if ((rc = store_check_wal(&frames, wal)))
        goto out;
    if (st.st_size == 0) {
        /* SQLite would take an empty file for a new database */
        if (had_seal)
            rc =
                err_set(ENG_ERR,
                        "%s is empty, but flowdeck had written it (its seal "
                        "%s-seal says so): it was truncated; " STORE_CHECK_HINT,
                        path, path);
        *out_sealed = 1;
        goto out;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = err_set(ENG_ERR, "cannot read %s: %s", path, strerror(errno));
        goto out;
    }
    if (st.st_size < STORE_CHECK_HDR ||
        store_check_pread(fd, hdr, sizeof(hdr), 0) != 0) {
        rc = err_set(ENG_ERR,
                     "%s is %lld bytes, shorter than a database header: it "
                     "was truncated; " STORE_CHECK_HINT,
                     path, (long long)st.st_size);
        goto out;
    }
    pgsz = (uint32_t)hdr[16] << 8 | hdr[17];
    if (pgsz == 1)
        pgsz = 65536;
    if (memcmp(hdr, "SQLite format 3", 16) != 0 ||
        !store_check_page_size(pgsz)) {
        rc = err_set(ENG_ERR,
                     "%s does not begin with a database header: it is not a "
                     "flowdeck database, or its first page was "
                     "overwritten; " STORE_CHECK_HINT,
                     path);
        goto out;
    }
    /* the page count in the header is valid when the change counter
     * matches the version-valid-for number; with WAL frames to replay,
     * the file may be shorter than the pages they bring */
    pages = store_check_be32(hdr + 28);
    if (frames == 0 && pages > 0 && memcmp(hdr + 24, hdr + 92, 4) == 0 &&
        (int64_t)pages * pgsz > (int64_t)st.st_size) {
        rc = err_set(ENG_ERR,
                     "%s is truncated: its header counts %" PRIu32
                     " pages of %" PRIu32 " bytes (%lld bytes), the file "
                     "holds %lld; " STORE_CHECK_HINT,
                     path, pages, pgsz, (long long)pages * pgsz,
                     (long long)st.st_size);
        goto out;
    }
out:
    if (fd >= 0)
        close(fd);
    free(wal);
    return rc;
}
