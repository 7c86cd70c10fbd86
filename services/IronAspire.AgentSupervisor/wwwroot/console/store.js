// What every view shares: agents, spend per model, circuits, alerts, the selected range; and a tiny event hub.
export const store = {
  agents: new Map(),    // id -> agent view (GET /v1/agents)
  models: new Map(),    // model -> {requests, costUsd} seen since the Supervisor started
  circuits: new Map(),  // provider -> {provider, state, reason}
  alerts: new Map(),    // id -> alert (GET /v1/alerts?all=true, then alert.* events)
  range: sessionStorage.getItem("ironaspire.range") || "24h",
  stackBy: sessionStorage.getItem("ironaspire.stackBy") || "model",
};

const listeners = new Set();
export const subscribe = (listener) => { listeners.add(listener); return () => listeners.delete(listener); };
export const emit = (type, data) => { for (const listener of listeners) listener(type, data); };

export const agentName = (id) => store.agents.get(id)?.name || id;

/** Calls this many milliseconds after the last request, at most once per interval. */
export function debounce(fn, delay) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), delay); };
}
