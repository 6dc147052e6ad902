// MNS queues and messages through the real @alicloud/mns client, pointed
// at flowdeck: node js/mns_queues.mjs http://127.0.0.1:PORT ACCOUNT
// Exits 0 when every check holds; prints what failed otherwise.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import MNSClient from '@alicloud/mns';

const [endpoint, accountId] = process.argv.slice(2);
const client = new MNSClient(accountId, {
  endpoint, accessKeyId: 'test', accessKeySecret: 'test',
});
const md5 = (s) => createHash('md5').update(s).digest('hex').toUpperCase();

async function rejects(promise, name) {
  try {
    await promise;
  } catch (err) {
    assert.equal(err.name, name, err.message);
    return err;
  }
  assert.fail(`expected ${name}`);
}

// queues: create (201), again with the same attributes (204), with other
// ones (409 QueueAlreadyExist)
let r = await client.createQueue('mq1', { VisibilityTimeout: 5 });
assert.equal(r.code, 201);
assert.equal(r.headers.location, `${endpoint}/queues/mq1`);
r = await client.createQueue('mq1', { VisibilityTimeout: 5 });
assert.equal(r.code, 204);
assert.equal(r.headers.location, `${endpoint}/queues/mq1`);
await rejects(client.createQueue('mq1', { VisibilityTimeout: 6 }),
  'MNSQueueAlreadyExistError');
await rejects(client.createQueue('bad_name'), 'MNSInvalidQueueNameError');
await rejects(client.createQueue('mq9', { VisibilityTimeout: 0 }),
  'MNSInvalidArgumentError');

r = await client.getQueueAttributes('mq1');
assert.equal(r.code, 200);
assert.equal(r.body.QueueName, 'mq1');
assert.equal(r.body.VisibilityTimeout, '5');
assert.equal(r.body.MaximumMessageSize, '65536');
assert.equal(r.body.MessageRetentionPeriod, '345600');
assert.equal(r.body.LoggingEnabled, 'False');

r = await client.setQueueAttributes('mq1', { VisibilityTimeout: 7,
  PollingWaitSeconds: 0 });
assert.equal(r.code, 204);
r = await client.getQueueAttributes('mq1');
assert.equal(r.body.VisibilityTimeout, '7');

await client.createQueue('mq2');
r = await client.listQueue('', 1, 'mq');
assert.equal(r.code, 200);
assert.equal(r.body.length, 1);
assert.equal(r.body[0].QueueURL, `${endpoint}/queues/mq1`);
r = await client.listQueue('mq1', 10, 'mq');
assert.deepEqual(r.body.map((q) => q.QueueURL), [`${endpoint}/queues/mq2`]);

// send: priorities, a delay, a batch
// the client writes values into its XML unescaped: escape them here
r = await client.sendMessage('mq1', { MessageBody: 'low &lt;&amp;&gt;',
  Priority: 10 });
assert.equal(r.code, 201);
assert.equal(r.body.MessageBodyMD5, md5('low <&>'));
const lowId = r.body.MessageId;
r = await client.sendMessage('mq1', { MessageBody: 'high', Priority: 1 });
assert.equal(r.code, 201);
r = await client.sendMessage('mq1', { MessageBody: 'later',
  DelaySeconds: 600 });
assert.equal(r.code, 201);
r = await client.batchSendMessage('mq1', [{ MessageBody: 'b1' },
  { MessageBody: 'b2', Priority: 8 }]);
assert.equal(r.code, 201);
assert.equal(r.body.length, 2);
assert.equal(r.body[1].MessageBodyMD5, md5('b2'));
await rejects(client.sendMessage('mq1', { MessageBody: 'x', Priority: 17 }),
  'MNSInvalidArgumentError');

r = await client.getQueueAttributes('mq1');
assert.equal(r.body.ActiveMessages, '4');
assert.equal(r.body.DelayMessages, '1');

// peek: the next to receive, no handle, nothing consumed
r = await client.peekMessage('mq1');
assert.equal(r.code, 200);
assert.equal(r.body.MessageBody, 'high');
assert.equal(r.body.ReceiptHandle, undefined);
r = await client.batchPeekMessage('mq1', 16);
assert.deepEqual(r.body.map((m) => m.MessageBody),
  ['high', 'b1', 'b2', 'low <&>']);
r = await client.getQueueAttributes('mq1');
assert.equal(r.body.ActiveMessages, '4');
assert.equal(r.body.InactiveMessages, '0');

// receive, change visibility (a new handle), receive again
r = await client.receiveMessage('mq1');
assert.equal(r.code, 200);
assert.equal(r.body.MessageBody, 'high');
assert.equal(r.body.DequeueCount, '1');
assert.equal(r.body.Priority, '1');
const h1 = r.body.ReceiptHandle;
assert.match(h1, /^[A-Za-z0-9_-]+$/);
assert.ok(Number(r.body.NextVisibleTime) > Number(r.body.EnqueueTime));
r = await client.changeMessageVisibility('mq1', h1, 0);
assert.equal(r.code, 200);
// a new handle; the old one is stale
const h2 = r.body.ReceiptHandle;
assert.match(h2, /^[A-Za-z0-9_-]+$/);
assert.notEqual(h2, h1);
await rejects(client.changeMessageVisibility('mq1', h1, 0),
  'MNSMessageNotExistError');
assert.ok(Number(r.body.NextVisibleTime) > 0);
r = await client.receiveMessage('mq1');
assert.equal(r.body.MessageBody, 'high');
assert.equal(r.body.DequeueCount, '2');
const h3 = r.body.ReceiptHandle;
await rejects(client.deleteMessage('mq1', h2), 'MNSMessageNotExistError');
await rejects(client.deleteMessage('mq1', 'not-a-handle'),
  'MNSReceiptHandleErrorError');
r = await client.deleteMessage('mq1', h3);
assert.equal(r.code, 204);

// batch receive in priority order, batch delete with a bad handle
r = await client.batchReceiveMessage('mq1', 16);
assert.equal(r.code, 200);
assert.deepEqual(r.body.map((m) => m.MessageBody), ['b1', 'b2', 'low <&>']);
assert.equal(r.body[2].MessageId, lowId);
const handles = r.body.map((m) => m.ReceiptHandle);
r = await client.batchDeleteMessage('mq1', [handles[0], 'bogus', handles[1]]);
assert.equal(r.code, 404);
assert.equal(r.body.length, 1);
assert.equal(r.body[0].ErrorCode, 'ReceiptHandleError');
assert.equal(r.body[0].ReceiptHandle, 'bogus');
r = await client.batchDeleteMessage('mq1', [handles[2]]);
assert.equal(r.code, 204);
r = await client.getQueueAttributes('mq1');
assert.equal(r.body.ActiveMessages, '0');
assert.equal(r.body.InactiveMessages, '0');
assert.equal(r.body.DelayMessages, '1');

// nothing to receive: 404 MessageNotExist, after a short long poll too
await rejects(client.receiveMessage('mq1'), 'MNSMessageNotExistError');
await rejects(client.receiveMessage('mq1', 1), 'MNSMessageNotExistError');
await rejects(client.peekMessage('mq1'), 'MNSMessageNotExistError');
await rejects(client.batchReceiveMessage('mq1', 4), 'MNSMessageNotExistError');

// a long poll woken by a send
const waiting = client.receiveMessage('mq2', 25);
await new Promise((resolve) => setTimeout(resolve, 300));
await client.sendMessage('mq2', { MessageBody: 'wake up' });
r = await waiting;
assert.equal(r.code, 200);
assert.equal(r.body.MessageBody, 'wake up');

// a batch receive waiting for a send
const batchWaiting = client.batchReceiveMessage('mq2', 5, 25);
await new Promise((resolve) => setTimeout(resolve, 300));
await client.batchSendMessage('mq2', [{ MessageBody: 'one' },
  { MessageBody: 'two' }]);
r = await batchWaiting;
assert.ok(r.body.length >= 1);
assert.equal(r.body[0].MessageBody, 'one');

// delete
r = await client.deleteQueue('mq2');
assert.equal(r.code, 204);
await rejects(client.getQueueAttributes('mq2'), 'MNSQueueNotExistError');
await rejects(client.sendMessage('mq2', { MessageBody: 'x' }),
  'MNSQueueNotExistError');
console.log('ok');
