// One agent: state, actions, budget and spend against the limit, live output, state history, thresholds, calls, PII.
import { api, follow, query } from "./api.js";
import { actionButtons, runAction } from "./actions.js";
import { Lines, bucketTimes } from "./charts.js";
import { callRow, CALL_HEADER, openCall } from "./calls.js";
import { esc, usd, count, when, rangeWindow, stateClass, describeLimits } from "./format.js";
import { renderBars } from "./overview.js";
import { store, debounce } from "./store.js";

const $ = (s) => document.querySelector(s);
let current = null;     // the agent id shown
let output = null;      // AbortController of the output stream
let chart = null;
let series = null;      // Analytics timeseries of this agent for the range

export const shownAgent = () => current;

export async function openAgent(id) {
  closeAgent();
  current = id;
  history = new Map();
  $("#agent-output").innerHTML = "";
  renderHistory();
  $("#agent-calls thead").innerHTML = CALL_HEADER;
  $("#agent-calls tbody").innerHTML = "";
  try {
    store.agents.set(id, await api(`/v1/agents/${encodeURIComponent(id)}`));
  } catch (err) {
    $("#agent-title").textContent = "Agent not found";
    $("#agent-meta").textContent = err.message;
    $("#agent-actions").innerHTML = "";
    return;
  }
  renderAgent();
  if (store.agents.get(id).external) {
    $("#output-status").textContent = "";
    $("#agent-output").innerHTML = `<li class="muted"><span>An external agent runs elsewhere: only its key and budget are managed here, its output is not.</span></li>`;
  } else {
    followOutput(id);
  }
  await Promise.all([loadHistory(), loadCalls(), loadAnalytics()]);
}

export function closeAgent() {
  output?.abort();
  output = null;
  current = null;
}

export function renderAgent() {
  const a = store.agents.get(current);
  if (!a) return;
  $("#agent-title").innerHTML = `${esc(a.name)} <span class="state ${stateClass(a.state)}">${esc(a.state)}</span>`;
  $("#agent-meta").textContent = [a.id, a.external ? "external" : a.pid ? `pid ${a.pid}` : null, a.reason].filter(Boolean).join(" · ");
  $("#agent-actions").innerHTML = actionButtons(a, true);
  const b = a.budget;
  if (b) {
    const pct = Number(b.limit) > 0 ? Math.min(100, (Number(b.spent) / Number(b.limit)) * 100) : 0;
    const rpct = Number(b.limit) > 0 ? Math.min(100 - pct, (Number(b.reserved) / Number(b.limit)) * 100) : 0;
    $("#agent-budget").innerHTML = `
      <div class="bar big ${pct >= 100 ? "full" : pct >= 80 ? "high" : ""}" role="meter" aria-label="Budget used" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${pct.toFixed(0)}">
        <div class="spent" data-spent="${esc(b.spent)}" style="width:${pct}%"></div><div class="reserved" style="left:${pct}%;width:${rpct}%"></div></div>
      <p class="budget-figures"><strong>${usd(b.spent)}</strong> spent of <strong id="agent-limit">${usd(b.limit)}</strong> (${pct.toFixed(1)} %) ·
        ${usd(b.reserved)} reserved · ${usd(b.remaining)} left · ${esc(b.period)}</p>`;
  } else {
    $("#agent-budget").innerHTML = `<p class="muted">The Budget service did not answer.</p>`;
  }
  const rows = [
    ["Command", a.external ? "external (runs elsewhere)" : [a.command, ...(a.args || [])].join(" ")],
    ["Models", a.models?.length ? a.models.join(", ") : "every model"],
    ["Rate limits", describeLimits(a.limits)],
    ["Restart", `${a.restart}${a.restart === "on-failure" ? `, at most ${a.maxRestarts} (${a.restarts} so far)` : ""}`],
    ["Project", a.projectId || "–"],
    ["Calls", `${count(a.requests)} (${count(a.failures)} failed${a.rateLimited ? `, ${count(a.rateLimited)} rate-limited` : ""}) · ${count(a.tokens)} tokens · ${usd(a.costUsd)} since the Supervisor started`],
    ["Created", when(a.createdAt)],
  ];
  $("#agent-definition").innerHTML = rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("");
  drawSpend();
}

$("#agent-actions").addEventListener("click", async (e) => {
  const button = e.target.closest("button[data-action]");
  const agent = store.agents.get(current);
  if (!button || !agent) return;
  const { action, result } = await runAction(button, agent);
  if (action === "delete" && result) { location.hash = "#/overview"; return; }
  if (result && result.id) store.agents.set(result.id, result);
  if (result) await refreshAgent();
});

async function refreshAgent() {
  if (!current) return;
  try { store.agents.set(current, await api(`/v1/agents/${encodeURIComponent(current)}`)); renderAgent(); } catch { /* deleted meanwhile */ }
}

// ---- live output ----
function followOutput(id) {
  const controller = new AbortController();
  output = controller;
  const list = $("#agent-output");
  const status = $("#output-status");
  const connect = (delay) => setTimeout(async () => {
    if (controller.signal.aborted) return;
    status.textContent = "following";
    try {
      // After a reconnect only new lines: the tail is already shown.
      await follow(`/v1/agents/${encodeURIComponent(id)}/output?tail=${list.children.length ? 0 : 200}`, (line) => addLine(list, line), controller.signal);
    } catch (err) {
      if (controller.signal.aborted) return;
      status.textContent = `reconnecting (${err.message})`;
    }
    if (!controller.signal.aborted) connect(Math.min((delay || 500) * 2, 10000));
  }, delay);
  connect(0);
}

function addLine(list, line) {
  const li = document.createElement("li");
  li.className = line.stream === "stderr" ? "stderr" : "";
  li.innerHTML = `<time>${esc(new Date(line.timestamp).toLocaleTimeString([], { hour12: false }))}</time><span>${esc(line.text)}</span>`;
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
  list.appendChild(li);
  while (list.children.length > 2000) list.firstChild.remove();
  if (atBottom) list.scrollTop = list.scrollHeight;
}

// ---- history, thresholds, calls, PII and spend from Analytics ----
let history = new Map(); // key -> {kind, payload}: stored events (Analytics) merged with live ones not stored yet

const KIND = { AgentStateChanged: "state", "agent.state": "state", BudgetThresholdCrossed: "threshold", "budget.threshold": "threshold",
  BudgetExhausted: "exhausted", "budget.exhausted": "exhausted" };

async function loadHistory() {
  const id = current;
  try {
    const events = await api("/v1/analytics/events" + query({ subject: id, limit: 200 }));
    if (id !== current) return;
    for (const e of events) remember(e.type, e.payload);
  } catch (err) {
    $("#agent-states").innerHTML = `<li class="muted">${esc(err.message)}</li>`;
    return;
  }
  renderHistory();
}

function remember(type, p) {
  const kind = KIND[type];
  if (!kind) return;
  history.set([kind, Date.parse(p.timestamp), p.state ?? "", p.thresholdPercent ?? ""].join("|"), { kind, payload: p });
}

/** A state change or budget event seen live on the WebSocket. */
export function historyEvent(type, payload) {
  remember(type, payload);
  renderHistory();
}

function renderHistory() {
  const entries = [...history.values()].sort((a, b) => Date.parse(b.payload.timestamp) - Date.parse(a.payload.timestamp));
  const states = entries.filter((e) => e.kind === "state").map(({ payload: p }) =>
    `<li><time>${esc(when(p.timestamp))}</time><span class="state ${stateClass(p.state)}">${esc(p.state)}</span>` +
    `<span>${esc([p.reason, p.pid ? `pid ${p.pid}` : null, p.exitCode != null ? `exit ${p.exitCode}` : null].filter(Boolean).join(" · "))}</span></li>`);
  const budget = entries.filter((e) => e.kind !== "state").map(({ kind, payload: p }) =>
    `<li class="${kind === "exhausted" || p.thresholdPercent >= 100 ? "critical" : "warning"}"><time>${esc(when(p.timestamp))}</time>` +
    `<strong>${kind === "exhausted" ? "exhausted" : p.thresholdPercent + " %"}</strong><span>${usd(p.spentUsd)} of ${usd(p.limitUsd)} · ${esc(p.period)}</span></li>`);
  $("#agent-states").innerHTML = states.join("") || `<li class="muted">none yet</li>`;
  $("#agent-thresholds").innerHTML = budget.join("") || `<li class="muted">none yet</li>`;
}

async function loadCalls() {
  const id = current;
  try {
    const page = await api("/v1/analytics/calls" + query({ agentId: id, limit: 25 }));
    if (id !== current) return;
    $("#agent-calls tbody").innerHTML = page.items.length ? page.items.map((c) => callRow(c, false)).join("") : `<tr><td colspan="9" class="muted">No calls yet.</td></tr>`;
  } catch (err) {
    $("#agent-calls tbody").innerHTML = `<tr><td colspan="9" class="error">${esc(err.message)}</td></tr>`;
  }
}
$("#agent-calls").addEventListener("click", (e) => { const row = e.target.closest("[data-event-id]"); if (row) openCall(row.dataset.eventId); });

async function loadAnalytics() {
  const id = current;
  const window = rangeWindow(store.range);
  try {
    const [summary, points] = await Promise.all([
      api("/v1/analytics/summary" + query({ agentId: id, from: window.from, to: window.to })),
      api("/v1/analytics/timeseries" + query({ agentId: id, from: window.from, to: window.to, bucket: window.bucket })),
    ]);
    if (id !== current) return;
    renderBars($("#agent-pii"), Object.entries(summary.piiDetections || {}).sort((x, y) => y[1] - x[1]), String);
    series = { window, points };
  } catch (err) {
    $("#agent-pii").innerHTML = `<li class="error">${esc(err.message)}</li>`;
    series = null;
  }
  drawSpend();
}

/** Cumulative spend over the range, ending at what the Budget service counts now, against the limit. */
function drawSpend() {
  const a = store.agents.get(current);
  if (!series || !a) return;
  chart ??= new Lines($("#chart-agent-spend"), usd);
  const times = bucketTimes(series.window);
  const index = new Map(series.points.map((p) => [new Date(p.start).getTime() / 1000, Number(p.costUsd)]));
  const inRange = series.points.reduce((s, p) => s + Number(p.costUsd), 0);
  const spent = a.budget ? Number(a.budget.spent) : inRange;
  let total = Math.max(0, spent - inRange); // spent before the range (lifetime budgets)
  const now = Date.now() / 1000;
  const cumulative = times.map((t) => { total += index.get(t) || 0; return t <= now ? total : null; });
  const lines = [{ label: "spent", values: cumulative, color: "#3fb950", fill: "rgba(63,185,80,.15)" }];
  if (a.budget) lines.push({ label: "limit", values: times.map(() => Number(a.budget.limit)), color: "#f85149", dash: [6, 4] });
  chart.update(times, lines);
}

export const reloadAgentAnalytics = debounce(() => { if (current) { loadHistory(); loadCalls(); loadAnalytics(); } }, 1500);
