// Every agent operation of the console, each one call of the documented control API, each confirmed first.
import { api, ApiError } from "./api.js";
import { confirmAction, formDialog, showError, showMessage } from "./dialogs.js";
import { esc, describeLimits } from "./format.js";
import { store, emit } from "./store.js";

const lines = (text) => text.split("\n").map((l) => l.trim()).filter(Boolean);
const list = (text) => text.split(",").map((m) => m.trim()).filter(Boolean);

const LIMITS = ["requestsPerMinute", "tokensPerMinute", "maxConcurrent"];

/** The rate limits of a form's three fields as the API takes them: a limit left empty is absent (no limit). */
function readLimits(form) {
  const limits = {};
  for (const name of LIMITS) {
    const value = form.elements[name].value.trim();
    // Range checks are the API's: its 400 names the field (limits.requestsPerMinute, ...), shown in the form.
    if (value !== "") limits[name] = Number(value);
  }
  return limits;
}

function showKey(title, agent, key) {
  return showMessage(title, `
    <p>The key of <strong>${esc(agent)}</strong> is shown <strong>only now</strong>: copy it before closing.</p>
    <label for="shown-key">API key</label>
    <input id="shown-key" class="key" readonly value="${esc(key)}">
    <p class="muted small">Use it as <code>OPENAI_API_KEY</code> / <code>ANTHROPIC_API_KEY</code> with the Router as base URL.</p>`);
}

export async function createAgent() {
  const created = await formDialog("#agent-dialog", (form) => form.reset(), async (form) => {
    const f = form.elements;
    const env = {};
    for (const line of lines(f.env.value)) {
      const at = line.indexOf("=");
      if (at <= 0) throw new ApiError(`env: '${line}' is not NAME=value.`, 400);
      env[line.slice(0, at)] = line.slice(at + 1);
    }
    const budget = Number(f.budgetUsd.value);
    const body = {
      name: f.name.value.trim(),
      command: f.command.value.trim() || undefined,
      args: lines(f.args.value),
      workingDirectory: f.workingDirectory.value.trim() || undefined,
      env,
      budgetUsd: f.budgetUsd.value === "" || Number.isNaN(budget) ? null : budget,
      budgetPeriod: f.budgetPeriod.value,
      projectId: f.projectId.value.trim() || undefined,
      models: list(f.models.value),
      restart: f.restart.value,
      maxRestarts: Number(f.maxRestarts.value || 0),
      limits: readLimits(form),
    };
    if (!body.models.length) delete body.models;
    if (!Object.keys(body.limits).length) delete body.limits;
    return api("/v1/agents", { method: "POST", body });
  });
  if (!created) return null;
  emit("agent.changed", created.id);
  await showKey("Agent created", created.name, created.apiKey);
  return created;
}

async function run(agent, what, call) {
  try { const result = await call(); emit("agent.changed", agent.id); return result; }
  catch (err) { if (err.status !== 401) await showError(`Could not ${what} ${agent.name}`, err); return null; }
}

export async function startAgent(agent) {
  if (!await confirmAction(`Start ${agent.name}?`, "Its process is started with a fresh run key.", "Start")) return null;
  return run(agent, "start", () => api(`/v1/agents/${encodeURIComponent(agent.id)}/start`, { method: "POST" }));
}

export async function stopAgent(agent) {
  if (!await confirmAction(`Stop ${agent.name}?`, "SIGTERM to its process group, SIGKILL after the grace period. It is not restarted.", "Stop", true)) return null;
  return run(agent, "stop", () => api(`/v1/agents/${encodeURIComponent(agent.id)}/stop`, { method: "POST" }));
}

export async function restartAgent(agent) {
  if (!await confirmAction(`Restart ${agent.name}?`, "It is stopped (if it runs) and started again.", "Restart")) return null;
  return run(agent, "restart", () => api(`/v1/agents/${encodeURIComponent(agent.id)}/restart`, { method: "POST" }));
}

export async function deleteAgent(agent) {
  if (!await confirmAction(`Delete ${agent.name}?`, "It is stopped, its keys are revoked and it is removed. This cannot be undone.", "Delete", true)) return false;
  return (await run(agent, "delete", async () => { await api(`/v1/agents/${encodeURIComponent(agent.id)}`, { method: "DELETE" }); return true; })) === true;
}

export async function rotateKey(agent) {
  if (!await confirmAction(`Rotate the key of ${agent.name}?`,
    "A new key is issued and the current one stops working at once (the Router answers 401). A running process keeps its own run key.", "Rotate key", true)) return null;
  const rotated = await run(agent, "rotate the key of", () => api(`/v1/agents/${encodeURIComponent(agent.id)}/key`, { method: "POST" }));
  if (rotated) await showKey("Key rotated", agent.name, rotated.apiKey);
  return rotated;
}

export async function editBudget(agent) {
  const saved = await formDialog("#budget-dialog", (form) => {
    form.elements.budgetUsd.value = agent.budget ? Number(agent.budget.limit) : "";
    form.elements.period.value = agent.budget?.period || "lifetime";
  }, async (form) => {
    const value = form.elements.budgetUsd.value;
    const limit = Number(value);
    if (!await confirmAction(`Set the budget of ${agent.name}?`, `${value} USD, ${form.elements.period.value}.`, "Save budget")) throw new ApiError("Not saved.", 0);
    return api(`/v1/agents/${encodeURIComponent(agent.id)}/budget`, {
      method: "PUT", body: { budgetUsd: value === "" || Number.isNaN(limit) ? null : limit, period: form.elements.period.value },
    });
  });
  if (saved) emit("agent.changed", agent.id);
  return saved;
}

export async function editModels(agent) {
  const saved = await formDialog("#models-dialog", (form) => { form.elements.models.value = (agent.models || []).join(", "); }, async (form) => {
    const models = list(form.elements.models.value);
    if (!await confirmAction(`Change the models of ${agent.name}?`, models.length ? models.join(", ") : "Every model.", "Save models")) throw new ApiError("Not saved.", 0);
    return api(`/v1/agents/${encodeURIComponent(agent.id)}/models`, { method: "PUT", body: { models } });
  });
  if (saved) { store.agents.set(saved.id, saved); emit("agent.changed", agent.id); }
  return saved;
}

export async function editLimits(agent) {
  const saved = await formDialog("#limits-dialog", (form) => {
    for (const name of LIMITS) form.elements[name].value = agent.limits?.[name] ?? "";
  }, async (form) => {
    const limits = readLimits(form);
    if (!await confirmAction(`Change the rate limits of ${agent.name}?`, describeLimits(limits), "Save limits")) throw new ApiError("Not saved.", 0);
    // PATCH replaces the limits whole: a field left empty removes that limit.
    return api(`/v1/agents/${encodeURIComponent(agent.id)}`, { method: "PATCH", body: { limits } });
  });
  if (saved) { store.agents.set(saved.id, saved); emit("agent.changed", agent.id); }
  return saved;
}

/** The action buttons of an agent (table row or agent page); data-action names the operation. */
export function actionButtons(agent, full) {
  const running = ["Running", "Starting"].includes(agent.state);
  // Revoked is final (POST /v1/agents/{id}/revoke): its keys never come back, so it cannot be started or get a new key.
  const revoked = agent.state === "Revoked";
  const buttons = [];
  if (!agent.external && !revoked) {
    buttons.push(running || agent.state === "Stopping"
      ? `<button class="stop" data-action="stop" ${agent.state === "Stopping" ? "disabled" : ""} aria-label="Stop ${esc(agent.name)}">Stop</button>`
      : `<button class="start" data-action="start" aria-label="Start ${esc(agent.name)}">Start</button>`);
    if (full) buttons.push(`<button class="secondary" data-action="restart">Restart</button>`);
  }
  if (full) {
    buttons.push(`<button class="secondary" data-action="budget">Edit budget</button>`,
      `<button class="secondary" data-action="models">Edit models</button>`,
      `<button class="secondary" data-action="limits">Edit rate limits</button>`,
      ...(revoked ? [] : [`<button class="secondary" data-action="rotate">Rotate key</button>`]),
      `<button class="danger" data-action="delete">Delete</button>`);
  }
  return buttons.join(" ");
}

const OPERATIONS = { start: startAgent, stop: stopAgent, restart: restartAgent, budget: editBudget, models: editModels, limits: editLimits, rotate: rotateKey, delete: deleteAgent };

/** Runs the operation a clicked data-action button names; returns its result. */
export async function runAction(button, agent) {
  button.disabled = true;
  try { return { action: button.dataset.action, result: await OPERATIONS[button.dataset.action](agent) }; }
  finally { button.disabled = false; }
}
