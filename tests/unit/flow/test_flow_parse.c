/*
 * Unit tests for flow/flow_parse and flow/flow_validate: good definitions
 * (the seed documents' flows verbatim, the spec's callback flow, one of
 * every step type, a JSON one) summarised and compared whole; bad ones
 * with the exact message, line and column; the limits on size, nesting
 * and aliases; flow_to_json for the console.
 */
#include "ftest.h"

#define HEAD "version: v1\ntype: flow\nsteps:\n"

/* ---- good definitions ---- */

static void
test_flow_parse_fixtures(void **state)
{
    static const struct {
        const char *file;
        const char *want;
    } cases[] = {
        {"seed000_common.yaml",
         "v1 {Task_1:task [queue {queue-name} requestResponse] "
         "params={\"DelaySeconds\":0,\"MessageBody\":\"$\",\"Priority\":1} "
         "in(key_1=$input.key,key_2=\"value\")}"},
        {"seed000_request_response.yaml",
         "v1 {mytask:task [queue {queue-name} requestResponse] "
         "params={\"DelaySeconds\":0,\"MessageBody\":\"$\",\"Priority\":1} "
         "in(key_3=\"value\")}"},
        {"seed000_wait_for_callback.yaml",
         "v1 {mytask:task [queue {queue-name} waitForCallback] "
         "params={\"MessageBody\":\"$\",\"Priority\":1} "
         "in(task_token=$context.task.token,key=\"value\")}"},
        {"seed001_topic_callback.yaml",
         "v1 {mns-topic-task:task [topic <topic> waitForCallback] "
         "params={\"MessageBody\":\"$\"} "
         "in(messageBody=$input.messageBody,taskToken=$context.task.token) "
         "out(status=$local.status)}"},
        {"spec_callback.yaml",
         "v1 {dispatch:task [queue jobs waitForCallback] "
         "params={\"MessageBody\":\"$\",\"Priority\":1} timeout=300 "
         "retry(FnF.Timeout 5 2 2 0) catch(FnF.ALL->onError) "
         "in(payload=$input.payload,taskToken=$context.task.token) "
         "out(result=$local.result); done:pass!; "
         "onError:fail error=JobFailed cause=-}"},
        {"all_types.yaml",
         "v1 in(orders=$input.orders,region=\"cn-hangzhou\") "
         "out(summary=$local.summary) {"
         "init:pass out(limits={\"max\":10,\"tags\":[\"a\",\"b\"]},ok=true); "
         "invoke:task [function billing/charge requestResponse] timeout=60 "
         "retry(FC.ResourceThrottled|FC.Unknown 10 3 2 30) "
         "catch(FnF.ALL->rejected err(why=$local.cause)) "
         "err(code=$local.error); "
         "route:choice "
         "when($.status == \"ready\" && $input.count > 3 => "
         "{cool-down:wait duration=5} goto fanout) "
         "when(!($local.done) => goto rejected) "
         "default( {until:wait timestamp=\"2019-05-02T15:04:05Z\"}); "
         "fanout:parallel "
         "branch{notify:task [topic events requestResponse] "
         "params={\"MessageBody\":\"$.summary\",\"MessageTag\":\"billing\"}} "
         "branch{child:task [flow audit sync]} "
         "out(results=$local[*].result); "
         "each-order:foreach each($.orders order i) "
         "{ship:task [function shipper waitForCallback] "
         "in(order=$input.order,token=$context.task.token); "
         "settle:wait duration=$.delay}; "
         "finished:succeed; "
         "rejected:fail error=Rejected cause=the order was refused}"},
        {"all_types.json",
         "v1 {send:task [queue jobs waitForCallback] "
         "params={\"DelaySeconds\":10,\"MessageBody\":\"$\",\"Priority\":2} "
         "catch(FnF.ALL->failed) in(id=$input.order['id'],n=3); "
         "check:choice when($.n >= 3 => goto failed) default( goto send); "
         "failed:fail error=Boom cause=-}"},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        size_t len;
        char *text = ft_fixture(cases[i].file, &len);
        struct flow *f = ft_parse_ok(text, len, cases[i].file);
        char *got = ft_describe(f);

        if (strcmp(got, cases[i].want) != 0)
            fail_msg("%s:\n got: %s\nwant: %s", cases[i].file, got,
                     cases[i].want);
        free(got);
        flow_free(f);
        free(text);
    }
}

/* Smaller good texts: scalar types, defaults, forms the spec allows. */
static void
test_flow_parse_good_inline(void **state)
{
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        /* v1beta1 is accepted; a JSON-ish flow mapping on one line */
        {"version: v1beta1\ntype: flow\nsteps: [{type: succeed, name: s}]\n",
         "v1beta1 {s:succeed}"},
        /* constants: YAML scalars resolve as the JSON-like core schema */
        {HEAD "  - type: pass\n    name: p\n    outputMappings:\n"
              "      - {target: a, source: 12}\n"
              "      - {target: b, source: '12'}\n"
              "      - {target: c, source: -1.5e2}\n"
              "      - {target: d, source: ~}\n"
              "      - {target: e, source: False}\n"
              "      - {target: f, source: .inf}\n"
              "      - {target: g, source: !!str true}\n"
              "      - {target: h, source: [1, x, null]}\n"
              "      - {target: i, source: 99999999999999999999}\n"
              "      - {target: j, source: \"$\"}\n"
              "      - target: k\n        source:\n",
         "v1 {p:pass out(a=12,b=\"12\",c=-150.0,d=null,e=false,f=\".inf\","
         "g=\"true\",h=[1,\"x\",null],i=1e20,j=$,k=null)}"},
        /* pattern defaults to requestResponse; FC with region and uid;
         * retry defaults 1 s, 3 attempts, x2, no cap */
        {HEAD "  - type: task\n    name: t\n"
              "    resourceArn: acs:fc:::services/s.v1/functions/f\n"
              "    retry:\n      - errors: [FnF.ALL]\n",
         "v1 {t:task [function s.v1/f requestResponse] "
         "retry(FnF.ALL 1 3 2 0)}"},
        /* MNS with region and account filled in; Priority as a path */
        {HEAD "  - type: task\n    name: t\n"
              "    resourceArn: acs:mns:cn-beijing:1234:/queues/q1/messages\n"
              "    serviceParams: {MessageBody: hello, Priority: $.prio}\n",
         "v1 {t:task [queue q1 requestResponse] "
         "params={\"MessageBody\":\"hello\",\"Priority\":\"$.prio\"}}"},
        /* a choice with no default; goto back to an earlier sibling */
        {HEAD "  - type: pass\n    name: a\n"
              "  - type: choice\n    name: c\n    choices:\n"
              "      - condition: $.again\n        goto: a\n",
         "v1 {a:pass; c:choice when($.again => goto a)}"},
        /* a timestamp from a path; an empty mapping list */
        {HEAD "  - type: wait\n    name: w\n    timestamp: $input.at\n"
              "    inputMappings: []\n",
         "v1 {w:wait timestamp=$input.at in()}"},
        /* a fractional duration, a fail with nothing, end: false */
        {HEAD "  - type: wait\n    name: w\n    duration: 0.5\n    end: false\n"
              "  - type: fail\n    name: f\n",
         "v1 {w:wait duration=0.5; f:fail error=- cause=-}"},
        /* an anchor without an alias is harmless */
        {HEAD "  - &first\n    type: pass\n    name: p\n",
         "v1 {p:pass}"},
        /* CRLF line ends and a BOM */
        {"\xEF\xBB\xBFversion: v1\r\ntype: flow\r\nsteps:\r\n"
         "  - type: pass\r\n    name: p\r\n",
         "v1 {p:pass}"},
    };

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct flow *f = ft_parse_ok(cases[i].text, strlen(cases[i].text),
                                     cases[i].text);
        char *got = ft_describe(f);

        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu:\n got: %s\nwant: %s", i, got, cases[i].want);
        free(got);
        flow_free(f);
    }
}

/* ---- bad definitions ---- */

static void
test_flow_parse_errors(void **state)
{
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        /* step types and fields */
        {HEAD "  - type: taks\n    name: a\n",
         "flow.yaml:4:11: unknown step type 'taks' (expected task, pass, "
         "choice, parallel, foreach, wait, succeed or fail)"},
        {HEAD "  - type: pass\n",
         "flow.yaml:4:5: pass step is missing field 'name'"},
        {HEAD "  - name: a\n",
         "flow.yaml:4:5: step 'a' is missing field 'type'"},
        {HEAD "  - name: a\n    tpye: pass\n",
         "flow.yaml:5:5: unknown field 'tpye' in step 'a' (did you mean "
         "'type'?)"},
        {HEAD "  - type: task\n    name: t\n    resourceArm: fn:f\n",
         "flow.yaml:6:5: unknown field 'resourceArm' in task step 't' (did "
         "you mean 'resourceArn'?)"},
        {HEAD "  - type: pass\n    name: p\n    color: red\n",
         "flow.yaml:6:5: unknown field 'color' in pass step 'p' (expected "
         "type, name, end, inputMappings or outputMappings)"},
        {HEAD "  - type: pass\n    name: p\n    name: q\n",
         "flow.yaml:6:5: duplicate field 'name' in pass step 'p' (first at "
         "5:5)"},
        {HEAD "  - type: task\n    name: t\n",
         "flow.yaml:4:5: task step 't' is missing field 'resourceArn'"},
        {HEAD "  - pass\n",
         "flow.yaml:4:5: a step must be a mapping with type and name, found "
         "a string"},
        {HEAD "  - type: pass\n    name: 12\n",
         "flow.yaml:5:11: 'name' must be a string, found a number"},
        {HEAD "  - type: pass\n    name: ''\n",
         "flow.yaml:5:11: a step name must not be empty"},
        {HEAD "  - type: pass\n    name: p\n    end: yes\n",
         "flow.yaml:6:10: 'end' must be true or false, found a string"},
        {HEAD "  - type: [task]\n    name: p\n",
         "flow.yaml:4:11: 'type' must be a string, found a list"},

        /* the flow itself */
        {"- a\n",
         "flow.yaml:1:1: a flow definition must be a mapping with version, "
         "type and steps, found a list"},
        {"version: v2\ntype: flow\nsteps: []\n",
         "flow.yaml:1:10: unsupported version 'v2' (expected v1)"},
        {"version: v1\nsteps: []\n",
         "flow.yaml:1:1: the flow is missing field 'type'"},
        {"version: v1\ntype: flows\nsteps: []\n",
         "flow.yaml:2:7: unsupported flow type 'flows' (expected flow)"},
        {"version: v1\ntype: flow\n",
         "flow.yaml:1:1: the flow is missing field 'steps'"},
        {"version: v1\ntype: flow\nsteps: foo\n",
         "flow.yaml:3:8: 'steps' must be a list of steps, found a string"},
        {"version: v1\ntype: flow\nsteps: []\n",
         "flow.yaml:3:8: 'steps' must not be empty"},
        {"version: v1\ntype: flow\nname: x\nsteps: []\n",
         "flow.yaml:3:1: unknown field 'name' in the flow (expected version, "
         "type, steps, inputMappings or outputMappings)"},
        {"Type: StateMachine\nName: x\nStartAt: a\n",
         "flow.yaml:1:1: CloudFlow 2024 definitions (Type: StateMachine) are "
         "not supported (expected version: v1, type: flow and steps)"},
        {"",
         "flow.yaml:1:1: empty definition (expected a mapping with version, "
         "type and steps)"},
        {"# nothing but a comment\n",
         "flow.yaml:1:1: empty definition (expected a mapping with version, "
         "type and steps)"},

        /* names and gotos across the flow */
        {HEAD "  - type: pass\n    name: a\n"
              "  - type: parallel\n    name: p\n    branches:\n"
              "      - steps:\n          - type: pass\n"
              "            name: a\n",
         "flow.yaml:11:19: duplicate step name 'a' (first used at 5:11; "
         "names must be unique in the whole flow)"},
        {HEAD "  - type: task\n    name: t\n    resourceArn: fn:f\n"
              "    catch:\n      - errors: [FnF.ALL]\n        goto: inner\n"
              "  - type: parallel\n    name: p\n    branches:\n"
              "      - steps:\n          - type: pass\n"
              "            name: inner\n",
         "flow.yaml:9:15: goto 'inner' of step 't' is not a sibling: 'inner' "
         "is inside parallel step 'p' (a goto must name a step of the same "
         "list)"},
        {HEAD "  - type: choice\n    name: c\n    choices:\n"
              "      - condition: $.a == 1\n        goto: nowhere\n"
              "  - type: pass\n    name: b\n",
         "flow.yaml:8:15: goto 'nowhere' of step 'c' names no step (steps in "
         "its list: c, b)"},
        {HEAD "  - type: pass\n    name: top\n"
              "  - type: foreach\n    name: fe\n"
              "    iterationMapping: {collection: $.xs, item: x}\n"
              "    steps:\n      - type: choice\n        name: inner\n"
              "        choices:\n          - condition: 'true'\n"
              "        default:\n          goto: top\n",
         "flow.yaml:15:17: goto 'top' of step 'inner' is not a sibling: 'top' "
         "is a top-level step (a goto must name a step of the same list)"},

        /* mappings and paths */
        {HEAD "  - type: pass\n    name: p\n    inputMappings:\n"
              "      - target: x\n        source: $inptu.x\n",
         "flow.yaml:8:17: bad path '$inptu.x': unknown root '$inptu' at "
         "column 1 (expected $input, $local, $context or $)"},
        {HEAD "  - type: pass\n    name: p\n    inputMappings:\n"
              "      - target: x\n        source: $input.a%b\n",
         "flow.yaml:8:25: bad path '$input.a%b': unexpected '%' at column 9 "
         "(expected '.', '[' or the end)"},
        {HEAD "  - type: pass\n    name: p\n    inputMappings:\n"
              "      - target: x\n        source: \"$input[x]\"\n",
         "flow.yaml:8:25: bad path '$input[x]': unexpected 'x' at column 8 "
         "(expected an index, '*' or a quoted key after '[')"},
        {HEAD "  - type: pass\n    name: p\n    inputMappings:\n"
              "      - target: x\n        source: $context.task2.token\n",
         "flow.yaml:8:25: bad path '$context.task2.token': unknown context "
         "key 'task2' at column 9 (expected task, execution, flow or step)"},
        {HEAD "  - type: pass\n    name: p\n    inputMappings:\n"
              "      - target: x\n",
         "flow.yaml:7:9: an inputMappings entry is missing field 'source'"},
        {HEAD "  - type: pass\n    name: p\n    outputMappings:\n"
              "      - {target: x, source: 1}\n"
              "      - {target: x, source: 2}\n",
         "flow.yaml:8:18: duplicate target 'x' in outputMappings (first at "
         "7:9)"},
        {HEAD "  - type: pass\n    name: p\n    inputMappings:\n"
              "      - target: x\n        sorce: 1\n",
         "flow.yaml:8:9: unknown field 'sorce' in an inputMappings entry (did "
         "you mean 'source'?)"},
        {HEAD "  - type: pass\n    name: p\n    inputMappings: {a: 1}\n",
         "flow.yaml:6:20: 'inputMappings' must be a list of {target, source}, "
         "found a mapping"},
        {HEAD "  - type: pass\n    name: p\n    outputMappings:\n"
              "      - target: [a]\n        source: 1\n",
         "flow.yaml:7:17: 'target' must be a string, found a list"},

        /* task fields */
        {HEAD "  - type: task\n    name: t\n"
              "    resourceArn: acs:oss:::bucket/x\n",
         "flow.yaml:6:18: unknown resourceArn form 'acs:oss:::bucket/x' "
         "(expected acs:mns:::/queues/{queue}/messages, "
         "acs:mns:::/topics/{topic}/messages, "
         "acs:fc:{region}:{uid}:services/{service}/functions/{function}, "
         "acs:fnf:::flow/{flow} or fn:{function})"},
        {HEAD "  - type: task\n    name: t\n"
              "    resourceArn: acs:mns:::/queues//messages\n",
         "flow.yaml:6:18: unknown resourceArn form "
         "'acs:mns:::/queues//messages' (expected "
         "acs:mns:::/queues/{queue}/messages, "
         "acs:mns:::/topics/{topic}/messages, "
         "acs:fc:{region}:{uid}:services/{service}/functions/{function}, "
         "acs:fnf:::flow/{flow} or fn:{function})"},
        {HEAD "  - type: task\n    name: t\n    resourceArn: fn:f\n"
              "    pattern: waitForCalback\n",
         "flow.yaml:7:14: unknown pattern 'waitForCalback' (did you mean "
         "'waitForCallback'?)"},
        {HEAD "  - type: task\n    name: t\n    resourceArn: fn:f\n"
              "    pattern: fireAndForget\n",
         "flow.yaml:7:14: unknown pattern 'fireAndForget' (expected "
         "requestResponse, waitForCallback or sync)"},
        {HEAD "  - type: task\n    name: t\n"
              "    resourceArn: acs:mns:::/queues/q/messages\n"
              "    pattern: sync\n    serviceParams: {MessageBody: $}\n",
         "flow.yaml:7:14: pattern 'sync' is not supported for MNS queues "
         "(expected requestResponse or waitForCallback)"},
        {HEAD "  - type: task\n    name: t\n"
              "    resourceArn: acs:mns:::/queues/q/messages\n",
         "flow.yaml:4:5: task step 't' is missing field 'serviceParams' (an "
         "MNS queue needs a MessageBody)"},
        {HEAD "  - type: task\n    name: t\n"
              "    resourceArn: acs:mns:::/queues/q/messages\n"
              "    serviceParams:\n      Priority: 1\n",
         "flow.yaml:8:7: serviceParams of task step 't' is missing field "
         "'MessageBody'"},
        {HEAD "  - type: task\n    name: t\n"
              "    resourceArn: acs:mns:::/queues/q/messages\n"
              "    serviceParams:\n      MessageBody: $\n      Priority: 17\n",
         "flow.yaml:9:17: 'Priority' must be an integer from 1 to 16, found "
         "17"},
        {HEAD "  - type: task\n    name: t\n"
              "    resourceArn: acs:mns:::/queues/q/messages\n"
              "    serviceParams:\n      MessageBody: $\n      Priorty: 1\n",
         "flow.yaml:9:7: unknown field 'Priorty' in serviceParams of task "
         "step 't' (did you mean 'Priority'?)"},
        {HEAD "  - type: task\n    name: t\n"
              "    resourceArn: acs:mns:::/topics/t/messages\n"
              "    serviceParams:\n      MessageBody: $.x[\n",
         "flow.yaml:8:24: bad path '$.x[': unexpected end of text at column "
         "5 (expected an index, '*' or a quoted key after '[')"},
        {HEAD "  - type: task\n    name: t\n"
              "    resourceArn: acs:mns:::/topics/t/messages\n"
              "    serviceParams: {MessageBody: $, MessageTag: "
              "this-tag-is-far-too-long}\n",
         "flow.yaml:7:49: 'MessageTag' must be a string of at most 16 "
         "characters or a path"},
        {HEAD "  - type: task\n    name: t\n    resourceArn: fn:f\n"
              "    serviceParams: {a: 1, a: 2}\n",
         "flow.yaml:7:27: duplicate key 'a'"},
        {HEAD "  - type: task\n    name: t\n    resourceArn: fn:f\n"
              "    timeoutSeconds: \"30\"\n",
         "flow.yaml:7:21: 'timeoutSeconds' must be an integer from 1 to "
         "31536000, found a string"},
        {HEAD "  - type: task\n    name: t\n    resourceArn: fn:f\n"
              "    timeoutSeconds: 0\n",
         "flow.yaml:7:21: 'timeoutSeconds' must be an integer from 1 to "
         "31536000, found 0"},
        {HEAD "  - type: task\n    name: t\n    resourceArn: fn:f\n"
              "    heartbeatSeconds: 10\n",
         "flow.yaml:7:23: 'heartbeatSeconds' needs pattern waitForCallback "
         "(heartbeats come with callbacks)"},
        {HEAD "  - type: task\n    name: t\n    resourceArn: fn:f\n"
              "    pattern: waitForCallback\n    heartbeatSeconds: 0\n",
         "flow.yaml:8:23: 'heartbeatSeconds' must be an integer from 1 to "
         "31536000, found 0"},
        {HEAD "  - type: task\n    name: t\n    resourceArn: fn:f\n"
              "    retry:\n      - errors: []\n",
         "flow.yaml:8:17: 'errors' must name at least one error (FnF.ALL "
         "matches any)"},
        {HEAD "  - type: task\n    name: t\n    resourceArn: fn:f\n"
              "    retry:\n      - errors: FnF.ALL\n",
         "flow.yaml:8:17: 'errors' must be a list of error names, found a "
         "string"},
        {HEAD "  - type: task\n    name: t\n    resourceArn: fn:f\n"
              "    retry:\n      - errors: [x]\n        intervalSeconds: "
              "86401\n",
         "flow.yaml:9:26: 'intervalSeconds' must be an integer from 1 to "
         "86400, found 86401"},
        {HEAD "  - type: task\n    name: t\n    resourceArn: fn:f\n"
              "    retry:\n      - errors: [x]\n        multiplier: 0.5\n",
         "flow.yaml:9:21: 'multiplier' must be a number from 1 to 1000, "
         "found 0.5"},
        {HEAD "  - type: task\n    name: t\n    resourceArn: fn:f\n"
              "    retry:\n      - errors: [x]\n        backoff: 2\n",
         "flow.yaml:9:9: unknown field 'backoff' in a retry entry (expected "
         "errors, intervalSeconds, maxAttempts, multiplier or "
         "maxIntervalSeconds)"},
        {HEAD "  - type: task\n    name: t\n    resourceArn: fn:f\n"
              "    catch:\n      - errors: [x]\n",
         "flow.yaml:8:9: a catch entry is missing field 'goto'"},

        /* choice, parallel, foreach, wait */
        {HEAD "  - type: choice\n    name: c\n    choices:\n"
              "      - condition: $.a == )\n        goto: c\n",
         "flow.yaml:7:27: bad condition '$.a == )': unexpected ')' at column "
         "8 (expected a path, a string, a number, true, false, null, '!' or "
         "'(')"},
        {HEAD "  - type: choice\n    name: c\n    choices:\n"
              "      - condition: \"$.a = 'x'\"\n",
         "flow.yaml:7:25: bad condition '$.a = 'x'': unexpected '=' at "
         "column 5 (expected '==' to compare)"},
        {HEAD "  - type: choice\n    name: c\n    choices: []\n",
         "flow.yaml:6:14: 'choices' must not be empty"},
        {HEAD "  - type: choice\n    name: c\n    choices:\n"
              "      - goto: c\n",
         "flow.yaml:7:9: a choices entry is missing field 'condition'"},
        {HEAD "  - type: choice\n    name: c\n    choices:\n"
              "      - condition: 'true'\n    default:\n      condition: x\n",
         "flow.yaml:9:7: unknown field 'condition' in the default (expected "
         "steps or goto)"},
        {HEAD "  - type: parallel\n    name: p\n    branches: []\n",
         "flow.yaml:6:15: 'branches' must hold 1 to 100 branches, found 0"},
        {HEAD "  - type: parallel\n    name: p\n    branches:\n"
              "      - name: b\n",
         "flow.yaml:7:9: unknown field 'name' in a branch (expected steps)"},
        {HEAD "  - type: foreach\n    name: f\n"
              "    iterationMapping: {collection: items, item: x}\n"
              "    steps: [{type: pass, name: q}]\n",
         "flow.yaml:6:36: 'collection' must be a path such as $.items, found "
         "a string"},
        {HEAD "  - type: foreach\n    name: f\n"
              "    iterationMapping: {collection: $.xs}\n"
              "    steps: [{type: pass, name: q}]\n",
         "flow.yaml:6:23: iterationMapping is missing field 'item'"},
        {HEAD "  - type: foreach\n    name: f\n"
              "    iterationMapping: {collection: $.xs, item: x}\n",
         "flow.yaml:4:5: foreach step 'f' is missing field 'steps'"},
        {HEAD "  - type: wait\n    name: w\n    duration: 1\n"
              "    timestamp: 2019-05-02T15:04:05Z\n",
         "flow.yaml:7:16: wait step 'w' has both duration and timestamp "
         "(expected one of them)"},
        {HEAD "  - type: wait\n    name: w\n",
         "flow.yaml:4:5: wait step 'w' needs a duration or a timestamp"},
        {HEAD "  - type: wait\n    name: w\n    duration: 172801\n",
         "flow.yaml:6:15: 'duration' must be a number of seconds from 0 to "
         "172800 or a path, found 172801"},
        {HEAD "  - type: wait\n    name: w\n    timestamp: tomorrow\n",
         "flow.yaml:6:16: 'timestamp' must be an RFC 3339 time such as "
         "2019-05-02T15:04:05Z or a path, found 'tomorrow'"},
        {HEAD "  - type: foreach\n    name: f\n    maxConcurrency: 5\n",
         "flow.yaml:6:5: unknown field 'maxConcurrency' in foreach step 'f' "
         "(expected type, name, end, inputMappings, outputMappings, "
         "iterationMapping or steps)"},
        {HEAD "  - type: pass\n    name: p\n    result: {a: 1}\n",
         "flow.yaml:6:5: unknown field 'result' in pass step 'p' (expected "
         "type, name, end, inputMappings or outputMappings)"},
        {HEAD "  - type: succeed\n    name: s\n    heartbeatSeconds: 5\n",
         "flow.yaml:6:5: unknown field 'heartbeatSeconds' in succeed step 's' "
         "(expected type, name, end, inputMappings or outputMappings)"},

        /* YAML itself */
        {HEAD "  - type: pass\n    name: a\n   bad: 1\n",
         "flow.yaml:6:4: YAML syntax error: did not find expected '-' "
         "indicator (while parsing a block collection at 4:3)"},
        {HEAD "  - type: pass\n\tname: a\n",
         "flow.yaml:5:1: YAML syntax error: found a tab character that "
         "violates indentation (while scanning a plain scalar at 4:11)"},
        {"version: v1\ntype: fl\xFFow\n",
         "flow.yaml:2:9: unreadable text: invalid leading UTF-8 octet "
         "(0xFF)"},
        {"version: v1\ntype: flow\nx: &a [1]\nsteps: *a\n",
         "flow.yaml:4:8: YAML aliases are not supported (*a); write the "
         "value out"},
        {"version: v1\n---\nx: 1\n",
         "flow.yaml:2:1: a second YAML document (expected one flow "
         "definition)"},
        {HEAD "  - type: pass\n    name: !custom p\n",
         "flow.yaml:5:11: unsupported YAML tag '!custom' (only !!str, !!map "
         "and !!seq are allowed)"},
        {"version: v1\ntype: flow\nsteps:\n  ? [a]\n  : 1\n",
         "flow.yaml:4:5: a mapping key must be a plain value, not a list"},
        /* JSON: the column counts from the start of the line */
        {"{\"version\": \"v1\", \"type\": \"flow\", \"steps\": "
         "[{\"type\": \"pas\", \"name\": \"a\"}]}",
         "flow.yaml:1:54: unknown step type 'pas' (expected task, pass, "
         "choice, parallel, foreach, wait, succeed or fail)"},
    };

    int bad = 0;

    (void)state;
    /* report every mismatch, then fail once */
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct flow *f = (struct flow *)1;
        int rc = flow_parse(&f, cases[i].text, strlen(cases[i].text),
                            "flow.yaml");

        if (rc != ENG_EINVAL) {
            print_error("case %zu: rc %d, want ENG_EINVAL (%s)\n", i, rc,
                        cases[i].want);
            flow_free(rc == 0 ? f : NULL);
            bad++;
            continue;
        }
        assert_null(f);
        if (strcmp(err_last(), cases[i].want) != 0) {
            print_error("case %zu:\n got: %s\nwant: %s\n", i, err_last(),
                        cases[i].want);
            bad++;
        }
    }
    assert_int_equal(0, bad);
}

/* ---- limits ---- */

static void
test_flow_parse_limits(void **state)
{
    struct buf b = BUF_INIT(0);
    struct flow *f = (struct flow *)1;
    char *text, text128[129];
    size_t len;

    (void)state;
    memset(text128, 'n', 128);
    text128[128] = '\0';
    /* no text at all */
    assert_int_equal(ENG_EINVAL, flow_parse(&f, NULL, 0, NULL));
    assert_null(f);
    assert_string_equal("flow:1:1: empty definition (expected a mapping with "
                        "version, type and steps)", err_last());

    /* one byte over the cap: refused before libyaml sees it */
    len = FLOW_MAX_BYTES + 1;
    text = xmalloc(len);
    memset(text, '#', len);
    assert_int_equal(ENG_ETOOBIG, flow_parse(&f, text, len, "big.yaml"));
    assert_null(f);
    assert_string_equal("big.yaml: definition is 262145 bytes (at most "
                        "262144)", err_last());
    free(text);

    /* at the cap is fine (a comment pads a good flow to the limit) */
    buf_puts(&b, HEAD "  - type: pass\n    name: p\n#");
    while (b.len < FLOW_MAX_BYTES)
        buf_puts(&b, "x");
    f = ft_parse_ok(b.data, b.len, "flow at the cap");
    flow_free(f);
    buf_reset(&b);

    /* 64 levels of nesting are allowed, 65 are not: the root mapping,
     * steps, the step, outputMappings and the item are five, then the
     * constant's brackets */
    for (int extra = 0; extra <= 1; extra++) {
        buf_puts(&b, HEAD "  - type: pass\n    name: p\n    outputMappings:\n"
                          "      - target: deep\n        source: ");
        for (int i = 0; i < FLOW_MAX_DEPTH - 5 + extra; i++)
            buf_puts(&b, "[");
        for (int i = 0; i < FLOW_MAX_DEPTH - 5 + extra; i++)
            buf_puts(&b, "]");
        buf_puts(&b, "\n");
        if (extra == 0) {
            f = ft_parse_ok(b.data, b.len, "64 levels");
            flow_free(f);
        } else {
            assert_int_equal(ENG_EINVAL,
                             flow_parse(&f, b.data, b.len, "flow.yaml"));
            assert_string_equal("flow.yaml:8:76: nesting deeper than 64 "
                                "levels", err_last());
        }
        buf_reset(&b);
    }

    /* ... the 65th is not: the error names the bracket that opens it */
    buf_puts(&b, "version: v1\ntype: flow\nsteps: ");
    for (int i = 0; i < 100000; i++)
        buf_puts(&b, "[");
    f = (struct flow *)1;
    assert_int_equal(ENG_EINVAL, flow_parse(&f, b.data, b.len, "flow.yaml"));
    assert_null(f);
    assert_string_equal("flow.yaml:3:71: nesting deeper than 64 levels",
                        err_last());
    buf_reset(&b);

    /* a billion-laughs shape is refused at its first alias */
    buf_puts(&b, "a: &a [x, x, x, x, x, x, x, x, x]\n"
                 "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                 "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n");
    assert_int_equal(ENG_EINVAL, flow_parse(&f, b.data, b.len, "flow.yaml"));
    assert_string_equal("flow.yaml:2:8: YAML aliases are not supported "
                        "(*a); write the value out", err_last());
    buf_reset(&b);

    /* a parallel step may have 100 branches, not 101 */
    for (int n = FLOW_MAX_BRANCHES; n <= FLOW_MAX_BRANCHES + 1; n++) {
        buf_puts(&b, HEAD "  - type: parallel\n    name: p\n    branches:\n");
        for (int i = 0; i < n; i++)
            buf_printf(&b, "      - steps: [{type: pass, name: b%d}]\n", i);
        f = (struct flow *)1;
        if (n == FLOW_MAX_BRANCHES) {
            f = ft_parse_ok(b.data, b.len, "100 branches");
            assert_int_equal(FLOW_MAX_BRANCHES, f->steps.v[0].nbranches);
            flow_free(f);
        } else {
            assert_int_equal(ENG_EINVAL,
                             flow_parse(&f, b.data, b.len, "flow.yaml"));
            assert_string_equal("flow.yaml:7:7: 'branches' must hold 1 to "
                                "100 branches, found 101", err_last());
        }
        buf_reset(&b);
    }

    /* a step name of 128 bytes is fine, 129 is not */
    buf_printf(&b, HEAD "  - type: pass\n    name: %.128s\n", text128);
    f = ft_parse_ok(b.data, b.len, "128-byte name");
    flow_free(f);
    buf_reset(&b);
    buf_printf(&b, HEAD "  - type: pass\n    name: %.128sx\n", text128);
    assert_int_equal(ENG_EINVAL, flow_parse(&f, b.data, b.len, "flow.yaml"));
    assert_string_equal("flow.yaml:5:11: step name is longer than 128 bytes",
                        err_last());
    buf_free(&b);
}

/* Positions and ownership of what the parser hands out. */
static void
test_flow_parse_positions(void **state)
{
    size_t len;
    char *text = ft_fixture("all_types.yaml", &len);
    struct flow *f = ft_parse_ok(text, len, "all_types.yaml");
    const struct flow_step *route = &f->steps.v[2];
    const struct flow_step *fe = &f->steps.v[4];

    (void)state;
    assert_int_equal(2, f->pos.line);
    assert_int_equal(1, f->pos.col);
    assert_int_equal(7, f->steps.n);
    /* "  - type: pass" at line 13: the step's mapping starts at "type" */
    assert_int_equal(13, f->steps.v[0].pos.line);
    assert_int_equal(5, f->steps.v[0].pos.col);
    assert_int_equal(14, f->steps.v[0].name_pos.line);
    assert_int_equal(11, f->steps.v[0].name_pos.col);
    assert_int_equal(FLOW_STEP_CHOICE, route->type);
    assert_int_equal(2, route->nchoices);
    assert_int_equal(43, route->choices[0].pos.line);
    assert_int_equal(48, route->choices[0].goto_pos.line);
    assert_int_equal(15, route->choices[0].goto_pos.col);
    assert_non_null(route->deflt);
    assert_null(route->deflt->cond);
    assert_string_equal("until", route->deflt->steps.v[0].name);
    assert_int_equal(FLOW_STEP_FOREACH, fe->type);
    assert_string_equal("order", fe->item);
    assert_string_equal("i", fe->index);
    assert_int_equal(2, fe->steps.n);
    assert_int_equal(FLOW_RES_FUNCTION, fe->steps.v[0].task.resource);
    assert_null(fe->steps.v[0].task.resource_service);
    assert_int_equal(22, f->steps.v[1].task.arn_pos.line);
    assert_int_equal(18, f->steps.v[1].task.arn_pos.col);
    flow_free(f);
    flow_free(NULL);
    free(text);
}

/* ---- flow_to_json ---- */

static void
test_flow_to_json_seed(void **state)
{
    size_t len;
    char *text = ft_fixture("spec_callback.yaml", &len);
    struct flow *f = ft_parse_ok(text, len, "spec_callback.yaml");

    (void)state;
    ft_expect_json_new(
        flow_to_json(f),
        "{\"column\":1,\"line\":2,\"steps\":["
        "{\"catch\":[{\"column\":9,\"errors\":[\"FnF.ALL\"],\"goto\":"
        "\"onError\",\"line\":23}],\"column\":5,\"end\":false,"
        "\"inputMappings\":["
        "{\"column\":9,\"line\":10,\"source\":\"$input.payload\","
        "\"target\":\"payload\"},"
        "{\"column\":9,\"line\":12,\"source\":\"$context.task.token\","
        "\"target\":\"taskToken\"}],"
        "\"line\":5,\"name\":\"dispatch\",\"next\":\"done\","
        "\"outputMappings\":[{\"column\":9,\"line\":26,\"source\":"
        "\"$local.result\",\"target\":\"result\"}],"
        "\"pattern\":\"waitForCallback\","
        "\"resource\":{\"kind\":\"queue\",\"name\":\"jobs\"},"
        "\"resourceArn\":\"acs:mns:::/queues/jobs/messages\","
        "\"retry\":[{\"column\":9,\"errors\":[\"FnF.Timeout\"],"
        "\"intervalSeconds\":5,\"line\":19,\"maxAttempts\":2,"
        "\"multiplier\":2.0}],"
        "\"serviceParams\":{\"MessageBody\":\"$\",\"Priority\":1},"
        "\"timeoutSeconds\":300,\"type\":\"task\"},"
        "{\"column\":5,\"end\":true,\"line\":28,\"name\":\"done\","
        "\"next\":null,\"type\":\"pass\"},"
        "{\"column\":5,\"end\":false,\"error\":\"JobFailed\",\"line\":31,"
        "\"name\":\"onError\",\"next\":null,\"type\":\"fail\"}],"
        "\"type\":\"flow\",\"version\":\"v1\"}",
        "spec_callback.yaml as JSON");
    flow_free(f);
    free(text);
}

/* The nested shapes the console walks to draw branches and iterations. */
static void
test_flow_to_json_nested(void **state)
{
    static const struct {
        const char *path; /* "steps/2/choices/0": members and indexes */
        const char *want;
    } cases[] = {
        {"steps/0/next", "\"invoke\""},
        {"steps/1/resource", "{\"kind\":\"function\",\"name\":\"charge\","
                             "\"service\":\"billing\"}"},
        {"steps/1/catch/0/errorMappings/0/source", "\"$local.cause\""},
        {"steps/1/errorMappings/0/target", "\"code\""},
        {"steps/1/retry/0/maxIntervalSeconds", "30"},
        {"steps/2/choices/0/condition",
         "\"$.status == \\\"ready\\\" && $input.count > 3\""},
        {"steps/2/choices/0/steps/0/duration", "5"},
        {"steps/2/choices/0/steps/0/next", "null"},
        {"steps/2/choices/0/goto", "\"fanout\""},
        {"steps/2/choices/1/line", "49"},
        {"steps/2/default/steps/0/timestamp", "\"2019-05-02T15:04:05Z\""},
        {"steps/3/branches/1/steps/0/pattern", "\"sync\""},
        {"steps/3/branches/0/line", "59"},
        {"steps/3/outputMappings/0/source", "\"$local[*].result\""},
        {"steps/4/iterationMapping",
         "{\"collection\":\"$.orders\",\"index\":\"i\",\"item\":\"order\"}"},
        {"steps/4/steps/0/next", "\"settle\""},
        {"steps/4/steps/1/duration", "\"$.delay\""},
        {"steps/5/next", "null"},
        {"steps/6/cause", "\"the order was refused\""},
        {"inputMappings/1/source", "\"cn-hangzhou\""},
        {"steps/0/outputMappings/0/source",
         "{\"max\":10,\"tags\":[\"a\",\"b\"]}"},
    };
    size_t len;
    char *text = ft_fixture("all_types.yaml", &len);
    struct flow *f = ft_parse_ok(text, len, "all_types.yaml");
    json_t *doc = flow_to_json(f);

    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        const char *p = cases[i].path;
        json_t *v = doc;

        /* walk "a/0/b": numbers index arrays, words name members */
        while (*p && v) {
            size_t n = strcspn(p, "/");
            char seg[64];

            snprintf(seg, sizeof(seg), "%.*s", (int)n, p);
            if (json_is_array(v))
                v = json_array_get(v, strtoul(seg, NULL, 10));
            else
                v = json_object_get(v, seg);
            p += n + (p[n] == '/');
        }
        if (v == NULL)
            fail_msg("%s: missing", cases[i].path);
        ft_expect_json_new(json_incref(v), cases[i].want, cases[i].path);
    }
    json_decref(doc);
    flow_free(f);
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flow_parse_fixtures),
        cmocka_unit_test(test_flow_parse_good_inline),
        cmocka_unit_test(test_flow_parse_errors),
        cmocka_unit_test(test_flow_parse_limits),
        cmocka_unit_test(test_flow_parse_positions),
        cmocka_unit_test(test_flow_to_json_seed),
        cmocka_unit_test(test_flow_to_json_nested),
    };

    xalloc_init_json();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
