// IronAspire operator console: sign-in, views (#/overview, #/agents/{id}, #/calls, #/alerts), the live WebSocket.
// No build step: ES modules served as they are; charts by the vendored uPlot.
import { api, adminKey, setAdminKey, clearAdminKey, whenUnauthorized } from "./api.js";
import { createAgent } from "./actions.js";
import { openAgent, closeAgent, shownAgent, renderAgent, historyEvent, reloadAgentAnalytics } from "./agent.js";
import { loadAlerts, upsertAlert, renderAlerts } from "./alerts.js";
import { loadCalls, fillAgentFilter } from "./calls.js";
import { loadOverview, renderAgents, renderModels, renderCircuits, renderPii, renderTiles, addFeedCall, liveCall, livePii } from "./overview.js";
import { store, subscribe } from "./store.js";

const $ = (s) => document.querySelector(s);
let socket = null;
let retryMs = 500;
let resync = null;
const refreshTimers = new Map();

// ---- sign-in ----
$("#login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  setAdminKey($("#admin-key").value.trim());
  $("#login-error").textContent = "";
  await open();
});
$("#logout").addEventListener("click", () => signOut(""));
whenUnauthorized((message) => signOut(message));

function signOut(message) {
  clearAdminKey();
  if (socket) { socket.onclose = null; socket.close(); socket = null; }
  clearInterval(resync);
  closeAgent();
  $("#main").hidden = true; $("#login").hidden = false;
  for (const el of ["#logout", "#nav", "#range-box"]) $(el).hidden = true;
  $("#login-error").textContent = message;
  setLive(false);
}

async function loadAgents() {
  const list = await api("/v1/agents");
  store.agents.clear();
  list.forEach((a) => store.agents.set(a.id, a));
}

async function open() {
  try {
    await loadAgents();
    const activity = await api("/v1/activity");
    store.models.clear();
    activity.models.forEach((m) => store.models.set(m.model, { requests: m.requests, costUsd: m.costUsd }));
    activity.circuits.forEach((c) => store.circuits.set(c.provider, c));
    await loadAlerts();
  } catch (err) {
    if (err.status !== 401) $("#login-error").textContent = err.message;
    return;
  }
  $("#login").hidden = true; $("#main").hidden = false;
  for (const el of ["#logout", "#nav", "#range-box"]) $(el).hidden = false;
  $("#range").value = store.range;
  $("#stack-by").value = store.stackBy;
  renderAgents(); renderModels(); renderCircuits(); renderAlerts();
  connect();
  route();
  clearInterval(resync);
  // Live points are added as they come; Analytics is read again now and then to stay exact.
  resync = setInterval(() => { if (view() === "overview") loadOverview(); }, 30000);
}

// ---- views ----
const view = () => (location.hash.match(/^#\/(\w+)/)?.[1]) || "overview";

function route() {
  if (!adminKey() || $("#main").hidden) return;
  const name = view();
  const views = { overview: "#view-overview", agents: "#view-agent", calls: "#view-calls", alerts: "#view-alerts" };
  for (const [key, selector] of Object.entries(views)) $(selector).hidden = key !== (views[name] ? name : "overview");
  document.querySelectorAll("#nav a").forEach((a) => a.classList.toggle("active", a.dataset.view === name || (name === "agents" && a.dataset.view === "overview")));
  if (name === "agents") {
    const id = decodeURIComponent(location.hash.split("/")[2] || "");
    if (id !== shownAgent()) openAgent(id);
  } else {
    closeAgent();
  }
  if (name === "overview" || !views[name]) loadOverview();
  if (name === "calls") { fillAgentFilter(); loadCalls(0); }
}
window.addEventListener("hashchange", route);

$("#range").addEventListener("change", () => {
  store.range = $("#range").value;
  sessionStorage.setItem("ironaspire.range", store.range);
  if (view() === "agents") reloadAgentAnalytics(); else loadOverview();
});
$("#stack-by").addEventListener("change", () => {
  store.stackBy = $("#stack-by").value;
  sessionStorage.setItem("ironaspire.stackBy", store.stackBy);
  loadOverview();
});
$("#new-agent").addEventListener("click", async () => {
  const created = await createAgent();
  if (created) location.hash = `#/agents/${encodeURIComponent(created.id)}`;
});

// An operation done here: the agent is read again (its state, budget and counters come from the API).
subscribe((type, id) => { if (type === "agent.changed") refresh(id, 0); });

// ---- live feed ----
function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${scheme}//${location.host}/v1/events?access_token=${encodeURIComponent(adminKey())}`);
  socket.onopen = () => { retryMs = 500; setLive(true); };
  socket.onmessage = (msg) => handle(JSON.parse(msg.data));
  socket.onclose = () => {
    setLive(false);
    if (!adminKey()) return;
    setTimeout(async () => {
      // What happened while disconnected: read everything again, then follow live.
      try { await loadAgents(); await loadAlerts(); renderAgents(); fillAgentFilter(); } catch { /* still down */ }
      if (adminKey()) { connect(); route(); }
    }, retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  };
}

function setLive(on) {
  $("#live-dot").classList.toggle("on", on);
  $("#live-text").textContent = on ? "live" : "offline";
}

function handle({ type, data }) {
  switch (type) {
    case "agent.state":
      refresh(data.agentId, 0);
      if (data.agentId === shownAgent()) historyEvent(type, data);
      break;
    case "agent.deleted":
      store.agents.delete(data.agentId); renderAgents(); fillAgentFilter();
      if (data.agentId === shownAgent()) location.hash = "#/overview";
      break;
    case "call.completed":
    case "call.failed": {
      addFeedCall(type, data);
      liveCall(data, type === "call.failed");
      if (type === "call.completed") {
        const m = store.models.get(data.model) || { requests: 0, costUsd: 0 };
        m.requests += 1; m.costUsd += Number(data.costUsd); store.models.set(data.model, m); renderModels();
      }
      refresh(data.agentId, 150);
      if (data.agentId === shownAgent()) reloadAgentAnalytics();
      break;
    }
    case "pii.detected":
      livePii(data); refresh(data.agentId, 150);
      if (data.agentId === shownAgent()) reloadAgentAnalytics();
      break;
    case "budget.threshold": case "budget.exhausted":
      if (data.scope === "Agent") refresh(data.budgetId, 0);
      if (data.budgetId === shownAgent()) historyEvent(type, data);
      break;
    case "circuit.changed": store.circuits.set(data.provider, data); renderCircuits(); break;
    case "alert.raised": case "alert.acknowledged": upsertAlert(data); break;
  }
}

// Spend, reserved and counters come from the API (the Budget service is the source of truth); debounced per agent.
function refresh(id, delay) {
  if (!id) return;
  clearTimeout(refreshTimers.get(id));
  refreshTimers.set(id, setTimeout(async () => {
    refreshTimers.delete(id);
    try { store.agents.set(id, await api(`/v1/agents/${encodeURIComponent(id)}`)); }
    catch (err) { if (err.status === 404) store.agents.delete(id); }
    renderAgents(); renderPii(); renderTiles(); fillAgentFilter();
    if (id === shownAgent()) renderAgent();
  }, delay));
}

if (adminKey()) open();
