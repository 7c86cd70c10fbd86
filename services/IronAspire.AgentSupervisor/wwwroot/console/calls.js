// The call log: filters, cursor paging and one call's details, all from Analytics (never any content).
import { api, query } from "./api.js";
import { showError } from "./dialogs.js";
import { esc, usd, count, ms, when } from "./format.js";
import { store, agentName } from "./store.js";

const $ = (s) => document.querySelector(s);

export const CALL_HEADER = `<tr><th scope="col">Time</th><th scope="col">Agent</th><th scope="col">Model</th><th scope="col">Provider</th>` +
  `<th scope="col">Status</th><th scope="col">Tokens in / out</th><th scope="col">Cost</th><th scope="col">Latency</th><th scope="col"><span class="visually-hidden">Details</span></th></tr>`;

export function callRow(c) {
  const status = c.failed ? `<span class="status failed">${esc(c.errorType || "failed")}</span>` : `<span class="status ok">${c.statusCode}</span>`;
  return `<tr data-call-id="${esc(c.eventId)}">
    <td>${esc(when(c.timestamp))}</td><td>${esc(agentName(c.agentId))}</td><td>${esc(c.model || "–")}</td><td>${esc(c.provider || "–")}</td>
    <td>${status}</td><td>${count(c.inputTokens)} / ${count(c.outputTokens)}</td><td>${usd(c.costUsd)}</td><td>${ms(c.latencyMs)}</td>
    <td><button class="link" data-event-id="${esc(c.eventId)}" aria-label="Details of the call at ${esc(when(c.timestamp))}">Details</button></td></tr>`;
}

let cursors = [null]; // the cursor of each page shown so far
let next = null;
let latest = 0; // the last load asked for: an older answer arriving after it is dropped, never shown over it

function filters() {
  const f = $("#call-filters").elements;
  const iso = (v) => (v ? new Date(v).toISOString() : "");
  return { agentId: f.agentId.value, model: f.model.value.trim(), provider: f.provider.value.trim(), status: f.status.value,
    errorType: f.errorType.value.trim(), from: iso(f.from.value), to: iso(f.to.value) };
}

export function fillAgentFilter() {
  const select = $("#f-agent");
  const chosen = select.value;
  select.innerHTML = `<option value="">any</option>` + [...store.agents.values()].map((a) => `<option value="${esc(a.id)}">${esc(a.name)}</option>`).join("");
  select.value = chosen;
}

export async function loadCalls(page = 0) {
  $("#calls thead").innerHTML = CALL_HEADER;
  $("#calls-error").textContent = "";
  const load = ++latest;
  const shown = filters();
  try {
    const result = await api("/v1/analytics/calls" + query({ ...shown, limit: 50, cursor: cursors[page] }));
    if (load !== latest) return;
    cursors = cursors.slice(0, page + 1);
    next = result.next;
    if (next) cursors.push(next);
    $("#calls tbody").innerHTML = result.items.length ? result.items.map(callRow).join("") : `<tr><td colspan="9" class="muted">No calls match.</td></tr>`;
    $("#calls-page").textContent = `page ${page + 1}${next ? "" : " (last)"}`;
    $("#calls-older").disabled = !next;
    $("#calls-newest").disabled = page === 0;
    $("#calls").dataset.page = page;
    // Which filters the rows answer (what the table shows, for the operator's tools and the browser tests).
    $("#calls").dataset.agent = shown.agentId;
    $("#calls").dataset.status = shown.status;
  } catch (err) {
    if (load !== latest) return;
    $("#calls-error").textContent = err.message;
  }
}

$("#call-filters").addEventListener("submit", (e) => { e.preventDefault(); cursors = [null]; loadCalls(0); });
$("#call-filters").addEventListener("reset", () => setTimeout(() => { cursors = [null]; loadCalls(0); }));
$("#calls-older").addEventListener("click", () => loadCalls(cursors.length - 1));
$("#calls-newest").addEventListener("click", () => { cursors = [null]; loadCalls(0); });
$("#calls").addEventListener("click", (e) => { const b = e.target.closest("[data-event-id]"); if (b) openCall(b.dataset.eventId); });

export async function openCall(eventId) {
  try {
    const { call: c, piiDetections } = await api(`/v1/analytics/calls/${encodeURIComponent(eventId)}`);
    const pii = Object.entries(piiDetections);
    const rows = [
      ["Time", when(c.timestamp)], ["Request id", c.requestId], ["Event id", c.eventId], ["Agent", `${agentName(c.agentId)} (${c.agentId})`],
      ["Project", c.projectId || "–"], ["Provider / model", `${c.provider || "–"} / ${c.model || "–"}`],
      ["Status", c.failed ? `failed: ${c.errorType} (HTTP ${c.statusCode})` : `completed (HTTP ${c.statusCode})`],
      ["Tokens", `${count(c.inputTokens)} in (${count(c.cachedInputTokens)} cached) · ${count(c.outputTokens)} out`],
      ["Cost", usd(c.costUsd)], ["Latency", `${ms(c.latencyMs)}${c.timeToFirstByteMs != null ? ` · first byte ${ms(c.timeToFirstByteMs)}` : ""}${c.streamed ? " · streamed" : ""}`],
      ["PII found", pii.length ? pii.map(([t, n]) => `${t} × ${n}`).join(", ") : "none"],
    ];
    $("#call-details").innerHTML = rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("");
    $("#call-dialog").showModal();
  } catch (err) {
    if (err.status !== 401) await showError("Could not read the call", err);
  }
}
