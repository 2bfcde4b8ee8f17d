// console.js -- the web console: the platform list, a form built from the chosen platform's parameter
// schema, the version picker beside the changelog, the API's validation errors next to their fields,
// the download with its SHA-256, and the equivalent curl command. No framework, no build step.
"use strict";

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v; else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids) e.append(k);
  return e;
};
let platform = null;          // the chosen platform's description (GET /v1/platforms/{id})
let changelog = [];

// One API call; the bearer token goes along when the field holds one (it is never stored).
async function api(path, want = "json") {
  const headers = {};
  const token = $("#token").value.trim();
  if (token) headers.Authorization = "Bearer " + token;
  if (want === "json") headers.Accept = "application/json";
  const r = await fetch(path, { headers });
  $("#auth-error").textContent = r.status === 401 ? (await r.clone().json().catch(() => ({}))).error || "unauthorized" : "";
  return r;
}

function formatValue(p, v) {
  if (v === undefined) return "";
  if (p.type === "duration") return v % 1000 === 0 && v >= 1000 ? v / 1000 + "s" : v + "ms";
  if (p.type === "list") return v.join(",");
  return String(v);
}

function describe(p) {
  const parts = [p.type === "list" ? `list of ${p.items}` : p.type];
  if (p.required) parts.push("required");
  if (p.default !== undefined && p.type !== "list" && !(p.type === "string" && String(p.default).includes("\n")))
    parts.push(`default ${p.secret ? "(hidden)" : JSON.stringify(formatValue(p, p.default))}`);
  if (p.values) parts.push(`one of ${p.values.join(", ")}`);
  if (p.min !== undefined || p.max !== undefined) {
    const unit = p.type === "string" ? " characters" : p.type === "size" ? " bytes" : "";
    if (p.min !== undefined && p.max !== undefined) parts.push(`from ${formatValue(p, p.min)} to ${formatValue(p, p.max)}${unit}`);
    else if (p.max !== undefined) parts.push(`at most ${formatValue(p, p.max)}${unit}`);
    else parts.push(`at least ${formatValue(p, p.min)}${unit}`);
  }
  if (p.max_items !== undefined) parts.push(`at most ${p.max_items} items`);
  if (p.pattern) parts.push(`matching ${p.pattern}`);
  return parts.join(" · ");
}

// A list parameter: one input per item, reorderable (endpoints are tried in this order).
function listWidget(p) {
  const box = el("div", { class: "list", id: "param-" + p.name, "data-name": p.name });
  const add = (value = "") => {
    const input = el("input", { type: "text", value, "aria-label": `${p.name} item`, "data-item": p.name,
                                placeholder: p.items === "url" ? "https://node.example.com" : "" });
    const row = el("div", { class: "list-item" }, input,
      el("button", { type: "button", class: "up", title: "Move up", "aria-label": `move ${p.name} item up`, text: "↑" }),
      el("button", { type: "button", class: "down", title: "Move down", "aria-label": `move ${p.name} item down`, text: "↓" }),
      el("button", { type: "button", class: "remove", title: "Remove", "aria-label": `remove ${p.name} item`, text: "×" }));
    row.querySelector(".up").onclick = () => { if (row.previousElementSibling) row.parentNode.insertBefore(row, row.previousElementSibling); update(); };
    row.querySelector(".down").onclick = () => { if (row.nextElementSibling) row.parentNode.insertBefore(row.nextElementSibling, row); update(); };
    row.querySelector(".remove").onclick = () => { row.remove(); update(); };
    items.append(row);
  };
  const items = el("div", { class: "items" });
  box.append(items, el("button", { type: "button", class: "add", "data-add": p.name, text: `+ add ${p.name === "endpoint" ? "endpoint" : "item"}` }));
  box.querySelector(".add").onclick = () => { add(); update(); };
  if (p.required) add();
  return box;
}

function fieldFor(p) {
  const id = "param-" + p.name;
  let input;
  if (p.type === "list") input = listWidget(p);
  else if (p.type === "enum" || p.type === "boolean") {
    const values = p.type === "boolean" ? ["true", "false"] : p.values;
    input = el("select", { id, name: p.name },
      el("option", { value: "", text: `(default: ${formatValue(p, p.default)})` }), ...values.map(v => el("option", { value: v, text: v })));
  } else if (p.type === "string" && (String(p.default || "").includes("\n") || (p.max || 0) > 1024)) {
    input = el("textarea", { id, name: p.name, placeholder: p.default || "" });
  } else {
    input = el("input", { id, name: p.name, autocomplete: "off",
      type: p.secret ? "password" : p.type === "integer" ? "number" : "text",
      min: p.type === "integer" ? p.min : undefined, max: p.type === "integer" ? p.max : undefined,
      placeholder: p.secret ? "" : formatValue(p, p.default) });
  }
  return el("div", { class: "field", "data-field": p.name },
    el("label", { for: p.type === "list" ? undefined : id, text: p.name }),
    el("p", { class: "desc", text: p.description || "" }),
    input,
    el("p", { class: "meta", text: describe(p) }),
    el("p", { class: "error", id: "error-" + p.name, role: "alert" }));
}

// The query of GET /v1/bundles/{id}: only what the user set, so that defaults stay the server's.
function query() {
  const q = new URLSearchParams();
  for (const p of platform.parameters) {
    if (p.type === "list") {
      for (const i of document.querySelectorAll(`[data-item="${p.name}"]`)) if (i.value.trim()) q.append(p.name, i.value.trim());
    } else {
      const v = $("#param-" + p.name).value;
      if (v !== "") q.append(p.name, v);
    }
  }
  const version = $("#version").value;
  if (version && version !== platform.version) q.append("version", version);
  return q.toString();
}

const shellQuote = (s) => "'" + s.replace(/'/g, "'\\''") + "'";

function update() {
  if (!platform) return;
  const url = `${location.origin}/v1/bundles/${platform.id}?${query()}`;
  $("#curl").textContent = ($("#token").value.trim() ? `curl -OJ -H "Authorization: Bearer $BUNDLEGEN_SERVE_TOKEN" ` : "curl -OJ ") + shellQuote(url);
  for (const e of document.querySelectorAll("#changelog .entry"))
    e.classList.toggle("current", e.dataset.version === $("#version").value);
}

function renderChangelog() {
  const box = $("#changelog");
  box.replaceChildren(...changelog.map(e => el("div", { class: "entry", "data-version": e.version },
    el("h3", { text: `${e.version}` }),
    el("p", { class: "sub", text: `${e.date} · needs edgenode ${e.min_node_version} or newer` }),
    el("pre", { text: e.body_markdown || "" }))));
  update();
}

async function choose(id) {
  for (const b of document.querySelectorAll("#platforms button")) b.setAttribute("aria-current", String(b.dataset.id === id));
  const r = await api(`/v1/platforms/${encodeURIComponent(id)}`);
  if (!r.ok) return;
  platform = await r.json();
  $("#platform-title").textContent = platform.name;
  $("#platform-runtime").textContent = `${platform.runtime} · ${platform.archive} · id ${platform.id}`;
  $("#version").replaceChildren(...platform.versions.map(v => el("option", { value: v.version,
    text: `${v.version} (${v.date}${v.version === platform.version ? ", current" : ""})` })));
  $("#fields").replaceChildren(...platform.parameters.map(fieldFor));
  $("#result").hidden = true;
  $("#form-error").textContent = "";
  $("#bundle-form").hidden = false;
  const c = await api(`/v1/platforms/${encodeURIComponent(id)}/changelog`);
  changelog = c.ok ? await c.json() : [];
  renderChangelog();
}

function showErrors(body) {
  for (const f of document.querySelectorAll(".field")) f.classList.remove("invalid");
  for (const e of document.querySelectorAll(".field .error")) e.textContent = "";
  const loose = [];
  for (const e of body.errors || []) {
    const target = $("#error-" + CSS.escape(e.parameter || ""));
    if (target) {
      target.textContent = target.textContent ? target.textContent + "\n" + e.message : e.message;
      target.closest(".field").classList.add("invalid");
    } else loose.push(e.message);
  }
  $("#form-error").textContent = [body.error, ...loose].filter(Boolean).join("\n");
}

async function download(ev) {
  ev.preventDefault();
  $("#result").hidden = true;
  showErrors({});
  const r = await api(`/v1/bundles/${platform.id}?${query()}`, "bundle");
  if (!r.ok) {
    showErrors(await r.json().catch(() => ({ error: `HTTP ${r.status}` })));
    return;
  }
  const bytes = await r.arrayBuffer();
  const name = (/filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "") || [])[1] || `${platform.id}-bundle`;
  let sha = (r.headers.get("ETag") || "").replace(/"/g, "");
  if (window.crypto && crypto.subtle) {   // in a secure context: computed here from the bytes
    sha = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map(b => b.toString(16).padStart(2, "0")).join("");
  }
  $("#result-name").textContent = name;
  $("#result-size").textContent = `${bytes.byteLength} bytes`;
  $("#result-sha256").textContent = sha;
  $("#result").hidden = false;
  const a = el("a", { href: URL.createObjectURL(new Blob([bytes], { type: r.headers.get("Content-Type") || "" })), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

async function loadPlatforms() {
  const r = await api("/v1/platforms");
  if (!r.ok) { $("#platforms").replaceChildren(); return; }
  const list = (await r.json()).platforms;
  $("#platforms").replaceChildren(...list.map(p => el("li", {},
    (() => { const b = el("button", { type: "button", "data-id": p.id }, el("strong", { text: p.name }), el("span", { class: "runtime", text: p.runtime }));
             b.onclick = () => choose(p.id); return b; })())));
  if (list.length && !platform) choose(list[0].id);
}

document.addEventListener("DOMContentLoaded", () => {
  $("#app").hidden = false;
  $("#bundle-form").addEventListener("submit", download);
  $("#bundle-form").addEventListener("input", update);
  $("#version").addEventListener("change", update);
  $("#token").addEventListener("change", () => { loadPlatforms(); update(); });
  loadPlatforms();
});
