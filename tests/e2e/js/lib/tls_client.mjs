// Run by test/tls.test.mjs in a node of its own, because NODE_EXTRA_CA_CERTS
// is read only when node starts: SQS and SNS calls against the https://
// endpoint given as the first argument. Prints one JSON line: what it saw,
// or { error } with the first failure's message.
import {
  CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand,
  SendMessageCommand, SQSClient,
} from "@aws-sdk/client-sqs";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";

const endpoint = process.argv[2];
const name = process.argv[3];
const config = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
};
const sqs = new SQSClient(config);
const sns = new SNSClient(config);
const out = {};
try {
  out.queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl;
  out.gotUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  // The SDK checks MD5OfMessageBody itself.
  await sqs.send(new SendMessageCommand({ QueueUrl: out.queueUrl, MessageBody: "js over tls" }));
  const first = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: out.queueUrl, WaitTimeSeconds: 5 }));
  out.received = (first.Messages ?? []).map((m) => m.Body);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${name}-topic` }));
  const arn = (await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: out.queueUrl, AttributeNames: ["QueueArn"] }))).Attributes.QueueArn;
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: arn }));
  await sns.send(new PublishCommand({ TopicArn, Message: "js published over tls" }));
  const second = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: out.queueUrl, WaitTimeSeconds: 5 }));
  out.published = (second.Messages ?? []).map((m) => JSON.parse(m.Body));
} catch (e) {
  out.error = `${e.name}: ${e.message} ${e.code ?? ""}`;
}
sqs.destroy();
sns.destroy();
console.log(JSON.stringify(out));
