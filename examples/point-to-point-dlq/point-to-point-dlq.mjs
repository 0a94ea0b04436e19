#!/usr/bin/env node
// Point to point with a dead-letter queue and a redrive, with the AWS SDK
// for JavaScript v3 (@aws-sdk/client-sqs) and nothing else.
//
// A producer queues six jobs on `jobs`. The consumer has a bug: it cannot
// process two of them and never deletes them, so they come back after the
// visibility timeout. With maxReceiveCount 2 the queue gives up on them: the
// receive after their second one moves them to `jobs-dlq` instead. The other
// jobs are unaffected. Once the bug is fixed, a message move task
// (StartMessageMoveTask, followed with ListMessageMoveTasks) sends the dead
// letters back to `jobs`, where the fixed consumer processes them.
//
// Exits 0 only if exactly the failing jobs went to the DLQ and came back.
//
//   node examples/point-to-point-dlq/point-to-point-dlq.mjs --endpoint-url http://127.0.0.1:9324
//
// The SDK is the one installed for the JavaScript tests (`npm ci` in
// tests/e2e/js); in a project of your own, import "@aws-sdk/client-sqs".
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

const require = createRequire(new URL("../../tests/e2e/js/package.json", import.meta.url));
const {
  ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageCommand,
  GetQueueAttributesCommand, ListMessageMoveTasksCommand, ReceiveMessageCommand,
  SendMessageCommand, SetQueueAttributesCommand, SQSClient, StartMessageMoveTaskCommand,
} = require("@aws-sdk/client-sqs");

const { values: args } = parseArgs({
  options: { "endpoint-url": { type: "string", default: "http://127.0.0.1:9324" } } });
// Ferry in its default (open) mode takes any credentials.
const sqs = new SQSClient({
  endpoint: args["endpoint-url"],
  region: process.env.AWS_REGION ?? "us-east-1",
  credentials: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "test",
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "test",
  },
});
// Each run tags its jobs, so leftovers of an interrupted run are ignored.
const RUN = randomUUID().slice(0, 8);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Create the queue, or find it, then set its attributes (CreateQueue with
// other attributes than an existing queue's is refused): safe to rerun.
async function ensureQueue(name, attributes) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (attributes) {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
  }
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

async function receive(url, waitSeconds = 1) {
  const { Messages } = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds,
    MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
  return (Messages ?? []).map((m) => ({ ...m, job: JSON.parse(m.Body) }));
}

const deleteMessage = (url, m) =>
  sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));

async function visibleCount(url) {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }));
  return Number(Attributes.ApproximateNumberOfMessages);
}

// The consumer. `canProcess` is where the bug is. A job it cannot process
// is not deleted: it comes back after the visibility timeout.
async function consume(url, canProcess, done, until) {
  const deadline = Date.now() + 20000;
  while (!(await until()) && Date.now() < deadline) {
    for (const m of await receive(url)) {
      if (m.job.run !== RUN) { await deleteMessage(url, m); continue; }  // a leftover
      const count = m.Attributes.ApproximateReceiveCount;
      if (!canProcess(m.job)) {
        console.log(`consumer: ${m.job.id} failed (receive ${count}), left for a retry`);
        continue;
      }
      console.log(`consumer: ${m.job.id} done (receive ${count})`);
      done.set(m.job.id, m.MessageId);
      await deleteMessage(url, m);
    }
  }
}

const dlq = await ensureQueue("jobs-dlq");
const jobs = await ensureQueue("jobs", {
  VisibilityTimeout: "1",  // a failed job is retried 1 s later
  RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
});
for (const q of [jobs, dlq]) {  // what an interrupted earlier run left visible
  for (let left; (left = await receive(q.url, 0)).length > 0;) {
    for (const m of left) await deleteMessage(q.url, m);
  }
}

// 1. The producer.
const failing = ["j2", "j5"];
const ids = new Map();
for (let i = 1; i <= 6; i++) {
  const job = { run: RUN, id: `j${i}`, amount: failing.includes(`j${i}`) ? "NaN" : String(10 * i) };
  const { MessageId } = await sqs.send(new SendMessageCommand({
    QueueUrl: jobs.url, MessageBody: JSON.stringify(job) }));
  ids.set(job.id, MessageId);
  console.log(`producer: queued ${job.id} (${MessageId})`);
}

// 2. The buggy consumer, until the good jobs are done and the bad ones
// have been moved to the DLQ.
const done = new Map();
const buggy = (job) => job.amount !== "NaN";
const goodDoneBadDead = async () => done.size === 4 && (await visibleCount(dlq.url)) === 2;
await consume(jobs.url, buggy, done, goodDoneBadDead);
assert.deepEqual([...done.keys()].sort(), ["j1", "j3", "j4", "j6"]);

// 3. Look into the DLQ (and make what we looked at visible again at once).
const dead = await receive(dlq.url);
for (const m of dead) {
  const receives = m.Attributes.ApproximateReceiveCount;
  console.log(`dlq: ${m.job.id} (${m.MessageId}), received ${receives} times`);
  await sqs.send(new ChangeMessageVisibilityCommand({
    QueueUrl: dlq.url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
}
assert.deepEqual(dead.map((m) => m.job.id).sort(), failing);
assert.deepEqual(dead.map((m) => m.MessageId).sort(), failing.map((j) => ids.get(j)).sort());

// 4. The bug is fixed; redrive the DLQ to where its messages came from
// (no DestinationArn: each message's source queue).
const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({
  SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 10 }));
console.log(`redrive: move task started (${TaskHandle.slice(0, 16)}...)`);
let task;
for (const deadline = Date.now() + 20000; Date.now() < deadline; await sleep(200)) {
  ({ Results: [task] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn })));
  console.log(`redrive: ${task.Status}, ${task.ApproximateNumberOfMessagesMoved} moved`);
  if (task.Status !== "RUNNING") break;
}
assert.equal(task.Status, "COMPLETED");

// 5. The fixed consumer gets the redriven jobs back (as new messages: a
// move task sends copies, with new message ids, and deletes the originals).
const fixed = () => true;
await consume(jobs.url, fixed, done, async () => done.size === 6);
assert.deepEqual([...done.keys()].sort(), ["j1", "j2", "j3", "j4", "j5", "j6"]);
assert.equal(await visibleCount(dlq.url), 0);
console.log(`OK: ${failing.join(", ")} went to the DLQ and came back; all six jobs done`);
sqs.destroy();
