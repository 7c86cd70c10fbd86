// Alerts: open notices at the top of every page until acknowledged (POST /v1/alerts/{id}/acknowledge), and their history.
import { api } from "./api.js";
import { showError } from "./dialogs.js";
import { esc, when } from "./format.js";
import { store, agentName } from "./store.js";

const $ = (s) => document.querySelector(s);
const KINDS = { BudgetThreshold: "Budget threshold", BudgetExhausted: "Budget exhausted", CircuitOpen: "Circuit open", AgentCrashed: "Agent failed" };

export async function loadAlerts() {
  const alerts = await api("/v1/alerts?all=true");
  store.alerts.clear();
  for (const a of alerts) store.alerts.set(a.id, a);
  renderAlerts();
}

export function upsertAlert(alert) {
  store.alerts.set(alert.id, alert);
  renderAlerts();
}

const subject = (a) => (a.kind === "CircuitOpen" ? a.subject : agentName(a.subject));

export function renderAlerts() {
  const all = [...store.alerts.values()].sort((x, y) => new Date(y.lastAt) - new Date(x.lastAt));
  const open = all.filter((a) => !a.acknowledgedAt);
  $("#notices").innerHTML = open.map((a) => `
    <div class="notice ${a.severity === "Critical" ? "critical" : "warning"}" data-alert-id="${esc(a.id)}" data-kind="${esc(a.kind)}" data-key="${esc(a.key)}" data-subject="${esc(a.subject)}">
      <div><strong>${esc(a.title)}</strong> · ${esc(subject(a))}${a.count > 1 ? ` <span class="count">×${a.count}</span>` : ""}
        <div class="sub">${esc(a.detail)} · ${esc(when(a.lastAt))}</div></div>
      <button class="secondary" data-ack="${esc(a.id)}" aria-label="Acknowledge: ${esc(a.title)}">Acknowledge</button>
    </div>`).join("");
  const counter = $("#alert-count");
  counter.hidden = open.length === 0;
  counter.textContent = String(open.length);
  $("#alerts tbody").innerHTML = all.length ? all.map((a) => `<tr>
      <td>${esc(when(a.lastAt))}</td><td><span class="severity ${esc(a.severity)}">${esc(a.severity)}</span></td>
      <td><strong>${esc(a.title)}</strong><div class="sub">${esc(KINDS[a.kind] || a.kind)} · ${esc(a.detail)}</div></td><td>${esc(subject(a))}</td>
      <td>${a.count}</td><td>${a.acknowledgedAt ? esc(when(a.acknowledgedAt)) : `<button class="secondary" data-ack="${esc(a.id)}">Acknowledge</button>`}</td></tr>`).join("")
    : `<tr><td colspan="6" class="muted">No alerts.</td></tr>`;
}

document.addEventListener("click", async (e) => {
  const button = e.target.closest("button[data-ack]");
  if (!button) return;
  button.disabled = true;
  try { upsertAlert(await api(`/v1/alerts/${encodeURIComponent(button.dataset.ack)}/acknowledge`, { method: "POST" })); }
  catch (err) { button.disabled = false; if (err.status !== 401) await showError("Could not acknowledge the alert", err); }
});
