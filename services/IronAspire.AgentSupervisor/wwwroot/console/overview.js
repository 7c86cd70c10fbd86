// Overview: tiles and charts for the selected range (Analytics), agents, live calls, PII, spend per model, circuits.
import { api, query } from "./api.js";
import { actionButtons, runAction } from "./actions.js";
import { StackedBars, Lines, bucketTimes, groupSeries } from "./charts.js";
import { esc, usd, count, ms, percent, clock, rangeWindow, todayUtc, stateClass } from "./format.js";
import { store, agentName, debounce } from "./store.js";

const $ = (s) => document.querySelector(s);
const REFUSALS = ["budget_exceeded", "rate_limit_exceeded"];

let charts = null;
let data = null; // what Analytics returned for the range, with live calls added since
let loading = 0;

function ensureCharts() {
  charts ??= {
    spend: new StackedBars($("#chart-spend"), usd),
    calls: new StackedBars($("#chart-calls"), (v) => count(Math.round(v)), true),
    latency: new Lines($("#chart-latency"), ms),
    failures: new StackedBars($("#chart-failures"), (v) => count(Math.round(v)), true),
  };
  return charts;
}

/** Reads the range's figures from Analytics (through the Supervisor); live calls are added on top until the next read. */
export async function loadOverview() {
  const ticket = ++loading;
  const window = rangeWindow(store.range);
  const range = { from: window.from, to: window.to };
  try {
    const [summary, today, failures, breakdown, series, failureSeries] = await Promise.all([
      api("/v1/analytics/summary" + query(range)),
      api("/v1/analytics/summary" + query({ from: todayUtc() })),
      api("/v1/analytics/failures" + query(range)),
      api("/v1/analytics/timeseries/breakdown" + query({ ...range, bucket: window.bucket, by: store.stackBy })),
      api("/v1/analytics/timeseries" + query({ ...range, bucket: window.bucket })),
      api("/v1/analytics/timeseries/breakdown" + query({ ...range, bucket: window.bucket, by: "errorType" })),
    ]);
    if (ticket !== loading) return;
    data = { window, summary, today, failures, breakdown, series, failureSeries, error: null };
  } catch (err) {
    if (ticket !== loading) return;
    data = { window, error: err.message };
  }
  renderTiles();
  renderCharts();
}

function tile(id, value, sub) {
  const el = $(id);
  el.querySelector(".value").textContent = value;
  if (sub !== undefined) el.querySelector(".sub").textContent = sub;
}

export function renderTiles() {
  const active = [...store.agents.values()].filter((a) => ["Running", "Starting"].includes(a.state)).length;
  tile("#tile-agents", String(active), `of ${store.agents.size} agent${store.agents.size === 1 ? "" : "s"}`);
  if (!data) return;
  document.querySelectorAll(".range-label").forEach((el) => { el.textContent = data.window.label; });
  if (data.error) {
    for (const id of ["#tile-spend-today", "#tile-spend", "#tile-calls", "#tile-success", "#tile-p95", "#tile-pii", "#tile-refusals"]) tile(id, "–");
    tile("#tile-calls", "–", data.error);
    return;
  }
  const s = data.summary;
  tile("#tile-spend-today", usd(data.today.costUsd), "since 00:00 UTC");
  tile("#tile-spend", usd(s.costUsd), data.window.label);
  tile("#tile-calls", count(s.requests), `${count(s.failures)} failed · ${data.window.label}`);
  tile("#tile-success", percent(s.requests - s.failures, s.requests), s.requests ? `${count(s.requests - s.failures)} of ${count(s.requests)}` : "no calls");
  tile("#tile-p95", ms(s.latencyMs?.p95), s.latencyMs?.p50 != null ? `p50 ${ms(s.latencyMs.p50)}` : "no completed calls");
  const pii = Object.values(s.piiDetections || {}).reduce((a, b) => a + b, 0);
  const top = Object.entries(s.piiDetections || {}).sort((a, b) => b[1] - a[1])[0];
  tile("#tile-pii", count(pii), top ? `most: ${top[0]}` : "none");
  const by = Object.fromEntries(data.failures.map((f) => [f.errorType, f.failures]));
  const refusals = REFUSALS.reduce((n, code) => n + (by[code] || 0), 0);
  tile("#tile-refusals", count(refusals), `budget ${count(by.budget_exceeded || 0)} · rate limit ${count(by.rate_limit_exceeded || 0)}`);
  $("#tile-refusals").dataset.budget = by.budget_exceeded || 0;
  $("#tile-calls").dataset.calls = s.requests;
}

export function renderCharts() {
  const c = ensureCharts();
  if (!data) return;
  if (data.error) {
    for (const chart of Object.values(c)) chart.empty(esc(data.error));
    return;
  }
  const times = bucketTimes(data.window);
  const label = store.stackBy === "agent" ? agentName : undefined;
  const spend = groupSeries(times, data.breakdown, "costUsd", label);
  c.spend.update(times, spend);
  c.calls.update(times, groupSeries(times, data.breakdown, "requests", label));
  c.failures.update(times, groupSeries(times, data.failureSeries, "failures"), "No failures in this range.");
  const index = new Map(data.series.map((p) => [new Date(p.start).getTime() / 1000, p]));
  c.latency.update(times, [
    { label: "p50", values: times.map((t) => index.get(t)?.latencyMs?.p50 ?? null), color: "#4ea1ff" },
    { label: "p95", values: times.map((t) => index.get(t)?.latencyMs?.p95 ?? null), color: "#d29922" },
  ], "No completed calls in this range.");
  // Totals drawn, for a glance in the DOM (and the browser tests).
  $("#chart-spend").dataset.total = spend.reduce((s, g) => s + g.values.reduce((a, b) => a + b, 0), 0).toFixed(9);
  $("#chart-spend").dataset.groups = spend.map((g) => g.key).join(",");
}

const redrawCharts = debounce(renderCharts, 500);

/** A call seen on the WebSocket: counted in the tiles and in the current bucket of the charts at once. */
export function liveCall(call, failed) {
  if (!data || data.error) return;
  const cost = Number(call.costUsd) || 0;
  const bucket = Math.floor(new Date(call.timestamp).getTime() / data.window.step) * data.window.step;
  if (bucket < new Date(data.window.from).getTime()) return;
  data.summary.requests += 1;
  data.summary.costUsd = Number(data.summary.costUsd) + cost;
  data.today.costUsd = Number(data.today.costUsd) + cost;
  if (failed) {
    data.summary.failures += 1;
    const code = call.errorType || "";
    const entry = data.failures.find((f) => f.errorType === code);
    if (entry) entry.failures += 1; else data.failures.push({ errorType: code, failures: 1 });
    data.failureSeries.push({ start: new Date(bucket).toISOString(), key: code, requests: 1, failures: 1, tokens: 0, costUsd: cost });
  }
  const key = store.stackBy === "agent" ? call.agentId : call.model;
  data.breakdown.push({ start: new Date(bucket).toISOString(), key, requests: 1, failures: failed ? 1 : 0, tokens: 0, costUsd: cost });
  renderTiles();
  redrawCharts();
}

export function livePii(detection) {
  if (!data || data.error) return;
  for (const [type, n] of Object.entries(detection.countsByType || {})) data.summary.piiDetections[type] = (data.summary.piiDetections[type] || 0) + n;
  renderTiles();
}

// ---- agents table, live feed, side lists ----
export function renderAgents() {
  const body = $("#agents tbody");
  body.innerHTML = "";
  $("#no-agents").hidden = store.agents.size > 0;
  for (const a of store.agents.values()) {
    const tr = document.createElement("tr");
    tr.dataset.agentId = a.id;
    const b = a.budget;
    const limit = b ? Number(b.limit) : 0;
    const spentPct = b && limit > 0 ? Math.min(100, (Number(b.spent) / limit) * 100) : 0;
    const reservedPct = b && limit > 0 ? Math.min(100 - spentPct, (Number(b.reserved) / limit) * 100) : 0;
    const level = spentPct >= 100 ? "full" : spentPct >= 80 ? "high" : "";
    const pii = Object.values(a.piiByType || {}).reduce((s, n) => s + n, 0);
    tr.innerHTML = `
      <td><a class="agent-link" href="#/agents/${encodeURIComponent(a.id)}"><strong>${esc(a.name)}</strong></a>
        <div class="sub">${esc(a.id)}${a.external ? " · external" : a.pid ? " · pid " + a.pid : ""}</div></td>
      <td><span class="state ${stateClass(a.state)}">${esc(a.state)}</span><div class="sub">${esc(a.reason || "")}</div></td>
      <td class="budget">${b ? `
        <div class="bar ${level}" role="meter" aria-label="Budget used" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${spentPct.toFixed(0)}"
             title="spent ${usd(b.spent)}, reserved ${usd(b.reserved)}, limit ${usd(b.limit)}">
          <div class="spent" data-spent="${esc(b.spent)}" style="width:${spentPct}%"></div>
          <div class="reserved" style="left:${spentPct}%;width:${reservedPct}%"></div>
        </div>
        <div class="sub">${usd(b.spent)} · ${usd(b.reserved)} · ${usd(b.limit)} <span class="period">${esc(b.period)}</span></div>` : `<span class="muted">unknown</span>`}</td>
      <td>${count(a.requests)}${a.failures ? ` <span class="sub">(${count(a.failures)} failed${a.rateLimited ? `, ${count(a.rateLimited)} rate-limited` : ""})</span>` : ""}</td>
      <td>${count(a.tokens)}</td>
      <td>${pii}</td>
      <td class="actions">${actionButtons(a, false)}</td>`;
    body.appendChild(tr);
  }
  renderTiles();
  renderPii();
}

$("#agents").addEventListener("click", async (e) => {
  const button = e.target.closest("button[data-action]");
  if (!button) return;
  const agent = store.agents.get(button.closest("tr").dataset.agentId);
  const { result } = await runAction(button, agent);
  if (result && result.id) { store.agents.set(result.id, result); renderAgents(); }
});

export function addFeedCall(type, c) {
  const li = document.createElement("li");
  li.className = "fresh" + (type === "call.failed" ? " failed" : "");
  li.innerHTML = `<span>${esc(clock(c.timestamp))}</span><span>${esc(agentName(c.agentId))}</span><span>${esc(c.model || "")}${type === "call.failed" ? ` <em>${esc(c.errorType)}</em>` : ""}</span>` +
    `<span>${esc(usd(c.costUsd))}</span><span>${Math.round(c.latencyMs)} ms</span>`;
  const feed = $("#feed");
  feed.prepend(li);
  while (feed.children.length > 100) feed.lastChild.remove();
}

function renderBars(list, entries, format) {
  list.innerHTML = "";
  const max = Math.max(0, ...entries.map(([, v]) => v));
  for (const [name, value] of entries) {
    const li = document.createElement("li");
    li.innerHTML = `<span title="${esc(name)}">${esc(name)}</span><div class="track"><div class="fill" style="width:${max ? (value / max) * 100 : 0}%"></div></div><span>${esc(format(value))}</span>`;
    list.appendChild(li);
  }
  if (!entries.length) list.innerHTML = `<li class="muted">none yet</li>`;
}
export { renderBars };

export function renderPii() {
  const totals = {};
  for (const a of store.agents.values()) for (const [t, n] of Object.entries(a.piiByType || {})) totals[t] = (totals[t] || 0) + n;
  renderBars($("#pii"), Object.entries(totals).sort((x, y) => y[1] - x[1]), String);
}

export function renderModels() {
  renderBars($("#models"), [...store.models.entries()].map(([m, v]) => [m, v.costUsd]).sort((x, y) => y[1] - x[1]), usd);
}

export function renderCircuits() {
  const list = $("#circuits");
  list.innerHTML = store.circuits.size ? "" : `<li class="muted">no circuit changes seen</li>`;
  for (const c of store.circuits.values()) {
    const li = document.createElement("li");
    li.className = stateClass(c.state); li.title = c.reason || "";
    li.textContent = `${c.provider}: ${c.state}`;
    list.appendChild(li);
  }
}
