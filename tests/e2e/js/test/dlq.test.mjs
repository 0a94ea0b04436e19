// Dead-letter queues, message move tasks and permissions through
// @aws-sdk/client-sqs (AWS JSON 1.0). The SDK checks MD5OfBody on receive.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AddPermissionCommand, CancelMessageMoveTaskCommand, GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand, ListMessageMoveTasksCommand, ReceiveMessageCommand,
  RemovePermissionCommand, ResourceNotFoundException, SendMessageCommand,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { SAMPLE_ATTRIBUTES, expectError, md5OfAttributes, normaliseAttributes, serverForFile,
  sleep } from "../lib/harness.mjs";

const suite = serverForFile();
const newQueue = (tag, attributes) => suite.newQueue(tag, attributes);
const sqs = { send: (command) => suite.sqs.send(command) };

async function arnOf(url) {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: url, AttributeNames: ["QueueArn"] }));
  return Attributes.QueueArn;
}

async function newSource(tag, dlqUrl, maxReceiveCount) {
  return newQueue(tag, { RedrivePolicy: JSON.stringify({
    deadLetterTargetArn: await arnOf(dlqUrl), maxReceiveCount: String(maxReceiveCount) }) });
}

async function receive(url, extra = {}) {
  const out = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0,
    MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"], ...extra }));
  return out.Messages ?? [];
}

async function waitForTask(sourceArn, statuses) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn }));
    if (statuses.includes(Results[0].Status) || Date.now() > deadline) return Results[0];
    await sleep(100);
  }
}

describe("dead-letter queues", () => {
  test("a message received maxReceiveCount times moves to the DLQ with its identity", async () => {
    const dlq = await newQueue("dlq");
    const source = await newSource("src", dlq, 2);
    const sent = await sqs.send(new SendMessageCommand({
      QueueUrl: source, MessageBody: "poison", MessageAttributes: SAMPLE_ATTRIBUTES }));
    for (let i = 0; i < 2; i++) assert.equal((await receive(source, { VisibilityTimeout: 0 })).length, 1);
    assert.deepEqual(await receive(source), []);

    const [m] = await receive(dlq);
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.Body, "poison");
    assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(SAMPLE_ATTRIBUTES));
    assert.deepEqual(normaliseAttributes(m.MessageAttributes), normaliseAttributes(SAMPLE_ATTRIBUTES));
    // Receives count across queues: maxReceiveCount + 1.
    assert.equal(m.Attributes.ApproximateReceiveCount, "3");
    assert.equal(m.Attributes.DeadLetterQueueSourceArn, await arnOf(source));

    const { queueUrls } = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
    assert.deepEqual(queueUrls, [source]);
  });

  test("a move task returns messages to their source and is listed", async () => {
    const dlq = await newQueue("dlq");
    const source = await newSource("src", dlq, 1);
    await sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: "retry me" }));
    assert.equal((await receive(source, { VisibilityTimeout: 0 })).length, 1);
    assert.deepEqual(await receive(source), []);

    const dlqArn = await arnOf(dlq);
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({
      SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 10 }));
    assert.ok(TaskHandle);
    const done = await waitForTask(dlqArn, ["COMPLETED", "FAILED"]);
    assert.equal(done.Status, "COMPLETED");
    assert.equal(done.ApproximateNumberOfMessagesMoved, 1);
    assert.equal(done.ApproximateNumberOfMessagesToMove, 1);
    assert.equal(done.MaxNumberOfMessagesPerSecond, 10);
    assert.equal(done.SourceArn, dlqArn);
    const back = await receive(source);
    assert.deepEqual(back.map((m) => m.Body), ["retry me"]);
  });

  test("cancel a running move task; unknown tasks are ResourceNotFoundException", async () => {
    const dlq = await newQueue("dlq");
    await newSource("src", dlq, 1);
    const dest = await newQueue("dest");
    for (let i = 0; i < 10; i++) await sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: `m${i}` }));
    const dlqArn = await arnOf(dlq);
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({
      SourceArn: dlqArn, DestinationArn: await arnOf(dest), MaxNumberOfMessagesPerSecond: 1 }));
    const { ApproximateNumberOfMessagesMoved } = await sqs.send(
      new CancelMessageMoveTaskCommand({ TaskHandle }));
    assert.ok(ApproximateNumberOfMessagesMoved < 10);
    assert.equal((await waitForTask(dlqArn, ["CANCELLED"])).Status, "CANCELLED");
    const err = await expectError(() => sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle })));
    assert.ok(err instanceof ResourceNotFoundException, `${err.name}: ${err.message}`);
    assert.equal(err.$metadata.httpStatusCode, 404);
  });
});

describe("permissions", () => {
  test("AddPermission and RemovePermission maintain the Policy", async () => {
    const url = await newQueue("perm");
    await sqs.send(new AddPermissionCommand({
      QueueUrl: url, Label: "senders", AWSAccountIds: ["111122223333"], Actions: ["SendMessage"] }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
      QueueUrl: url, AttributeNames: ["Policy"] }));
    const policy = JSON.parse(Attributes.Policy);
    assert.deepEqual(policy.Statement, [{
      Sid: "senders", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" },
      Action: "SQS:SendMessage", Resource: await arnOf(url) }]);
    await sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: "senders" }));
    const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
    assert.equal(after.Attributes.Policy, undefined);
  });
});
