// Actions on one message of the queue page's message browser
// (message_browser.js): each row has an actions cell with a button or link
// per registered action that applies to the message. A module adds its
// action when it is imported:
//
//   import { registerRowAction } from "./row_actions.js";
//   registerRowAction({
//     id: "cancel", order: 20,
//     applies: (message, env) => message.State === "delayed",   // optional
//     render: (message, env) => h("button", {...}, "Cancel"),   // a Node
//   });
//
// or, instead of render, `label` and `run(message, env)` for a plain
// button. `env` is { session, queueUrl (the queue the page read: the
// dead-letter queue when it is shown), queue (ListQueueStats' entry of the
// page's queue), refresh() (reloads the page of messages) }. Actions are
// shown in `order` (default 100), then in the order they were registered.
// page_queue.js imports the modules that register actions.
import { h } from "./dom.js";

const actions = [];

/** Adds an action to every message row; a second one with the same id replaces the first. */
export function registerRowAction(action) {
  if (!action?.id || (!action.render && !action.run)) {
    throw new Error("a row action needs an id and render() or run()");
  }
  const at = actions.findIndex((a) => a.id === action.id);
  if (at >= 0) actions[at] = action;
  else actions.push(action);
}

/** The actions cell's contents for one message. */
export function rowActionNodes(message, env) {
  return actions
    .map((a, i) => ({ a, i }))
    .sort((x, y) => (x.a.order ?? 100) - (y.a.order ?? 100) || x.i - y.i)
    .filter(({ a }) => !a.applies || a.applies(message, env))
    .map(({ a }) => {
      const node = a.render ? a.render(message, env)
        : h("button", { type: "button", class: "link", "data-action": a.id, onclick: () => a.run(message, env) }, a.label ?? a.id);
      return node ? h("span", { class: "row-action", "data-action": a.id }, node) : null;
    });
}
