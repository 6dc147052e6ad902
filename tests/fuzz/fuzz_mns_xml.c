/*
 * fuzz_mns_xml: the MNS request-body decoder (expat, DOCTYPE refused,
 * depth, element count and size capped). A body that parses is walked
 * as the adapters read it: children by name and their text.
 */
#include "fuzz.h"
#include "fuzz_util.inc"

#include "compat/compat_mns_xml.h"

static const char *const names[] = {
    "Message", "MessageBody", "DelaySeconds", "Priority", "ReceiptHandle",
    "VisibilityTimeout", "MaximumMessageSize", "MessageRetentionPeriod",
    "PollingWaitSeconds", "LoggingEnabled", "Endpoint", "FilterTag",
    "NotifyStrategy", "NotifyContentFormat", "MessageTag",
    "MessageAttributes", NULL};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mns_xml *x = NULL;

    if (compat_mns_xml_parse(&x, (const char *)data, size) != 0)
        return 0;
    for (size_t i = 0; names[i]; i++) {
        const struct mns_xml *c = compat_mns_xml_child(x, names[i]);

        (void)compat_mns_xml_text(x, names[i]);
        if (c)
            for (size_t j = 0; names[j]; j++)
                (void)compat_mns_xml_text(c, names[j]);
    }
    compat_mns_xml_free(x);
    return 0;
}
