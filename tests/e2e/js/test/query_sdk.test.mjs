// @aws-sdk/client-sqs 3.441.0, the last release that speaks the Query
// protocol (installed under the alias client-sqs-query). Its serializer sends
// an empty list as the bare member name ("AttributeName="), which every poll
// of a consumer library built on it does; the SDK verifies MD5OfMessageBody on
// send and receive itself, the attribute digests are checked here.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  ChangeMessageVisibilityBatchCommand, CreateQueueCommand, DeleteMessageBatchCommand,
  DeleteMessageCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand,
  SQSClient, SendMessageBatchCommand, SendMessageCommand,
} from "client-sqs-query";
import {
  REGION, SAMPLE_ATTRIBUTES, expectError, md5OfAttributes, md5OfBody, normaliseAttributes,
  startServer, uniqueName,
} from "../lib/harness.mjs";

let server;
let sqs;
const created = [];

before(async () => {
  server = await startServer();
  sqs = new SQSClient({
    endpoint: server.endpoint,
    region: REGION,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
});

after(async () => {
  for (const url of created) {
    try { await sqs.send(new DeleteQueueCommand({ QueueUrl: url })); } catch { /* gone */ }
  }
  sqs.destroy();
  await server.stop();
});

async function newQueue(tag) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({
    QueueName: uniqueName(tag), Attributes: { VisibilityTimeout: "30" } }));
  created.push(QueueUrl);
  return QueueUrl;
}

// One poll the way a consumer library makes it: the attribute lists are
// present and empty unless the caller asked for attributes.
function poll(url, extra = {}) {
  return sqs.send(new ReceiveMessageCommand({
    QueueUrl: url, AttributeNames: [], MessageAttributeNames: [], MessageSystemAttributeNames: [],
    MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 30, ...extra }));
}

describe("Query SDK 3.441", () => {
  test("speaks the Query protocol", async () => {
    const url = await newQueue("qproto");
    let wire = null;
    sqs.middlewareStack.add((next) => async (args) => {
      wire = { type: args.request.headers["content-type"], body: String(args.request.body) };
      return next(args);
    }, { step: "finalizeRequest", name: "ferryWireProbe" });
    try {
      await poll(url, { WaitTimeSeconds: 0 });
    } finally {
      sqs.middlewareStack.remove("ferryWireProbe");
    }
    assert.match(wire.type, /x-www-form-urlencoded/);
    assert.match(wire.body, /(^|&)Action=ReceiveMessage(&|$)/);
    assert.match(wire.body, /(^|&)AttributeName=(&|$)/);
    assert.match(wire.body, /(^|&)MessageAttributeName=(&|$)/);
  });

  test("a consumer's poll loop drains the queue", async () => {
    const url = await newQueue("qpoll");
    const bodies = Array.from({ length: 25 }, (_, i) => `job ${i} é🚀 <&>`);
    for (let i = 0; i < bodies.length; i += 10) {
      const Entries = bodies.slice(i, i + 10).map((b, j) => ({ Id: `e${i + j}`, MessageBody: b }));
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries }));
      assert.equal(out.Successful.length, Entries.length);
      assert.deepEqual(out.Failed ?? [], []);
      for (const s of out.Successful) {
        assert.equal(s.MD5OfMessageBody, md5OfBody(bodies[Number(s.Id.slice(1))]));
      }
    }
    const seen = [];
    for (let polls = 0; seen.length < bodies.length && polls < 20; ++polls) {
      const { Messages = [] } = await poll(url);
      assert.ok(Messages.every((m) => m.Attributes === undefined && m.MessageAttributes === undefined));
      seen.push(...Messages.map((m) => m.Body));
      if (Messages.length === 0) continue;
      const del = await sqs.send(new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }));
      assert.equal(del.Successful.length, Messages.length);
    }
    assert.deepEqual(seen.sort(), [...bodies].sort());
    const { Messages = [] } = await poll(url, { WaitTimeSeconds: 0 });
    assert.deepEqual(Messages, []);
  });

  test("send and receive with attributes", async () => {
    const url = await newQueue("qattrs");
    const body = "héllo 🚀 \"quoted\" {braces}";
    const sent = await sqs.send(new SendMessageCommand({
      QueueUrl: url, MessageBody: body, MessageAttributes: SAMPLE_ATTRIBUTES }));
    assert.equal(sent.MD5OfMessageBody, md5OfBody(body));
    assert.equal(sent.MD5OfMessageAttributes, md5OfAttributes(SAMPLE_ATTRIBUTES));
    const { Messages } = await poll(url, {
      AttributeNames: ["All"], MessageAttributeNames: ["All"] });
    assert.equal(Messages.length, 1);
    const [m] = Messages;
    assert.equal(m.Body, body);
    assert.equal(m.Attributes.ApproximateReceiveCount, "1");
    assert.deepEqual(normaliseAttributes(m.MessageAttributes), normaliseAttributes(SAMPLE_ATTRIBUTES));
    assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(SAMPLE_ATTRIBUTES));
    const vis = await sqs.send(new ChangeMessageVisibilityBatchCommand({
      QueueUrl: url, Entries: [{ Id: "v", ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }] }));
    assert.equal(vis.Successful.length, 1);
    const again = await poll(url);
    assert.equal(again.Messages.length, 1);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again.Messages[0].ReceiptHandle }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
      QueueUrl: url, AttributeNames: ["All"] }));
    assert.equal(Attributes.ApproximateNumberOfMessages, "0");
    assert.equal(Attributes.VisibilityTimeout, "30");
  });

  test("an empty batch is EmptyBatchRequest, not a malformed request", async () => {
    const url = await newQueue("qempty");
    const err = await expectError(() => sqs.send(new SendMessageBatchCommand({
      QueueUrl: url, Entries: [] })));
    assert.equal(err.$metadata?.httpStatusCode, 400);
    assert.match(`${err.Code ?? ""} ${err.name}`, /EmptyBatchRequest/);
  });
});
