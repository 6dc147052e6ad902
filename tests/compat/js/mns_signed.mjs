// MNS with signatures checked: node js/mns_signed.mjs URL ACCOUNT KEY SECRET
// The client signs with KEY/SECRET; a wrong secret and an unknown key are
// refused with MNS's codes and change nothing.
import assert from 'node:assert/strict';
import MNSClient from '@alicloud/mns';

const [endpoint, accountId, key, secret] = process.argv.slice(2);
const client = new MNSClient(accountId, {
  endpoint, accessKeyId: key, accessKeySecret: secret,
});
const wrong = new MNSClient(accountId, {
  endpoint, accessKeyId: key, accessKeySecret: secret + 'x',
});
const unknown = new MNSClient(accountId, {
  endpoint, accessKeyId: 'nobody', accessKeySecret: secret,
});

async function rejects(promise, name) {
  try {
    await promise;
  } catch (err) {
    assert.equal(err.name, name, err.message);
    return;
  }
  assert.fail(`expected ${name}`);
}

let r = await client.createQueue('signed', { VisibilityTimeout: 10 });
assert.equal(r.code, 201);
await rejects(wrong.createQueue('other'), 'MNSSignatureDoesNotMatchError');
await rejects(unknown.getQueueAttributes('signed'),
  'MNSInvalidAccessKeyIdError');
await rejects(wrong.sendMessage('signed', { MessageBody: 'no' }),
  'MNSSignatureDoesNotMatchError');
r = await client.sendMessage('signed', { MessageBody: 'yes', Priority: 2 });
assert.equal(r.code, 201);
r = await client.batchReceiveMessage('signed', 4, 1);
assert.deepEqual(r.body.map((m) => m.MessageBody), ['yes']);
r = await client.changeMessageVisibility('signed', r.body[0].ReceiptHandle, 0);
r = await client.receiveMessage('signed', 1);
r = await client.deleteMessage('signed', r.body.ReceiptHandle);
assert.equal(r.code, 204);
await rejects(client.getQueueAttributes('other'), 'MNSQueueNotExistError');
console.log('ok');
