"""
The Serverless Workflow RPC protocol (FnF OpenAPI 2019-03-15) on flowdeck's
port: the real Node SDK (@alicloud/fnf-2019-03-15 1.2.0, which posts form
bodies) through js/fnf_sdk.mjs, and raw HTTP for what other SDKs send:
GET with query parameters, common parameters in the query and the rest in
a form body (the Tea SDKs), Action and Version from the x-acs-* headers,
and the exact JSON envelopes and error codes.
"""
import json
import os
import re
import shutil
import subprocess
import threading
import urllib.parse

from harness import EngineTestCase

HERE = os.path.dirname(os.path.abspath(__file__))
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ERROR_KEYS = {"RequestId", "HostId", "Code", "Message"}

PASS = "version: v1\ntype: flow\nsteps:\n  - type: pass\n    name: p\n"
CALLBACK = (
    "version: v1\ntype: flow\nsteps:\n"
    "  - type: task\n    name: work\n"
    "    resourceArn: acs:mns:::/queues/jobs/messages\n"
    "    pattern: waitForCallback\n"
    "    inputMappings:\n"
    "      - target: token\n        source: $context.task.token\n"
    "    serviceParams:\n      MessageBody: $\n"
    "    outputMappings:\n      - target: result\n"
    "        source: $local.result\n")
COMMON = {"Version": "2019-03-15", "Format": "json",
          "AccessKeyId": "test", "SignatureMethod": "HMAC-SHA1",
          "SignatureVersion": "1.0", "SignatureNonce": "n",
          "Timestamp": "2026-01-01T00:00:00Z"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class FnfSdk(EngineTestCase):
    def test_node_sdk(self):
        node = shutil.which("node")
        if node is None:
            self.fail("node is missing: the Serverless Workflow SDK tests "
                      "need Node.js 20 or later")
        if not os.path.isdir(os.path.join(HERE, "node_modules", "@alicloud",
                                          "fnf-2019-03-15")):
            self.fail("tests/compat/node_modules lacks "
                      "@alicloud/fnf-2019-03-15: run npm ci in tests/compat")
        e = self.engine()
        e.ok("POST", "/v1/queues", {"name": "jobs"}, status=201)
        p = subprocess.run([node, os.path.join("js", "fnf_sdk.mjs"),
                            str(e.port)], cwd=HERE, capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("all passed", p.stdout)


class FnfWire(EngineTestCase):
    def setUp(self):
        self.e = self.engine()

    # -- helpers --
    def call(self, action, method="POST", query=None, headers=None,
             **params):
        """An RPC call as pop-core sends it: everything in the query for
        GET, in a form body for POST. Returns (status, headers, JSON)."""
        p = dict(COMMON, **params)
        if action is not None:
            p["Action"] = action
        q = dict(query or {})
        h = dict(headers or {})
        body = None
        if method == "GET":
            q.update(p)
        else:
            body = urllib.parse.urlencode(p)
            h.update(FORM)
        path = "/" + ("?" + urllib.parse.urlencode(q) if q else "")
        status, hdrs, data = self.e.raw(method, path, body, h)
        return status, hdrs, json.loads(data)

    def ok(self, action, method="POST", **params):
        status, hdrs, j = self.call(action, method, **params)
        self.assertEqual(status, 200, j)
        self.assertNotIn("Code", j)
        self.assertEqual(hdrs["x-acs-request-id"], j["RequestId"])
        return j

    def refused(self, action, status, code, method="POST", **params):
        got, _, j = self.call(action, method, **params)
        self.assertEqual((got, j.get("Code")), (status, code), j)
        self.assertEqual(set(j), ERROR_KEYS, j)
        self.assertEqual(j["HostId"], "127.0.0.1:%d" % self.e.port)
        return j

    def token(self):
        msgs = self.e.ok("POST", "/v1/queues/jobs/receive",
                         {"max": 1})["messages"]
        self.assertEqual(len(msgs), 1, msgs)
        return json.loads(msgs[0]["body"])["token"]

    def callback_flow(self):
        self.e.ok("POST", "/v1/queues", {"name": "jobs"}, status=201)
        self.ok("CreateFlow", Name="cb", Definition=CALLBACK,
                Description="", Type="FDL")

    # -- tests --
    def test_get_with_query_parameters(self):
        self.ok("CreateFlow", Name="f", Definition=PASS, Description="d",
                Type="FDL")
        j = self.ok("DescribeFlow", "GET", Name="f")
        self.assertEqual((j["Name"], j["Description"], j["Definition"]),
                         ("f", "d", PASS))
        self.assertEqual(j["RoleArn"], "")
        self.assertTrue(TIME.match(j["CreatedTime"]), j)
        j = self.ok("ListFlows", "GET", Limit="10")
        self.assertEqual([f["Name"] for f in j["Flows"]], ["f"])
        self.assertNotIn("NextToken", j)
        x = self.ok("StartExecution", FlowName="f", ExecutionName="e")
        self.assertEqual(x["Input"], "{}")
        j = self.ok("GetExecutionHistory", "GET", FlowName="f",
                    ExecutionName="e")
        for ev in j["Events"]:
            self.assertIsInstance(ev["EventId"], int)
            self.assertIsInstance(ev["ScheduleEventId"], int)
            self.assertIsInstance(ev["EventDetail"], str)
            json.loads(ev["EventDetail"])
        self.assertEqual(j["Events"][-1]["Type"], "ExecutionSucceeded")

    def test_common_parameters_in_the_query_and_the_rest_in_a_form(self):
        self.callback_flow()
        # Tea: common parameters and Action in the query, the rest posted
        q = dict(COMMON, Action="StartExecution")
        status, _, data = self.e.raw(
            "POST", "/?" + urllib.parse.urlencode(q),
            urllib.parse.urlencode({"FlowName": "cb", "ExecutionName": "e",
                                    "Input": '{"a":1}'}), FORM)
        x = json.loads(data)
        self.assertEqual((status, x["Status"], x["StoppedTime"],
                          x["Output"]), (200, "Running", "", ""), x)
        # ReportTaskSucceeded: TaskToken in the query, Output in the body
        q = dict(COMMON, Action="ReportTaskSucceeded", TaskToken=self.token())
        status, _, data = self.e.raw(
            "POST", "/?" + urllib.parse.urlencode(q),
            urllib.parse.urlencode({"Output": '{"result": 42}'}), FORM)
        j = json.loads(data)
        self.assertEqual(status, 200, j)
        self.assertIsInstance(j["EventId"], int)
        # Action and Version from the x-acs-* headers; a body value wins
        # over the query's
        status, _, data = self.e.raw(
            "POST", "/?ExecutionName=wrong",
            urllib.parse.urlencode({"FlowName": "cb", "ExecutionName": "e"}),
            dict(FORM, **{"x-acs-action": "DescribeExecution",
                          "x-acs-version": "2019-03-15"}))
        x = json.loads(data)
        self.assertEqual(status, 200, x)
        self.assertEqual((x["Name"], x["Status"], json.loads(x["Output"])),
                         ("e", "Succeeded", {"result": 42}))

    def test_request_id_parameter_is_echoed(self):
        j = self.ok("ListFlows", "GET", RequestId="my-request-1")
        self.assertEqual(j["RequestId"], "my-request-1")
        j = self.refused("DescribeFlow", 404, "FlowNotExists",
                         RequestId="my-request-2", Name="nope")
        self.assertEqual(j["RequestId"], "my-request-2")

    def test_error_envelopes(self):
        j = self.refused("DescribeFlow", 404, "FlowNotExists", "GET",
                         Name="nope")
        self.assertIn("nope", j["Message"])
        j = self.refused("DescribeFlow", 400, "MissingRequiredParams")
        self.assertIn("'Name'", j["Message"])
        j = self.refused("CreateSchedule", 400, "ActionNotSupported",
                         FlowName="f")
        self.assertIn("CreateSchedule", j["Message"])
        self.refused(None, 400, "MissingRequiredParams")
        self.refused("ListFlows", 400, "InvalidArgument", Format="XML")
        self.refused("ListFlows", 400, "InvalidArgument", Limit="0")
        self.refused("ListFlows", 400, "InvalidArgument", Limit="ten")
        self.refused("CreateFlow", 400, "InvalidArgument", Name="9bad",
                     Definition=PASS, Type="FDL")
        self.refused("CreateFlow", 400, "InvalidArgument", Name="f",
                     Definition=PASS, Type="DEFAULT")
        self.ok("CreateFlow", Name="f", Definition=PASS, Description="",
                Type="FDL")
        j = self.refused("CreateFlow", 409, "FlowAlreadyExists", Name="f",
                         Definition=PASS, Description="", Type="FDL")
        self.assertIn("'f'", j["Message"])
        self.refused("StartExecution", 404, "FlowNotExists", FlowName="g")
        self.refused("StartExecution", 400, "InvalidArgument", FlowName="f",
                     Input="[1, 2]")
        j = self.refused("StartExecution", 400, "InvalidArgument",
                         FlowName="f", Input="{nope")
        self.assertIn("Input", j["Message"])
        self.refused("StartExecution", 400, "InvalidArgument", FlowName="f",
                     ExecutionName="9bad")
        self.assertEqual(self.ok("ListExecutions", "GET",
                                 FlowName="f")["Executions"], [])
        self.ok("StartExecution", FlowName="f", ExecutionName="e")
        self.refused("StartExecution", 409, "ExecutionAlreadyExists",
                     FlowName="f", ExecutionName="e")
        self.refused("DescribeExecution", 404, "ExecutionNotExists", "GET",
                     FlowName="f", ExecutionName="x")
        self.refused("DescribeExecution", 404, "FlowNotExists", "GET",
                     FlowName="g", ExecutionName="e")
        self.refused("GetExecutionHistory", 404, "ExecutionNotExists",
                     "GET", FlowName="f", ExecutionName="x")
        self.refused("GetExecutionHistory", 400, "InvalidArgument", "GET",
                     FlowName="f", ExecutionName="e", NextToken="abc")
        self.refused("StopExecution", 400, "InvalidArgument", FlowName="f",
                     ExecutionName="e")
        self.refused("ReportTaskSucceeded", 400, "InvalidArgument",
                     TaskToken="nosuchtoken", Output="{}")
        self.refused("ReportTaskFailed", 400, "MissingRequiredParams",
                     TaskToken="nosuchtoken")
        self.refused("DescribeExecution", 400, "InvalidArgument", "GET",
                     FlowName="f", ExecutionName="e", WaitTimeSeconds="61")

    def test_a_bad_definition_names_line_and_column_and_changes_nothing(self):
        bad = PASS + "    end: maybe\n    extra: 1\n"
        j = self.refused("CreateFlow", 400, "InvalidArgument", Name="b",
                         Definition=bad, Description="", Type="FDL")
        self.assertRegex(j["Message"], r"^b\.yaml:\d+:\d+: ")
        self.refused("DescribeFlow", 404, "FlowNotExists", Name="b")
        self.assertEqual(self.e.get("/v1/flows/b")[0], 404)
        self.ok("CreateFlow", Name="b", Definition=PASS, Description="",
                Type="FDL")
        j = self.refused("UpdateFlow", 400, "InvalidArgument", Name="b",
                         Definition="version: v1\ntype: flow\nsteps: 3\n")
        self.assertRegex(j["Message"], r"^b\.yaml:3:\d+: ")
        self.assertEqual(self.ok("DescribeFlow", Name="b")["Definition"],
                         PASS)

    def test_a_used_task_token(self):
        self.callback_flow()
        self.ok("StartExecution", FlowName="cb", ExecutionName="e")
        token = self.token()
        self.ok("ReportTaskFailed", TaskToken=token, Error="E", Cause="c")
        j = self.refused("ReportTaskSucceeded", 400, "TaskAlreadyCompleted",
                         TaskToken=token, Output="{}")
        self.assertIn("failed", j["Message"])
        x = self.ok("DescribeExecution", FlowName="cb", ExecutionName="e")
        self.assertEqual((x["Status"], x["Output"]), ("Failed", ""))
        self.assertTrue(TIME.match(x["StoppedTime"]), x)
        # refusals are journaled on the token
        kinds = [r["type"] for r in self.e.ok(
            "GET", "/v1/journal?kind=task&id=" + token)["items"]]
        self.assertIn("refused", kinds)

    def test_waiting_describe_ends_with_its_wait(self):
        self.callback_flow()
        self.ok("StartExecution", FlowName="cb", ExecutionName="e")
        x = self.ok("DescribeExecution", "GET", FlowName="cb",
                    ExecutionName="e", WaitTimeSeconds="1")
        self.assertEqual((x["Status"], x["StoppedTime"]), ("Running", ""))

    def _park(self, **params):
        out = {}

        def run():
            out["r"] = self.call("DescribeExecution", "GET", **params)
        t = threading.Thread(target=run)
        t.start()
        return t, out

    def test_waiting_describes_answer_a_stop_and_a_delete(self):
        self.callback_flow()
        self.ok("StartExecution", FlowName="cb", ExecutionName="e1")
        self.ok("StartExecution", FlowName="cb", ExecutionName="e2")
        t, out = self._park(FlowName="cb", ExecutionName="e1",
                            WaitTimeSeconds="30")
        t.join(0.5)
        self.ok("StopExecution", FlowName="cb", ExecutionName="e1",
                Error="Ops.Stop", Cause="by hand")
        t.join(30)
        status, _, x = out["r"]
        self.assertEqual((status, x["Status"]), (200, "Stopped"), x)
        self.assertEqual(x["FlowDefinition"], CALLBACK)
        t, out = self._park(FlowName="cb", ExecutionName="e2",
                            WaitTimeSeconds="30")
        t.join(0.5)
        self.ok("DeleteFlow", Name="cb")
        t.join(30)
        status, _, j = out["r"]
        self.assertEqual((status, j["Code"]), (404, "ExecutionNotExists"), j)
        self.assertEqual(set(j), ERROR_KEYS)

    def test_list_executions_filters(self):
        self.ok("CreateFlow", Name="f", Definition=PASS, Description="",
                Type="FDL")
        for n in ("job-1", "job-2", "other"):
            self.ok("StartExecution", FlowName="f", ExecutionName=n)
        j = self.ok("ListExecutions", "GET", FlowName="f",
                    ExecutionNamePrefix="job-", MetadataOnly="true")
        self.assertEqual(sorted(x["Name"] for x in j["Executions"]),
                         ["job-1", "job-2"])
        self.assertNotIn("FlowDefinition", j["Executions"][0])
        self.assertNotIn("Input", j["Executions"][0])
        j = self.ok("ListExecutions", "GET", FlowName="f",
                    StartedTimeEnd="2000-01-01T00:00:00Z")
        self.assertEqual(j["Executions"], [])
        j = self.ok("ListExecutions", "GET", FlowName="f", Limit="1",
                    StartedTimeBegin="2000-01-01T00:00:00Z")
        self.assertEqual(len(j["Executions"]), 1)
        self.assertIn("NextToken", j)
        self.refused("ListExecutions", 400, "InvalidArgument", "GET",
                     FlowName="f", Status="Sleeping")
        self.refused("ListExecutions", 400, "InvalidArgument", "GET",
                     FlowName="f", StartedTimeBegin="yesterday")
