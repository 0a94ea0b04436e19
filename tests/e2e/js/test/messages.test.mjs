// Message actions through @aws-sdk/client-sqs. The SDK verifies MD5OfMessageBody
// on send and receive itself; MD5OfMessageAttributes is checked here.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  ChangeMessageVisibilityBatchCommand, ChangeMessageVisibilityCommand, CreateQueueCommand,
  DeleteMessageBatchCommand, DeleteMessageCommand, DeleteQueueCommand,
  GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import {
  SAMPLE_ATTRIBUTES, expectError, makeClient, md5OfAttributes, md5OfBody,
  normaliseAttributes, sleep, startServer, uniqueName,
} from "../lib/harness.mjs";

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

async function newQueue(tag, Attributes = undefined) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName(tag), Attributes }));
  created.push(QueueUrl);
  return QueueUrl;
}

async function receive(url, extra = {}) {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0, ...extra }));
  return out.Messages ?? [];
}

async function counts(url) {
  const { Attributes: a } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: url,
    AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
  return [Number(a.ApproximateNumberOfMessages), Number(a.ApproximateNumberOfMessagesNotVisible)];
}

function assertSqsError(err, code, status = 400) {
  assert.equal(err.Code ?? err.name, code, `error: ${err.name} ${err.Code} ${err.message}`);
  assert.equal(err.$metadata?.httpStatusCode, status);
}

describe("messages", () => {
  test("send and receive with every attribute type", async () => {
    const url = await newQueue("attrs");
    const body = "héllo 🚀\r\nsecond line\r";
    const sent = await sqs.send(new SendMessageCommand({
      QueueUrl: url, MessageBody: body, MessageAttributes: SAMPLE_ATTRIBUTES }));
    assert.equal(sent.MD5OfMessageBody, md5OfBody(body));
    assert.equal(sent.MD5OfMessageAttributes, md5OfAttributes(SAMPLE_ATTRIBUTES));

    const [m] = await receive(url, {
      MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] });
    assert.equal(m.Body, body);
    assert.equal(m.MessageId, sent.MessageId);
    assert.deepEqual(normaliseAttributes(m.MessageAttributes), normaliseAttributes(SAMPLE_ATTRIBUTES));
    assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(SAMPLE_ATTRIBUTES));
    assert.equal(m.Attributes.ApproximateReceiveCount, "1");
    assert.match(m.Attributes.SentTimestamp, /^[0-9]{13}$/);
    assert.ok(m.Attributes.SenderId);

    // Selecting by prefix: the digest covers the returned attributes only.
    await sqs.send(new ChangeMessageVisibilityCommand({
      QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    const [m2] = await receive(url, { MessageAttributeNames: ["greeting", "ratio"] });
    const subset = { greeting: SAMPLE_ATTRIBUTES.greeting, ratio: SAMPLE_ATTRIBUTES.ratio };
    assert.deepEqual(normaliseAttributes(m2.MessageAttributes), normaliseAttributes(subset));
    assert.equal(m2.MD5OfMessageAttributes, md5OfAttributes(subset));
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m2.ReceiptHandle }));
    assert.deepEqual(await counts(url), [0, 0]);
  });

  test("trace header system attribute", async () => {
    const url = await newQueue("trace");
    const trace = { AWSTraceHeader: { DataType: "String",
      StringValue: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1" } };
    const sent = await sqs.send(new SendMessageCommand({
      QueueUrl: url, MessageBody: "t", MessageSystemAttributes: trace }));
    assert.equal(sent.MD5OfMessageSystemAttributes, md5OfAttributes(trace));
    const [m] = await receive(url, { MessageSystemAttributeNames: ["AWSTraceHeader"] });
    assert.deepEqual(m.Attributes, { AWSTraceHeader: trace.AWSTraceHeader.StringValue });
  });

  test("batch send with partial failure, batch delete, batch visibility", async () => {
    const url = await newQueue("batch");
    const res = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [
      { Id: "a", MessageBody: "one", MessageAttributes: SAMPLE_ATTRIBUTES },
      { Id: "b", MessageBody: "two" },
      { Id: "bad", MessageBody: "nul \u0000" },
    ] }));
    assert.deepEqual(res.Successful.map((e) => e.Id).sort(), ["a", "b"]);
    const a = res.Successful.find((e) => e.Id === "a");
    assert.equal(a.MD5OfMessageBody, md5OfBody("one"));
    assert.equal(a.MD5OfMessageAttributes, md5OfAttributes(SAMPLE_ATTRIBUTES));
    assert.equal(res.Failed.length, 1);
    assert.equal(res.Failed[0].Id, "bad");
    assert.equal(res.Failed[0].Code, "InvalidMessageContents");
    assert.equal(res.Failed[0].SenderFault, true);

    let msgs = [];
    for (let i = 0; i < 10 && msgs.length < 2; i++) {
      msgs.push(...await receive(url, { MaxNumberOfMessages: 10, VisibilityTimeout: 300, WaitTimeSeconds: 1 }));
    }
    assert.deepEqual(msgs.map((m) => m.Body).sort(), ["one", "two"]);
    const vis = await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries:
      msgs.map((m, i) => ({ Id: `v${i}`, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })) }));
    assert.equal(vis.Successful.length, 2);
    // AWS leaves an empty Failed list out of the JSON answer.
    assert.equal(vis.Failed, undefined);
    assert.deepEqual(await counts(url), [2, 0]);

    msgs = [];
    for (let i = 0; i < 10 && msgs.length < 2; i++) {
      msgs.push(...await receive(url, { MaxNumberOfMessages: 10, VisibilityTimeout: 300, WaitTimeSeconds: 1 }));
    }
    const del = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [
      ...msgs.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
      { Id: "junk", ReceiptHandle: "not-a-receipt-handle" },
    ] }));
    assert.equal(del.Successful.length, 2);
    assert.deepEqual(del.Failed.map((f) => [f.Id, f.Code]), [["junk", "ReceiptHandleIsInvalid"]]);
    assert.deepEqual(await counts(url), [0, 0]);
  });

  test("long poll woken by a send", async () => {
    const url = await newQueue("longpoll");
    const poller = makeClient(server.endpoint);
    try {
      const t0 = Date.now();
      const pending = poller.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
      await sleep(1000);
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "wake" }));
      const out = await pending;
      const elapsed = Date.now() - t0;
      assert.deepEqual((out.Messages ?? []).map((m) => m.Body), ["wake"]);
      assert.ok(elapsed < 6000, `long poll took ${elapsed} ms`);
    } finally {
      poller.destroy();
    }
  });

  test("visibility expiry redelivers with a new receipt handle", async () => {
    const url = await newQueue("redeliver");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "again" }));
    const [first] = await receive(url, { VisibilityTimeout: 1 });
    assert.deepEqual(await receive(url), []);
    const [second] = await receive(url, {
      WaitTimeSeconds: 5, MessageSystemAttributeNames: ["ApproximateReceiveCount"] });
    assert.equal(second.MessageId, first.MessageId);
    assert.equal(second.Attributes.ApproximateReceiveCount, "2");
    assert.notEqual(second.ReceiptHandle, first.ReceiptHandle);
  });

  test("delayed message", async () => {
    const url = await newQueue("delay");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "later", DelaySeconds: 2 }));
    assert.deepEqual(await receive(url), []);
    await sleep(2500);
    assert.deepEqual((await receive(url, { WaitTimeSeconds: 3 })).map((m) => m.Body), ["later"]);
  });

  test("unicode bodies round-trip exactly", async () => {
    const url = await newQueue("unicode");
    for (const body of ["emoji 🚀 \u{1F600}", "crlf\r\nkept\r", "xml <a>&amp;</a> ]]>", "\t tab"]) {
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
      const [m] = await receive(url, { WaitTimeSeconds: 1 });
      assert.equal(m.Body, body);
      assert.equal(m.MD5OfBody, md5OfBody(body));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  });

  test("errors", async () => {
    const url = await newQueue("errors");
    let err = await expectError(() => sqs.send(new ReceiveMessageCommand({
      QueueUrl: url, MaxNumberOfMessages: 11 })));
    assertSqsError(err, "InvalidParameterValue");
    err = await expectError(() => sqs.send(new SendMessageCommand({
      QueueUrl: url, MessageBody: "x", DelaySeconds: 901 })));
    assertSqsError(err, "InvalidParameterValue");
    err = await expectError(() => sqs.send(new SendMessageCommand({
      QueueUrl: url, MessageBody: "bad \u0001" })));
    assertSqsError(err, "InvalidMessageContents");
    err = await expectError(() => sqs.send(new DeleteMessageCommand({
      QueueUrl: url, ReceiptHandle: "garbage" })));
    assertSqsError(err, "ReceiptHandleIsInvalid");
    err = await expectError(() => sqs.send(new SendMessageBatchCommand({
      QueueUrl: url, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: "x" })) })));
    assertSqsError(err, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest");
    err = await expectError(() => sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })));
    assertSqsError(err, "AWS.SimpleQueueService.EmptyBatchRequest");
    err = await expectError(() => sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [
      { Id: "x", MessageBody: "1" }, { Id: "x", MessageBody: "2" }] })));
    assertSqsError(err, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct");
    err = await expectError(() => sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [
      { Id: "bad id!", MessageBody: "1" }] })));
    assertSqsError(err, "AWS.SimpleQueueService.InvalidBatchEntryId");
    assert.deepEqual(await counts(url), [0, 0]);
  });
});
