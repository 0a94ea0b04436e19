// The HTTPS listener through @aws-sdk/client-sqs and client-sns: a CA and a
// server certificate made by the openssl command line for the run, the CA
// given to node with NODE_EXTRA_CA_CERTS (lib/tls_client.mjs runs in a node
// of its own, since node reads that variable only at its start).
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { startServer, uniqueName } from "../lib/harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), "ferry-e2e-js-tls-"));
const file = (name) => path.join(dir, name);
let server;

function makePki() {
  const openssl = (...args) => execFileSync("openssl", args, { stdio: "pipe" });
  openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-days", "2", "-subj", "/CN=Ferry js e2e CA", "-keyout", file("ca.key"), "-out", file("ca.pem"));
  openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-subj", "/CN=localhost", "-keyout", file("server.key"), "-out", file("server.csr"));
  writeFileSync(file("server.ext"),
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  openssl("x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"),
    "-set_serial", "7", "-days", "2", "-extfile", file("server.ext"), "-out", file("server.pem"));
}

// Runs lib/tls_client.mjs against the HTTPS listener; `ca` goes into
// NODE_EXTRA_CA_CERTS when given.
function runClient(ca, name) {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  if (ca) env.NODE_EXTRA_CA_CERTS = ca;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(here, "..", "lib", "tls_client.mjs"),
      server.tlsEndpoint, name], { env, timeout: 60000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split("\n").pop()));
    });
  });
}

before(async () => {
  makePki();
  server = await startServer(
    ["--tls-cert", file("server.pem"), "--tls-key", file("server.key"), "--tls-port", "0"]);
});

after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("the SDKs work over https when node trusts the CA", async () => {
  assert.match(server.tlsEndpoint ?? "", /^https:\/\/127\.0\.0\.1:\d+$/);
  const port = server.tlsEndpoint.split(":").pop();
  const out = await runClient(file("ca.pem"), uniqueName("tls"));
  assert.equal(out.error, undefined);
  assert.ok(out.queueUrl.startsWith(`https://127.0.0.1:${port}/`), out.queueUrl);
  assert.equal(out.gotUrl, out.queueUrl);
  assert.deepEqual(out.received, ["js over tls"]);
  assert.equal(out.published.length, 1);
  assert.equal(out.published[0].Message, "js published over tls");
  assert.ok(out.published[0].SigningCertURL.startsWith(`https://127.0.0.1:${port}/`),
    out.published[0].SigningCertURL);
});

test("without the CA the certificate is refused", async () => {
  const out = await runClient(null, uniqueName("tls-untrusted"));
  assert.match(out.error ?? "", /certificate/i);
});
