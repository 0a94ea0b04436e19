// The console's SigV4 signer (src/console/assets/sigv4.js) against AWS's
// published examples, with crypto.subtle and with the pure-JavaScript
// SHA-256/HMAC the page falls back to outside secure contexts.
import assert from "node:assert/strict";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { hmacSha256, sha256 } from "../../../../src/console/assets/sha256.js";
import { hashing, sign, toHex, uriEncode } from "../../../../src/console/assets/sigv4.js";

const EXAMPLE_KEY = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

for (const [kind, useSubtle] of [["crypto.subtle", true], ["pure JavaScript", false]]) {
  describe(`SigV4 with ${kind}`, () => {
    const hash = hashing(useSubtle);

    // AWS's worked example of the signing process (IAM ListUsers), with its
    // published canonical request hash, signing key and signature.
    test("signs AWS's IAM ListUsers example to its published signature", async () => {
      const r = await sign({
        method: "GET", path: "/", query: "Action=ListUsers&Version=2010-05-08",
        headers: {
          Host: "iam.amazonaws.com",
          "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
          "X-Amz-Date": "20150830T123600Z",
        },
        body: "",
      }, EXAMPLE_KEY, { region: "us-east-1", service: "iam", hash });
      assert.equal(r.stringToSign.split("\n")[3], "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
      assert.equal(r.signingKey, "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
      assert.equal(r.signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
      assert.equal(r.headers.Authorization,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, " +
        "SignedHeaders=content-type;host;x-amz-date, " +
        "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
    });

    // The SigV4 test suite's get-vanilla and get-vanilla-query-order-key-case.
    test("signs the test suite's get-vanilla cases", async () => {
      const base = { method: "GET", path: "/", headers: { host: "example.amazonaws.com" } };
      const opts = { region: "us-east-1", service: "service", date: new Date(Date.UTC(2015, 7, 30, 12, 36, 0)), hash };
      assert.equal((await sign(base, EXAMPLE_KEY, opts)).signature,
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
      assert.equal((await sign({ ...base, query: "Param2=value2&Param1=value1" }, EXAMPLE_KEY, opts)).signature,
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
    });

    test("adds the session token of temporary credentials", async () => {
      const r = await sign({ method: "POST", path: "/", headers: { host: "h" }, body: "{}" },
        { ...EXAMPLE_KEY, sessionToken: "tok" }, { region: "us-east-1", service: "sqs", hash });
      assert.equal(r.headers["X-Amz-Security-Token"], "tok");
      assert.match(r.headers.Authorization, /SignedHeaders=host;x-amz-date;x-amz-security-token,/);
    });
  });
}

test("the pure-JavaScript SHA-256 and HMAC agree with OpenSSL's", () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 1000, 100000]) {
    const data = randomBytes(n);
    assert.equal(toHex(sha256(data)), createHash("sha256").update(data).digest("hex"), `length ${n}`);
    for (const keyLength of [0, 16, 64, 65, 200]) {
      const key = randomBytes(keyLength);
      assert.equal(toHex(hmacSha256(key, data)), createHmac("sha256", key).update(data).digest("hex"),
        `length ${n}, key ${keyLength}`);
    }
  }
});

test("uriEncode leaves only unreserved characters", () => {
  assert.equal(uriEncode("a b/c~d*e!'()é"), "a%20b%2Fc~d%2Ae%21%27%28%29%C3%A9");
});
