// @aws-sdk/client-sns against flowdeck: topics, filtered and raw SQS
// subscriptions, Publish and PublishBatch, attributes, tags and errors.
// Queue contents are read through the engine API. Usage:
//   node js/sns_basic.mjs http://127.0.0.1:PORT      (cwd tests/compat)
import assert from "node:assert/strict";
import {
  SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand,
  PublishBatchCommand, ListSubscriptionsByTopicCommand,
  GetTopicAttributesCommand, GetSubscriptionAttributesCommand,
  TagResourceCommand, ListTagsForResourceCommand, ListTopicsCommand,
  DeleteTopicCommand,
} from "@aws-sdk/client-sns";

const url = process.argv[2];
if (!url) throw new Error("usage: sns_basic.mjs ENGINE_URL");
const sns = new SNSClient({
  endpoint: url, region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
const queueArn = (n) => `arn:aws:sqs:us-east-1:000000000000:${n}`;

async function api(method, path, body) {
  const r = await fetch(url + path, {
    method, headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
const take = async (q) =>
  (await api("POST", `/v1/queues/${q}/receive`, { max: 16, wait_seconds: 0 }))
    .messages;

const { TopicArn } = await sns.send(new CreateTopicCommand({
  Name: "js-topic", Tags: [{ Key: "env", Value: "dev" }],
}));
assert.equal(TopicArn, "arn:aws:sns:us-east-1:000000000000:js-topic");

for (const q of ["js-all", "js-raw", "js-vip"]) {
  await api("POST", "/v1/queues", { name: q });
}
const all = await sns.send(new SubscribeCommand({
  TopicArn, Protocol: "sqs", Endpoint: queueArn("js-all"),
}));
assert.match(all.SubscriptionArn, /^arn:aws:sns:us-east-1:000000000000:js-topic:/);
await sns.send(new SubscribeCommand({
  TopicArn, Protocol: "sqs", Endpoint: queueArn("js-raw"),
  Attributes: { RawMessageDelivery: "true" }, ReturnSubscriptionArn: true,
}));
const vip = await sns.send(new SubscribeCommand({
  TopicArn, Protocol: "sqs", Endpoint: queueArn("js-vip"),
  Attributes: {
    FilterPolicy: JSON.stringify({ tier: [{ prefix: "gold" }] }),
  },
}));

const p = await sns.send(new PublishCommand({
  TopicArn, Message: "héllo", Subject: "Hi",
  MessageAttributes: {
    tier: { DataType: "String", StringValue: "gold-plus" },
    n: { DataType: "Number", StringValue: "7" },
  },
}));
assert.match(p.MessageId, /^[0-9a-f-]{36}$/);
assert.ok(p.$metadata.requestId);
await sns.send(new PublishCommand({
  TopicArn, Message: "plain",
  MessageAttributes: { tier: { DataType: "String", StringValue: "silver" } },
}));

const env = (await take("js-all")).map((m) => JSON.parse(m.body));
assert.deepEqual(env.map((e) => e.Message), ["héllo", "plain"]);
assert.equal(env[0].MessageId, p.MessageId);
assert.equal(env[0].Subject, "Hi");
assert.equal(env[0].TopicArn, TopicArn);
assert.deepEqual(env[0].MessageAttributes.tier,
  { Type: "String", Value: "gold-plus" });
assert.deepEqual(Object.keys(env[1]), ["Type", "MessageId", "TopicArn",
  "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL",
  "UnsubscribeURL", "MessageAttributes"]);
const raw = await take("js-raw");
assert.deepEqual(raw.map((m) => m.body), ["héllo", "plain"]);
assert.deepEqual(raw[0].attributes.n, { type: "Number", value: "7" });
const vipMsgs = await take("js-vip");
assert.deepEqual(vipMsgs.map((m) => JSON.parse(m.body).Message), ["héllo"]);

const b = await sns.send(new PublishBatchCommand({
  TopicArn,
  PublishBatchRequestEntries: [
    { Id: "a", Message: "one" },
    { Id: "b", Message: "" },
    { Id: "c", Message: "three" },
  ],
}));
assert.deepEqual(b.Successful.map((s) => s.Id), ["a", "c"]);
assert.deepEqual(b.Failed.map((f) => [f.Id, f.Code, f.SenderFault]),
  [["b", "InvalidParameter", true]]);
assert.deepEqual((await take("js-all")).map((m) => JSON.parse(m.body).Message),
  ["one", "three"]);

const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
assert.equal(listed.Subscriptions.length, 3);
assert.ok(listed.Subscriptions.every((s) => s.Protocol === "sqs" &&
  s.TopicArn === TopicArn && s.Owner === "000000000000"));
const ta = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
assert.equal(ta.Attributes.SubscriptionsConfirmed, "3");
assert.equal(ta.Attributes.TopicArn, TopicArn);
const sa = await sns.send(new GetSubscriptionAttributesCommand({
  SubscriptionArn: vip.SubscriptionArn,
}));
assert.deepEqual(JSON.parse(sa.Attributes.FilterPolicy),
  { tier: [{ prefix: "gold" }] });
assert.equal(sa.Attributes.RawMessageDelivery, "false");

await sns.send(new TagResourceCommand({
  ResourceArn: TopicArn, Tags: [{ Key: "owner", Value: "me" }],
}));
const tags = await sns.send(new ListTagsForResourceCommand({
  ResourceArn: TopicArn,
}));
assert.deepEqual(tags.Tags, [{ Key: "env", Value: "dev" },
  { Key: "owner", Value: "me" }]);
const topics = await sns.send(new ListTopicsCommand({}));
assert.deepEqual(topics.Topics.map((t) => t.TopicArn), [TopicArn]);

// errors: the modeled exception classes and statuses
const missing = "arn:aws:sns:us-east-1:000000000000:nope";
await assert.rejects(
  sns.send(new GetTopicAttributesCommand({ TopicArn: missing })),
  (e) => e.name === "NotFoundException" && e.$metadata.httpStatusCode === 404 &&
    /Topic does not exist/.test(e.message));
await assert.rejects(
  sns.send(new PublishCommand({ TopicArn, Message: "" })),
  (e) => e.name === "InvalidParameterException" &&
    e.$metadata.httpStatusCode === 400 && /Empty message/.test(e.message));
await assert.rejects(
  sns.send(new SubscribeCommand({
    TopicArn, Protocol: "sqs", Endpoint: queueArn("js-vip"),
    Attributes: { FilterPolicy: JSON.stringify({ tier: ["other"] }) },
  })),
  (e) => e.name === "InvalidParameterException" &&
    /Subscription already exists with different attributes/.test(e.message));

await sns.send(new DeleteTopicCommand({ TopicArn }));
await assert.rejects(
  sns.send(new PublishCommand({ TopicArn, Message: "x" })),
  (e) => e.name === "NotFoundException");
console.log("ok");
