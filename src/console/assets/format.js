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

/** A JSON string pretty-printed, or the string itself when it is not JSON. */
export function prettyJson(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return String(text);
  }
}
