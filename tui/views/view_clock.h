/*
 * view_clock: the engine clock (GET /v1/clock every second) and the keys
 * that steer it through POST /v1/clock: pause and resume, set the scale,
 * advance by a duration, back to real speed.
 */
#ifndef FLOWDECK_VIEW_CLOCK_H
#define FLOWDECK_VIEW_CLOCK_H

#include "view.h"

extern const struct view_ops view_clock_ops;

#endif
