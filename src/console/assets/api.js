// The console's only way to the server: AWS JSON 1.0 calls to the SQS, SNS
// and Ferry admin services on this page's own origin, each signed with
// SigV4 by the signed-in credentials. The server checks them as it checks
// any SDK's, so the console sees exactly what its credentials' account may.
//
// The credentials live in sessionStorage (this tab, until it closes or the
// user signs out) and are sent nowhere: only signatures leave the page.
import { hashing, sign } from "./sigv4.js";

const STORAGE_KEY = "ferry.console.session";
const TARGETS = { sqs: "AmazonSQS", sns: "SNS_20100331", ferry: "Ferry" };
const hash = hashing();

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message || code);
    this.code = code;
    this.status = status;
  }
}

export function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null");
    return s && s.accessKeyId && s.secretAccessKey ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(session) {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession() {
  sessionStorage.removeItem(STORAGE_KEY);
}

// "com.amazonaws.sqs#QueueDoesNotExist" → "QueueDoesNotExist".
function shortCode(type) {
  return String(type ?? "").split("#").pop().split(":")[0];
}

/** Calls `action` of `service` ("sqs", "sns", "ferry"); resolves to its JSON answer. */
export async function call(session, service, action, params = {}) {
  const body = JSON.stringify(params);
  const { headers } = await sign(
    {
      method: "POST",
      path: "/",
      headers: {
        host: location.host,
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": `${TARGETS[service]}.${action}`,
      },
      body,
    },
    session,
    { region: session.region, service, hash },
  );
  delete headers.host;  // the browser sends it, with the value signed
  let res;
  try {
    res = await fetch("/", { method: "POST", headers, body, cache: "no-store", credentials: "omit" });
  } catch (e) {
    throw new ApiError("NetworkError", `The server did not answer: ${e.message}`, 0);
  }
  const text = await res.text();
  let doc = {};
  try {
    doc = text ? JSON.parse(text) : {};
  } catch {
    throw new ApiError("BadResponse", `Unreadable answer (HTTP ${res.status})`, res.status);
  }
  if (!res.ok) {
    const code = shortCode(doc.__type ?? res.headers.get("x-amzn-query-error") ?? `HTTP${res.status}`);
    // The signed-in key stopped working (temporary credentials expired, or
    // the key left the credentials file): back to the sign-in page.
    if ((code === "ExpiredToken" || code === "InvalidClientTokenId") &&
        loadSession()?.accessKeyId === session.accessKeyId) {
      clearSession();
      location.hash = "#/signin";
    }
    throw new ApiError(code, doc.message ?? doc.Message ?? code, res.status);
  }
  return doc;
}

// A queue's name from its URL or ARN (the last path or colon part).
export function queueNameOf(urlOrArn) {
  return String(urlOrArn).split(/[/:]/).pop();
}

/**
 * Who the server is and what mode it runs in (GetServerStatus): checks the
 * credentials on the way, so signing in calls it.
 */
export function serverStatus(session) {
  return call(session, "ferry", "GetServerStatus", {});
}

/** Every queue of the caller's account with its figures (ListQueueStats). */
export async function listQueueStats(session) {
  return (await call(session, "ferry", "ListQueueStats", {})).Queues ?? [];
}
