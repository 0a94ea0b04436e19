// The web console in headless Chromium (Debian's, driven by playwright-core)
// against real servers: one in open mode with the orders example, one with a
// credentials file of two accounts. Each step takes a screenshot into
// FERRY_CONSOLE_SCREENSHOTS (ctest: <build>/console-screenshots).
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { startServer } from "../../js/lib/harness.mjs";
import { client } from "../lib/api.mjs";

const CHROMIUM = process.env.FERRY_CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = path.resolve(process.env.FERRY_CONSOLE_SCREENSHOTS ?? "console-screenshots");
const XSS = "<img src=x onerror=alert(1)>";
// Each server of this file is started here, whatever FERRY_ENDPOINT says:
// the accounts need a credentials file.
delete process.env.FERRY_ENDPOINT;

mkdirSync(SHOTS, { recursive: true });
let browser;
before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--headless=new"] });
});
after(async () => { await browser?.close(); });

/** A fresh page that records dialogs and page errors; shot(name) screenshots. */
async function openPage(endpoint) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const events = { dialogs: [], errors: [] };
  page.on("dialog", async (d) => { events.dialogs.push(`${d.type()}: ${d.message()}`); await d.dismiss(); });
  page.on("pageerror", (e) => events.errors.push(String(e)));
  // A refused API call (the wrong secret) is logged by the browser as a
  // failed resource: expected, not an error of the page.
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) events.errors.push(m.text());
  });
  // shot(name): the whole page; shot(name, locator, {}): one element;
  // shot(name, page, { clip }): a part of the page.
  const shot = async (name, target = page, options = { fullPage: true }) => {
    const file = path.join(SHOTS, `${name}.png`);
    await target.screenshot({ path: file, ...options });
    console.log(`screenshot: ${file}`);
  };
  const response = await page.goto(`${endpoint}/console/`);
  return { page, context, events, shot, headers: response.headers() };
}

async function signIn(page, key, { expectOpen = false } = {}) {
  await page.waitForSelector("#signin");
  if (expectOpen) await page.waitForSelector("#mode-note .badge.open");
  if (key) {
    await page.fill("#access-key-id", key.accessKeyId);
    await page.fill("#secret-access-key", key.secretAccessKey);
  }
  await page.click("#signin");
}

const cell = (page, queue, cls) => page.locator(`#queues tr[data-queue="${queue}"] td.${cls}`);

describe("the console in open mode, with the orders example", () => {
  let server, api, ui, urls = {}, dlqArn;

  before(async () => {
    server = await startServer();
    api = client(server.endpoint);
    for (const name of ["orders-dlq", "inventory"]) {
      urls[name] = (await api("sqs", "CreateQueue", { QueueName: name })).QueueUrl;
    }
    dlqArn = (await api("sqs", "GetQueueAttributes", { QueueUrl: urls["orders-dlq"], AttributeNames: ["QueueArn"] })).Attributes.QueueArn;
    urls.orders = (await api("sqs", "CreateQueue", { QueueName: "orders", Attributes: {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) } })).QueueUrl;
    // Three orders that failed once: received, then dead-lettered by the next receive.
    for (let i = 1; i <= 3; i++) {
      await api("sqs", "SendMessage", { QueueUrl: urls.orders, MessageBody: JSON.stringify({ order: 1000 + i, sku: "broken" }) });
    }
    await api("sqs", "ReceiveMessage", { QueueUrl: urls.orders, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
    await api("sqs", "ReceiveMessage", { QueueUrl: urls.orders, MaxNumberOfMessages: 10 });
    for (let i = 1; i <= 12; i++) {
      await api("sqs", "SendMessage", { QueueUrl: urls.orders, MessageBody: JSON.stringify({ order: 2000 + i, sku: `SKU-${i % 4}`, qty: i % 3 + 1 }),
        MessageAttributes: { kind: { DataType: "String", StringValue: "order" } } });
    }
    await api("sqs", "SendMessage", { QueueUrl: urls.orders, MessageBody: XSS,
      MessageAttributes: { note: { DataType: "String", StringValue: "<b>not bold</b>" } } });
    await api("sqs", "ReceiveMessage", { QueueUrl: urls.orders, MaxNumberOfMessages: 2, VisibilityTimeout: 300 });
    for (let i = 1; i <= 5; i++) {
      await api("sqs", "SendMessage", { QueueUrl: urls.inventory, MessageBody: JSON.stringify({ sku: `SKU-${i}`, delta: -i }) });
    }
    ui = await openPage(server.endpoint);
  });

  after(async () => {
    await ui?.context.close();
    await server?.stop();
  });

  test("signs in with the open mode placeholder and lists the queues", async () => {
    const { page, shot, headers } = ui;
    assert.match(headers["content-security-policy"], /^default-src 'self'; script-src 'self';/);
    assert.equal(headers["x-content-type-options"], "nosniff");
    await signIn(page, null, { expectOpen: true });
    await page.waitForSelector('#queues tr[data-queue="orders-dlq"]');
    await page.waitForFunction(() => document.querySelector('#queues tr[data-queue="orders-dlq"] td.visible')?.textContent === "3");
    assert.equal(await cell(page, "inventory", "visible").textContent(), "5");
    assert.match(await page.locator("#who").textContent(), /open mode/);
    await shot("01-queues");
  });

  test("the queue list's depth follows a send", async () => {
    const { page, shot } = ui;
    await api("sqs", "SendMessage", { QueueUrl: urls.inventory, MessageBody: "one more" });
    await page.waitForFunction(() => document.querySelector('#queues tr[data-queue="inventory"] td.visible')?.textContent === "6",
      null, { timeout: 10000 });
    await shot("02-queues-after-send");
  });

  test("the queue page shows the figures, the chart and peeked messages as text", async () => {
    const { page, events, shot } = ui;
    await page.click('#queues a[href="#/queues/orders"]');
    await page.waitForSelector("#charts svg.chart");
    assert.equal(await page.locator("#charts figure").count(), 2);
    await page.waitForSelector("#messages tr.message");
    // The hostile body is shown as its characters, and no element came of it.
    const body = page.locator("#messages pre.body", { hasText: XSS });
    await body.waitFor();
    assert.equal(await body.textContent(), XSS);
    assert.equal(await page.locator("#messages img").count(), 0);
    assert.equal(await page.locator("#messages b").count(), 0);
    await page.waitForTimeout(500);
    assert.deepEqual(events.dialogs, []);
    assert.equal(await page.locator("#messages span.state.inflight").count() > 0, true);
    // The server samples every 10 s and the page asks every 10 s: within
    // ~30 s the depth chart has a line of two samples.
    await page.waitForSelector("#charts polyline.series.s-visible", { state: "attached", timeout: 45000 });
    await shot("03-queue-orders", page, { clip: { x: 0, y: 0, width: 1280, height: 1040 } });
    await shot("03b-peek-escaped", page.locator("#messages tr.message", { hasText: XSS }), {});
  });

  test("the message browser filters, pages, opens a message and reads the dead-letter queue", async () => {
    const { page, events, shot } = ui;
    const dlqUrl = (await api("sqs", "CreateQueue", { QueueName: "browse-demo-dlq" })).QueueUrl;
    const dlqArn2 = (await api("sqs", "GetQueueAttributes", { QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] })).Attributes.QueueArn;
    const url = (await api("sqs", "CreateQueue", { QueueName: "browse-demo", Attributes: {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn2, maxReceiveCount: 5 }) } })).QueueUrl;
    for (let start = 1; start <= 60; start += 10) {
      await api("sqs", "SendMessageBatch", { QueueUrl: url, Entries: Array.from({ length: 10 }, (_, k) => {
        const i = start + k;
        return { Id: `m${i}`, MessageBody: JSON.stringify({ order: i, lines: ["a", "b"] }, null, 2),
          MessageAttributes: { n: { DataType: "Number", StringValue: String(i) },
            parity: { DataType: "String", StringValue: i % 2 ? "odd" : "even" } } };
      }) });
    }
    for (const body of ["dead 1", "dead 2"]) await api("sqs", "SendMessage", { QueueUrl: dlqUrl, MessageBody: body });
    await api("sqs", "ReceiveMessage", { QueueUrl: url, MaxNumberOfMessages: 3, VisibilityTimeout: 600 });

    await page.goto(`${server.endpoint}/console/#/queues/browse-demo`);
    const rows = page.locator("#messages tr.message");
    await page.waitForFunction(() => document.querySelectorAll("#messages tr.message").length === 25);
    assert.equal(await page.locator("#page-next").isVisible(), true);
    assert.equal(await page.locator("#tab-dlq").count(), 1, "a queue with a RedrivePolicy has a DLQ tab");
    await page.click("#page-next");
    await page.waitForFunction(() => document.querySelector("#messages tr.message")?.dataset.sequence === "26");
    assert.match(await page.locator("#page-info").textContent(), /after sequence 25/);
    await shot("13-browse-page-2");

    // An attribute filter: the even ones, 25 on the first page, 5 on the next.
    await page.fill("#filter-name", "parity");
    await page.fill("#filter-value", "even");
    await page.click("#filter-apply");
    await page.waitForFunction(() => document.querySelector("#messages tr.message")?.dataset.sequence === "2");
    assert.equal(await rows.count(), 25);
    for (const body of await page.locator("#messages pre.body").allTextContents()) {
      assert.equal(JSON.parse(body).order % 2, 0);
    }
    await shot("14-browse-filtered");
    await page.click("#page-next");
    await page.waitForFunction(() => document.querySelector("#messages tr.message")?.dataset.sequence === "52");
    assert.equal(await rows.count(), 5);
    assert.equal(await page.locator("#page-next").isVisible(), false);

    // A Number attribute by its value, and only the messages in flight.
    await page.fill("#filter-name", "n");
    await page.fill("#filter-value", "2.0");
    await page.click("#filter-apply");
    await page.waitForFunction(() => document.querySelectorAll("#messages tr.message").length === 1);
    assert.equal(await rows.first().getAttribute("data-sequence"), "2");
    await page.click("#filter-clear");
    await page.waitForFunction(() => document.querySelectorAll("#messages tr.message").length === 25);
    await page.uncheck('input.state-toggle[value="visible"]');
    await page.uncheck('input.state-toggle[value="delayed"]');
    await page.waitForFunction(() => document.querySelectorAll("#messages tr.message").length === 3);
    assert.equal(await page.locator("#messages span.state.inflight").count(), 3);
    await page.check('input.state-toggle[value="visible"]');
    await page.waitForFunction(() => document.querySelectorAll("#messages tr.message").length === 25);

    // The detail view: the whole body, the attributes, the system attributes.
    const row = page.locator('#messages tr.message[data-sequence="4"]');
    await row.locator("button.details").click();
    await page.waitForSelector("#message-detail[open]");
    assert.equal(await page.locator("#detail-body").textContent(), JSON.stringify({ order: 4, lines: ["a", "b"] }, null, 2));
    assert.match(await page.locator('#detail-attributes tr[data-attribute="n"]').textContent(), /Number.*4/);
    assert.equal(await page.locator('#detail-system tr[data-attribute="SequenceNumber"] td').textContent(), "4");
    assert.match(await page.locator('#detail-system tr[data-attribute="ApproximateReceiveCount"] td').textContent(), /^[01]$/);
    await shot("15-browse-detail");
    await page.click("#detail-close");

    // The dead-letter queue's tab reads that queue.
    await page.click("#tab-dlq");
    await page.waitForFunction(() => document.querySelectorAll("#messages tr.message").length === 2);
    assert.deepEqual(await page.locator("#messages pre.body").allTextContents(), ["dead 1", "dead 2"]);
    assert.match(await page.locator("#browse-reading").textContent(), /browse-demo-dlq/);
    await shot("16-browse-dlq");

    // Browsing changed nothing.
    const after = (await api("sqs", "GetQueueAttributes", { QueueUrl: url, AttributeNames: ["All"] })).Attributes;
    assert.equal(after.ApproximateNumberOfMessages, "57");
    assert.equal(after.ApproximateNumberOfMessagesNotVisible, "3");
    assert.deepEqual(events.dialogs, []);
    await page.goto(`${server.endpoint}/console/#/queues/orders`);
    await page.waitForSelector("#messages tr.message");
  });

  test("sends a test message from the queue page", async () => {
    const { page, shot } = ui;
    await page.fill("#send-body", '{"order": 4242, "from": "console"}');
    await page.fill("#send-attributes", "source=console");
    await page.click("#send");
    await page.waitForSelector("#send-result .ok");
    await page.locator("#messages pre.body", { hasText: '"order": 4242' }).waitFor();
    const got = await api("sqs", "GetQueueAttributes", { QueueUrl: urls.orders, AttributeNames: ["ApproximateNumberOfMessages"] });
    assert.equal(got.Attributes.ApproximateNumberOfMessages, "12");
    await shot("04-queue-sent");
  });

  test("cancels a delayed message from the queue page", async () => {
    const { page } = ui;
    const sent = await api("sqs", "SendMessage", { QueueUrl: urls.orders, MessageBody: "re-check 77", DelaySeconds: 600 });
    await page.click("#peek-refresh");
    const row = page.locator(`#messages tr.message[data-message-id="${sent.MessageId}"]`);
    await row.locator("button.cancel").click();
    const answer = row.locator(".cancel-answer");
    await answer.filter({ hasText: "cancelled" }).waitFor();
    assert.equal(await answer.textContent(), "cancelled");
    const got = await api("sqs", "GetQueueAttributes", { QueueUrl: urls.orders, AttributeNames: ["ApproximateNumberOfMessagesDelayed"] });
    assert.equal(got.Attributes.ApproximateNumberOfMessagesDelayed, "0");
  });

  test("a message's journey from the queue page, as text", async () => {
    const { page, events, shot } = ui;
    const url = (await api("sqs", "CreateQueue", { QueueName: "journeys", Attributes: {
      FerryMessageJourney: JSON.stringify({ retentionSeconds: 3600 }) } })).QueueUrl;
    const { MessageId: id } = await api("sqs", "SendMessage", { QueueUrl: url, MessageBody: XSS });
    await api("sqs", "ReceiveMessage", { QueueUrl: url, MaxNumberOfMessages: 1, VisibilityTimeout: 0 });
    await page.goto(`${server.endpoint}/console/#/queues/journeys`);
    await page.locator(`#messages tr[data-message-id="${id}"] a.journey-link`).click();
    await page.waitForSelector("#journey tr.journey-event");
    assert.equal(await page.locator("#journey-message").textContent(), id);
    assert.deepEqual(await page.locator("#journey tr.journey-event").evaluateAll((rows) => rows.map((r) => r.dataset.event)),
      ["Sent", "Received"]);
    assert.deepEqual(events.dialogs, []);
    await shot("05a-journey");
  });

  test("purges a queue after confirming", async () => {
    const { page, shot } = ui;
    await page.goto(`${server.endpoint}/console/#/queues/inventory`);
    await page.waitForSelector("#purge");
    await page.click("#purge");
    await page.waitForSelector("#purge-dialog[open]");
    await shot("05-purge-confirm");
    await page.click("#purge-confirm");
    await page.waitForSelector("#purge-result .ok");
    await page.waitForFunction(() => document.querySelector("dd.visible")?.textContent === "0", null, { timeout: 10000 });
    await shot("06-purged");
  });

  test("redrives the dead-letter queue with a progress bar reaching 100%", async () => {
    const { page, shot } = ui;
    await page.goto(`${server.endpoint}/console/#/queues/orders-dlq`);
    await page.waitForSelector("#redrive-start");
    await page.click("#redrive-start");
    await page.waitForFunction(() => document.querySelector("#redrive-bar")?.value === 100, null, { timeout: 20000 });
    assert.match(await page.locator("#redrive-text").textContent(), /completed: 3 of 3 moved \(100%\)/);
    const dlq = await api("sqs", "GetQueueAttributes", { QueueUrl: urls["orders-dlq"], AttributeNames: ["ApproximateNumberOfMessages"] });
    assert.equal(dlq.Attributes.ApproximateNumberOfMessages, "0");
    await shot("07-redrive-done");
  });

  test("the topics page shows a subscription with its filter policy", async () => {
    const { page, shot } = ui;
    const { TopicArn } = await api("sns", "CreateTopic", { Name: "order-events" });
    const inventoryArn = (await api("sqs", "GetQueueAttributes", { QueueUrl: urls.inventory, AttributeNames: ["QueueArn"] })).Attributes.QueueArn;
    await api("sns", "Subscribe", { TopicArn, Protocol: "sqs", Endpoint: inventoryArn, Attributes: {
      FilterPolicy: JSON.stringify({ kind: ["order"], qty: [{ numeric: [">", 0] }] }),
      RawMessageDelivery: "true",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn }) } });
    // An http subscription whose endpoint refuses connections: its
    // confirmation fails, and the page shows the worker's counts.
    const refusing = "http://127.0.0.1:9/order-hook";
    await api("sns", "Subscribe", { TopicArn, Protocol: "http", Endpoint: refusing });
    for (let i = 0; ; i++) {
      const { Subscriptions } = await api("ferry", "ListSubscriptionStats", { TopicArn });
      if (Subscriptions.some((d) => d.Endpoint === refusing && d.Failures > 0)) break;
      assert.ok(i < 100, "the refused confirmation is counted as a failed attempt");
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.click('#nav a[href="#/topics"]');
    const row = page.locator('section[data-topic="order-events"] tr.subscription', { hasText: inventoryArn.split(":").pop() });
    await row.waitFor();
    const hook = page.locator('section[data-topic="order-events"] tr.subscription', { hasText: refusing });
    assert.match(await hook.locator("td.failures").textContent(), /^[1-9]\d* failed of [1-9]\d* attempts · \d+ retried · 0 dead-lettered · 1 waiting/);
    assert.match(await hook.textContent(), /pending/);
    const policy = await row.locator("pre.policy").textContent();
    assert.deepEqual(JSON.parse(policy), { kind: ["order"], qty: [{ numeric: [">", 0] }] });
    assert.match(policy, /\n {2}"kind"/);  // pretty-printed
    assert.match(await row.textContent(), /confirmed/);
    assert.match(await row.locator("td.failures").textContent(), /0 in orders-dlq/);
    await shot("08-topics");
  });

  test("signing out forgets the credentials", async () => {
    const { page, events, shot } = ui;
    await page.click("#signout");
    await page.waitForSelector("#signin");
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    await shot("09-signed-out");
    assert.deepEqual(events.dialogs, []);
    assert.deepEqual(events.errors, []);
  });
});

describe("the console with a credentials file", () => {
  const ALICE = { accessKeyId: "AKIAALICE00000000001", secretAccessKey: "alice-secret-1" };
  const BOB = { accessKeyId: "AKIABOB0000000000002", secretAccessKey: "bob-secret-2" };
  let server, ui, dir;

  before(async () => {
    dir = path.join(tmpdir(), `ferry-console-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "credentials.toml");
    writeFileSync(file, [
      "[[credentials]]", `access_key_id = "${ALICE.accessKeyId}"`, `secret_access_key = "${ALICE.secretAccessKey}"`,
      'account_id = "111111111111"', 'name = "alice"', "",
      "[[credentials]]", `access_key_id = "${BOB.accessKeyId}"`, `secret_access_key = "${BOB.secretAccessKey}"`,
      'account_id = "222222222222"', 'name = "root"', ""].join("\n"), { mode: 0o600 });
    server = await startServer(["--credentials", file]);
    await client(server.endpoint, ALICE)("sqs", "CreateQueue", { QueueName: "alice-jobs" });
    await client(server.endpoint, BOB)("sqs", "CreateQueue", { QueueName: "bob-jobs" });
    ui = await openPage(server.endpoint);
  });

  after(async () => {
    await ui?.context.close();
    await server?.stop();
  });

  test("a wrong secret is refused with the server's answer", async () => {
    const { page, shot } = ui;
    await signIn(page, { ...ALICE, secretAccessKey: "not-the-secret" });
    const error = page.locator("#signin-error .error");
    await error.waitFor();
    assert.match(await error.textContent(), /SignatureDoesNotMatch/);
    assert.equal(await page.locator("#mode-note .badge").count(), 0);
    await shot("10-wrong-secret");
  });

  test("the page's pure-JavaScript signer is accepted as crypto.subtle's is", async () => {
    // What a page served over plain http from a non-loopback host signs with.
    const { page } = ui;
    const result = await page.evaluate(async (key) => {
      const { hashing, sign } = await import("./sigv4.js");
      const out = {};
      for (const [kind, useSubtle] of [["subtle", true], ["js", false]]) {
        const body = "{}";
        const { headers } = await sign({ method: "POST", path: "/", body, headers: {
          host: location.host, "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ListQueues" } },
        key, { region: "us-east-1", service: "sqs", hash: hashing(useSubtle) });
        delete headers.host;
        const res = await fetch("/", { method: "POST", headers, body });
        out[kind] = { status: res.status, queues: (await res.json()).QueueUrls };
      }
      return out;
    }, ALICE);
    assert.equal(result.subtle.status, 200);
    assert.deepEqual(result.js, result.subtle);
    assert.match(result.js.queues.join(), /alice-jobs/);
  });

  test("each account sees its own queues", async () => {
    const { page, shot } = ui;
    await signIn(page, ALICE);
    await page.waitForSelector('#queues tr[data-queue="alice-jobs"]');
    assert.equal(await page.locator('#queues tr[data-queue="bob-jobs"]').count(), 0);
    await shot("11-alice");
    await page.click("#signout");
    await signIn(page, BOB);
    await page.waitForSelector('#queues tr[data-queue="bob-jobs"]');
    assert.equal(await page.locator('#queues tr[data-queue="alice-jobs"]').count(), 0);
    await shot("12-bob");
  });
});

test("--no-console serves no console", async () => {
  const server = await startServer(["--no-console"]);
  try {
    const res = await fetch(`${server.endpoint}/console/`);
    assert.notEqual(res.status, 200);
    assert.equal(res.headers.get("content-security-policy"), null);
    // The API is still there.
    assert.ok((await client(server.endpoint)("ferry", "GetServerStatus", {})).Version);
  } finally {
    await server.stop();
  }
});

test("screenshots were written", () => {
  assert.ok(existsSync(path.join(SHOTS, "01-queues.png")));
});
