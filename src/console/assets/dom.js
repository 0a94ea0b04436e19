// Building the page's elements. Text goes in through text nodes only, never
// as HTML: a message body, a queue name or a server's error message is
// shown exactly as written and can never become markup or script.

/**
 * h("a", {href: "#/x", class: "btn", onclick: fn}, "text", childNode, [more])
 * Attributes are set with setAttribute; on* functions become listeners;
 * null, undefined and false attributes and children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "value") {
      el.value = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A line that says an error happened, with the server's words. */
export function errorLine(err) {
  return h("p", { class: "error", role: "alert" },
    err.code && err.code !== err.message ? `${err.code}: ${err.message}` : String(err.message ?? err));
}
