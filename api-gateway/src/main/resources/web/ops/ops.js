// trynow operations dashboard: plain JS, no build. Session cookie after one login; every change
// asks for confirmation and shows what happened. Refreshes every 3 s.
"use strict";
const $ = (s) => document.querySelector(s);
const REFRESH_MS = 3000;

async function api(method, path, body) {
  const opts = { method, credentials: "same-origin", headers: { "X-Trynow-Ops": "1" } };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  if (r.status === 401) { showLogin(); throw new Error("not logged in"); }
  const text = await r.text();
  const json = text ? JSON.parse(text) : null;
  if (!r.ok) throw new Error((json && json.detail) || ("HTTP " + r.status)); // RFC 9457 problem
  return json;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c === null || c === undefined ? "" : c);
  return e;
}

function dur(s) {
  if (s === null || s === undefined) return "–";
  s = Math.floor(s);
  if (s < 120) return s + "s";
  if (s < 7200) return Math.floor(s / 60) + "m";
  if (s < 172800) return Math.floor(s / 3600) + "h";
  return Math.floor(s / 86400) + "d";
}
const age = (t) => (t ? dur((Date.now() - Date.parse(t)) / 1000) : "–");
const pct = (x) => (x === null || x === undefined ? "–" : Math.round(x * 100) + "%");

function showLogin() {
  $("#app").hidden = true; $("#logout").hidden = true; $("#login").hidden = false;
}
function showApp() {
  $("#login").hidden = true; $("#app").hidden = false; $("#logout").hidden = false;
}
function result(text) { $("#result").textContent = text; }

async function pools() {
  const list = await api("GET", "/admin/pools");
  const box = $("#pools");
  box.replaceChildren(...list.map((p) => {
    const circuit = p.circuit ? p.circuit.state + (p.circuit.reason ? " (" + p.circuit.reason + ")" : "") : "–";
    const failing = p.failed > 0 || p.degraded || (p.circuit && p.circuit.state !== "closed");
    const stat = (k, v) => [el("dt", {}, k), el("dd", { "data-stat": k }, String(v))];
    return el("div", { class: "card", "data-template": p.template },
      el("h3", {}, p.template,
        el("span", { class: "health " + (failing ? "failing" : "healthy"), "data-health": "" },
          failing ? "failing" : "healthy")),
      el("dl", {},
        ...stat("ready", p.ready),
        ...stat("provisioning", p.requested + p.provisioning + p.started),
        ...stat("assigned", p.assigned),
        ...stat("queued", p.waiting),
        ...stat("failed", p.failed),
        ...stat("hit rate", pct(p.hit_rate)),
        ...stat("queue wait p50/p95", dur(p.queue_wait_p50_seconds) + " / " + dur(p.queue_wait_p95_seconds)),
        ...stat("provision p50/p95", dur(p.provision_p50_seconds) + " / " + dur(p.provision_p95_seconds)),
        ...stat("target", p.target),
        ...stat("circuit", circuit)));
  }));
}

async function instances() {
  const q = new URLSearchParams({ limit: "200" });
  if ($("#f-state").value) q.set("state", $("#f-state").value);
  if ($("#f-template").value.trim()) q.set("template", $("#f-template").value.trim());
  if ($("#f-older").value.trim()) q.set("older_than", $("#f-older").value.trim());
  const page = await api("GET", "/admin/instances?" + q);
  $("#instances tbody").replaceChildren(...page.items.map((i) =>
    el("tr", { "data-id": i.id },
      el("td", {}, i.id), el("td", {}, i.template), el("td", { "data-state": "" }, i.state),
      el("td", {}, age(i.created_at)),
      el("td", {}, i.expires_at ? dur((Date.parse(i.expires_at) - Date.now()) / 1000) : "–"),
      el("td", {}, i.url || "–"),
      el("td", {}, el("button", { class: "terminate", onclick: () => terminate(i.id) }, "Terminate")))));
}

async function terminate(id) {
  if (!confirm("Terminate " + id + "? Its visitor loses the demo.")) return;
  try {
    const r = await api("POST", "/admin/instances/" + id + "/terminate");
    result("terminate " + id + ": " + r.state);
  } catch (e) { result("terminate " + id + " failed: " + e.message); }
  refresh();
}

function dlqFilter() {
  const f = {};
  if ($("#d-subject").value.trim()) f.subject = $("#d-subject").value.trim();
  if ($("#d-error").value.trim()) f.error = $("#d-error").value.trim();
  if ($("#d-since").value.trim()) f.since = $("#d-since").value.trim();
  return f;
}

async function groups() {
  const q = new URLSearchParams(dlqFilter());
  const g = await api("GET", "/admin/dead-letters/groups?" + q);
  $("#dlq-groups tbody").replaceChildren(...g.groups.map((x) =>
    el("tr", { "data-subject": x.subject },
      el("td", { "data-count": "" }, String(x.count)), el("td", {}, x.subject),
      el("td", {}, x.error), el("td", {}, age(x.first_seen)), el("td", {}, age(x.last_seen)),
      el("td", {},
        el("button", { onclick: () => show(x.last_sequence) }, "Show one"),
        el("button", { onclick: () => replayOne(x.last_sequence) }, "Replay one"),
        el("button", { class: "replay-group", onclick: () => bulk("replay", { subject: x.subject, error: x.error }) }, "Replay all"),
        el("button", { onclick: () => bulk("purge", { subject: x.subject, error: x.error }) }, "Delete all")))));
}

async function show(seq) {
  const d = await api("GET", "/admin/dead-letters/" + seq);
  const pre = $("#dlq-show");
  pre.hidden = false;
  pre.textContent = JSON.stringify(d, null, 2);
}

async function replayOne(seq) {
  if (!confirm("Replay dead letter " + seq + "?")) return;
  try {
    const r = await api("POST", "/admin/dead-letters/replay", { sequences: [seq] });
    result(summary("replay", r));
  } catch (e) { result("replay failed: " + e.message); }
  refresh();
}

function summary(what, r) {
  const lines = r.results.map((x) => x.sequence + "  " + x.outcome + (x.reason ? "  (" + x.reason + ")" : ""));
  return what + ": " + r.replayed + " replayed, " + r.skipped + " skipped (no longer needed), " +
    r.deleted + " deleted, " + r.not_found + " not found, " + r.failed + " failed\n" + lines.join("\n");
}

async function bulk(what, filter) {
  const f = filter || dlqFilter();
  const desc = Object.keys(f).length ? JSON.stringify(f) : "EVERY dead letter";
  if (!confirm((what === "replay" ? "Replay" : "Delete") + " all dead letters matching " + desc + "?")) return;
  if (!Object.keys(f).length) f.all = true;
  try {
    result(summary(what, await api("POST", "/admin/dead-letters/" + what, f)));
  } catch (e) { result(what + " failed: " + e.message); }
  refresh();
}

let timer = null;
async function refresh() {
  clearTimeout(timer);
  try {
    await Promise.all([pools(), instances(), groups()]);
    $("#refreshed").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    $("#refreshed").textContent = "refresh failed: " + e.message;
  }
  if (!$("#app").hidden) timer = setTimeout(refresh, REFRESH_MS);
}

$("#login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("#login-error").textContent = "";
  try {
    await api("POST", "/ops/api/login", { key: $("#key").value });
    $("#key").value = "";
    showApp(); refresh();
  } catch (e) { $("#login-error").textContent = e.message; }
});
$("#logout").addEventListener("click", async () => { await api("POST", "/ops/api/logout"); showLogin(); });
$("#replay-matching").addEventListener("click", () => bulk("replay"));
$("#delete-matching").addEventListener("click", () => bulk("purge"));
for (const s of ["#instance-filter", "#dlq-filter"]) $(s).addEventListener("change", refresh);

(async () => {
  const s = await (await fetch("/ops/api/session", { credentials: "same-origin" })).json();
  if (s.logged_in) { showApp(); refresh(); } else showLogin();
})();
