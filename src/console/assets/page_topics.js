// #/topics: the account's SNS topics, each with its subscriptions: protocol,
// endpoint, pending or confirmed, raw delivery, the filter policy
// pretty-printed, and delivery failures: for an http(s) subscription the
// delivery worker's counts since the server started (Ferry.ListSubscriptionStats:
// failed attempts, retries, dead letters, deliveries waiting), and for any
// subscription with a RedrivePolicy the messages in its dead-letter queue.
import { call, listQueueStats, queueNameOf } from "./api.js";
import { errorLine, h, replace } from "./dom.js";
import { count, prettyJson } from "./format.js";
import { queueLink } from "./page_queues.js";

const REFRESH_MS = 10000;

async function listAll(session, action, params, field) {
  const out = [];
  let token;
  do {
    const page = await call(session, "sns", action, { ...params, ...(token ? { NextToken: token } : {}) });
    out.push(...(page[field] ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

export async function render(ctx) {
  const list = h("div", { id: "topics" });
  const status = h("div", { class: "status" });
  replace(ctx.main, h("div", { class: "title" }, h("h1", {}, "Topics")), status, list);

  ctx.every(REFRESH_MS, async () => {
    try {
      const [topics, queues, deliveries] = await Promise.all([
        listAll(ctx.session, "ListTopics", {}, "Topics"),
        listQueueStats(ctx.session).catch(() => []),
        call(ctx.session, "ferry", "ListSubscriptionStats").then((r) => r.Subscriptions ?? []).catch(() => []),
      ]);
      const depth = new Map(queues.map((q) => [q.QueueArn, q]));
      // By topic and endpoint: a pending subscription is listed without its ARN.
      const counts = new Map(deliveries.map((d) => [`${d.TopicArn} ${d.Endpoint}`, d]));
      const cards = await Promise.all(topics.map((t) => topicCard(ctx.session, t.TopicArn, depth, counts)));
      if (!ctx.current()) return;
      replace(status);
      replace(list, cards.length ? cards : h("p", { class: "muted" }, "No topics in this account."));
    } catch (err) {
      if (ctx.current()) replace(status, errorLine(err));
    }
  });
}

async function topicCard(session, topicArn, queues, counts) {
  const [{ Attributes: attrs = {} }, subs] = await Promise.all([
    call(session, "sns", "GetTopicAttributes", { TopicArn: topicArn }),
    listAll(session, "ListSubscriptionsByTopic", { TopicArn: topicArn }, "Subscriptions"),
  ]);
  const details = await Promise.all(subs.map(async (s) => {
    if (s.SubscriptionArn === "PendingConfirmation") return { ...s, PendingConfirmation: "true" };
    const { Attributes: a = {} } = await call(session, "sns", "GetSubscriptionAttributes", { SubscriptionArn: s.SubscriptionArn });
    return { ...s, ...a };
  }));
  const name = topicArn.split(":").pop();
  return h("section", { class: "topic", "data-topic": name },
    h("div", { class: "title" }, h("h2", {}, name),
      attrs.FifoTopic === "true" ? h("span", { class: "tag" }, "FIFO") : null,
      h("span", { class: "muted" }, `${count(attrs.SubscriptionsConfirmed)} confirmed, ${count(attrs.SubscriptionsPending)} pending`)),
    h("p", { class: "muted arn" }, topicArn),
    h("table", { class: "grid subscriptions" },
      h("thead", {}, h("tr", {}, h("th", {}, "Protocol"), h("th", {}, "Endpoint"), h("th", {}, "Status"),
        h("th", {}, "Raw"), h("th", {}, "Filter policy"), h("th", {}, "Delivery failures"))),
      h("tbody", {}, details.length ? details.map((s) => subscriptionRow(s, queues, counts.get(`${topicArn} ${s.Endpoint}`)))
        : h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No subscriptions.")))));
}

// An http(s) subscription's delivery counts since the server started.
function deliveryCounts(d) {
  return h("div", { class: "deliveries" },
    h("strong", { class: d.Failures > 0 ? "bad" : "" }, count(d.Failures)),
    ` failed of ${count(d.Attempts)} attempts · ${count(d.Retries)} retried · `,
    `${count(d.DeadLettered)} dead-lettered · ${count(d.Waiting)} waiting`);
}

function subscriptionRow(s, queues, delivered) {
  const pending = s.PendingConfirmation === "true";
  const endpoint = s.Protocol === "sqs" && queues.has(s.Endpoint)
    ? queueLink(queueNameOf(s.Endpoint)) : h("code", {}, s.Endpoint);
  let failures = h("span", { class: "muted" }, "no dead-letter queue");
  if (s.RedrivePolicy) {
    let dlqArn = "";
    try { dlqArn = JSON.parse(s.RedrivePolicy).deadLetterTargetArn ?? ""; } catch { /* shown raw */ }
    const dlq = queues.get(dlqArn);
    failures = dlq
      ? [h("strong", { class: dlq.Visible > 0 ? "bad" : "" }, count(dlq.Visible)), " in ", queueLink(dlq.QueueName)]
      : [h("span", { class: "muted" }, "dead letters to "), h("code", {}, dlqArn || s.RedrivePolicy)];
  }
  if (delivered) failures = [deliveryCounts(delivered), ...(s.RedrivePolicy ? [h("div", {}, failures)] : [])];
  return h("tr", { class: "subscription" },
    h("td", {}, s.Protocol),
    h("td", {}, endpoint),
    h("td", {}, h("span", { class: pending ? "state delayed" : "state visible" }, pending ? "pending" : "confirmed")),
    h("td", {}, s.RawMessageDelivery === "true" ? "yes" : "no"),
    h("td", {}, s.FilterPolicy
      ? [h("pre", { class: "policy" }, prettyJson(s.FilterPolicy)),
        h("div", { class: "muted" }, `on ${s.FilterPolicyScope ?? "MessageAttributes"}`)]
      : h("span", { class: "muted" }, "all messages")),
    h("td", { class: "failures" }, failures));
}
