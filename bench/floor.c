/*
 * floor: the least a server can do per queue send on this machine, to put
 * the engine's send figures in context. It is libmicrohttpd in one epoll
 * thread, as the engine is, and answers every request with a small JSON
 * body: 200 to a GET, 201 to anything else. Given a database path it also
 * inserts each request's body and commits (SQLite WAL, synchronous=NORMAL,
 * as the engine) before it answers. Not part of flowdeck:
 * bench/bench_floor.py drives it with qload.
 *
 * usage: floor PORT [DB]
 */
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char floor_answer[] =
    "{\"id\":\"0000000000000001-0123456789ABCDEF\","
    "\"body_md5\":\"0123456789abcdef0123456789abcdef\"}";

struct floor_db {
    sqlite3 *db;
    sqlite3_stmt *begin, *insert, *commit;
};

/* One request's body, gathered over MHD's calls. */
struct floor_req {
    char body[4096];
    size_t len;
};

static int
floor_commit(struct floor_db *f, const struct floor_req *r)
{
    int ok = sqlite3_step(f->begin) == SQLITE_DONE;

    sqlite3_reset(f->begin);
    sqlite3_bind_blob(f->insert, 1, r->body, (int)r->len, SQLITE_STATIC);
    ok = ok && sqlite3_step(f->insert) == SQLITE_DONE;
    sqlite3_reset(f->insert);
    ok = ok && sqlite3_step(f->commit) == SQLITE_DONE;
    sqlite3_reset(f->commit);
    return ok ? 0 : -1;
}

static enum MHD_Result
floor_access(void *cls, struct MHD_Connection *conn, const char *url,
             const char *method, const char *version, const char *upload,
             size_t *upload_size, void **con_cls)
{
    struct floor_db *f = cls;
    struct floor_req *r = *con_cls;
    struct MHD_Response *resp;
    enum MHD_Result ok;
    unsigned status =
        strcmp(method, "GET") == 0 ? MHD_HTTP_OK : MHD_HTTP_CREATED;

    (void)url;
    (void)version;
    if (r == NULL) {
        if ((r = calloc(1, sizeof(*r))) == NULL)
            return MHD_NO;
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;

        if (n > sizeof(r->body) - r->len)
            n = sizeof(r->body) - r->len;
        memcpy(r->body + r->len, upload, n);
        r->len += n;
        *upload_size = 0;
        return MHD_YES;
    }
    if (f->db && status == MHD_HTTP_CREATED && floor_commit(f, r) != 0)
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    resp = MHD_create_response_from_buffer(
        sizeof(floor_answer) - 1, (void *)floor_answer, MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
    ok = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static void
floor_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

static int
floor_open(struct floor_db *f, const char *path)
{
    if (sqlite3_open(path, &f->db) != SQLITE_OK ||
        sqlite3_exec(f->db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "CREATE TABLE IF NOT EXISTS m(id INTEGER PRIMARY KEY, "
                     "body BLOB NOT NULL)",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db, "BEGIN", -1, &f->begin, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db, "INSERT INTO m(body) VALUES (?)", -1,
                           &f->insert, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db, "COMMIT", -1, &f->commit, NULL) !=
            SQLITE_OK) {
        fprintf(stderr, "floor: %s: %s\n", path, sqlite3_errmsg(f->db));
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    struct floor_db f = {0};
    struct sockaddr_in sa = {0};
    struct MHD_Daemon *d;
    sigset_t set;
    int sig;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: floor PORT [DB]\n");
        return 2;
    }
    if (argc == 3 && floor_open(&f, argv[2]) != 0)
        return 1;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* MHD's thread inherits it */
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)atoi(argv[1]));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO, 0, NULL,
                         NULL, floor_access, &f, MHD_OPTION_SOCK_ADDR,
                         (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED,
                         floor_completed, NULL, MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "floor: cannot listen on port %s\n", argv[1]);
        return 1;
    }
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    sqlite3_finalize(f.begin);
    sqlite3_finalize(f.insert);
    sqlite3_finalize(f.commit);
    sqlite3_close(f.db);
    return 0;
}
