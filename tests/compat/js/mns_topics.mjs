// MNS topics, subscriptions to queues and publish through the real
// @alicloud/mns client: node js/mns_topics.mjs http://127.0.0.1:PORT ACCOUNT
// The 1.2.0 client leaves subscribe, unsubscribe, the subscription reads
// and deleteTopic empty, so those go through its own signed request().
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import MNSClient from '@alicloud/mns';

const require = createRequire(import.meta.url);
const { toXMLBuffer } = require('@alicloud/mns/lib/helper.js');

const [endpoint, accountId] = process.argv.slice(2);
const client = new MNSClient(accountId, {
  endpoint, accessKeyId: 'test', accessKeySecret: 'test',
});
const md5 = (s) => createHash('md5').update(s).digest('hex').toUpperCase();
const queueEndpoint = (q) => `acs:mns:cn-hangzhou:${accountId}:queues/${q}`;

async function rejects(promise, name) {
  try {
    await promise;
  } catch (err) {
    assert.equal(err.name, name, err.message);
    return err;
  }
  assert.fail(`expected ${name}`);
}

const subscribe = (topic, sub, params) => client.put(
  `/topics/${topic}/subscriptions/${sub}`, 'Subscription',
  toXMLBuffer('Subscription', params), ['location']);

// topics
let r = await client.createTopic('t1', { MaximumMessageSize: 2048 });
assert.equal(r.code, 201);
assert.equal(r.headers.location, `${endpoint}/topics/t1`);
r = await client.createTopic('t1', { MaximumMessageSize: 2048 });
assert.equal(r.code, 204);
await rejects(client.createTopic('t1', { MaximumMessageSize: 4096 }),
  'MNSTopicAlreadyExistError');
await rejects(client.createTopic('bad.name'), 'MNSTopicNameInvalidError');
r = await client.getTopicAttributes('t1');
assert.equal(r.body.TopicName, 't1');
assert.equal(r.body.MaximumMessageSize, '2048');
assert.equal(r.body.LoggingEnabled, 'False');
assert.equal(r.body.MessageCount, '0');
r = await client.setTopicAttributes('t1', { MaximumMessageSize: 4096,
  LoggingEnabled: 'True' });
assert.equal(r.code, 204);
r = await client.getTopicAttributes('t1');
assert.equal(r.body.MaximumMessageSize, '4096');
assert.equal(r.body.LoggingEnabled, 'True');
await client.createTopic('t2');
r = await client.listTopic('', 10, 't');
assert.deepEqual(r.body.map((t) => t.TopicURL),
  [`${endpoint}/topics/t1`, `${endpoint}/topics/t2`]);

// three queues, subscribed in three formats; one with a tag filter
for (const q of ['tq-json', 'tq-tag', 'tq-xml']) {
  await client.createQueue(q);
}
r = await subscribe('t1', 'all-json', { Endpoint: queueEndpoint('tq-json'),
  NotifyContentFormat: 'JSON' });
assert.equal(r.code, 201);
assert.equal(r.headers.location, `${endpoint}/topics/t1/subscriptions/all-json`);
r = await subscribe('t1', 'all-json', { Endpoint: queueEndpoint('tq-json'),
  NotifyContentFormat: 'JSON' });
assert.equal(r.code, 204);
await rejects(subscribe('t1', 'all-json', { Endpoint: queueEndpoint('tq-xml'),
  NotifyContentFormat: 'JSON' }), 'MNSSubscriptionAlreadyExistError');
r = await subscribe('t1', 'tagged', { Endpoint: queueEndpoint('tq-tag'),
  FilterTag: 'important', NotifyContentFormat: 'SIMPLIFIED' });
assert.equal(r.code, 201);
r = await subscribe('t1', 'all-xml', { Endpoint: queueEndpoint('tq-xml') });
assert.equal(r.code, 201);
await rejects(subscribe('t1', 'mail', { Endpoint: 'mail:directmail:a@b.c' }),
  'MNSEndpointInvalidError');
await rejects(subscribe('nope', 's', { Endpoint: queueEndpoint('tq-xml') }),
  'MNSTopicNotExistError');

r = await client.get('/topics/t1/subscriptions/tagged', 'Subscription');
assert.equal(r.body.SubscriptionName, 'tagged');
assert.equal(r.body.TopicName, 't1');
assert.equal(r.body.TopicOwner, accountId);
assert.equal(r.body.Endpoint, queueEndpoint('tq-tag'));
assert.equal(r.body.FilterTag, 'important');
assert.equal(r.body.NotifyContentFormat, 'SIMPLIFIED');
assert.equal(r.body.NotifyStrategy, 'BACKOFF_RETRY');
r = await client.put('/topics/t1/subscriptions/tagged?metaoverride=true',
  'Subscription', toXMLBuffer('Subscription',
    { NotifyStrategy: 'EXPONENTIAL_DECAY_RETRY' }));
assert.equal(r.code, 204);
r = await client.get('/topics/t1/subscriptions/tagged', 'Subscription');
assert.equal(r.body.NotifyStrategy, 'EXPONENTIAL_DECAY_RETRY');
assert.equal(r.body.FilterTag, 'important');

r = await client.get('/topics/t1/subscriptions', 'Subscriptions',
  { headers: { 'x-mns-ret-number': 2 } });
assert.deepEqual(r.body.Subscription.map((s) => s.SubscriptionURL), [
  `${endpoint}/topics/t1/subscriptions/all-json`,
  `${endpoint}/topics/t1/subscriptions/all-xml`]);
assert.equal(r.body.NextMarker, 'all-xml');
r = await client.get('/topics/t1/subscriptions', 'Subscriptions',
  { headers: { 'x-mns-ret-number': 2, 'x-mns-marker': 'all-xml' } });
assert.deepEqual(r.body.Subscription.map((s) => s.SubscriptionURL),
  [`${endpoint}/topics/t1/subscriptions/tagged`]);
assert.equal(r.body.NextMarker, undefined);

// publish: a tagged message reaches all three, an untagged one two
r = await client.publishMessage('t1', { MessageBody: 'hello',
  MessageTag: 'important' });
assert.equal(r.code, 201);
assert.equal(r.body.MessageBodyMD5, md5('hello'));
const helloId = r.body.MessageId;
r = await client.publishMessage('t1', { MessageBody: 'plain' });
assert.equal(r.code, 201);
await rejects(client.publishMessage('nope', { MessageBody: 'x' }),
  'MNSTopicNotExistError');
await rejects(client.publishMessage('t1', { MessageBody: 'x',
  MessageTag: 'a-tag-longer-than-16' }), 'MNSInvalidArgumentError');
r = await client.getTopicAttributes('t1');
assert.equal(r.body.MessageCount, '2');

r = await client.batchReceiveMessage('tq-json', 16);
const notes = r.body.map((m) => JSON.parse(m.MessageBody));
assert.deepEqual(notes.map((n) => n.Message), ['hello', 'plain']);
assert.equal(notes[0].TopicName, 't1');
assert.equal(notes[0].SubscriptionName, 'all-json');
assert.equal(notes[0].MessageId, helloId);
assert.equal(notes[0].MessageMD5, md5('hello'));
assert.equal(notes[0].MessageTag, 'important');
assert.equal(typeof notes[0].PublishTime, 'string');

r = await client.batchReceiveMessage('tq-tag', 16);
assert.deepEqual(r.body.map((m) => m.MessageBody), ['hello']);

r = await client.batchReceiveMessage('tq-xml', 16);
assert.equal(r.body.length, 2);
assert.match(r.body[0].MessageBody, /^<\?xml/);
assert.match(r.body[0].MessageBody, /<Notification xmlns="http:\/\/mns.aliyuncs.com\/doc\/v1\/">/);
assert.match(r.body[0].MessageBody, /<Message>hello<\/Message>/);
assert.match(r.body[0].MessageBody, /<SubscriptionName>all-xml<\/SubscriptionName>/);

// unsubscribe, delete
r = await client.delete('/topics/t1/subscriptions/all-xml', 'Subscription', '');
assert.equal(r.code, 204);
await rejects(client.get('/topics/t1/subscriptions/all-xml', 'Subscription'),
  'MNSSubscriptionNotExistError');
await client.publishMessage('t1', { MessageBody: 'after' });
await rejects(client.receiveMessage('tq-xml'), 'MNSMessageNotExistError');
r = await client.delete('/topics/t1', 'Topic', '');
assert.equal(r.code, 204);
await rejects(client.getTopicAttributes('t1'), 'MNSTopicNotExistError');
await rejects(client.get('/topics/t1/subscriptions', 'Subscriptions'),
  'MNSTopicNotExistError');
console.log('ok');
