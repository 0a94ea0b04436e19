// Shared harness for the JavaScript SDK v3 end-to-end tests.
//
// startServer() starts `$FERRY_BIN serve` on a free port with a fresh data
// directory (or uses FERRY_ENDPOINT), and returns { endpoint, client, stop };
// with FERRY_ENGINE=postgres, on a fresh database of the PostgreSQL that
// `pg_server.py run` started for the run (FERRY_PG_PORT, FERRY_PG_BINDIR);
// startServer(extraArgs) passes more `ferry serve` flags, and with an HTTPS
// listener (--tls-port) its https:// URL is tlsEndpoint.
import { execFileSync, spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before } from "node:test";
import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from "@aws-sdk/client-sqs";

export const REGION = "us-east-1";
export const FERRY_ACCOUNT_ID = "000000000000";

// Throwaway credentials and region; nothing from ~/.aws may leak in.
Object.assign(process.env, {
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_DEFAULT_REGION: REGION,
  AWS_REGION: REGION,
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_CONFIG_FILE: "/dev/null",
  AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
});
for (const v of ["AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SQS"]) {
  delete process.env[v];
}

const RUN_ID = randomUUID().slice(0, 8);

export function uniqueName(tag = "") {
  const name = `e2e-js-${RUN_ID}-${randomUUID().slice(0, 8)}${tag ? "-" + tag : ""}`;
  return name.slice(0, 80);
}

export function makeClient(endpoint) {
  return new SQSClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

/** The account id expected in queue URLs, or null when a peer's is unknown. */
export function expectedAccountId() {
  if (process.env.FERRY_ACCOUNT_ID) return process.env.FERRY_ACCOUNT_ID;
  return process.env.FERRY_ENDPOINT ? null : FERRY_ACCOUNT_ID;
}

let databases = 0;

// Where a server keeps its state: `dir` as its data directory, or with
// FERRY_ENGINE=postgres a new database (and `dir` as its keys directory).
function engineArgs(dir) {
  if (process.env.FERRY_ENGINE !== "postgres") return ["--data-dir", dir];
  const port = process.env.FERRY_PG_PORT;
  if (!port) throw new Error("FERRY_ENGINE=postgres needs FERRY_PG_PORT (run under pg_server.py run)");
  const db = `js_${process.pid}_${++databases}`;
  execFileSync(path.join(process.env.FERRY_PG_BINDIR || "/usr/lib/postgresql/15/bin", "psql"),
    ["-X", "-q", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "postgres",
      "-v", "ON_ERROR_STOP=1", "-c", `CREATE DATABASE "${db}"`], { stdio: ["ignore", "ignore", "inherit"] });
  return ["--engine", "postgres", "--postgres-url", `postgresql://postgres@127.0.0.1:${port}/${db}`,
    "--postgres-pool", "8", "--keys-dir", dir];
}

// extraArgs: more `ferry serve` flags (e.g. --credentials FILE).
export async function startServer(extraArgs = []) {
  if (process.env.FERRY_ENDPOINT) {
    const endpoint = process.env.FERRY_ENDPOINT.replace(/\/+$/, "");
    const client = makeClient(endpoint);
    return { endpoint, client, stop: async () => client.destroy() };
  }
  const bin = process.env.FERRY_BIN;
  if (!bin) throw new Error("set FERRY_BIN (path to ferry) or FERRY_ENDPOINT");
  const dataDir = mkdtempSync(path.join(tmpdir(), "ferry-e2e-js-"));
  const child = spawn(bin, ["serve", "--listen", "127.0.0.1", "--port", "0", ...engineArgs(dataDir), ...extraArgs],
    { stdio: ["ignore", "pipe", "pipe"] });
  const killOnExit = () => { try { child.kill("SIGKILL"); } catch { /* gone */ } };
  process.on("exit", killOnExit);
  let log = "";
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  child.stderr.on("data", (d) => { log += d; });
  // "listening on http://h:p (", or "listening on http://h:p, https://h:tp (".
  const urls = await new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error(`ferry did not start within 30 s:\n${log}`)), 30000);
    child.stdout.on("data", (d) => {
      buf += d;
      log += d;
      const m = /listening on (https?:\/\/[^\s/,]+(?:, https?:\/\/[^\s/,]+)*) \(/.exec(buf);
      if (m) { clearTimeout(timer); resolve(m[1].split(", ")); }
    });
    child.on("error", (e) => { clearTimeout(timer); reject(e); });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`ferry exited (${code ?? signal}) before listening:\n${log}`));
    });
  });
  const tlsEndpoint = urls.find((u) => u.startsWith("https://")) ?? null;
  const endpoint = urls.find((u) => u.startsWith("http://")) ?? tlsEndpoint;
  const client = makeClient(endpoint);
  async function stop() {
    client.destroy();
    let problem = null;
    if (child.exitCode !== null || child.signalCode !== null) {
      problem = `ferry died during the run (${child.exitCode ?? child.signalCode})`;
    } else {
      child.kill("SIGTERM");
      const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 15000));
      const result = await Promise.race([exited, timeout]);
      if (result === null) {
        child.kill("SIGKILL");
        await exited;
        problem = "ferry did not stop within 15 s of SIGTERM";
      } else if (!(result.code === 0 || result.signal === "SIGTERM")) {
        problem = `ferry exited with ${result.code ?? result.signal} after SIGTERM`;
      }
    }
    process.off("exit", killOnExit);
    rmSync(dataDir, { recursive: true, force: true });
    if (problem) throw new Error(`${problem}\n--- ferry log ---\n${log.slice(-4000)}`);
  }
  return {
    endpoint, tlsEndpoint, client, stop,
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}

/**
 * One server for a test file: registers before/after hooks and returns
 * { server, sqs, newQueue(tag, Attributes) }, filled in once the server is up;
 * queues made with newQueue are deleted at the end.
 */
export function serverForFile() {
  const suite = { server: null, sqs: null };
  const created = [];
  before(async () => {
    suite.server = await startServer();
    suite.sqs = suite.server.client;
  });
  after(async () => {
    for (const url of created) {
      try { await suite.sqs.send(new DeleteQueueCommand({ QueueUrl: url })); } catch { /* gone */ }
    }
    await suite.server.stop();
  });
  suite.newQueue = async (tag, Attributes = undefined) => {
    const { QueueUrl } = await suite.sqs.send(new CreateQueueCommand({
      QueueName: uniqueName(tag), Attributes }));
    created.push(QueueUrl);
    return QueueUrl;
  };
  return suite;
}

// ------------------------------------------------------------------ digests

export function md5Hex(data) {
  return createHash("md5").update(data).digest("hex");
}

export function md5OfBody(body) {
  return md5Hex(Buffer.from(body, "utf8"));
}

function lengthPrefixed(buf) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(buf.length);
  return Buffer.concat([len, buf]);
}

/** AWS's MD5OfMessageAttributes: sorted names; name, type, transport byte, value. */
export function md5OfAttributes(attributes) {
  const parts = [];
  for (const name of Object.keys(attributes).sort()) {
    const a = attributes[name];
    parts.push(lengthPrefixed(Buffer.from(name, "utf8")));
    parts.push(lengthPrefixed(Buffer.from(a.DataType, "utf8")));
    if (a.DataType.startsWith("Binary")) {
      parts.push(Buffer.from([2]), lengthPrefixed(Buffer.from(a.BinaryValue)));
    } else {
      parts.push(Buffer.from([1]), lengthPrefixed(Buffer.from(a.StringValue, "utf8")));
    }
  }
  return md5Hex(Buffer.concat(parts));
}

/** DataType + value only, Binary as a Buffer, for comparisons. */
export function normaliseAttributes(attributes) {
  const out = {};
  for (const [name, a] of Object.entries(attributes ?? {})) {
    const v = { DataType: a.DataType };
    if (a.StringValue !== undefined) v.StringValue = a.StringValue;
    if (a.BinaryValue !== undefined) v.BinaryValue = Buffer.from(a.BinaryValue).toString("hex");
    out[name] = v;
  }
  return out;
}

export const SAMPLE_ATTRIBUTES = {
  greeting: { DataType: "String", StringValue: "héllo wörld 🚀" },
  count: { DataType: "Number", StringValue: "-12.50" },
  blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 0x7f, 0x80, 0xfe, 0xff]) },
  kind: { DataType: "String.custom", StringValue: "custom-typed" },
  ratio: { DataType: "Number.float", StringValue: "3.14159" },
  image: { DataType: "Binary.gif", BinaryValue: new Uint8Array(Buffer.from("GIF89a\x01\x00", "latin1")) },
};

/** Run fn and return the error it throws (fails if it does not throw). */
export async function expectError(fn) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected the call to fail, it succeeded");
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
