// The control API (and Analytics through it) with the admin key; errors turned into plain words.
const KEY = "ironaspire.adminKey";

export const adminKey = () => sessionStorage.getItem(KEY);
export const setAdminKey = (key) => sessionStorage.setItem(KEY, key);
export const clearAdminKey = () => sessionStorage.removeItem(KEY);

export class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

let onUnauthorized = () => {};
export const whenUnauthorized = (handler) => { onUnauthorized = handler; };

/** Turns a ProblemDetails (or any error body) into one readable sentence. */
export async function describeError(response) {
  let text = `${response.status} ${response.statusText}`.trim();
  try {
    const body = await response.json();
    const problem = body.error && typeof body.error === "object" ? body.error : body;
    const fields = problem.errors ? Object.entries(problem.errors).map(([field, messages]) => `${field}: ${[].concat(messages).join(" ")}`) : [];
    text = fields.length ? fields.join(" ") : (problem.detail || problem.message || problem.title || text);
  } catch { /* not JSON */ }
  return text;
}

// A browser keeps about six connections per origin: Analytics reads (charts, tiles, the call log) take at most two, so
// a slow Analytics never holds up the control API, the output stream or the WebSocket.
const ANALYTICS_SLOTS = 2;
let analyticsBusy = 0;
const analyticsQueue = [];

async function analyticsSlot(run) {
  if (analyticsBusy >= ANALYTICS_SLOTS) await new Promise((resolve) => analyticsQueue.push(resolve));
  analyticsBusy++;
  try { return await run(); }
  finally { analyticsBusy--; analyticsQueue.shift()?.(); }
}

export function api(path, options = {}) {
  return path.startsWith("/v1/analytics/") ? analyticsSlot(() => request(path, options)) : request(path, options);
}

async function request(path, { method = "GET", body, signal } = {}) {
  const headers = { Authorization: "Bearer " + adminKey() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError("The Supervisor cannot be reached (network error).", 0);
  }
  if (response.status === 401) { onUnauthorized("The admin key was refused."); throw new ApiError("unauthorized", 401); }
  if (!response.ok) throw new ApiError(await describeError(response), response.status);
  return response.status === 204 ? null : response.json();
}

/** A query string from an object, leaving out empty values. */
export const query = (params) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? "?" + s : "";
};

/**
 * Follows a server-sent event stream with the admin key in a header (EventSource cannot send one): calls onEvent
 * with each parsed data; resolves when the stream ends or the signal aborts.
 */
export async function follow(path, onEvent, signal) {
  const response = await fetch(path, { headers: { Authorization: "Bearer " + adminKey() }, signal });
  if (!response.ok) throw new ApiError(await describeError(response), response.status);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n");
      if (data) onEvent(JSON.parse(data));
    }
  }
}
