// The queue page's message browser: the queue's messages as they are
// (PeekMessages: nothing is received, no visibility or receive count
// changes), a page at a time. Toggles for the states shown, a filter on a
// message attribute (name = value, starts with, exists, missing) and on the
// body, "Next page" while the server answers a NextSequence, a tab for the
// queue's dead-letter queue when it has one, and a detail view of a message
// (its whole body, its attributes and system attributes).
//
// Every row has an actions cell: "Details" and what other modules register
// (row_actions.js).
//
// Bodies and attributes are data from anyone who could send: they go in as
// text (dom.js), never as HTML.
import { call, queueNameOf } from "./api.js";
import { errorLine, h, replace } from "./dom.js";
import { count, time } from "./format.js";
import { queueLink } from "./page_queues.js";
import { registerRowAction, rowActionNodes } from "./row_actions.js";

const PAGE = 25;
const PREVIEW_CHARS = 600;
const STATES = [["visible", "Visible"], ["inflight", "In flight"], ["delayed", "Delayed"]];
const OPERATORS = [["equals", "="], ["prefix", "starts with"], ["exists", "exists"], ["missing", "is missing"]];

registerRowAction({
  id: "details", order: 0,
  render: (m, env) => h("button", { type: "button", class: "link details", onclick: () => env.showDetails(m) }, "Details"),
});

/**
 * messageBrowser(ctx, queue) → { el, refresh() }: `queue()` is the page's
 * ListQueueStats entry (null until the page has it). refresh() reloads the
 * page being shown.
 */
export function messageBrowser(ctx, queue) {
  const view = { dlq: false, starts: [], start: undefined, next: undefined, answeredUrl: undefined, loads: 0 };
  const stateBoxes = STATES.map(([value, label]) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", class: "state-toggle", value, checked: true, onchange: () => reload() }), label));
  const attrName = h("input", { id: "filter-name", placeholder: "attribute name", autocomplete: "off" });
  const attrOp = h("select", { id: "filter-op", onchange: () => { attrValue.disabled = attrOp.value === "exists" || attrOp.value === "missing"; } },
    OPERATORS.map(([value, label]) => h("option", { value }, label)));
  const attrValue = h("input", { id: "filter-value", placeholder: "value", autocomplete: "off" });
  const bodyContains = h("input", { id: "filter-body", placeholder: "body contains", autocomplete: "off" });
  const filterForm = h("form", { class: "browse-filter", id: "filter-form", onsubmit: (e) => { e.preventDefault(); reload(); } },
    h("div", { class: "states" }, stateBoxes),
    attrName, attrOp, attrValue, bodyContains,
    h("button", { type: "submit", id: "filter-apply" }, "Apply"),
    h("button", { type: "button", id: "filter-clear", class: "link", onclick: clearFilter }, "Clear"));
  const tabs = h("div", { class: "tabs", id: "browse-tabs" });
  const status = h("div", { id: "peek-status" });
  const reading = h("p", { class: "muted", id: "browse-reading" });
  const rows = h("tbody");
  const first = h("button", { type: "button", id: "page-first", hidden: true, onclick: () => load(undefined, []) }, "First page");
  const prev = h("button", { type: "button", id: "page-prev", hidden: true, onclick: () => load(view.starts.at(-1), view.starts.slice(0, -1)) }, "Previous page");
  const next = h("button", { type: "button", id: "page-next", class: "primary", hidden: true, onclick: () => load(view.next, [...view.starts, view.start]) }, "Next page");
  const pageInfo = h("span", { class: "muted", id: "page-info" });
  const detail = h("dialog", { id: "message-detail", class: "detail" });

  const el = h("section", { id: "browser" },
    h("div", { class: "title" }, h("h2", {}, "Messages"), tabs,
      h("button", { type: "button", id: "peek-refresh", onclick: () => refresh() }, "Refresh")),
    h("p", { class: "muted" }, "Peeked, not received: visibility and receive counts do not change."),
    filterForm, status, reading,
    h("table", { class: "grid messages", id: "messages" },
      h("thead", {}, h("tr", {}, h("th", {}, "Message"), h("th", {}, "State"),
        h("th", { class: "num" }, "Receives"), h("th", {}, "Body"), h("th", {}, "Attributes"), h("th", {}, "Actions"))),
      rows),
    h("div", { class: "pager" }, first, prev, next, pageInfo),
    detail);

  function drawTabs() {
    const q = queue();
    if (!q?.DeadLetterTargetArn) {
      view.dlq = false;
      replace(tabs);
      return;
    }
    const tab = (dlq, label, id) => h("button", { type: "button", id, class: `tab${view.dlq === dlq ? " active" : ""}`,
      "aria-pressed": view.dlq === dlq ? "true" : "false", onclick: () => { view.dlq = dlq; drawTabs(); reload(); } }, label);
    replace(tabs, tab(false, "This queue", "tab-queue"),
      tab(true, `Dead-letter queue: ${queueNameOf(q.DeadLetterTargetArn)}`, "tab-dlq"));
  }

  function filterParams() {
    const params = {};
    const states = stateBoxes.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    params.States = states;
    const name = attrName.value.trim();
    if (name) {
      const op = attrOp.value;
      params.MessageAttributeFilter = { [name]: op === "equals" ? attrValue.value
        : op === "prefix" ? { Prefix: attrValue.value } : { Exists: op === "exists" } };
    }
    if (bodyContains.value) params.BodyContains = bodyContains.value;
    if (view.dlq) params.DeadLetterQueue = true;
    return params;
  }

  function clearFilter() {
    attrName.value = "";
    attrValue.value = "";
    bodyContains.value = "";
    attrOp.value = "equals";
    attrValue.disabled = false;
    for (const l of stateBoxes) l.querySelector("input").checked = true;
    reload();
  }

  async function load(start, starts) {
    const q = queue();
    if (!q) return;
    const params = { QueueUrl: q.QueueUrl, MaxNumberOfMessages: PAGE, ...filterParams() };
    if (!params.States.length) {
      replace(status, h("p", { class: "muted" }, "Choose at least one state."));
      replace(rows);
      return;
    }
    if (start) params.StartAfterSequence = start;
    // Only the latest request draws: an earlier answer arriving late is dropped.
    const mine = ++view.loads;
    let page;
    try {
      page = await call(ctx.session, "ferry", "PeekMessages", params);
    } catch (err) {
      if (ctx.current() && mine === view.loads) replace(status, errorLine(err));
      return;
    }
    if (!ctx.current() || mine !== view.loads) return;
    replace(status);
    Object.assign(view, { start, starts, next: page.NextSequence, answeredUrl: page.QueueUrl ?? q.QueueUrl });
    reading.textContent = view.dlq ? `Reading the dead-letter queue ${page.QueueUrl ?? ""}` : "";
    const messages = page.Messages ?? [];
    replace(rows, messages.length ? messages.map(messageRow)
      : h("tr", {}, h("td", { colspan: 6, class: "muted" }, page.NextSequence ? "No matching messages on this page." : "No messages.")));
    next.hidden = !page.NextSequence;
    prev.hidden = starts.length === 0;
    first.hidden = !start;
    pageInfo.textContent = start ? `after sequence ${start}` : "";
  }

  function reload() { return load(undefined, []); }
  function refresh() {
    drawTabs();
    return load(view.start, view.starts);
  }

  function env() {
    return { session: ctx.session, queue: queue(), queueUrl: view.answeredUrl, refresh, showDetails };
  }

  function messageRow(m) {
    const attrs = Object.entries(m.MessageAttributes ?? {});
    const body = m.Body ?? "";
    return h("tr", { class: "message", "data-message-id": m.MessageId, "data-sequence": m.SequenceNumber },
      h("td", {}, h("code", {}, m.MessageId), h("div", { class: "muted" }, time(m.SentTimestamp)),
        m.MessageGroupId ? h("div", { class: "muted" }, `group ${m.MessageGroupId}`) : null,
        m.DeadLetterQueueSourceArn ? h("div", { class: "muted" }, "from ", queueLink(queueNameOf(m.DeadLetterQueueSourceArn))) : null),
      h("td", {}, h("span", { class: `state ${m.State}` }, m.State)),
      h("td", { class: "num" }, count(m.ApproximateReceiveCount)),
      h("td", {}, h("pre", { class: "body" }, body.length > PREVIEW_CHARS ? `${body.slice(0, PREVIEW_CHARS)}…` : body)),
      h("td", {}, attrs.length
        ? h("ul", { class: "attrs" }, attrs.map(([k, v]) => h("li", {}, h("code", {}, k), ` (${v.DataType}) `, attributeText(v))))
        : h("span", { class: "muted" }, "–")),
      h("td", { class: "row-actions" }, rowActionNodes(m, env())));
  }

  function showDetails(m) {
    const when = (ms) => (ms ? time(ms) : "–");
    const system = [
      ["MessageId", m.MessageId], ["SequenceNumber", m.SequenceNumber], ["State", m.State],
      ["SentTimestamp", when(m.SentTimestamp)], ["ApproximateReceiveCount", count(m.ApproximateReceiveCount)],
      ["ApproximateFirstReceiveTimestamp", when(m.ApproximateFirstReceiveTimestamp)],
      ["VisibleAtTimestamp", when(m.VisibleAtTimestamp)], ["SenderId", m.SenderId],
      ["MessageGroupId", m.MessageGroupId], ["MessageDeduplicationId", m.MessageDeduplicationId],
      ["DeadLetterQueueSourceArn", m.DeadLetterQueueSourceArn], ["MD5OfBody", m.MD5OfBody],
      ["MD5OfMessageAttributes", m.MD5OfMessageAttributes],
    ].filter(([, v]) => v !== undefined && v !== null && v !== "");
    const attrs = Object.entries(m.MessageAttributes ?? {});
    replace(detail,
      h("div", { class: "title" }, h("h2", {}, "Message ", h("code", {}, m.MessageId)),
        h("button", { type: "button", id: "detail-close", onclick: () => detail.close() }, "Close")),
      h("h3", {}, `Body (${count(new TextEncoder().encode(m.Body ?? "").length)} bytes)`),
      h("pre", { class: "body full", id: "detail-body" }, m.Body ?? ""),
      h("h3", {}, "Message attributes"),
      attrs.length
        ? h("table", { class: "grid kv", id: "detail-attributes" },
          h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Type"), h("th", {}, "Value"))),
          h("tbody", {}, attrs.map(([k, v]) => h("tr", { "data-attribute": k },
            h("td", {}, h("code", {}, k)), h("td", {}, v.DataType), h("td", {}, h("code", {}, attributeText(v, true)))))))
        : h("p", { class: "muted" }, "None."),
      h("h3", {}, "System attributes"),
      h("table", { class: "grid kv", id: "detail-system" },
        h("tbody", {}, system.map(([k, v]) => h("tr", { "data-attribute": k }, h("th", {}, k), h("td", {}, h("code", {}, String(v))))))));
    if (!detail.open) detail.showModal();
  }

  return { el, refresh };
}

function attributeText(v, full = false) {
  if (v.StringValue !== undefined) return v.StringValue;
  if (v.BinaryValue === undefined) return "";
  return full ? `${v.BinaryValue} (base64)` : `[${String(v.BinaryValue).length} base64 chars]`;
}
