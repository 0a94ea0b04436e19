// The Cancel button of a delayed message on the queue page: calls
// Ferry.CancelMessage (docs/admin-api.md) and shows the answer beside it.
// Only delayed messages get one; a message that became visible meanwhile
// answers "not cancelled: AlreadyVisible".
import { call } from "./api.js";
import { errorLine, h, replace } from "./dom.js";

/**
 * The button (and where its answer goes) for peeked message `m` of `queue`
 * (a ListQueueStats entry), or null when `m` is not delayed. `done` runs
 * after a cancel, to refresh the table.
 */
export function cancelButton(session, queue, m, done) {
  if (m.State !== "delayed" || !queue) return null;
  const answer = h("span", { class: "cancel-answer", role: "status" });
  const button = h("button", { type: "button", class: "link cancel", "data-cancel": m.MessageId },
    "Cancel");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const res = await call(session, "ferry", "CancelMessage",
        { QueueUrl: queue.QueueUrl, MessageId: m.MessageId });
      replace(answer, res.Cancelled ? "cancelled" : `not cancelled: ${res.Reason}`);
      if (res.Cancelled && done) setTimeout(done, 1500);
    } catch (err) {
      replace(answer, errorLine(err));
      button.disabled = false;
    }
  });
  return h("div", { class: "cancel" }, button, " ", answer);
}
