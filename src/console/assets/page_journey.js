// A message's journey (#/queues/<name>/journey/<message id>): its events on
// every queue of the account that keeps journeys (Ferry.GetMessageJourney,
// FerryMessageJourney), oldest first, as a timeline table. Everything shown
// goes in as text (dom.js).
import { call, queueNameOf } from "./api.js";
import { errorLine, h, replace } from "./dom.js";
import { count } from "./format.js";
import { registerRowAction } from "./row_actions.js";

// Each message of the queue page's browser links to its journey (on the
// queue the browser read: the dead-letter queue when it is shown).
registerRowAction({
  id: "journey",
  order: 30,
  render: (m, env) => journeyLink(queueNameOf(env.queueUrl), m.MessageId),
});

/** The link to a message's journey page. */
export function journeyLink(queueName, messageId) {
  return h("a", {
    class: "journey-link",
    href: `#/queues/${encodeURIComponent(queueName)}/journey/${encodeURIComponent(messageId)}`,
  }, "Journey");
}

/** Epoch milliseconds → "2026-12-07T12:35:11.042Z"; "–" for none. */
function utc(ms) {
  return ms ? new Date(Number(ms)).toISOString() : "–";
}

export async function render(ctx) {
  const { name, messageId } = ctx.params;
  const body = h("tbody");
  const status = h("div");
  replace(ctx.main,
    h("p", { class: "crumbs" }, h("a", { href: "#/queues" }, "Queues"), " / ",
      h("a", { href: `#/queues/${encodeURIComponent(name)}` }, name), " / "),
    h("div", { class: "title" }, h("h1", {}, "Journey of ", h("code", { id: "journey-message" }, messageId)),
      h("button", { type: "button", id: "journey-refresh", onclick: () => load() }, "Refresh")),
    h("p", { class: "muted" }, "Every queue of this account that keeps journeys (FerryMessageJourney). Times in UTC."),
    status,
    h("table", { class: "grid journey", id: "journey" },
      h("thead", {}, h("tr", {}, h("th", {}, "Time"), h("th", {}, "Queue"), h("th", {}, "Event"),
        h("th", { class: "num" }, "Receives"), h("th", {}, "Visible until"), h("th", {}, "Detail"))),
      body));

  async function load() {
    let answer;
    try {
      answer = await call(ctx.session, "ferry", "GetMessageJourney", { MessageId: messageId });
    } catch (err) {
      if (ctx.current()) replace(status, errorLine(err));
      return;
    }
    if (!ctx.current()) return;
    replace(status);
    const events = answer.Events ?? [];
    replace(body, events.length
      ? events.map((e) => h("tr", { class: "journey-event", "data-event": e.Event },
        h("td", {}, utc(e.Timestamp)),
        h("td", {}, h("a", { href: `#/queues/${encodeURIComponent(e.Queue)}` }, e.Queue)),
        h("td", {}, h("span", { class: "event" }, e.Event)),
        h("td", { class: "num" }, count(e.ReceiveCount)),
        h("td", {}, utc(e.VisibleUntil)),
        h("td", {}, e.Detail ?? "")))
      : h("tr", {}, h("td", { colspan: 6, class: "muted" },
        "Nothing is known of this message: its queue keeps no journey, or it is older than the journey's retention.")));
  }
  await load();
}
