// Queue-level actions through @aws-sdk/client-sqs (AWS JSON 1.0).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand,
  ListQueueTagsCommand, ListQueuesCommand, PurgeQueueCommand, QueueDoesNotExist,
  SendMessageCommand, SetQueueAttributesCommand, TagQueueCommand, UntagQueueCommand,
  paginateListQueues,
} from "@aws-sdk/client-sqs";
import { expectError, expectedAccountId, startServer, uniqueName } from "../lib/harness.mjs";

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

async function newQueue(name, extra = {}) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, ...extra }));
  created.push(QueueUrl);
  return QueueUrl;
}

function assertSqsError(err, code, status = 400, name = undefined) {
  assert.equal(err.Code ?? err.name, code, `error: ${err.name} ${err.Code} ${err.message}`);
  assert.equal(err.$metadata?.httpStatusCode, status);
  assert.equal(err.$fault, "client");
  if (name) assert.equal(err.name, name);
}

describe("queues", () => {
  test("create with attributes and tags, get url, attributes", async () => {
    const name = uniqueName("attrs");
    const url = await newQueue(name, {
      Attributes: { VisibilityTimeout: "45", DelaySeconds: "2" },
      tags: { team: "ferry" },
    });
    assert.ok(url.startsWith(server.endpoint + "/"), url);
    assert.ok(url.endsWith("/" + name), url);
    const account = expectedAccountId();
    if (account) assert.equal(url, `${server.endpoint}/${account}/${name}`);
    const got = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    assert.equal(got.QueueUrl, url);

    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
      QueueUrl: url, AttributeNames: ["All"] }));
    assert.equal(Attributes.VisibilityTimeout, "45");
    assert.equal(Attributes.DelaySeconds, "2");
    assert.equal(Attributes.MaximumMessageSize, "1048576");
    assert.equal(Attributes.MessageRetentionPeriod, "345600");
    assert.match(Attributes.QueueArn, new RegExp(`^arn:aws:sqs:us-east-1:[0-9]+:${name}$`));
    assert.match(Attributes.CreatedTimestamp, /^[0-9]+$/);

    const one = await sqs.send(new GetQueueAttributesCommand({
      QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }));
    assert.deepEqual(one.Attributes, { ApproximateNumberOfMessages: "0" });
  });

  test("create is idempotent; different attributes conflict", async () => {
    const name = uniqueName("idem");
    const url = await newQueue(name, { Attributes: { VisibilityTimeout: "30" } });
    const again = await sqs.send(new CreateQueueCommand({
      QueueName: name, Attributes: { VisibilityTimeout: "30" } }));
    assert.equal(again.QueueUrl, url);
    const err = await expectError(() => sqs.send(new CreateQueueCommand({
      QueueName: name, Attributes: { VisibilityTimeout: "60" } })));
    assertSqsError(err, "QueueAlreadyExists", 400, "QueueNameExists");
  });

  test("nonexistent queue", async () => {
    const err = await expectError(() => sqs.send(new GetQueueUrlCommand({
      QueueName: uniqueName("nope") })));
    assert.ok(err instanceof QueueDoesNotExist, `got ${err.name}`);
    assertSqsError(err, "AWS.SimpleQueueService.NonExistentQueue", 400, "QueueDoesNotExist");
    assert.equal(err.Type, "Sender");
  });

  test("common errors carry their JSON type beside the Query code", async () => {
    // AWS sends InvalidParameterValueException / MissingRequiredParameterException
    // in __type and the Query code in x-amzn-query-error; this SDK names an
    // unmodelled error by the header's code and keeps the body's __type.
    const url = await newQueue(uniqueName("types"));
    let err = await expectError(() => sqs.send(new SendMessageCommand({
      QueueUrl: url, MessageBody: "x", DelaySeconds: 901 })));
    assertSqsError(err, "InvalidParameterValue", 400, "InvalidParameterValue");
    assert.equal(err.__type, "com.amazonaws.sqs#InvalidParameterValueException");
    err = await expectError(() => sqs.send(new SendMessageCommand({ QueueUrl: url })));
    assertSqsError(err, "MissingParameter", 400, "MissingParameter");
    assert.equal(err.__type, "com.amazonaws.sqs#MissingRequiredParameterException");
  });

  test("list queues with prefix and paging", async () => {
    const prefix = uniqueName("pg");
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push(await newQueue(`${prefix}-${i}`));
    const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
    assert.deepEqual([...all.QueueUrls].sort(), [...mine].sort());

    const seen = [];
    let pages = 0;
    for await (const page of paginateListQueues({ client: sqs, pageSize: 2 },
      { QueueNamePrefix: prefix })) {
      assert.ok((page.QueueUrls ?? []).length <= 2);
      seen.push(...(page.QueueUrls ?? []));
      pages++;
      assert.ok(pages < 10, "paging does not terminate");
    }
    assert.deepEqual(seen.sort(), [...mine].sort());
    assert.ok(pages >= 3, `only ${pages} pages`);
  });

  test("set attributes; invalid value and unknown name", async () => {
    const url = await newQueue(uniqueName("set"));
    await sqs.send(new SetQueueAttributesCommand({
      QueueUrl: url, Attributes: { VisibilityTimeout: "120", ReceiveMessageWaitTimeSeconds: "1" } }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
      QueueUrl: url, AttributeNames: ["VisibilityTimeout", "ReceiveMessageWaitTimeSeconds"] }));
    assert.deepEqual(Attributes, { VisibilityTimeout: "120", ReceiveMessageWaitTimeSeconds: "1" });

    let err = await expectError(() => sqs.send(new SetQueueAttributesCommand({
      QueueUrl: url, Attributes: { VisibilityTimeout: "43201" } })));
    assertSqsError(err, "InvalidAttributeValue", 400, "InvalidAttributeValue");
    err = await expectError(() => sqs.send(new SetQueueAttributesCommand({
      QueueUrl: url, Attributes: { NoSuchAttribute: "1" } })));
    assertSqsError(err, "InvalidAttributeName", 400, "InvalidAttributeName");
  });

  test("tag, untag, list tags", async () => {
    const url = await newQueue(uniqueName("tags"), { tags: { a: "1" } });
    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { b: "2", c: "3" } }));
    let { Tags } = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    assert.deepEqual(Tags, { a: "1", b: "2", c: "3" });
    await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ["a", "c"] }));
    ({ Tags } = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url })));
    assert.deepEqual(Tags, { b: "2" });
  });

  test("purge and delete", async () => {
    const name = uniqueName("purge");
    const url = await newQueue(name);
    for (let i = 0; i < 3; i++) {
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
    }
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
      QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }));
    assert.equal(Attributes.ApproximateNumberOfMessages, "0");
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    const err = await expectError(() => sqs.send(new GetQueueUrlCommand({ QueueName: name })));
    assertSqsError(err, "AWS.SimpleQueueService.NonExistentQueue", 400, "QueueDoesNotExist");
  });
});
