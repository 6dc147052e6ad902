// sqs-consumer draining a stream of messages from a flowdeck queue:
// node js/sqs_consumer.mjs http://127.0.0.1:PORT [COUNT]
// Every message must be handled exactly once and deleted. The consumer's
// client has no endpoint: like a real deployment it finds flowdeck
// through the QueueUrl's host.
import assert from "node:assert/strict";
import { Consumer } from "sqs-consumer";
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageBatchCommand,
  GetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";

// the SDK warns on every call that it follows the QueueUrl's host: that
// is the point here, so count the warnings instead of printing them
let routedByUrl = 0;
const warn = console.warn;
console.warn = (...args) => {
  const text = args.join(" ");
  if (text.includes("using QueueUrl host as endpoint")) routedByUrl++;
  else if (!text.includes("useQueueUrlAsEndpoint")) warn(...args);
};

const endpoint = process.argv[2];
const count = Number(process.argv[3] || 200);
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const sqs = new SQSClient({ endpoint, region: "us-east-1", credentials });

const { QueueUrl } = await sqs.send(
  new CreateQueueCommand({ QueueName: "js-consumer", Attributes: { VisibilityTimeout: "30" } }),
);
for (let i = 0; i < count; i += 10) {
  const Entries = [];
  for (let k = i; k < Math.min(i + 10, count); k++)
    Entries.push({ Id: `m${k}`, MessageBody: `message ${k}` });
  const r = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries }));
  assert.equal(r.Failed, undefined, "every entry was sent");
}

const seen = new Map();
const errors = [];
let finish;
const done = new Promise((resolve) => (finish = resolve));
const consumer = Consumer.create({
  queueUrl: QueueUrl,
  batchSize: 10,
  waitTimeSeconds: 1,
  sqs: new SQSClient({ region: "us-east-1", credentials }),
  handleMessage: async (message) => {
    seen.set(message.Body, (seen.get(message.Body) || 0) + 1);
    if (seen.size === count) finish();
    return message;
  },
});
consumer.on("error", (e) => errors.push(`error: ${e.name}: ${e.message}`));
consumer.on("processing_error", (e) => errors.push(`processing: ${e.message}`));
const guard = setTimeout(() => finish(), 40000);
consumer.start();
await done;
clearTimeout(guard);

// let the last deletes land, then the queue must be empty
let attrs;
for (let i = 0; i < 50; i++) {
  attrs = (
    await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    )
  ).Attributes;
  if (attrs.ApproximateNumberOfMessages === "0" && attrs.ApproximateNumberOfMessagesNotVisible === "0") break;
  await new Promise((r) => setTimeout(r, 100));
}
consumer.stop({ abort: true });

assert.deepEqual(errors, []);
assert.ok(routedByUrl > 0, "the consumer's client followed the QueueUrl's host");
assert.equal(seen.size, count, `handled ${seen.size} distinct messages of ${count}`);
for (const [body, n] of seen) assert.equal(n, 1, `${body} was handled ${n} times`);
assert.equal(attrs.ApproximateNumberOfMessages, "0");
assert.equal(attrs.ApproximateNumberOfMessagesNotVisible, "0", "every handled message was deleted");
console.log("ok");
