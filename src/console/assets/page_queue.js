// #/queues/<name>: one queue. Its live figures; a chart of its depth and
// throughput over the last hour (GetQueueHistory); its messages as they are
// (PeekMessages: nothing is received, no visibility changes); sending a test
// message; purging; and for a dead-letter queue, redriving its messages to
// their sources with a progress bar (StartMessageMoveTask,
// ListMessageMoveTasks).
//
// Message bodies and attributes are data from anyone who could send: they
// are shown as text (dom.js), never parsed as HTML.
import { journeyLink } from "./page_journey.js";
import { ApiError, call, listQueueStats } from "./api.js";
import { lineChart } from "./chart.js";
import { errorLine, h, replace } from "./dom.js";
import { age, count, time } from "./format.js";
import { queueLink, REFRESH_MS } from "./page_queues.js";

const HISTORY_MS = 10000;
const HOUR = 3600;
const PEEK_PAGE = 25;

function figure(label, cls) {
  const value = h("dd", { class: cls }, "–");
  return { el: h("div", { class: "figure" }, h("dt", {}, label), value), value };
}

export async function render(ctx) {
  const name = ctx.params.name;
  const state = { queue: null, dlqSources: [], redriving: false };
  const status = h("div", { class: "status" });
  const tags = h("span");
  const figures = {
    visible: figure("Visible", "visible"), inflight: figure("In flight", "inflight"),
    delayed: figure("Delayed", "delayed"), oldest: figure("Oldest message", "oldest"),
    sent: figure("Sent", "sent"), received: figure("Received", "received"),
  };
  const charts = h("div", { class: "charts", id: "charts" });
  const actions = h("div", { class: "actions" });
  const redrive = h("div", { class: "redrive", id: "redrive" });
  const messages = h("tbody");
  const peekStatus = h("div");
  const more = h("button", { type: "button", class: "link", hidden: true }, "Show more");
  const arn = h("p", { class: "muted arn" });

  replace(ctx.main,
    h("p", { class: "crumbs" }, h("a", { href: "#/queues" }, "Queues"), " / "),
    h("div", { class: "title" }, h("h1", { id: "queue-name" }, name), tags),
    arn, status,
    h("dl", { class: "figures" }, Object.values(figures).map((f) => f.el)),
    charts,
    h("section", {}, h("h2", {}, "Actions"), actions, redrive),
    h("section", {},
      h("div", { class: "title" }, h("h2", {}, "Messages"),
        h("button", { type: "button", id: "peek-refresh", onclick: () => peek() }, "Refresh")),
      h("p", { class: "muted" }, "Peeked, not received: visibility and receive counts do not change."),
      peekStatus,
      h("table", { class: "grid messages", id: "messages" },
        h("thead", {}, h("tr", {}, h("th", {}, "Message"), h("th", {}, "State"),
          h("th", { class: "num" }, "Receives"), h("th", {}, "Body"), h("th", {}, "Attributes"))),
        messages),
      more));

  // ---------------------------------------------------------------- figures
  async function refreshFigures() {
    let all;
    try {
      all = await listQueueStats(ctx.session);
    } catch (err) {
      if (ctx.current()) replace(status, errorLine(err));
      return;
    }
    if (!ctx.current()) return;
    const q = all.find((x) => x.QueueName === name);
    if (!q) {
      replace(status, errorLine(new ApiError("QueueDoesNotExist", `No queue named ${name} in this account.`)));
      return;
    }
    replace(status);
    const first = !state.queue;
    state.queue = q;
    state.dlqSources = all.filter((x) => x.DeadLetterTargetArn && x.DeadLetterTargetArn === q.QueueArn);
    arn.textContent = q.QueueArn ?? "";
    replace(tags, q.Fifo ? h("span", { class: "tag" }, "FIFO") : null,
      state.dlqSources.length ? h("span", { class: "tag dlq" }, "DLQ") : null,
      q.DeadLetterTargetArn ? h("span", { class: "muted" }, " dead letters go to ", queueLink(q.DeadLetterTargetArn.split(":").pop())) : null);
    figures.visible.value.textContent = count(q.Visible);
    figures.inflight.value.textContent = count(q.InFlight);
    figures.delayed.value.textContent = count(q.Delayed);
    figures.oldest.value.textContent = age(q.OldestMessageAgeSeconds);
    figures.sent.value.textContent = count(q.Sent);
    figures.received.value.textContent = count(q.Received);
    if (first) {
      drawActions();
      ctx.every(HISTORY_MS, refreshHistory);
      peek();
      resumeRedrive();
    }
  }

  // ------------------------------------------------------------------ chart
  async function refreshHistory() {
    let samples;
    try {
      samples = (await call(ctx.session, "ferry", "GetQueueHistory", { QueueUrl: state.queue.QueueUrl })).Samples ?? [];
    } catch (err) {
      if (ctx.current()) replace(charts, errorLine(err));
      return;
    }
    if (!ctx.current()) return;
    // The last hour; a younger history (a server just started) is drawn
    // over its own span, at least two minutes, rather than as a sliver.
    const to = Date.now() / 1000;
    const from = Math.max(to - HOUR, Math.min(to - 120, samples[0]?.Timestamp ?? to));
    const depth = [
      { label: "visible", cls: "s-visible", points: samples.map((s) => [s.Timestamp, s.Visible ?? 0]) },
      { label: "in flight", cls: "s-inflight", points: samples.map((s) => [s.Timestamp, s.InFlight ?? 0]) },
    ];
    // Throughput: counter differences between samples, per minute.
    const rate = (field) => samples.slice(1).map((s, i) => {
      const prev = samples[i];
      const dt = Math.max(1, s.Timestamp - prev.Timestamp);
      return [s.Timestamp, Math.max(0, ((s[field] ?? 0) - (prev[field] ?? 0)) * 60 / dt)];
    });
    const throughput = [
      { label: "sent", cls: "s-sent", points: rate("Sent") },
      { label: "received", cls: "s-received", points: rate("Received") },
    ];
    replace(charts,
      lineChart({ title: "Depth", series: depth, from, to, unit: "messages" }),
      lineChart({ title: "Throughput", series: throughput, from, to, unit: "messages per minute" }));
  }

  // ------------------------------------------------------------------- peek
  let nextSequence;
  async function peek(append = false) {
    if (!state.queue) return;
    let page;
    try {
      page = await call(ctx.session, "ferry", "PeekMessages", {
        QueueUrl: state.queue.QueueUrl, MaxNumberOfMessages: PEEK_PAGE,
        IncludeInFlight: true, IncludeDelayed: true,
        ...(append && nextSequence ? { StartAfterSequence: nextSequence } : {}),
      });
    } catch (err) {
      if (ctx.current()) replace(peekStatus, errorLine(err));
      return;
    }
    if (!ctx.current()) return;
    replace(peekStatus);
    nextSequence = page.NextSequence;
    more.hidden = !nextSequence;
    const rows = (page.Messages ?? []).map(messageRow);
    if (append) messages.append(...rows);
    else replace(messages, rows.length ? rows : h("tr", {}, h("td", { colspan: 5, class: "muted" }, "No messages.")));
  }
  more.addEventListener("click", () => peek(true));

  function messageRow(m) {
    const attrs = Object.entries(m.MessageAttributes ?? {});
    return h("tr", { class: "message", "data-message-id": m.MessageId },
      h("td", {}, h("code", {}, m.MessageId), " ", journeyLink(name, m.MessageId),
        h("div", { class: "muted" }, time(m.SentTimestamp)),
        m.MessageGroupId ? h("div", { class: "muted" }, `group ${m.MessageGroupId}`) : null),
      h("td", {}, h("span", { class: `state ${m.State}` }, m.State)),
      h("td", { class: "num" }, count(m.ApproximateReceiveCount)),
      h("td", {}, h("pre", { class: "body" }, m.Body ?? "")),
      h("td", {}, attrs.length
        ? h("ul", { class: "attrs" }, attrs.map(([k, v]) => h("li", {}, h("code", {}, k), ` (${v.DataType}) `,
          v.StringValue ?? (v.BinaryValue !== undefined ? `[${String(v.BinaryValue).length} base64 chars]` : ""))))
        : h("span", { class: "muted" }, "–")));
  }

  // ---------------------------------------------------------------- actions
  function drawActions() {
    const q = state.queue;
    const body = h("textarea", { id: "send-body", rows: 3, required: true, placeholder: "Message body" });
    const attributes = h("textarea", { id: "send-attributes", rows: 2, placeholder: "name=value, one a line (String attributes)" });
    const group = q.Fifo ? h("input", { id: "send-group", required: true, value: "console" }) : null;
    const sendResult = h("div", { id: "send-result" });
    const sendForm = h("form", { class: "send", id: "send-form", onsubmit: (e) => { e.preventDefault(); send(); } },
      h("h3", {}, "Send a test message"),
      h("label", {}, h("span", {}, "Body"), body),
      h("label", {}, h("span", {}, "Attributes"), attributes),
      group ? h("label", {}, h("span", {}, "Message group ID"), group) : null,
      h("button", { type: "submit", class: "primary", id: "send" }, "Send"), sendResult);

    async function send() {
      const MessageAttributes = {};
      for (const line of attributes.value.split("\n")) {
        const eq = line.indexOf("=");
        if (eq <= 0) continue;
        MessageAttributes[line.slice(0, eq).trim()] = { DataType: "String", StringValue: line.slice(eq + 1).trim() };
      }
      const params = { QueueUrl: q.QueueUrl, MessageBody: body.value };
      if (Object.keys(MessageAttributes).length) params.MessageAttributes = MessageAttributes;
      if (group) {
        params.MessageGroupId = group.value;
        params.MessageDeduplicationId = crypto.randomUUID?.() ?? String(Date.now()) + Math.random();
      }
      try {
        const res = await call(ctx.session, "sqs", "SendMessage", params);
        replace(sendResult, h("p", { class: "ok" }, "Sent message ", h("code", {}, res.MessageId)));
        body.value = "";
        refreshFigures();
        peek();
      } catch (err) {
        replace(sendResult, errorLine(err));
      }
    }

    const purgeResult = h("div", { id: "purge-result" });
    const dialog = h("dialog", { id: "purge-dialog" },
      h("form", { method: "dialog" },
        h("p", {}, "Delete every message of ", h("strong", {}, q.QueueName), "? This cannot be undone."),
        h("div", { class: "buttons" },
          h("button", { value: "cancel", id: "purge-cancel" }, "Cancel"),
          h("button", { value: "purge", class: "danger", id: "purge-confirm" }, "Purge"))));
    dialog.addEventListener("close", async () => {
      if (dialog.returnValue !== "purge") return;
      try {
        await call(ctx.session, "sqs", "PurgeQueue", { QueueUrl: q.QueueUrl });
        replace(purgeResult, h("p", { class: "ok" }, "Purged."));
        refreshFigures();
        peek();
      } catch (err) {
        replace(purgeResult, errorLine(err));
      }
    });
    const purge = h("div", { class: "purge" }, h("h3", {}, "Purge"),
      h("p", { class: "muted" }, "Deletes every message, visible or not."),
      h("button", { type: "button", class: "danger", id: "purge", onclick: () => dialog.showModal() }, "Purge queue…"),
      purgeResult, dialog);
    replace(actions, sendForm, purge);
    drawRedrive();
  }

  // ---------------------------------------------------------------- redrive
  function drawRedrive() {
    if (!state.dlqSources.length) {
      replace(redrive);
      return;
    }
    replace(redrive, h("h3", {}, "Redrive"),
      h("p", { class: "muted" }, "This is the dead-letter queue of ",
        state.dlqSources.map((s, i) => [i ? ", " : "", queueLink(s.QueueName)]),
        ". Redrive moves its messages back to the queues they came from."),
      h("button", { type: "button", class: "primary", id: "redrive-start", onclick: startRedrive }, "Redrive messages"),
      h("div", { id: "redrive-progress" }));
  }

  async function startRedrive() {
    const progress = redrive.querySelector("#redrive-progress");
    try {
      await call(ctx.session, "sqs", "StartMessageMoveTask", { SourceArn: state.queue.QueueArn });
    } catch (err) {
      replace(progress, errorLine(err));
      return;
    }
    pollRedrive();
  }

  async function resumeRedrive() {
    if (!state.dlqSources.length) return;
    const task = await latestTask().catch(() => null);
    if (task && task.Status === "RUNNING") pollRedrive();
  }

  async function latestTask() {
    const res = await call(ctx.session, "sqs", "ListMessageMoveTasks", { SourceArn: state.queue.QueueArn, MaxResults: 1 });
    return (res.Results ?? [])[0];
  }

  function pollRedrive() {
    if (state.redriving) return;
    state.redriving = true;
    const button = redrive.querySelector("#redrive-start");
    if (button) button.disabled = true;
    const tick = async () => {
      if (!ctx.current()) return;
      const progress = redrive.querySelector("#redrive-progress");
      let task;
      try {
        task = await latestTask();
      } catch (err) {
        replace(progress, errorLine(err));
        state.redriving = false;
        return;
      }
      if (!task) return setTimeout(tick, 500);
      const moved = Number(task.ApproximateNumberOfMessagesMoved ?? 0);
      const total = Number(task.ApproximateNumberOfMessagesToMove ?? moved);
      const done = task.Status !== "RUNNING";
      const pct = task.Status === "COMPLETED" ? 100 : total > 0 ? Math.min(100, Math.floor((moved / total) * 100)) : 0;
      replace(progress,
        h("progress", { id: "redrive-bar", max: 100, value: pct }, `${pct}%`),
        h("span", { class: "progress-text", id: "redrive-text" },
          `${task.Status.toLowerCase()}: ${count(moved)} of ${count(total)} moved (${pct}%)`),
        task.FailureReason ? h("p", { class: "error" }, task.FailureReason) : null);
      if (done) {
        state.redriving = false;
        if (button) button.disabled = false;
        refreshFigures();
        peek();
        return;
      }
      setTimeout(tick, 500);
    };
    tick();
  }

  ctx.every(REFRESH_MS, refreshFigures);
}
