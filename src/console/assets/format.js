// How numbers, ages and times read in the console.

export function count(n) {
  return n === undefined || n === null ? "–" : Number(n).toLocaleString("en-US");
}

/** 41 → "41 s", 3700 → "1 h 1 min". */
export function age(seconds) {
  if (seconds === undefined || seconds === null) return "–";
  const s = Math.max(0, Math.round(Number(seconds)));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** Epoch milliseconds → "2024-12-07 05:40:00" (UTC). */
export function time(ms) {
  if (!ms) return "–";
  return new Date(Number(ms)).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/**
 * A JSON string pretty-printed, an array of plain values kept on one line
 * (a filter policy's ["a", "b"]); the string itself when it is not JSON.
 */
export function prettyJson(text) {
  try {
    return formatJson(JSON.parse(text), "");
  } catch {
    return String(text);
  }
}

function formatJson(value, indent) {
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== "object")) {
      return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
    }
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}
