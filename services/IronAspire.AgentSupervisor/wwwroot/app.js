// IronAspire operator dashboard: plain JS, no dependencies. Data from the control API, live updates from /v1/events.
"use strict";
(() => {
  const KEY = "ironaspire.adminKey";
  const $ = (sel) => document.querySelector(sel);
  const agents = new Map();     // id -> agent view from GET /v1/agents
  const models = new Map();     // model -> {requests, costUsd}
  const circuits = new Map();   // provider -> {state, reason}
  const refreshTimers = new Map();
  let socket = null;
  let retryMs = 500;

  const usd = (v) => "$" + Number(v || 0).toFixed(Number(v) !== 0 && Math.abs(v) < 0.01 ? 6 : 2);
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const adminKey = () => sessionStorage.getItem(KEY);

  async function api(path, options = {}) {
    const response = await fetch(path, { ...options, headers: { ...(options.headers || {}), Authorization: "Bearer " + adminKey() } });
    if (response.status === 401) { signOut("The admin key was refused."); throw new Error("unauthorized"); }
    if (!response.ok) {
      let detail = response.statusText;
      try { const p = await response.json(); detail = p.detail || p.title || detail; } catch { /* not JSON */ }
      throw new Error(detail);
    }
    return response.status === 204 ? null : response.json();
  }

  // ---- login ----
  $("#login-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY, $("#admin-key").value.trim());
    $("#login-error").textContent = "";
    await open();
  });
  $("#logout").addEventListener("click", () => signOut(""));

  function signOut(message) {
    sessionStorage.removeItem(KEY);
    if (socket) { socket.onclose = null; socket.close(); socket = null; }
    $("#app").hidden = true; $("#login").hidden = false; $("#logout").hidden = true;
    $("#login-error").textContent = message;
    setLive(false);
  }

  async function open() {
    try {
      const list = await api("/v1/agents");
      agents.clear(); list.forEach((a) => agents.set(a.id, a));
      const activity = await api("/v1/activity");
      activity.models.forEach((m) => models.set(m.model, { requests: m.requests, costUsd: m.costUsd }));
      activity.circuits.forEach((c) => circuits.set(c.provider, c));
    } catch (err) {
      if (err.message !== "unauthorized") $("#login-error").textContent = err.message;
      return;
    }
    $("#login").hidden = true; $("#app").hidden = false; $("#logout").hidden = false;
    renderAll();
    connect();
  }

  // ---- live feed ----
  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}/v1/events?access_token=${encodeURIComponent(adminKey())}`);
    socket.onopen = () => { retryMs = 500; setLive(true); };
    socket.onmessage = (msg) => handle(JSON.parse(msg.data));
    socket.onclose = () => {
      setLive(false);
      if (adminKey()) setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    };
  }

  function setLive(on) {
    $("#live-dot").classList.toggle("on", on);
    $("#live-text").textContent = on ? "live" : "offline";
  }

  function handle({ type, data }) {
    switch (type) {
      case "agent.state": refreshAgent(data.agentId, 0); break;
      case "agent.deleted": agents.delete(data.agentId); renderAgents(); renderPii(); break;
      case "call.completed":
      case "call.failed":
        addCall(type, data);
        if (type === "call.completed") {
          const m = models.get(data.model) || { requests: 0, costUsd: 0 };
          m.requests += 1; m.costUsd += Number(data.costUsd); models.set(data.model, m); renderModels();
        }
        refreshAgent(data.agentId, 150);
        break;
      case "pii.detected": refreshAgent(data.agentId, 150); break;
      case "budget.threshold": case "budget.exhausted":
        if (data.scope === "Agent") refreshAgent(data.budgetId, 0); break;
      case "circuit.changed": circuits.set(data.provider, data); renderCircuits(); break;
    }
  }

  // Spend, reserved and counters come from the API (the Budget service is the source of truth); debounced per agent.
  function refreshAgent(id, delay) {
    if (!id) return;
    clearTimeout(refreshTimers.get(id));
    refreshTimers.set(id, setTimeout(async () => {
      refreshTimers.delete(id);
      try { agents.set(id, await api(`/v1/agents/${encodeURIComponent(id)}`)); }
      catch (err) { if (/not/i.test(err.message)) agents.delete(id); }
      renderAgents(); renderPii();
    }, delay));
  }

  function addCall(type, c) {
    const li = document.createElement("li");
    li.className = "fresh" + (type === "call.failed" ? " failed" : "");
    const name = agents.get(c.agentId)?.name || c.agentId;
    const time = new Date(c.timestamp).toLocaleTimeString([], { hour12: false });
    li.innerHTML = `<span>${esc(time)}</span><span>${esc(name)}</span><span>${esc(c.model || c.errorType)}</span>` +
      `<span>${esc(usd(c.costUsd))}</span><span>${Math.round(c.latencyMs)} ms</span>`;
    const feed = $("#feed");
    feed.prepend(li);
    while (feed.children.length > 100) feed.lastChild.remove();
  }

  // ---- rendering ----
  function renderAll() { renderAgents(); renderPii(); renderModels(); renderCircuits(); }

  function renderAgents() {
    const body = $("#agents tbody");
    body.innerHTML = "";
    $("#no-agents").hidden = agents.size > 0;
    for (const a of agents.values()) {
      const tr = document.createElement("tr");
      tr.dataset.agentId = a.id;
      const b = a.budget;
      const limit = b ? Number(b.limit) : 0;
      const spentPct = b && limit > 0 ? Math.min(100, (Number(b.spent) / limit) * 100) : 0;
      const reservedPct = b && limit > 0 ? Math.min(100 - spentPct, (Number(b.reserved) / limit) * 100) : 0;
      const level = spentPct >= 100 ? "full" : spentPct >= 80 ? "high" : "";
      const pii = Object.values(a.piiByType || {}).reduce((s, n) => s + n, 0);
      const running = ["Running", "Starting"].includes(a.state);
      tr.innerHTML = `
        <td><strong>${esc(a.name)}</strong><div class="sub">${esc(a.id)}${a.external ? " · external" : a.pid ? " · pid " + a.pid : ""}</div></td>
        <td><span class="state ${esc(a.state)}">${esc(a.state)}</span><div class="sub">${esc(a.reason || "")}</div></td>
        <td class="budget">${b ? `
          <div class="bar ${level}" title="spent ${usd(b.spent)}, reserved ${usd(b.reserved)}, limit ${usd(b.limit)}">
            <div class="spent" data-spent="${esc(b.spent)}" style="width:${spentPct}%"></div>
            <div class="reserved" style="left:${spentPct}%;width:${reservedPct}%"></div>
          </div>
          <div class="sub">${usd(b.spent)} · ${usd(b.reserved)} · ${usd(b.limit)}</div>` : `<span class="muted">unknown</span>`}</td>
        <td>${a.requests}${a.failures ? ` <span class="sub">(${a.failures} failed${a.rateLimited ? `, ${a.rateLimited} rate-limited` : ""})</span>` : ""}</td>
        <td>${a.tokens}</td>
        <td>${pii}</td>
        <td>${a.external ? "" : running || a.state === "Stopping"
          ? `<button class="stop" data-action="stop" ${a.state === "Stopping" ? "disabled" : ""}>Stop</button>`
          : `<button class="start" data-action="start">Start</button>`}</td>`;
      body.appendChild(tr);
    }
  }

  $("#agents").addEventListener("click", async (e) => {
    const button = e.target.closest("button[data-action]");
    if (!button) return;
    const id = button.closest("tr").dataset.agentId;
    button.disabled = true;
    try { agents.set(id, await api(`/v1/agents/${encodeURIComponent(id)}/${button.dataset.action}`, { method: "POST" })); }
    catch (err) { alert(err.message); }
    renderAgents();
  });

  function renderBars(list, entries, format) {
    list.innerHTML = "";
    const max = Math.max(0, ...entries.map(([, v]) => v));
    for (const [name, value] of entries) {
      const li = document.createElement("li");
      li.innerHTML = `<span>${esc(name)}</span><div class="fill" style="width:${max ? (value / max) * 100 : 0}%"></div><span>${esc(format(value))}</span>`;
      list.appendChild(li);
    }
    if (!entries.length) list.innerHTML = `<li class="muted">none yet</li>`;
  }

  function renderPii() {
    const totals = {};
    for (const a of agents.values()) for (const [t, n] of Object.entries(a.piiByType || {})) totals[t] = (totals[t] || 0) + n;
    renderBars($("#pii"), Object.entries(totals).sort((x, y) => y[1] - x[1]), String);
  }

  function renderModels() {
    renderBars($("#models"), [...models.entries()].map(([m, v]) => [m, v.costUsd]).sort((x, y) => y[1] - x[1]), usd);
  }

  function renderCircuits() {
    const list = $("#circuits");
    list.innerHTML = circuits.size ? "" : `<li class="muted">no circuit changes seen</li>`;
    for (const c of circuits.values()) {
      const li = document.createElement("li");
      li.className = c.state; li.title = c.reason || "";
      li.textContent = `${c.provider}: ${c.state}`;
      list.appendChild(li);
    }
  }

  if (adminKey()) open();
})();
