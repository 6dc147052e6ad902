/*
 * launcher: find, start and wait for the engine. `flowdeck up` and the
 * dashboard start flowdeckd through here; `flowdeck down` waits through
 * here for it to be gone. The engine is run from an argv array, never
 * through a shell, and daemonizes itself: its first process exits once
 * the engine serves, or fails with a one-line reason on stderr.
 */
#ifndef FLOWDECK_LAUNCHER_H
#define FLOWDECK_LAUNCHER_H

struct client;

#define LAUNCHER_UP_TIMEOUT_MS 10000
#define LAUNCHER_DOWN_TIMEOUT_MS 15000

struct launcher_opts {
    const char *listen;   /* host:port for flowdeckd --listen */
    const char *data_dir; /* made absolute before it is passed on */
    const char *token;    /* --auth-token; NULL or "" for none */
};

enum launcher_result {
    LAUNCHER_ALREADY_UP, /* an engine answered; nothing started */
    LAUNCHER_STARTED
};

/*
 * Find flowdeckd: next to the running flowdeck, else $FLOWDECKD, else on
 * PATH. Returns: 0 and a new string in *out, or ENG_ENOTFOUND.
 */
int launcher_find_engine(char **out);

/*
 * Start flowdeckd and wait (up to 30 s) for its first process to exit.
 * Returns: 0 once it says the engine is ready; ENG_EUPSTREAM with the
 * engine's own words (its stderr) when it failed; ENG_ENOTFOUND when
 * there is no flowdeckd; ENG_ERR when it cannot be run.
 */
int launcher_spawn(const struct launcher_opts *o);

/*
 * Poll GET /healthz through `c` until a flowdeck engine answers.
 * Returns: 0; ENG_EBUSY when something else holds the port; ENG_EUNAVAIL
 * when nothing answered within timeout_ms.
 */
int launcher_wait_up(struct client *c, int timeout_ms);

/*
 * Poll GET /healthz through `c` until nothing answers.
 * Returns: 0, or ENG_EBUSY when it still answers after timeout_ms.
 */
int launcher_wait_down(struct client *c, int timeout_ms);

/*
 * Make sure an engine answers at `c`, which must point at o->listen:
 * start one if nothing does. Returns: 0 and what happened in *out;
 * ENG_EBUSY when the port is held by another program; or the errors of
 * launcher_spawn() and launcher_wait_up().
 */
int launcher_up(enum launcher_result *out, struct client *c,
                const struct launcher_opts *o);

#endif
