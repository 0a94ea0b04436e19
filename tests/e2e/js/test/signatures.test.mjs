// SigV4 signatures through the JavaScript SDK v3: in open mode (no
// --credentials) any secret is accepted; against `ferry serve --credentials`
// the right key works and a wrong secret is SignatureDoesNotMatch, for SQS
// (JSON) and SNS (Query). The authenticated tests skip, saying why, on a
// build whose --credentials is not supported yet.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { REGION, startServer, uniqueName } from "../lib/harness.mjs";

const ALICE = { accessKeyId: "AKIAFERRYE2EJSALICE1", secretAccessKey: "js/alice+secret/key" };
const ALICE_ACCOUNT = "444455556666";
const CREDENTIALS_TOML = `[[credentials]]
access_key_id = "${ALICE.accessKeyId}"
secret_access_key = "${ALICE.secretAccessKey}"
account_id = "${ALICE_ACCOUNT}"
name = "alice"
`;

function clients(endpoint, credentials) {
  const config = { endpoint, region: REGION, credentials, maxAttempts: 1 };
  return { sqs: new SQSClient(config), sns: new SNSClient(config) };
}

async function assertRefused(promise, name, status) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, name, err.message);
    assert.equal(err.$metadata?.httpStatusCode, status);
    return true;
  });
}

describe("open mode", () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server.stop(); });

  test("any secret is accepted", async () => {
    const { sqs, sns } = clients(server.endpoint, { accessKeyId: "test", secretAccessKey: "wrong" });
    await sqs.send(new ListQueuesCommand({}));
    await sns.send(new ListTopicsCommand({}));
    sqs.destroy();
    sns.destroy();
  });
});

describe("authenticated mode (--credentials)", () => {
  let server = null;
  let skipReason = null;
  let dir = null;
  before(async () => {
    if (process.env.FERRY_ENDPOINT) {
      skipReason = "needs a server started here with --credentials";
      return;
    }
    dir = mkdtempSync(path.join(tmpdir(), "ferry-e2e-js-creds-"));
    const file = path.join(dir, "credentials.toml");
    writeFileSync(file, CREDENTIALS_TOML, { mode: 0o600 });
    try {
      server = await startServer(["--credentials", file]);
    } catch (e) {
      if (!/--credentials is not supported by this build/.test(e.message)) throw e;
      skipReason = "this build cannot load a credentials file yet (--credentials is not supported by this build)";
    }
  });
  after(async () => {
    if (server) await server.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the right key works", async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { sqs, sns } = clients(server.endpoint, ALICE);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("signed") }));
    assert.match(QueueUrl, new RegExp(`/${ALICE_ACCOUNT}/`));
    await sns.send(new ListTopicsCommand({}));
    sqs.destroy();
    sns.destroy();
  });

  test("a wrong secret is SignatureDoesNotMatch", async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { sqs, sns } = clients(server.endpoint, { ...ALICE, secretAccessKey: "not-alice-secret" });
    await assertRefused(sqs.send(new ListQueuesCommand({})), "SignatureDoesNotMatch", 403);
    await assertRefused(sns.send(new ListTopicsCommand({})), "SignatureDoesNotMatch", 403);
    sqs.destroy();
    sns.destroy();
  });

  test("an unknown key is InvalidClientTokenId", async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { sqs } = clients(server.endpoint, { ...ALICE, accessKeyId: "AKIAFERRYE2EJSNOBODY" });
    await assertRefused(sqs.send(new ListQueuesCommand({})), "InvalidClientTokenId", 403);
    sqs.destroy();
  });
});
