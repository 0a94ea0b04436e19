// FIFO queues and fair standard queues through @aws-sdk/client-sqs. The SDK
// verifies MD5OfMessageBody on send, batch send and receive itself;
// MD5OfMessageAttributes is checked here.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  CreateQueueCommand, DeleteMessageCommand, DeleteQueueCommand, GetQueueAttributesCommand,
  ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { md5OfAttributes, md5OfBody, startServer, uniqueName } from "../lib/harness.mjs";

let server;
let sqs;
const created = [];

before(async () => {
  server = await startServer();
  sqs = server.client;
});

after(async () => {
  for (const url of created) {
    try { await sqs.send(new DeleteQueueCommand({ QueueUrl: url })); } catch { /* gone */ }
  }
  await server.stop();
});

async function newFifo(tag, attributes = {}) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({
    QueueName: uniqueName(tag).slice(0, 75) + ".fifo",
    Attributes: { FifoQueue: "true", ...attributes } }));
  created.push(QueueUrl);
  return QueueUrl;
}

async function receive(url, extra = {}) {
  const out = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: url, WaitTimeSeconds: 0, MaxNumberOfMessages: 10, ...extra }));
  return out.Messages ?? [];
}

const ATTRS = { tenant: { DataType: "String", StringValue: "acme ✓" },
                n: { DataType: "Number", StringValue: "7" } };

describe("fifo", () => {
  test("order per group, group lock, sequence numbers, digests", async () => {
    const url = await newFifo("order");
    const sent = [];
    for (const [body, group] of [["a1", "A"], ["b1", "B"], ["a2", "A"], ["a3", "A"]]) {
      const r = await sqs.send(new SendMessageCommand({
        QueueUrl: url, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: body,
        MessageAttributes: ATTRS }));
      assert.equal(r.MD5OfMessageBody, md5OfBody(body));
      assert.equal(r.MD5OfMessageAttributes, md5OfAttributes(ATTRS));
      assert.match(r.SequenceNumber, /^[0-9]{20,}$/);
      sent.push(r);
    }
    assert.ok(BigInt(sent[0].SequenceNumber) < BigInt(sent[3].SequenceNumber));

    const first = await receive(url, {
      MaxNumberOfMessages: 2, VisibilityTimeout: 60, MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: ["All"] });
    assert.deepEqual(first.map((m) => m.Body), ["a1", "a2"]);
    assert.equal(first[0].MD5OfMessageAttributes, md5OfAttributes(ATTRS));
    assert.equal(first[0].Attributes.MessageGroupId, "A");
    assert.equal(first[0].Attributes.MessageDeduplicationId, "a1");
    assert.equal(first[0].Attributes.SequenceNumber, sent[0].SequenceNumber);

    // A is locked while a1 and a2 are in flight; B flows.
    assert.deepEqual((await receive(url, { VisibilityTimeout: 60 })).map((m) => m.Body), ["b1"]);
    for (const m of first) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
    assert.deepEqual((await receive(url)).map((m) => m.Body), ["a3"]);
  });

  test("deduplication: a duplicate returns the original and is not delivered", async () => {
    const url = await newFifo("dedup", { ContentBasedDeduplication: "true" });
    const a = await sqs.send(new SendMessageCommand({
      QueueUrl: url, MessageBody: "same", MessageGroupId: "g" }));
    const b = await sqs.send(new SendMessageCommand({
      QueueUrl: url, MessageBody: "same", MessageGroupId: "g" }));
    assert.equal(b.MessageId, a.MessageId);
    assert.equal(b.SequenceNumber, a.SequenceNumber);
    const batch = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [
      { Id: "x", MessageBody: "same", MessageGroupId: "g" },
      { Id: "y", MessageBody: "other", MessageGroupId: "g", MessageDeduplicationId: "other-1" },
    ] }));
    assert.equal(batch.Successful.length, 2);
    assert.equal(batch.Successful.find((e) => e.Id === "x").MessageId, a.MessageId);
    assert.deepEqual((await receive(url)).map((m) => m.Body), ["same", "other"]);
  });

  test("FIFO errors", async () => {
    const url = await newFifo("errors");
    await assert.rejects(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" })),
      (e) => e.name === "MissingParameter" || e.Code === "MissingParameter");
    await assert.rejects(sqs.send(new SendMessageCommand({
      QueueUrl: url, MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d",
      DelaySeconds: 3 })),
      (e) => e.name === "InvalidParameterValue" || e.Code === "InvalidParameterValue");
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
      QueueUrl: url, AttributeNames: ["All"] }));
    assert.equal(Attributes.FifoQueue, "true");
    assert.equal(Attributes.ContentBasedDeduplication, "false");
    assert.equal(Attributes.DeduplicationScope, "queue");
    assert.equal(Attributes.FifoThroughputLimit, "perQueue");
  });

  test("fair standard queue: a noisy group does not starve the others", async () => {
    const { QueueUrl: url } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("fair") }));
    created.push(url);
    for (let k = 0; k < 3; k++) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from(
        { length: 10 }, (_, i) => ({ Id: `n${i}`, MessageBody: "noisy", MessageGroupId: "noisy" })) }));
    }
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "quiet", MessageGroupId: "quiet" }));
    const got = await receive(url, { MessageSystemAttributeNames: ["MessageGroupId"], VisibilityTimeout: 60 });
    assert.equal(got.length, 10);
    assert.ok(got.some((m) => m.Attributes.MessageGroupId === "quiet"));
  });
});
