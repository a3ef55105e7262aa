/**
 * The usage dashboard at `/admin/`: one HTML page and one script, no
 * framework, charts drawn as hand-written SVG. The page asks for a ccgate
 * access token (from `ccgate token`), keeps it in `sessionStorage` and sends
 * it as `Authorization: Bearer` to `/admin/api/*`; every value from the API is
 * written with `textContent` (never as HTML). For an admin who sees their own
 * tenant only (`/admin/api/me` says `tenants: "own"`) it names the tenant and
 * hides what only admins of an admin tenant may use: the group filter and the
 * audit CSV. Costs say what is known: a cost of unpriced requests only (the
 * API's `costUsd: null`) is shown as "unpriced" or "—", never as $0, and a
 * mix as the priced part with the count of unpriced requests beside it.
 *
 * @module
 */
import { MAX_AUDIT_PAGE_SIZE } from "./audit_log.ts";

/** The page. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ccgate usage</title>
<link rel="icon" href="data:,">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f7f9; }
  header { background: #1b1f24; color: #fff; padding: 10px 20px; display: flex; gap: 16px; align-items: center; }
  header h1 { font-size: 16px; margin: 0; flex: 1; }
  header a, header button { color: #fff; background: none; border: 1px solid #555; border-radius: 4px; padding: 4px 10px; cursor: pointer; text-decoration: none; font: inherit; }
  main { padding: 16px 20px; max-width: 1200px; margin: auto; }
  section { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 12px 16px; margin-bottom: 16px; }
  h2 { font-size: 14px; margin: 0 0 8px; }
  .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 12px; }
  .card { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 10px 12px; }
  .card .v { font-size: 20px; font-weight: 600; }
  .card .k { color: #57606a; font-size: 12px; }
  .grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eef0f2; }
  td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
  form { display: flex; gap: 8px; align-items: end; flex-wrap: wrap; }
  label { display: flex; flex-direction: column; font-size: 12px; color: #57606a; }
  input { font: inherit; padding: 4px 6px; }
  textarea { width: 100%; font: 12px monospace; }
  .error { color: #b42318; }
  svg text { font-size: 10px; fill: #57606a; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<header>
  <h1>ccgate usage</h1>
  <span id="who" data-testid="who"></span>
  <button id="signout" type="button" hidden>Sign out</button>
</header>
<main>
  <section id="signin" data-testid="signin">
    <h2>Sign in</h2>
    <p>Paste an access token from <code>ccgate token</code> (your account needs the admin role).
    It is kept in this tab only.</p>
    <form id="signin-form">
      <textarea id="token" rows="3" autocomplete="off" spellcheck="false" data-testid="token"></textarea>
      <button type="submit" data-testid="signin-button">Sign in</button>
    </form>
    <p id="signin-error" class="error" role="alert"></p>
  </section>
  <div id="app" hidden>
    <section>
      <form id="filters" data-testid="filters">
        <label>From <input type="date" id="from" data-testid="from" required></label>
        <label>To <input type="date" id="to" data-testid="to" required></label>
        <label id="group-filter">Group <input type="text" id="group" data-testid="group" placeholder="all groups"></label>
        <button type="submit" data-testid="apply">Apply</button>
        <button type="button" id="csv-usage">Usage CSV</button>
        <button type="button" id="csv-entries">Requests CSV</button>
        <button type="button" id="csv-audit" data-testid="csv-audit">Audit CSV</button>
      </form>
      <p id="status" data-testid="status" role="status"></p>
    </section>
    <div class="cards">
      <div class="card"><div class="v" id="t-requests" data-testid="total-requests">–</div><div class="k">requests</div></div>
      <div class="card"><div class="v" id="t-tokens" data-testid="total-tokens">–</div><div class="k">tokens</div></div>
      <div class="card"><div class="v" id="t-cost" data-testid="total-cost">–</div><div class="k">cost (USD)</div><div class="k" id="t-unpriced" data-testid="unpriced" hidden></div></div>
      <div class="card"><div class="v" id="t-errors" data-testid="error-rate">–</div><div class="k">error rate</div></div>
      <div class="card"><div class="v" id="t-latency" data-testid="latency">–</div><div class="k">latency p50 / p90 / p99 (ms, ±9%)</div></div>
      <div class="card"><div class="v" id="t-ttfb" data-testid="ttfb">–</div><div class="k">first byte p50 / p90 / p99 (ms, ±9%)</div></div>
    </div>
    <section style="margin-top:16px">
      <h2>Tokens per day</h2>
      <div id="chart-tokens" data-testid="chart-tokens"></div>
      <h2>Cost per day (USD)</h2>
      <div id="chart-cost" data-testid="chart-cost"></div>
    </section>
    <div class="grid2">
      <section><h2>Top users</h2><table data-testid="top-users"><thead><tr><th>user</th><th class="n">requests</th><th class="n">tokens</th><th class="n">cost</th></tr></thead><tbody></tbody></table></section>
      <section><h2>Top models</h2><table data-testid="top-models"><thead><tr><th>model</th><th class="n">requests</th><th class="n">tokens</th><th class="n">cost</th></tr></thead><tbody></tbody></table></section>
    </div>
    <div class="grid2">
      <section><h2>Errors by type</h2><table data-testid="error-types"><thead><tr><th>type</th><th class="n">count</th></tr></thead><tbody></tbody></table></section>
      <section>
        <h2>Sessions</h2>
        <form id="sessions-form">
          <label>User (object id) <input type="text" id="session-user" data-testid="session-user"></label>
          <button type="submit">List sessions</button>
        </form>
        <table data-testid="sessions"><thead><tr><th>session</th><th>created</th><th>state</th><th></th></tr></thead><tbody></tbody></table>
      </section>
    </div>
  </div>
</main>
<script src="/admin/dashboard.js"></script>
</body>
</html>
`;

/** The page's script. */
export const DASHBOARD_JS = `"use strict";
(() => {
  const KEY = "ccgate.admin.token";
  const $ = (id) => document.getElementById(id);
  const fmt = new Intl.NumberFormat("en-US");
  const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 2 });
  const usd = (n) => "$" + n.toFixed(n < 1 ? 4 : 2);
  const requests = (n) => fmt.format(n) + (n === 1 ? " request" : " requests");
  // A total's cost as the API says it: costUsd is null when every request was unpriced (its
  // model has no price in the policy): unknown, never shown as $0. A mix: the priced part, and
  // how many requests it leaves out.
  const cost = (t) => t.costUsd === null ? "unpriced"
    : usd(t.costUsd) + (t.unpriced > 0 ? " + " + fmt.format(t.unpriced) + " unpriced" : "");
  const token = () => sessionStorage.getItem(KEY);

  async function api(path, init = {}) {
    const res = await fetch(path, {
      ...init,
      headers: { ...(init.headers || {}), authorization: "Bearer " + token() },
    });
    if (res.status === 401 || res.status === 403) {
      let message = "Not allowed";
      try { message = (await res.json()).error.message; } catch { /* keep */ }
      throw Object.assign(new Error(message), { auth: true });
    }
    if (!res.ok) {
      // The gateway's Anthropic error JSON says what was wrong (shown with textContent only).
      let message = "Request failed: " + res.status;
      try {
        const error = (await res.json()).error;
        if (error && typeof error.message === "string") message += ": " + error.message;
      } catch { /* keep */ }
      throw new Error(message);
    }
    return res;
  }

  function showSignin(message) {
    $("signin").hidden = false;
    $("app").hidden = true;
    $("signout").hidden = true;
    $("who").textContent = "";
    $("signin-error").textContent = message || "";
  }

  async function start() {
    if (!token()) return showSignin();
    try {
      const me = await (await api("/admin/api/me")).json();
      // An admin of one tenant: group roll-ups and the audit log cover every tenant.
      const own = me.tenants === "own";
      $("who").textContent = (me.name || me.user) + (own ? " (tenant " + me.tid + ")" : "");
      if (own) $("group").value = "";
      $("group-filter").hidden = own;
      $("csv-audit").hidden = own;
      $("signin").hidden = true;
      $("app").hidden = false;
      $("signout").hidden = false;
      await load();
    } catch (err) {
      if (err.auth) sessionStorage.removeItem(KEY);
      showSignin(err.message);
    }
  }

  function query() {
    const q = new URLSearchParams({ from: $("from").value, to: $("to").value });
    if ($("group").value.trim()) q.set("group", $("group").value.trim());
    return q;
  }

  function rows(table, items, cells) {
    const body = table.querySelector("tbody");
    body.replaceChildren();
    for (const item of items) {
      const tr = document.createElement("tr");
      for (const [text, numeric] of cells(item)) {
        const td = document.createElement("td");
        td.textContent = text;
        if (numeric) td.className = "n";
        tr.append(td);
      }
      body.append(tr);
    }
  }

  const SVG = "http://www.w3.org/2000/svg";
  function el(name, attrs, text) {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Y-axis labels, short (4.47M, $12.5K) so that they fit the margin at any magnitude.
  const axisLabel = (kind, v) => kind === "line"
    ? (v === 0 ? "$0" : v >= 1000 ? "$" + compact.format(v) : usd(v))
    : compact.format(Math.round(v));

  /**
   * A bar chart (or a line chart) of one value per day, as SVG. A day whose value is null
   * (a cost of unpriced requests only) gets no point and breaks the line.
   */
  function chart(container, days, value, kind, label) {
    const W = 1100, H = 180, B = 24, T = 8;
    const top = Math.max(0, ...days.map(value).filter((v) => v !== null));
    const max = top > 0 ? top : 1;
    const ticks = (top > 0 ? [0, 0.5, 1] : [0]).map((f) => [max * f, axisLabel(kind, max * f)]);
    // The left margin fits the longest label (10px text: under 7 units a character).
    const L = Math.max(60, 12 + 7 * Math.max(...ticks.map(([, t]) => t.length)));
    const svg = el("svg", { viewBox: "0 0 " + W + " " + H, width: "100%", role: "img", "aria-label": label });
    const y = (v) => T + (H - T - B) * (1 - v / max);
    const step = (W - L) / Math.max(1, days.length);
    for (const [v, text] of ticks) {
      svg.append(el("line", { x1: L, x2: W, y1: y(v), y2: y(v), stroke: "#eef0f2" }));
      svg.append(el("text", { x: L - 6, y: y(v) + 3, "text-anchor": "end", "data-axis": "y" }, text));
    }
    const lines = [[]];
    days.forEach((d, i) => {
      const x = L + i * step;
      const v = value(d);
      if (kind === "bar") {
        const bar = el("rect", { x: x + step * 0.15, y: y(v), width: step * 0.7, height: H - B - y(v), fill: "#4f7cff", "data-day": d.day, "data-value": v });
        bar.append(el("title", {}, d.day + ": " + fmt.format(v)));
        svg.append(bar);
      } else if (v === null) {
        lines.push([]);
      } else {
        lines.at(-1).push((x + step / 2) + "," + y(v));
        const dot = el("circle", { cx: x + step / 2, cy: y(v), r: 3, fill: "#e5484d", "data-day": d.day, "data-value": v });
        dot.append(el("title", {}, d.day + ": " + cost(d)));
        svg.append(dot);
      }
      if (days.length <= 31 || i % Math.ceil(days.length / 31) === 0) {
        svg.append(el("text", { x: x + step / 2, y: H - 8, "text-anchor": "middle" }, d.day.slice(5)));
      }
    });
    for (const points of lines.filter((p) => p.length > 1)) {
      svg.prepend(el("polyline", { points: points.join(" "), fill: "none", stroke: "#e5484d", "stroke-width": 2 }));
    }
    container.replaceChildren(svg);
  }

  /** The cost card and chart: what priced requests cost, and how many requests are unpriced. */
  function costs(s) {
    const t = s.totals;
    $("t-cost").textContent = t.costUsd === null ? "—" : usd(t.costUsd);
    $("t-unpriced").hidden = t.unpriced === 0;
    $("t-unpriced").textContent = t.costUsd === null
      ? requests(t.unpriced) + " unpriced: no price in the policy"
      : "and " + requests(t.unpriced) + " unpriced, not in the total";
    if (t.costUsd === null) {
      const p = document.createElement("p");
      p.dataset.testid = "cost-unpriced";
      p.textContent = "No priced usage: " + requests(t.unpriced) + " unpriced (their models have no price in the policy).";
      $("chart-cost").replaceChildren(p);
    } else {
      chart($("chart-cost"), s.days, (d) => d.costUsd, "line", "Cost per day");
    }
  }

  const ms = (p) => [p.p50, p.p90, p.p99].map((v) => v === null ? "–" : fmt.format(v)).join(" / ");

  async function load() {
    $("status").textContent = "Loading…";
    try {
      const s = await (await api("/admin/api/summary?" + query())).json();
      $("t-requests").textContent = fmt.format(s.totals.requests);
      $("t-tokens").textContent = fmt.format(s.totals.tokens);
      $("t-errors").textContent = (s.errorRate * 100).toFixed(1) + "%";
      $("t-latency").textContent = ms(s.latencyMs);
      $("t-ttfb").textContent = ms(s.firstByteMs);
      chart($("chart-tokens"), s.days, (d) => d.tokens, "bar", "Tokens per day");
      costs(s);
      const cells = (name) => (t) => [[t[name], false], [fmt.format(t.requests), true], [fmt.format(t.tokens), true], [cost(t), true]];
      rows(document.querySelector("[data-testid=top-users]"), s.topUsers, cells("user"));
      rows(document.querySelector("[data-testid=top-models]"), s.topModels, cells("model"));
      rows(document.querySelector("[data-testid=error-types]"), s.errorTypes, (e) => [[e.type, false], [fmt.format(e.count), true]]);
      $("status").textContent = s.from + " to " + s.to + ": " + fmt.format(s.totals.requests) + " requests";
    } catch (err) {
      if (err.auth) { sessionStorage.removeItem(KEY); return showSignin(err.message); }
      $("status").textContent = err.message;
    }
  }

  // A paged CSV answer (the audit log) names its next page in the ccgate-next-cursor header:
  // every page is fetched (limit: the largest page the route allows) and saved as one file with
  // the first page's header row only (each page's first line, up to its CRLF, is the header).
  // A page that fails shows its error and nothing is saved.
  async function download(path, name, limit) {
    const before = $("status").textContent;
    try {
      const url = path + "?" + query() + "&format=csv" + (limit ? "&limit=" + limit : "");
      const parts = [];
      let after = "";
      do {
        const res = await api(url + (after ? "&after=" + encodeURIComponent(after) : ""));
        const text = await res.text();
        const cut = text.indexOf("\\r\\n");
        parts.push(parts.length === 0 ? text : cut < 0 ? "" : text.slice(cut + 2));
        const next = res.headers.get("ccgate-next-cursor") || "";
        if (next && next === after) throw new Error(name + ".csv: the next page repeats the last one");
        after = next;
        if (after) $("status").textContent = "Downloading " + name + ".csv: page " + (parts.length + 1) + "…";
      } while (after);
      if (parts.length > 1) $("status").textContent = before;
      const a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob(parts, { type: "text/csv;charset=utf-8" }));
      a.download = name + ".csv";
      a.click();
      URL.revokeObjectURL(a.href);
    } catch (err) {
      $("status").textContent = err.message;
    }
  }

  async function sessions(user) {
    const table = document.querySelector("[data-testid=sessions]");
    try {
      const res = await api("/admin/sessions?sub=" + encodeURIComponent(user));
      const body = await res.json();
      const list = Array.isArray(body) ? body : (body.sessions || []);
      rows(table, list, (s) => [[s.sid, false], [s.created_at || "", false], [s.revoked_at ? "revoked" : "active", false]]);
      table.querySelectorAll("tbody tr").forEach((tr, i) => {
        const s = list[i];
        if (s.revoked_at) return;
        const td = document.createElement("td");
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = "Revoke";
        b.onclick = async () => {
          await api("/admin/sessions/" + encodeURIComponent(s.sid), { method: "DELETE" });
          await sessions(user);
        };
        td.append(b);
        tr.append(td);
      });
    } catch (err) {
      $("status").textContent = err.message;
    }
  }

  const today = new Date().toISOString().slice(0, 10);
  $("to").value = today;
  $("from").value = new Date(Date.now() - 6 * 86400000).toISOString().slice(0, 10);
  $("signin-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY, $("token").value.trim());
    $("token").value = "";
    start();
  });
  $("signout").addEventListener("click", () => { sessionStorage.removeItem(KEY); showSignin(); });
  $("filters").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  $("csv-usage").addEventListener("click", () => download("/admin/api/usage", "ccgate-usage"));
  $("csv-entries").addEventListener("click", () => download("/admin/api/entries", "ccgate-requests"));
  $("csv-audit").addEventListener("click", () => download("/admin/audit", "ccgate-audit", ${MAX_AUDIT_PAGE_SIZE}));
  $("sessions-form").addEventListener("submit", (e) => { e.preventDefault(); sessions($("session-user").value.trim()); });
  start();
})();
`;
