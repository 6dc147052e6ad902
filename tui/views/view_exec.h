/*
 * view_exec: one execution (":exec FLOW/NAME", or NAME when no other flow
 * has an execution of that name; "FLOW/NAME@STEP" opens with STEP
 * selected), live: its graph from Start to End with
 * each step's status, the selected step's input, output and task token
 * under it; h shows the history, i the input and output. S / F / H call
 * back the task a step waits on, x stops the execution, R redrives it.
 */
#ifndef FLOWDECK_VIEW_EXEC_H
#define FLOWDECK_VIEW_EXEC_H

#include "view.h"

extern const struct view_ops view_exec_ops;

#endif
