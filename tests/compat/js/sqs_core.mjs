// The SQS JSON 1.0 protocol as @aws-sdk/client-sqs speaks it, against a
// flowdeck engine: node js/sqs_core.mjs http://127.0.0.1:PORT
// Exits non-zero, naming the failed check, when flowdeck answers wrong.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  SQSClient,
  CreateQueueCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SendMessageCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  DeleteMessageBatchCommand,
  ChangeMessageVisibilityCommand,
  ChangeMessageVisibilityBatchCommand,
  DeleteQueueCommand,
  PurgeQueueCommand,
  TagQueueCommand,
  UntagQueueCommand,
  ListQueueTagsCommand,
  ListDeadLetterSourceQueuesCommand,
  StartMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
} from "@aws-sdk/client-sqs";

const endpoint = process.argv[2];
const opts = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
};
const sqs = new SQSClient(opts);
const other = new SQSClient(opts); // its own connections

async function refused(cmd, name, code) {
  try {
    await sqs.send(cmd);
  } catch (e) {
    assert.equal(e.name, name, `${cmd.constructor.name}: error name`);
    if (code) assert.equal(e.Code, code, `${cmd.constructor.name}: Code`);
    return e;
  }
  assert.fail(`${cmd.constructor.name} was accepted; want ${name}`);
}

const md5 = (s) => createHash("md5").update(s, "utf8").digest("hex");

// queues
const { QueueUrl: url } = await sqs.send(
  new CreateQueueCommand({
    QueueName: "js-core",
    Attributes: { VisibilityTimeout: "30" },
    tags: { team: "a" },
  }),
);
assert.equal(url, `${endpoint}/000000000000/js-core`);
// idempotent with the same attributes, refused with a different one
assert.equal(
  (await sqs.send(new CreateQueueCommand({ QueueName: "js-core", Attributes: { VisibilityTimeout: "30" } }))).QueueUrl,
  url,
);
const exists = await refused(
  new CreateQueueCommand({ QueueName: "js-core", Attributes: { VisibilityTimeout: "31" } }),
  "QueueNameExists",
  "QueueAlreadyExists",
);
assert.match(exists.message, /VisibilityTimeout/);
assert.equal((await sqs.send(new GetQueueUrlCommand({ QueueName: "js-core" }))).QueueUrl, url);
const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "js-co" }));
assert.deepEqual(listed.QueueUrls, [url]);

const missing = await refused(
  new GetQueueUrlCommand({ QueueName: "js-missing" }),
  "QueueDoesNotExist",
  "AWS.SimpleQueueService.NonExistentQueue",
);
assert.equal(missing.$metadata.httpStatusCode, 400);
await refused(
  new SendMessageCommand({ QueueUrl: `${endpoint}/000000000000/js-missing`, MessageBody: "x" }),
  "QueueDoesNotExist",
);
await refused(
  new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Colour: "blue" } }),
  "InvalidAttributeName",
);
await refused(
  new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: "43201" } }),
  "InvalidAttributeValue",
);

// attributes
await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { DelaySeconds: "0", VisibilityTimeout: "20" } }));
const attrs = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }))).Attributes;
assert.equal(attrs.VisibilityTimeout, "20");
assert.equal(attrs.QueueArn, "arn:aws:sqs:us-east-1:000000000000:js-core");
assert.equal(attrs.MaximumMessageSize, "1048576");
assert.equal(attrs.ApproximateNumberOfMessages, "0");
assert.equal(attrs.FifoQueue, undefined);

// send and receive; the SDK checks every MD5 itself
const body = "héllo\r\nwörld";
const sent = await sqs.send(
  new SendMessageCommand({
    QueueUrl: url,
    MessageBody: body,
    MessageAttributes: {
      MyAttribute: { DataType: "String", StringValue: "foobar" },
    },
  }),
);
assert.equal(sent.MD5OfMessageBody, md5(body));
assert.equal(sent.MD5OfMessageAttributes, "adb59cd4678ea5a855436b949cd07ab6");
assert.match(sent.MessageId, /^[A-Za-z0-9_-]{1,80}$/);
let got = await sqs.send(
  new ReceiveMessageCommand({
    QueueUrl: url,
    MaxNumberOfMessages: 10,
    MessageSystemAttributeNames: ["All"],
    MessageAttributeNames: ["All"],
  }),
);
assert.equal(got.Messages.length, 1);
let m = got.Messages[0];
assert.equal(m.Body, body);
assert.equal(m.MessageId, sent.MessageId);
assert.equal(m.Attributes.ApproximateReceiveCount, "1");
assert.match(m.Attributes.SentTimestamp, /^\d{13}$/);
assert.equal(m.MessageAttributes.MyAttribute.StringValue, "foobar");
assert.equal(m.MD5OfMessageAttributes, "adb59cd4678ea5a855436b949cd07ab6");
// nothing visible now: no Messages key at all
got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, AttributeNames: [], MessageSystemAttributeNames: [] }));
assert.equal(got.Messages, undefined);
// visibility 0: receivable again at once, with a new handle and count 2
await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
assert.equal(got.Messages[0].Attributes.ApproximateReceiveCount, "2");
assert.notEqual(got.Messages[0].ReceiptHandle, m.ReceiptHandle);
assert.equal(got.Messages[0].MessageAttributes, undefined);
await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages[0].ReceiptHandle }));
// a stale but well-formed handle deletes nothing and is not an error
await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
await refused(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: "garbage" }), "ReceiptHandleIsInvalid");
await refused(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 }), "InvalidParameterValue");
await refused(new SendMessageCommand({ QueueUrl: url, MessageBody: "bad \u0001" }), "InvalidMessageContents");

// long poll: a send on another connection wakes the waiting receive
const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
await new Promise((r) => setTimeout(r, 300));
await other.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "wake" }));
got = await waiting;
assert.equal(got.Messages?.[0]?.Body, "wake", "the long poll returned the message sent meanwhile");
await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages[0].ReceiptHandle }));

// batches
const batch = await sqs.send(
  new SendMessageBatchCommand({
    QueueUrl: url,
    Entries: [
      { Id: "a", MessageBody: "one" },
      { Id: "b", MessageBody: "two", MessageAttributes: { n: { DataType: "Number", StringValue: "5" } } },
      { Id: "c", MessageBody: "bad \u0002" },
    ],
  }),
);
assert.deepEqual(batch.Successful.map((e) => e.Id).sort(), ["a", "b"]);
assert.equal(batch.Failed.length, 1);
assert.equal(batch.Failed[0].Id, "c");
assert.equal(batch.Failed[0].Code, "InvalidMessageContents");
assert.equal(batch.Failed[0].SenderFault, true);
await refused(
  new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "x", MessageBody: "1" }, { Id: "x", MessageBody: "2" }] }),
  "BatchEntryIdsNotDistinct",
  "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
);
await refused(
  new SendMessageBatchCommand({
    QueueUrl: url,
    Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: "m" })),
  }),
  "TooManyEntriesInBatchRequest",
);
await refused(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] }), "EmptyBatchRequest");
got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
assert.deepEqual(got.Messages.map((x) => x.Body).sort(), ["one", "two"]);
const cv = await sqs.send(
  new ChangeMessageVisibilityBatchCommand({
    QueueUrl: url,
    Entries: got.Messages.map((x) => ({ Id: x.MessageId, ReceiptHandle: x.ReceiptHandle, VisibilityTimeout: 60 })),
  }),
);
assert.equal(cv.Successful.length, 2);
const del = await sqs.send(
  new DeleteMessageBatchCommand({
    QueueUrl: url,
    Entries: [
      ...got.Messages.map((x) => ({ Id: x.MessageId, ReceiptHandle: x.ReceiptHandle })),
      { Id: "junk", ReceiptHandle: "not-a-handle" },
    ],
  }),
);
assert.equal(del.Successful.length, 2);
assert.equal(del.Failed[0].Id, "junk");
assert.equal(del.Failed[0].Code, "ReceiptHandleIsInvalid");

// tags
await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { env: "dev" } }));
await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ["team"] }));
assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags, { env: "dev" });

// dead letters and a message move back
const { QueueUrl: dlq } = await sqs.send(new CreateQueueCommand({ QueueName: "js-dlq" }));
const { QueueUrl: src } = await sqs.send(
  new CreateQueueCommand({
    QueueName: "js-src",
    Attributes: {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:js-dlq",
        maxReceiveCount: 1,
      }),
    },
  }),
);
const srcAttrs = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: src, AttributeNames: ["RedrivePolicy"] }))).Attributes;
assert.deepEqual(JSON.parse(srcAttrs.RedrivePolicy), {
  deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:js-dlq",
  maxReceiveCount: 1,
});
assert.deepEqual((await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }))).queueUrls, [src]);
const poison = await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: "poison" }));
got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: src, VisibilityTimeout: 0 }));
assert.equal(got.Messages[0].Body, "poison");
got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: src }));
assert.equal(got.Messages, undefined, "the second receive moved it to the dead-letter queue");
got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageSystemAttributeNames: ["All"], VisibilityTimeout: 0 }));
assert.equal(got.Messages[0].MessageId, poison.MessageId);
assert.equal(got.Messages[0].Attributes.ApproximateReceiveCount, "2");
assert.equal(got.Messages[0].Attributes.DeadLetterQueueSourceArn, "arn:aws:sqs:us-east-1:000000000000:js-src");
const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: "arn:aws:sqs:us-east-1:000000000000:js-dlq" }));
assert.ok(task.TaskHandle);
const tasks = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: "arn:aws:sqs:us-east-1:000000000000:js-dlq" }));
assert.equal(tasks.Results[0].Status, "COMPLETED");
assert.equal(tasks.Results[0].ApproximateNumberOfMessagesMoved, 1);
got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: src }));
assert.equal(got.Messages[0].Body, "poison", "the move put it back in its source queue");
await refused(
  new StartMessageMoveTaskCommand({ SourceArn: "arn:aws:sqs:us-east-1:000000000000:js-core" }),
  "InvalidParameterValue",
);

// purge once, then refused within the minute; delete
await sqs.send(new PurgeQueueCommand({ QueueUrl: src }));
const purge = await refused(new PurgeQueueCommand({ QueueUrl: src }), "PurgeQueueInProgress");
assert.equal(purge.$metadata.httpStatusCode, 403);
await sqs.send(new DeleteQueueCommand({ QueueUrl: src }));
await refused(new GetQueueUrlCommand({ QueueName: "js-src" }), "QueueDoesNotExist");

console.log("ok");
