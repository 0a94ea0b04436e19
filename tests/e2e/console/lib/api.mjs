// Seeding the console tests' servers: AWS JSON 1.0 calls signed by the
// console's own signer (src/console/assets/sigv4.js), so every seed call
// also checks that signer against the real server.
import { hashing, sign } from "../../../../src/console/assets/sigv4.js";

const TARGETS = { sqs: "AmazonSQS", sns: "SNS_20100331", ferry: "Ferry" };
const hash = hashing();

export const OPEN_KEY = { accessKeyId: "test", secretAccessKey: "test" };

/** Calls `action`; resolves to the JSON answer, rejects with the AWS error. */
export async function awsCall(endpoint, credentials, service, action, params = {}) {
  const url = new URL(endpoint);
  const body = JSON.stringify(params);
  const { headers } = await sign({
    method: "POST", path: "/",
    headers: { host: url.host, "content-type": "application/x-amz-json-1.0", "x-amz-target": `${TARGETS[service]}.${action}` },
    body,
  }, credentials, { region: "us-east-1", service, hash });
  delete headers.host;
  const res = await fetch(new URL("/", endpoint), { method: "POST", headers, body });
  const text = await res.text();
  const doc = text ? JSON.parse(text) : {};
  if (!res.ok) throw new Error(`${action}: ${res.status} ${doc.__type}: ${doc.message}`);
  return doc;
}

/** A client bound to one server and key: api("sqs", "CreateQueue", {...}). */
export function client(endpoint, credentials = OPEN_KEY) {
  return (service, action, params) => awsCall(endpoint, credentials, service, action, params);
}
