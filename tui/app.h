/*
 * app: the dashboard. Owns the terminal, the loop, the non-blocking
 * engine client and the current view. The loop waits on stdin and the
 * engine's sockets together, so drawing never waits for the engine.
 */
#ifndef FLOWDECK_APP_H
#define FLOWDECK_APP_H

struct app;

/*
 * Run the dashboard against the engine at `endpoint` (`token` may be
 * NULL) until the user quits. Returns: 0, or ENG_ERR when the terminal
 * cannot be used.
 */
int app_run(const char *endpoint, const char *token);

#endif
