// #/queues: every queue of the signed-in account with its live figures,
// refreshed every 3 seconds from ListQueueStats.
import { listQueueStats, queueNameOf } from "./api.js";
import { errorLine, h, replace } from "./dom.js";
import { age, count } from "./format.js";

export const REFRESH_MS = 3000;

export function queueLink(name) {
  return h("a", { href: `#/queues/${encodeURIComponent(name)}` }, name);
}

export async function render(ctx) {
  const body = h("tbody");
  const status = h("div", { class: "status" });
  const stamp = h("span", { class: "muted", id: "updated" });
  replace(ctx.main,
    h("div", { class: "title" }, h("h1", {}, "Queues"), stamp),
    status,
    h("table", { class: "grid", id: "queues" },
      h("thead", {}, h("tr", {},
        h("th", {}, "Queue"), h("th", { class: "num" }, "Visible"), h("th", { class: "num" }, "In flight"),
        h("th", { class: "num" }, "Delayed"), h("th", { class: "num" }, "Oldest"), h("th", {}, "Dead-letter queue"))),
      body));

  ctx.every(REFRESH_MS, async () => {
    let queues;
    try {
      queues = await listQueueStats(ctx.session);
    } catch (err) {
      if (ctx.current()) replace(status, errorLine(err));
      return;
    }
    if (!ctx.current()) return;
    replace(status);
    queues.sort((a, b) => a.QueueName.localeCompare(b.QueueName));
    // Queues some other queue dead-letters into.
    const dlqs = new Set(queues.map((q) => q.DeadLetterTargetArn).filter(Boolean));
    replace(body, queues.length === 0
      ? h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No queues in this account."))
      : queues.map((q) => h("tr", { "data-queue": q.QueueName },
        h("td", {}, queueLink(q.QueueName), q.Fifo ? h("span", { class: "tag" }, "FIFO") : null,
          dlqs.has(q.QueueArn) ? h("span", { class: "tag dlq" }, "DLQ") : null),
        h("td", { class: "num visible" }, count(q.Visible)),
        h("td", { class: "num inflight" }, count(q.InFlight)),
        h("td", { class: "num delayed" }, count(q.Delayed)),
        h("td", { class: "num oldest" }, age(q.OldestMessageAgeSeconds)),
        h("td", {}, q.DeadLetterTargetArn
          ? [queueLink(queueNameOf(q.DeadLetterTargetArn)), h("span", { class: "muted" }, ` after ${q.MaxReceiveCount} receives`)]
          : h("span", { class: "muted" }, "–")))));
    stamp.textContent = `updated ${new Date().toLocaleTimeString("en-GB")}`;
  });
}
