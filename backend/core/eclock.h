/*
 * eclock: the engine clock's durable state. The clock (common/clock.h)
 * is pure; this loads and saves it in the store's meta table so a
 * paused, scaled or advanced clock stays so across restarts.
 */
#ifndef FLOWDECK_ECLOCK_H
#define FLOWDECK_ECLOCK_H

#include <jansson.h>

struct clock;
struct store;

/* Load the saved state into c (keeping c's real-time source); a store
 * without one leaves c in real time. Returns: 0 or the store error. */
int eclock_load(struct clock *c, struct store *st);

/* Save c's state; joins the caller's store change. Returns: 0 or error. */
int eclock_save(const struct clock *c, struct store *st);

/* Returns: new reference; the clock as the API shows it. */
json_t *eclock_to_json(const struct clock *c);

#endif
