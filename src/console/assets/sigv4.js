// AWS Signature Version 4 for the console's API calls: the same signature
// the AWS SDKs make, so the server checks the console's requests exactly as
// it checks any client's. The secret never leaves the page: only the
// signature derived from it is sent.
//
// Hashing uses crypto.subtle where the browser offers it (secure contexts:
// https, and http on localhost or 127.0.0.1) and sha256.js elsewhere.
import { hmacSha256 as jsHmac, sha256 as jsSha256 } from "./sha256.js";

const encoder = new TextEncoder();
const bytes = (v) => (typeof v === "string" ? encoder.encode(v) : v);

export function toHex(buf) {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

// The hashing primitives, async either way. `useSubtle` false forces the
// pure-JavaScript ones (tests compare both).
export function hashing(useSubtle = !!globalThis.crypto?.subtle) {
  if (!useSubtle) {
    return {
      sha256: async (data) => jsSha256(bytes(data)),
      hmac: async (key, data) => jsHmac(bytes(key), bytes(data)),
    };
  }
  const subtle = globalThis.crypto.subtle;
  return {
    sha256: async (data) => new Uint8Array(await subtle.digest("SHA-256", bytes(data))),
    hmac: async (key, data) => {
      const k = await subtle.importKey("raw", bytes(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      return new Uint8Array(await subtle.sign("HMAC", k, bytes(data)));
    },
  };
}

// RFC 3986 encoding as SigV4 wants it: unreserved characters stay.
export function uriEncode(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

function canonicalQuery(query) {
  if (!query) return "";
  const pairs = query.split("&").filter(Boolean).map((kv) => {
    const eq = kv.indexOf("=");
    const k = decodeURIComponent((eq < 0 ? kv : kv.slice(0, eq)).replace(/\+/g, " "));
    const v = eq < 0 ? "" : decodeURIComponent(kv.slice(eq + 1).replace(/\+/g, " "));
    return [uriEncode(k), uriEncode(v)];
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

// "20150830T123600Z" for a Date.
export function amzDate(date) {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * Signs a request. `request`: { method, path, query, headers: {name: value},
 * body }, headers must include host. `credentials`: { accessKeyId,
 * secretAccessKey, sessionToken? }. Returns the headers to send: the given
 * ones plus X-Amz-Date (unless given), X-Amz-Security-Token and
 * Authorization. Also returns the intermediate strings, for tests.
 */
export async function sign(request, credentials, { region, service, date = new Date(), hash = hashing() }) {
  const headers = { ...request.headers };
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const stamp = lower["x-amz-date"] ?? amzDate(date);
  if (!lower["x-amz-date"]) headers["X-Amz-Date"] = lower["x-amz-date"] = stamp;
  if (credentials.sessionToken) {
    headers["X-Amz-Security-Token"] = lower["x-amz-security-token"] = credentials.sessionToken;
  }
  const day = stamp.slice(0, 8);
  const names = Object.keys(lower).sort();
  const canonicalHeaders = names
    .map((n) => `${n}:${String(lower[n]).trim().replace(/\s+/g, " ")}\n`).join("");
  const signedHeaders = names.join(";");
  const payloadHash = toHex(await hash.sha256(request.body ?? ""));
  const canonicalRequest = [
    request.method, request.path || "/", canonicalQuery(request.query),
    canonicalHeaders, signedHeaders, payloadHash,
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = [
    "AWS4-HMAC-SHA256", stamp, scope, toHex(await hash.sha256(canonicalRequest)),
  ].join("\n");
  let key = await hash.hmac("AWS4" + credentials.secretAccessKey, day);
  for (const part of [region, service, "aws4_request"]) key = await hash.hmac(key, part);
  const signature = toHex(await hash.hmac(key, stringToSign));
  headers.Authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { headers, canonicalRequest, stringToSign, signingKey: toHex(key), signature };
}
