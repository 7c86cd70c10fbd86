// Formatting shared by every view.
export const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

export const usd = (v) => {
  const n = Number(v || 0);
  return "$" + n.toFixed(n !== 0 && Math.abs(n) < 0.01 ? 6 : 2);
};

export const count = (v) => Number(v || 0).toLocaleString("en-US");

export const ms = (v) => (v === null || v === undefined ? "–" : Number(v) >= 1000 ? (Number(v) / 1000).toFixed(2) + " s" : Math.round(Number(v)) + " ms");

export const percent = (part, whole) => (whole ? ((part / whole) * 100).toFixed(part === whole ? 0 : 1) + " %" : "–");

export const clock = (t) => new Date(t).toLocaleTimeString([], { hour12: false });

export const when = (t) => {
  const d = new Date(t);
  return d.toLocaleDateString([], { month: "short", day: "numeric" }) + " " + d.toLocaleTimeString([], { hour12: false });
};

/** The console's ranges: from/to, the bucket width Analytics groups by, and a label. */
export const RANGES = {
  "1h": { ms: 3600e3, bucket: "minute", label: "last hour" },
  "24h": { ms: 24 * 3600e3, bucket: "hour", label: "last 24 h" },
  "7d": { ms: 7 * 24 * 3600e3, bucket: "hour", label: "last 7 days" },
  "30d": { ms: 30 * 24 * 3600e3, bucket: "hour", label: "last 30 days" },
};

export const bucketMs = (bucket) => (bucket === "minute" ? 60e3 : 3600e3);

export function rangeWindow(name) {
  const range = RANGES[name] || RANGES["24h"];
  const step = bucketMs(range.bucket);
  const to = new Date(Math.ceil((Date.now() + 1) / step) * step); // end of the current bucket
  const from = new Date(to.getTime() - range.ms);
  return { ...range, name, from: from.toISOString(), to: to.toISOString(), step };
}

export const todayUtc = () => { const d = new Date(); d.setUTCHours(0, 0, 0, 0); return d.toISOString(); };

export const stateClass = (s) => String(s || "").replace(/[^A-Za-z]/g, "");

/** "60 calls/min · 100,000 tokens/min · 4 in flight", or "none". */
export function describeLimits(limits) {
  if (!limits) return "none";
  const parts = [];
  if (limits.requestsPerMinute != null) parts.push(`${Number(limits.requestsPerMinute).toLocaleString("en-US")} calls/min`);
  if (limits.tokensPerMinute != null) parts.push(`${Number(limits.tokensPerMinute).toLocaleString("en-US")} tokens/min`);
  if (limits.maxConcurrent != null) parts.push(`${Number(limits.maxConcurrent).toLocaleString("en-US")} in flight`);
  return parts.length ? parts.join(" · ") : "none";
}
