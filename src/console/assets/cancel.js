// The Cancel button of a delayed message in the queue page's message
// browser (a row action, row_actions.js): calls Ferry.CancelMessage
// (docs/admin-api.md) and shows the answer beside it. Only delayed messages
// get one; a message that became visible meanwhile answers "not cancelled:
// AlreadyVisible".
import { call } from "./api.js";
import { errorLine, h, replace } from "./dom.js";
import { registerRowAction } from "./row_actions.js";

registerRowAction({
  id: "cancel",
  order: 20,
  applies: (m) => m.State === "delayed",
  render: (m, env) => cancelButton(env.session, env.queueUrl, m, env.refresh),
});

/**
 * The button (and where its answer goes) for peeked message `m` of the queue
 * at `queueUrl`. `done` runs after a cancel, to refresh the table.
 */
function cancelButton(session, queueUrl, m, done) {
  const answer = h("span", { class: "cancel-answer", role: "status" });
  const button = h("button", { type: "button", class: "link cancel", "data-cancel": m.MessageId },
    "Cancel");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const res = await call(session, "ferry", "CancelMessage",
        { QueueUrl: queueUrl, MessageId: m.MessageId });
      replace(answer, res.Cancelled ? "cancelled" : `not cancelled: ${res.Reason}`);
      if (res.Cancelled && done) setTimeout(done, 1500);
    } catch (err) {
      replace(answer, errorLine(err));
      button.disabled = false;
    }
  });
  return h("div", { class: "cancel" }, button, " ", answer);
}
