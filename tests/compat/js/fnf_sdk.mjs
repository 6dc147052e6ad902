// The Serverless Workflow SDK for Node (@alicloud/fnf-2019-03-15 1.2.0,
// on @alicloud/pop-core: every POST action sends a form body) against a
// flowdeck engine: flows, executions, history, callbacks, long polls,
// stops and the errors the SDK turns into exceptions.
// Usage: node js/fnf_sdk.mjs PORT   (cwd tests/compat; queue "jobs" exists)
// Prints one line per check; exits non-zero on the first failure.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Client = require('@alicloud/fnf-2019-03-15');

const port = process.argv[2];
const base = `http://127.0.0.1:${port}`;
const c = new Client({ endpoint: base, accessKeyId: 'test', accessKeySecret: 'test' });
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const PASS = 'version: v1\ntype: flow\nsteps:\n' +
  '  - type: pass\n    name: hello\n' +
  '    outputMappings:\n      - target: greeting\n        source: $input.who\n';
const CALLBACK = 'version: v1\ntype: flow\nsteps:\n' +
  '  - type: task\n    name: work\n' +
  '    resourceArn: acs:mns:::/queues/jobs/messages\n' +
  '    pattern: waitForCallback\n' +
  '    inputMappings:\n' +
  '      - target: token\n        source: $context.task.token\n' +
  '      - target: n\n        source: $input.n\n' +
  '    serviceParams:\n      MessageBody: $\n' +
  '    outputMappings:\n      - target: result\n        source: $local.result\n';

function check(what) { console.log('ok -', what); }

async function refused(promise, code) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.code, code, `${e.code}: ${e.message}`);
    assert.equal(e.name, code + 'Error');
    assert.ok(e.data.RequestId && e.data.Message, JSON.stringify(e.data));
    return e;
  }
  assert.fail(`expected ${code}`);
}

// A task token, as a worker gets it: receive from the queue through the
// engine API and delete the message.
async function token() {
  const r = await fetch(`${base}/v1/queues/jobs/receive`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ max: 1 }),
  });
  const j = await r.json();
  assert.equal(j.messages.length, 1, JSON.stringify(j));
  await fetch(`${base}/v1/queues/jobs/delete`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ receipts: [j.messages[0].receipt] }),
  });
  return JSON.parse(j.messages[0].body).token;
}

async function main() {
  // ---- flows ----
  let f = await c.createFlow({ Name: 'hello', Definition: PASS, Description: 'says hello',
    Type: 'FDL', RoleArn: 'acs:ram::1234567890123456:role/fnf' });
  assert.equal(f.Name, 'hello');
  assert.equal(f.Definition, PASS);
  assert.equal(f.Description, 'says hello');
  assert.equal(f.Type, 'FDL');
  assert.equal(f.RoleArn, 'acs:ram::1234567890123456:role/fnf');
  assert.match(f.CreatedTime, TIME);
  assert.match(f.LastModifiedTime, TIME);
  assert.match(f.Id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.ok(f.RequestId);
  assert.equal(f.Code, undefined);
  check('CreateFlow');
  const d = await c.describeFlow({ Name: 'hello' });
  assert.equal(d.Id, f.Id);
  assert.equal(d.RoleArn, f.RoleArn);
  assert.equal(d.Definition, PASS);
  check('DescribeFlow');
  await refused(c.createFlow({ Name: 'hello', Definition: PASS, Description: '', Type: 'FDL' }),
    'FlowAlreadyExists');
  const bad = await refused(c.createFlow({ Name: 'broken', Description: '', Type: 'FDL',
    Definition: 'version: v1\ntype: flow\nsteps:\n  - type: taks\n    name: x\n' }),
  'InvalidArgument');
  assert.match(bad.message, /broken\.yaml:4:11: unknown step type 'taks'/);
  await refused(c.describeFlow({ Name: 'broken' }), 'FlowNotExists');
  check('CreateFlow refuses a duplicate and a bad definition (line:col)');
  await c.createFlow({ Name: 'cb', Definition: CALLBACK, Description: '', Type: 'FDL' });
  const u = await c.updateFlow({ Name: 'hello', Description: 'says hello again' });
  assert.equal(u.Description, 'says hello again');
  assert.equal(u.Definition, PASS);
  assert.equal(u.RoleArn, f.RoleArn);
  assert.equal(u.CreatedTime, f.CreatedTime);
  await refused(c.updateFlow({ Name: 'nope', Definition: PASS }), 'FlowNotExists');
  check('UpdateFlow');
  let l = await c.listFlows({ Limit: 1 });
  assert.deepEqual(l.Flows.map((x) => x.Name), ['cb']);
  assert.ok(l.NextToken);
  l = await c.listFlows({ Limit: 1, NextToken: l.NextToken });
  assert.deepEqual(l.Flows.map((x) => x.Name), ['hello']);
  assert.equal(l.Flows[0].Description, 'says hello again');
  assert.equal(l.NextToken, undefined);
  check('ListFlows pages');

  // ---- an execution and its history ----
  const x = await c.startExecution({ FlowName: 'hello', ExecutionName: 'first',
    Input: JSON.stringify({ who: 'world' }) });
  assert.equal(x.Name, 'first');
  assert.equal(x.FlowName, 'hello');
  assert.equal(x.FlowDefinition, PASS);
  assert.equal(x.Status, 'Succeeded');
  assert.deepEqual(JSON.parse(x.Input), { who: 'world' });
  assert.deepEqual(JSON.parse(x.Output), { greeting: 'world' });
  assert.match(x.StartedTime, TIME);
  assert.match(x.StoppedTime, TIME);
  await refused(c.startExecution({ FlowName: 'hello', ExecutionName: 'first' }),
    'ExecutionAlreadyExists');
  await refused(c.startExecution({ FlowName: 'nope' }), 'FlowNotExists');
  const anon = await c.startExecution({ FlowName: 'hello' });
  assert.match(anon.Name, /^[0-9a-f-]{36}$/);
  check('StartExecution');
  let h = await c.getExecutionHistory({ FlowName: 'hello', ExecutionName: 'first', Limit: 2 });
  const events = [...h.Events];
  while (h.NextToken) {
    h = await c.getExecutionHistory({ FlowName: 'hello', ExecutionName: 'first', Limit: 2,
      NextToken: h.NextToken });
    events.push(...h.Events);
  }
  assert.deepEqual(events.map((e) => e.Type), ['ExecutionStarted', 'StepEntered',
    'StepStarted', 'StepSucceeded', 'StepExited', 'ExecutionSucceeded']);
  assert.deepEqual(events.map((e) => e.EventId), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(events.map((e) => e.StepName), ['', 'hello', 'hello', 'hello', 'hello', '']);
  assert.equal(events[0].ScheduleEventId, 0);
  for (const e of events) {
    assert.equal(typeof e.EventDetail, 'string');
    assert.match(e.Time, TIME);
  }
  assert.deepEqual(JSON.parse(events[0].EventDetail), { input: { who: 'world' } });
  assert.deepEqual(JSON.parse(events[5].EventDetail).output, { greeting: 'world' });
  check('GetExecutionHistory pages by event id');

  // ---- callbacks ----
  let r = await c.startExecution({ FlowName: 'cb', ExecutionName: 'ok', Input: '{"n":1}' });
  assert.equal(r.Status, 'Running');
  assert.equal(r.StoppedTime, '');
  assert.equal(r.Output, '');
  const again = await c.startExecution({ FlowName: 'cb', ExecutionName: 'ok' });
  assert.equal(again.StartedTime, r.StartedTime); // running: the same one
  const t1 = await token();
  const done = await c.reportTaskSucceeded({ TaskToken: t1, Output: '{"result":"done"}' });
  assert.equal(typeof done.EventId, 'number');
  r = await c.describeExecution({ FlowName: 'cb', ExecutionName: 'ok' });
  assert.equal(r.Status, 'Succeeded');
  assert.deepEqual(JSON.parse(r.Output), { result: 'done' });
  h = await c.getExecutionHistory({ FlowName: 'cb', ExecutionName: 'ok' });
  const ev = h.Events.find((e) => e.EventId === done.EventId);
  assert.equal(ev.Type, 'TaskSucceeded');
  await refused(c.reportTaskSucceeded({ TaskToken: t1, Output: '{}' }), 'TaskAlreadyCompleted');
  await refused(c.reportTaskSucceeded({ TaskToken: 'bogus', Output: '{}' }), 'InvalidArgument');
  check('ReportTaskSucceeded -> Succeeded with its output; a used token is refused');

  await c.startExecution({ FlowName: 'cb', ExecutionName: 'bad', Input: '{"n":2}' });
  const t2 = await token();
  await refused(c.reportTaskSucceeded({ TaskToken: t2, Output: '[1]' }), 'InvalidArgument');
  const failed = await c.reportTaskFailed({ TaskToken: t2, Error: 'Worker.Broke',
    Cause: 'disk on fire' });
  assert.equal(typeof failed.EventId, 'number');
  r = await c.describeExecution({ FlowName: 'cb', ExecutionName: 'bad' });
  assert.equal(r.Status, 'Failed');
  h = await c.getExecutionHistory({ FlowName: 'cb', ExecutionName: 'bad' });
  const last = h.Events[h.Events.length - 1];
  assert.equal(last.Type, 'ExecutionFailed');
  assert.deepEqual(JSON.parse(last.EventDetail),
    { error: 'Worker.Broke', cause: 'disk on fire' });
  assert.equal(h.Events.find((e) => e.EventId === failed.EventId).Type, 'TaskFailed');
  await refused(c.reportTaskFailed({ TaskToken: t2, Error: 'Again' }), 'TaskAlreadyCompleted');
  check('ReportTaskFailed -> Failed with its error and cause');

  // ---- DescribeExecution waits for the end ----
  await c.startExecution({ FlowName: 'cb', ExecutionName: 'slow', Input: '{"n":3}' });
  const t3 = await token();
  const waiting = c.describeExecution({ FlowName: 'cb', ExecutionName: 'slow',
    WaitTimeSeconds: 30 }, { timeout: 40000 });
  await new Promise((res) => setTimeout(res, 500));
  await c.reportTaskSucceeded({ TaskToken: t3, Output: '{"result":"late"}' });
  r = await waiting;
  assert.equal(r.Status, 'Succeeded');
  assert.deepEqual(JSON.parse(r.Output), { result: 'late' });
  assert.equal(r.FlowDefinition, CALLBACK);
  check('DescribeExecution with WaitTimeSeconds answers when the execution ends');

  // ---- StopExecution ----
  await c.startExecution({ FlowName: 'cb', ExecutionName: 'stuck', Input: '{"n":4}' });
  const t4 = await token();
  const s = await c.stopExecution({ FlowName: 'cb', ExecutionName: 'stuck',
    Error: 'Ops.Stop', Cause: 'by hand' });
  assert.equal(s.Status, 'Stopped');
  assert.match(s.StoppedTime, TIME);
  h = await c.getExecutionHistory({ FlowName: 'cb', ExecutionName: 'stuck' });
  const stop = h.Events[h.Events.length - 1];
  assert.equal(stop.Type, 'ExecutionStopped');
  assert.deepEqual(JSON.parse(stop.EventDetail), { error: 'Ops.Stop', cause: 'by hand' });
  await refused(c.reportTaskSucceeded({ TaskToken: t4, Output: '{}' }), 'TaskAlreadyCompleted');
  await refused(c.stopExecution({ FlowName: 'cb', ExecutionName: 'stuck' }), 'InvalidArgument');
  await refused(c.stopExecution({ FlowName: 'cb', ExecutionName: 'nope' }), 'ExecutionNotExists');
  await refused(c.describeExecution({ FlowName: 'cb', ExecutionName: 'nope' }),
    'ExecutionNotExists');
  check('StopExecution of a waiting execution');

  // ---- a child started for a waiting task (CallbackFnFTaskToken) ----
  await c.startExecution({ FlowName: 'cb', ExecutionName: 'parent', Input: '{"n":5}' });
  const t5 = await token();
  await c.createFlow({ Name: 'child', Description: '', Type: 'FDL', Definition:
    'version: v1\ntype: flow\nsteps:\n  - type: pass\n    name: p\n' +
    '    outputMappings:\n      - target: result\n        source: $input.r\n' });
  const child = await c.startExecution({ FlowName: 'child', ExecutionName: 'kid',
    Input: '{"r":"from child"}', CallbackFnFTaskToken: t5 });
  assert.equal(child.Status, 'Succeeded');
  r = await c.describeExecution({ FlowName: 'cb', ExecutionName: 'parent' });
  assert.equal(r.Status, 'Succeeded');
  assert.deepEqual(JSON.parse(r.Output), { result: 'from child' });
  await refused(c.startExecution({ FlowName: 'child', CallbackFnFTaskToken: t5 }),
    'InvalidArgument');
  check('StartExecution with CallbackFnFTaskToken completes the waiting task');

  // ---- ListExecutions ----
  let le = await c.listExecutions({ FlowName: 'cb', Limit: 2 });
  const names = le.Executions.map((e) => e.Name);
  while (le.NextToken) {
    le = await c.listExecutions({ FlowName: 'cb', Limit: 2, NextToken: le.NextToken });
    names.push(...le.Executions.map((e) => e.Name));
  }
  assert.deepEqual(names.sort(), ['bad', 'ok', 'parent', 'slow', 'stuck']);
  le = await c.listExecutions({ FlowName: 'cb', Status: 'Failed' });
  assert.deepEqual(le.Executions.map((e) => e.Name), ['bad']);
  assert.equal(le.Executions[0].FlowDefinition, CALLBACK);
  await refused(c.listExecutions({ FlowName: 'nope' }), 'FlowNotExists');
  check('ListExecutions pages and filters');

  // ---- DeleteFlow ----
  const del = await c.deleteFlow({ Name: 'hello' });
  assert.ok(del.RequestId);
  await refused(c.describeFlow({ Name: 'hello' }), 'FlowNotExists');
  await refused(c.deleteFlow({ Name: 'hello' }), 'FlowNotExists');
  check('DeleteFlow');
}

main().then(() => console.log('all passed'), (e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
