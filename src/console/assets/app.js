// The console's shell: hash routing (#/queues, #/queues/<name>,
// #/queues/<name>/journey/<message id>, #/topics, #/signin), the header with who is signed in, and the page lifecycle. A
// page's render(ctx) draws into ctx.main and registers its refreshes with
// ctx.every; leaving the page stops them.
import { clearSession, loadSession } from "./api.js";
import { h, replace } from "./dom.js";
import * as journeyPage from "./page_journey.js";
import * as queuePage from "./page_queue.js";
import * as queuesPage from "./page_queues.js";
import * as signinPage from "./page_signin.js";
import * as topicsPage from "./page_topics.js";

const main = document.getElementById("main");
const who = document.getElementById("who");
let timers = [];
let generation = 0;

function route() {
  const path = location.hash.replace(/^#/, "") || "/queues";
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "signin") return { page: signinPage, params: {} };
  if (parts[0] === "topics") return { page: topicsPage, params: {} };
  if (parts[0] === "queues" && parts[2] === "journey" && parts[3]) {
    return { page: journeyPage, params: { name: parts[1], messageId: parts[3] } };
  }
  if (parts[0] === "queues" && parts[1]) return { page: queuePage, params: { name: parts[1] } };
  return { page: queuesPage, params: {} };
}

function drawHeader(session) {
  document.getElementById("nav").hidden = !session;
  document.querySelectorAll("#nav a").forEach((a) => {
    a.classList.toggle("active", location.hash.startsWith(a.getAttribute("href")));
  });
  if (!session) {
    replace(who);
    return;
  }
  replace(who,
    session.mode === "open" ? h("span", { class: "badge open", title: "The server checks no signatures (loopback only)" }, "open mode") : null,
    h("span", { class: "identity", title: session.arn ?? "" },
      `${session.accessKeyId}${session.accountId ? " · account " + session.accountId : ""} · ${session.region}`),
    h("button", { type: "button", class: "link", id: "signout", onclick: signOut }, "Sign out"));
}

function signOut() {
  clearSession();
  location.hash = "#/signin";
}

async function render() {
  for (const t of timers) clearInterval(t);
  timers = [];
  const mine = ++generation;
  const session = loadSession();
  let { page, params } = route();
  if (!session && page !== signinPage) {
    location.hash = "#/signin";
    return;
  }
  drawHeader(session);
  replace(main);
  const ctx = {
    main,
    session,
    params,
    // Runs fn now and every ms while this page stays shown.
    every(ms, fn) {
      const run = () => { if (mine === generation) fn(); };
      run();
      timers.push(setInterval(run, ms));
    },
    current: () => mine === generation,
    refreshHeader: () => drawHeader(loadSession()),
  };
  await page.render(ctx);
}

window.addEventListener("hashchange", render);
render();
