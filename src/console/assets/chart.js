// A line chart drawn as inline SVG (no library): the queue page's depth and
// throughput over the last hour. Labels are SVG text nodes, so they are
// text, never markup.
import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 640;
const HEIGHT = 170;
const PAD = { left: 44, right: 10, top: 10, bottom: 22 };

function svg(tag, attrs = {}, text = null) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== null) el.textContent = text;
  return el;
}

// 0, 1, 2, 5, 10, 20, 50 ... the smallest "round" value at or above v.
function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

/**
 * series: [{ label, cls, points: [[tSeconds, value], ...] }]; from/to: the
 * time range in seconds. Returns a <figure> with the chart and its legend.
 */
export function lineChart({ title, series, from, to, unit = "" }) {
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.points.map((p) => p[1]))));
  const x = (t) => PAD.left + ((t - from) / Math.max(1, to - from)) * (WIDTH - PAD.left - PAD.right);
  const y = (v) => HEIGHT - PAD.bottom - (v / max) * (HEIGHT - PAD.top - PAD.bottom);
  const root = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "chart", role: "img", "aria-label": title });
  for (const frac of [0, 0.5, 1]) {
    const v = max * frac;
    root.append(svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v), class: "grid" }));
    root.append(svg("text", { x: PAD.left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" },
      Number.isInteger(v) ? String(v) : v.toFixed(1)));
  }
  const minutes = Math.round((to - from) / 60);
  for (const [t, label] of [[from, `−${minutes} min`], [(from + to) / 2, `−${Math.round(minutes / 2)} min`], [to, "now"]]) {
    root.append(svg("text", { x: x(t), y: HEIGHT - 6, class: "axis",
      "text-anchor": t === from ? "start" : t === to ? "end" : "middle" }, label));
  }
  for (const s of series) {
    const pts = s.points.filter((p) => p[0] >= from && p[0] <= to);
    if (pts.length === 0) continue;
    const d = pts.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" ");
    root.append(svg(pts.length === 1 ? "circle" : "polyline",
      pts.length === 1 ? { cx: x(pts[0][0]), cy: y(pts[0][1]), r: 3, class: `series ${s.cls}` }
        : { points: d, class: `series ${s.cls}` }));
  }
  if (!series.some((s) => s.points.some((p) => p[0] >= from && p[0] <= to))) {
    root.append(svg("text", { x: (PAD.left + WIDTH - PAD.right) / 2, y: HEIGHT / 2, class: "axis empty",
      "text-anchor": "middle" }, "no data yet: the server samples every 10 seconds"));
  }
  const legend = h("figcaption", {}, h("strong", {}, title),
    series.map((s) => h("span", { class: `legend ${s.cls}` }, s.label)), unit ? h("span", { class: "unit" }, unit) : null);
  const figure = h("figure", { class: "chart-box" }, legend);
  figure.append(root);
  return figure;
}
