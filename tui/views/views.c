/*
 * views: THE table of dashboard screens, first one shown at start-up.
 */
#include "views/views.h"

#include "views/view_clock.h"
#include "views/view_deploy.h"
#include "views/view_exec.h"
#include "views/view_execs.h"
#include "views/view_flow.h"
#include "views/view_flows.h"
#include "views/view_fn.h"
#include "views/view_fns.h"
#include "views/view_home.h"
#include "views/view_invocation.h"
#include "views/view_logs.h"
#include "views/view_message.h"
#include "views/view_queue.h"
#include "views/view_queues.h"
#include "views/view_stack.h"
#include "views/view_stacks.h"
#include "views/view_tasks.h"
#include "views/view_template.h"
#include "views/view_templates.h"
#include "views/view_topic.h"
#include "views/view_topics.h"

#include <string.h>

static const struct view_ops *const views[] = {
    &view_home_ops,
    &view_flows_ops,
    &view_flow_ops,
    &view_execs_ops,
    &view_exec_ops,
    &view_tasks_ops,
    &view_queues_ops,
    &view_queue_ops,
    &view_message_ops,
    &view_topics_ops,
    &view_topic_ops,
    &view_fns_ops,
    &view_fn_ops,
    &view_invocation_ops,
    &view_logs_ops,
    &view_clock_ops,
    &view_templates_ops,
    &view_template_ops,
    &view_deploy_ops,
    &view_stacks_ops,
    &view_stack_ops,
    NULL,
};

const struct view_ops *
views_at(size_t i)
{
    return i < sizeof(views) / sizeof(views[0]) ? views[i] : NULL;
}

const struct view_ops *
views_find(const char *name)
{
    for (size_t i = 0; views[i]; i++)
        if (strcmp(views[i]->name, name) == 0)
            return views[i];
    return NULL;
}
