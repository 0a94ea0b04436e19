// SNS through @aws-sdk/client-sns (Query): every action Ferry serves once,
// publish to a queue read through @aws-sdk/client-sqs, and an http endpoint
// in this process whose SubscriptionConfirmation and Notifications (both
// signature versions) are verified with AWS's own sns-validator package.
//
// sns-validator trusts only a SigningCertURL that is https://, ends in .pem
// and whose host matches its host pattern, and fetches it with https.get.
// Ferry runs here on plain http, so its SigningCertURL is
// http://127.0.0.1:<port>/SimpleNotificationService-<hex>.pem. The test
//   - builds the validator with a host pattern matching exactly Ferry's
//     host:port (as an application does with its own SNS host);
//   - gives it each message with the SigningCertURL's scheme changed to
//     https (SigningCertURL is not part of the signed string, so the
//     signature check is untouched);
//   - intercepts https.get for exactly those URLs and answers with the PEM
//     Ferry serves at the original http:// URL, so the certificate the
//     validator checks against is the one Ferry serves.
// Every other https.get goes to the real one.
import assert from "node:assert/strict";
import http from "node:http";
import https from "node:https";
import { PassThrough } from "node:stream";
import { after, before, describe, test } from "node:test";
import { createRequire } from "node:module";
import {
  AddPermissionCommand, ConfirmSubscriptionCommand, CreateTopicCommand, DeleteTopicCommand,
  GetSubscriptionAttributesCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand, ListTagsForResourceCommand, ListTopicsCommand, PublishBatchCommand,
  PublishCommand, RemovePermissionCommand, SNSClient, SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand, SubscribeCommand, TagResourceCommand, UnsubscribeCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-sns";
import {
  CreateQueueCommand, DeleteMessageCommand, DeleteQueueCommand, GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import {
  REGION, expectError, expectedAccountId, md5OfAttributes, normaliseAttributes, sleep, startServer, uniqueName,
} from "../lib/harness.mjs";

const require = createRequire(import.meta.url);
const MessageValidator = require("sns-validator");

let server;
let sqs;
let sns;
let validator;
const queues = [];
const topics = [];

// https:// certificate URLs the validator may fetch → the http:// URL Ferry serves them at.
const certificateUrls = new Map();
const realHttpsGet = https.get;

function interceptCertificateFetches() {
  https.get = function get(url, ...rest) {
    const key = typeof url === "string" ? url : url?.href;
    const source = key && certificateUrls.get(key);
    if (!source) return realHttpsGet.call(https, url, ...rest);
    const cb = rest.find((a) => typeof a === "function");
    const request = new PassThrough();
    http.get(source, (res) => { if (cb) cb(res); }).on("error", (e) => request.emit("error", e));
    return request;
  };
}

/** Validates a delivered envelope (JSON text) with sns-validator; resolves the message. */
function validate(body) {
  const message = JSON.parse(body);
  const served = message.SigningCertURL;
  assert.match(served, /^http:\/\/127\.0\.0\.1:\d+\/SimpleNotificationService-[0-9a-f]{32}\.pem$/);
  const trusted = served.replace(/^http:/, "https:");
  certificateUrls.set(trusted, served);
  return new Promise((resolve, reject) => {
    validator.validate({ ...message, SigningCertURL: trusted },
      (err, msg) => (err ? reject(err) : resolve(msg)));
  });
}

function makeSns(endpoint) {
  return new SNSClient({
    endpoint, region: REGION, credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

before(async () => {
  server = await startServer();
  sqs = server.client;
  sns = makeSns(server.endpoint);
  const host = new URL(server.endpoint).host;
  validator = new MessageValidator(new RegExp(`^${host.replace(/[.]/g, "\\.")}$`));
  interceptCertificateFetches();
});

after(async () => {
  https.get = realHttpsGet;
  for (const TopicArn of topics) {
    try { await sns.send(new DeleteTopicCommand({ TopicArn })); } catch { /* gone */ }
  }
  for (const QueueUrl of queues) {
    try { await sqs.send(new DeleteQueueCommand({ QueueUrl })); } catch { /* gone */ }
  }
  sns.destroy();
  await server.stop();
});

async function newTopic(tag, Attributes = undefined, Tags = undefined) {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: uniqueName(tag), Attributes, Tags }));
  topics.push(TopicArn);
  return TopicArn;
}

async function newQueue(tag) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName(tag) }));
  queues.push(QueueUrl);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

async function receiveOne(url, extra = {}) {
  const out = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: url, WaitTimeSeconds: 2, MaxNumberOfMessages: 10, ...extra }));
  const messages = out.Messages ?? [];
  assert.equal(messages.length, 1, `expected one message, got ${messages.length}`);
  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: messages[0].ReceiptHandle }));
  return messages[0];
}

/** An http endpoint on a free loopback port that records requests and answers 200. */
async function startWebhook() {
  const requests = [];
  const waiters = [];
  const srv = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method, path: req.url, headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "Content-Length": "0" });
      res.end();
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address();
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    /** The first `count` requests of this message type, waiting up to timeoutMs. */
    async waitFor(type, count, timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const got = requests.filter((r) => r.headers["x-amz-sns-message-type"] === type);
        if (got.length >= count || Date.now() > deadline) return got;
        await Promise.race([new Promise((r) => waiters.push(r)), sleep(200)]);
      }
    },
    close: () => new Promise((resolve) => { srv.closeAllConnections?.(); srv.close(resolve); }),
  };
}

describe("topics", () => {
  test("create, list, attributes, tags, permissions, delete", async () => {
    const name = uniqueName("jstopic");
    const { TopicArn } = await sns.send(new CreateTopicCommand({
      Name: name, Attributes: { DisplayName: "JS" }, Tags: [{ Key: "team", Value: "ferry" }] }));
    if (expectedAccountId()) {
      assert.equal(TopicArn, `arn:aws:sns:${REGION}:${expectedAccountId()}:${name}`);
    }

    let listed = [];
    let NextToken;
    do {
      const page = await sns.send(new ListTopicsCommand({ NextToken }));
      listed = listed.concat((page.Topics ?? []).map((t) => t.TopicArn));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.ok(listed.includes(TopicArn));

    await sns.send(new SetTopicAttributesCommand({
      TopicArn, AttributeName: "DisplayName", AttributeValue: "Renamed" }));
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
    assert.equal(Attributes.DisplayName, "Renamed");
    assert.equal(Attributes.TopicArn, TopicArn);
    assert.equal(JSON.parse(Attributes.Policy).Statement[0].Resource, TopicArn);

    await sns.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: [{ Key: "env", Value: "e2e" }] }));
    await sns.send(new UntagResourceCommand({ ResourceArn: TopicArn, TagKeys: ["team"] }));
    const { Tags } = await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }));
    assert.deepEqual(Tags, [{ Key: "env", Value: "e2e" }]);

    await sns.send(new AddPermissionCommand({
      TopicArn, Label: "partner", AWSAccountId: ["111122223333"], ActionName: ["Publish"] }));
    const withPartner = JSON.parse((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes.Policy);
    assert.ok(withPartner.Statement.some((s) => s.Sid === "partner"));
    await sns.send(new RemovePermissionCommand({ TopicArn, Label: "partner" }));
    const without = JSON.parse((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes.Policy);
    assert.ok(!without.Statement.some((s) => s.Sid === "partner"));

    await sns.send(new DeleteTopicCommand({ TopicArn }));
    const err = await expectError(() => sns.send(new GetTopicAttributesCommand({ TopicArn })));
    assert.equal(err.name, "NotFoundException");
    assert.equal(err.$metadata.httpStatusCode, 404);
  });
});

describe("publish to SQS", () => {
  test("enveloped and raw, batch, subscriptions listed and changed", async () => {
    const TopicArn = await newTopic("jspub");
    const enveloped = await newQueue("jsenv");
    const raw = await newQueue("jsraw");
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({
      TopicArn, Protocol: "sqs", Endpoint: enveloped.arn, ReturnSubscriptionArn: true }));
    const rawSub = (await sns.send(new SubscribeCommand({
      TopicArn, Protocol: "sqs", Endpoint: raw.arn, Attributes: { RawMessageDelivery: "true" },
      ReturnSubscriptionArn: true }))).SubscriptionArn;

    const byTopic = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    assert.deepEqual(new Set(byTopic.Subscriptions.map((s) => s.SubscriptionArn)),
      new Set([SubscriptionArn, rawSub]));
    const all = await sns.send(new ListSubscriptionsCommand({}));
    assert.ok(all.Subscriptions.some((s) => s.SubscriptionArn === SubscriptionArn));

    await sns.send(new SetSubscriptionAttributesCommand({
      SubscriptionArn: rawSub, AttributeName: "FilterPolicy",
      AttributeValue: JSON.stringify({ kind: [{ "anything-but": "skip" }] }) }));
    const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: rawSub }));
    assert.equal(Attributes.RawMessageDelivery, "true");
    assert.equal(Attributes.PendingConfirmation, "false");

    const attrs = {
      kind: { DataType: "String", StringValue: "order ✓" },
      amount: { DataType: "Number", StringValue: "12.5" },
      blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 254, 255]) },
    };
    const sent = await sns.send(new PublishCommand({
      TopicArn, Message: "hello from js 🚀", Subject: "js", MessageAttributes: attrs }));

    const env = JSON.parse((await receiveOne(enveloped.url)).Body);
    assert.equal(env.Type, "Notification");
    assert.equal(env.MessageId, sent.MessageId);
    assert.equal(env.Message, "hello from js 🚀");
    assert.equal(env.Subject, "js");
    assert.deepEqual(env.MessageAttributes.blob, { Type: "Binary", Value: "AAH+/w==" });
    await validate(JSON.stringify(env));

    // The SDK checked MD5OfBody; the attribute digest is checked here.
    const m = await receiveOne(raw.url, { MessageAttributeNames: ["All"] });
    assert.equal(m.Body, "hello from js 🚀");
    assert.deepEqual(normaliseAttributes(m.MessageAttributes), normaliseAttributes(attrs));
    assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(attrs));

    const batch = await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [
      { Id: "a", Message: "one", MessageAttributes: { kind: { DataType: "String", StringValue: "skip" } } },
      // anything-but never matches a message without the attribute: "b" carries it.
      { Id: "b", Message: "two", MessageAttributes: { kind: { DataType: "String", StringValue: "keep" } } },
    ] }));
    assert.deepEqual(batch.Successful.map((e) => e.Id).sort(), ["a", "b"]);
    assert.deepEqual(batch.Failed ?? [], []);
    assert.equal((await receiveOne(raw.url)).Body, "two");

    await sns.send(new UnsubscribeCommand({ SubscriptionArn: rawSub }));
    const left = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    assert.deepEqual(left.Subscriptions.map((s) => s.SubscriptionArn), [SubscriptionArn]);
  });
});

describe("http endpoint verified with sns-validator", () => {
  let hook;
  before(async () => { hook = await startWebhook(); });
  after(async () => { await hook.close(); });

  test("SubscriptionConfirmation, ConfirmSubscription, Notifications of both signature versions", async () => {
    const TopicArn = await newTopic("jshttp");
    const endpoint = hook.url("/sns");
    const pending = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: endpoint }));
    assert.equal(pending.SubscriptionArn, "pending confirmation");

    const [confirmation] = await hook.waitFor("SubscriptionConfirmation", 1);
    assert.ok(confirmation, "no SubscriptionConfirmation arrived");
    assert.equal(confirmation.method, "POST");
    assert.equal(confirmation.headers["x-amz-sns-topic-arn"], TopicArn);
    const confirmMessage = await validate(confirmation.body);
    assert.equal(confirmMessage.Type, "SubscriptionConfirmation");

    const { SubscriptionArn } = await sns.send(new ConfirmSubscriptionCommand({
      TopicArn, Token: confirmMessage.Token }));
    assert.ok(SubscriptionArn.startsWith(`${TopicArn}:`));

    await sns.send(new PublishCommand({ TopicArn, Message: "signed v1", Subject: "v1" }));
    await sns.send(new SetTopicAttributesCommand({
      TopicArn, AttributeName: "SignatureVersion", AttributeValue: "2" }));
    await sns.send(new PublishCommand({ TopicArn, Message: "signed v2" }));
    const notifications = await hook.waitFor("Notification", 2);
    assert.equal(notifications.length, 2);
    const versions = [];
    for (const n of notifications) {
      assert.equal(n.headers["x-amz-sns-subscription-arn"], SubscriptionArn);
      assert.equal(n.headers["content-type"], "text/plain; charset=UTF-8");
      const msg = await validate(n.body);
      assert.equal(msg.Type, "Notification");
      versions.push([msg.Message, msg.SignatureVersion]);
    }
    assert.deepEqual(versions.sort(), [["signed v1", "1"], ["signed v2", "2"]]);

    // A message changed on the way is refused.
    const forged = JSON.parse(notifications[0].body);
    forged.Message = "forged";
    await assert.rejects(validate(JSON.stringify(forged)), /signature is invalid/);
  });
});
