// The console's stylesheet and script, served as static text by the Worker (no build step).
// The script only uses the public /v1 API with the admin's JWT, and builds the DOM with
// textContent so that nothing from the API is ever interpreted as HTML.
// Kept whole on purpose: it is one browser script and its stylesheet, served as two strings; splitting
// the text would only scatter a single program that has no imports.

export const consoleCss = `
:root{--fg:#1d2330;--muted:#5b6475;--bg:#f6f7f9;--card:#fff;--accent:#2d5bff;--danger:#c53030;--ok:#2f855a}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:var(--bg);color:var(--fg);line-height:1.45}
header{background:var(--fg);color:#fff;padding:1rem 1.25rem}header h1{margin:0;font-size:1.3rem}header .muted{color:#c8cfdb}
main,#signin{max-width:60rem;margin:0 auto;padding:1rem}
section{background:var(--card);border-radius:12px;padding:1rem 1.25rem;margin:1rem 0;box-shadow:0 1px 3px rgba(0,0,0,.07)}
h2{font-size:1.1rem;margin:0 0 .75rem}
.muted{color:var(--muted)}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}.spread{justify-content:space-between}
button{font:inherit;padding:.5rem .9rem;border-radius:8px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
button.secondary{background:#fff;color:var(--accent)}button.danger{background:#fff;color:var(--danger);border-color:var(--danger)}
button:focus-visible,input:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid #9db4ff;outline-offset:2px}
button[disabled]{opacity:.6;cursor:progress}
textarea,input{font:inherit;padding:.45rem;border:1px solid #c9cfdb;border-radius:6px;width:100%}
input[type=checkbox]{width:auto}
label{display:block;font-size:.9rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:.6rem;align-items:end;margin-top:.75rem}
.check{display:flex;gap:.4rem;align-items:center}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .9rem;margin:0 0 .75rem}.facts dt{color:var(--muted)}.facts dd{margin:0;word-break:break-word}
table{width:100%;border-collapse:collapse;font-size:.95rem}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #e6e9ef;vertical-align:top}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.8rem;background:#e6e9ef}
.pending{border:1px solid currentColor;border-radius:6px;padding:.5rem 1rem;margin:.5rem 0}
.badge.linked,.badge.archived,.badge.active{background:#d7f3e3;color:var(--ok)}.badge.delivered{background:#d7f3e3;color:var(--ok)}.badge.dead,.badge.cancelled{background:#fde2e2;color:var(--danger)}
.badge.needs_relink,.badge.failed{background:#fde2e2;color:var(--danger)}
.cards{list-style:none;padding:0;display:grid;gap:.75rem}.cards li{border:1px solid #e6e9ef;border-radius:10px;padding:.75rem}
.links{font-size:.85rem;word-break:break-all}
progress{width:8rem}
#error{background:#fde2e2;color:var(--danger);padding:.75rem 1rem;margin:1rem auto;max-width:60rem;border-radius:8px}
#event-secret{background:#fff7d6;padding:.6rem .9rem;border-radius:8px;word-break:break-all;margin-bottom:.75rem}
#notice{background:#e3ebff;padding:.75rem 1rem;margin:1rem auto;max-width:60rem;border-radius:8px}
#storage-chart{width:100%;height:6rem;display:block}#storage-chart text{font-size:9px;fill:var(--muted)}
video{width:100%;max-height:60vh;background:#000;border-radius:8px}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
@media (max-width:40rem){th:nth-child(2),td:nth-child(2){display:none}}
`;

export const consoleJs = String.raw`
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const KEY = "wze.token";
  let token = sessionStorage.getItem(KEY) || "";
  let refreshTimer = null;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "class") node.className = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  function show(id, text) { const n = $(id); n.textContent = text; n.hidden = !text; }
  const notice = (t) => show("notice", t);
  const fail = (t) => show("error", t);

  class ApiProblem extends Error {
    constructor(status, body) {
      super((body && (body.detail || body.title)) || "HTTP " + status);
      this.status = status; this.body = body || {};
    }
  }

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: Object.assign({ authorization: "Bearer " + token }, body === undefined ? {} : { "content-type": "application/json" }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 204) return null;
    const type = res.headers.get("content-type") || "";
    const data = type.includes("json") ? await res.json().catch(() => null) : null;
    if (!res.ok) {
      if (res.status === 401) signedOut("Your token is missing, expired or not accepted. Paste a fresh admin token to continue.");
      throw new ApiProblem(res.status, data);
    }
    return data;
  }

  function problemText(err) {
    if (err instanceof ApiProblem) {
      const b = err.body;
      return (b.title ? b.title + ": " : "") + (b.detail || "request failed") + (b.code ? " (" + b.code + ")" : "");
    }
    return "Something went wrong: " + (err && err.message ? err.message : String(err));
  }

  async function guarded(button, work) {
    fail("");
    if (button) button.disabled = true;
    try { await work(); } catch (err) { if (!(err instanceof ApiProblem && err.status === 401)) fail(problemText(err)); }
    finally { if (button) button.disabled = false; }
  }

  function signedOut(hint) {
    token = ""; sessionStorage.removeItem(KEY);
    $("app").hidden = true; $("signin").hidden = false;
    if (hint) $("signin-hint").textContent = hint;
    if (refreshTimer) clearInterval(refreshTimer);
  }

  async function signIn(t) {
    token = t.trim();
    sessionStorage.setItem(KEY, token);
    const me = await api("GET", "/v1/me");
    if (me.role !== "admin") { signedOut("That token is for a " + me.role + "; the console needs an admin token."); return; }
    $("whoami").textContent = "Signed in as " + me.userId + " (" + me.tenantId + ")";
    $("signin").hidden = true; $("app").hidden = false;
    await loadAll();
    // Recordings move through the archive, and classes go live and end, without anyone clicking.
    refreshTimer = setInterval(() => { loadRecordings().catch(() => {}); refreshClassStatuses().catch(() => {}); }, 5000);
  }

  function facts(target, pairs) {
    const dl = $(target); dl.replaceChildren();
    for (const [k, v] of pairs) dl.append(el("dt", {}, k), el("dd", {}, v));
  }
  const when = (s) => (s ? new Date(s).toLocaleString() : "never");
  const bytes = (n) => {
    if (n === null || n === undefined) return "unknown";
    const u = ["B", "KB", "MB", "GB", "TB"]; let i = 0; let v = Number(n);
    while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return v.toFixed(i ? 1 : 0) + " " + u[i];
  };

  async function loadLink(live) {
    const s = await api("GET", "/v1/zoom/link" + (live ? "?live=1" : ""));
    const pairs = [
      ["Status", el("span", { class: "badge " + s.status, "data-testid": "link-status" }, s.status.replace("_", " "))],
    ];
    if (s.zoomAccountId) pairs.push(["Zoom account", s.zoomAccountId + (s.zoomUserEmail ? " (" + s.zoomUserEmail + ")" : "")]);
    if (s.linkedAt) pairs.push(["Linked", when(s.linkedAt) + (s.linkedBy ? " by " + s.linkedBy : "")]);
    if (s.status !== "unlinked") pairs.push(["Last token refresh", when(s.lastRefreshAt)]);
    if (s.missingScopes && s.missingScopes.length && s.status !== "unlinked") pairs.push(["Missing permissions", s.missingScopes.join(", ")]);
    if (s.reason) pairs.push(["Note", s.reason]);
    if (s.live) pairs.push(["Connection test", s.live.ok ? "OK at " + when(s.live.checkedAt) : "Failed: " + (s.live.error || "")]);
    facts("link-status", pairs);
    $("link-btn").textContent = s.status === "unlinked" ? "Link Zoom" : "Link again";
    $("unlink-btn").hidden = s.status === "unlinked";
    $("test-btn").hidden = s.status === "unlinked";
    return s;
  }

  // Secrets from Zoom's way back (URL fragment, never sent to a server): the confirmation of a pending
  // link, or the handoff of an install started from the Zoom Marketplace.
  let confirmation = "";
  let handoff = "";

  async function loadPending() {
    if (handoff) {
      const claimed = await api("POST", "/v1/zoom/link/claim", { handoff: handoff });
      handoff = ""; confirmation = claimed.confirmation;
    }
    const { pending } = await api("GET", "/v1/zoom/link/pending");
    const p = pending[0];
    $("pending-box").hidden = !p;
    if (!p) return;
    $("pending-text").textContent = "Link Zoom account " + p.zoomAccountId + (p.zoomUserEmail ? " (" + p.zoomUserEmail + ")" : "") + " to this institute?" +
      (confirmation ? "" : " Confirm it from the browser that came back from Zoom, or cancel it.");
    $("confirm-btn").hidden = !confirmation;
  }

  async function loadUsage() {
    let u;
    try { u = await api("GET", "/v1/zoom/usage"); }
    catch (err) { facts("usage", [["Usage", problemText(err)]]); return; }
    const seats = u.seats || {}; const st = u.cloudStorage || {};
    facts("usage", [
      ["Licensed seats", (seats.licensed ?? "?") + " of " + (seats.purchased ?? seats.total ?? "?")],
      ["Basic / pending users", (seats.basic ?? "?") + " / " + (seats.pending ?? "?")],
      ["Cloud storage", bytes(st.usedBytes) + " used of " + bytes(st.planBytes)],
      ["Archived to R2", bytes((u.archive && u.archive.bytes) || 0) + " in " + ((u.archive && u.archive.files) || 0) + " files"],
      ["Figures from", u.cachedAt ? when(u.cachedAt) : "just now"],
    ]);
    drawChart(u.history || []);
  }

  function drawChart(points) {
    const svg = $("storage-chart"); svg.replaceChildren(svg.querySelector("title") || "");
    svg.setAttribute("preserveAspectRatio", "none");
    const ns = "http://www.w3.org/2000/svg";
    const values = points.map((p) => Number(p.usedBytes ?? 0));
    if (values.length < 2) {
      const t = document.createElementNS(ns, "text"); t.setAttribute("x", "4"); t.setAttribute("y", "44");
      t.textContent = "Not enough history yet"; svg.append(t); return;
    }
    const max = Math.max(...values, 1);
    const step = 300 / (values.length - 1);
    const d = values.map((v, i) => (i ? "L" : "M") + (i * step).toFixed(1) + " " + (76 - (v / max) * 70).toFixed(1)).join(" ");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d); path.setAttribute("fill", "none"); path.setAttribute("stroke", "#2d5bff"); path.setAttribute("stroke-width", "2");
    svg.append(path);
  }

  async function loadTeachers() {
    const data = await api("GET", "/v1/teachers");
    const list = Array.isArray(data) ? data : data.teachers || [];
    const body = $("teachers"); body.replaceChildren();
    for (const t of list) {
      const toggle = el("button", { type: "button", class: "secondary", onclick: (e) => guarded(e.target, async () => {
        await api("PATCH", "/v1/teachers/" + encodeURIComponent(t.wiseUserId), { licensed: !t.licensed });
        await Promise.all([loadTeachers(), loadUsage()]);
      }) }, t.licensed ? "Remove license" : "License");
      body.append(el("tr", { "data-teacher": t.wiseUserId },
        el("td", {}, [t.firstName, t.lastName].filter(Boolean).join(" ") || t.wiseUserId),
        el("td", {}, t.email || ""),
        el("td", {}, el("span", { class: "badge " + (t.status || "") }, t.status || "")),
        el("td", {}, t.licensed ? "Licensed" : "Basic"),
        el("td", {}, toggle)));
    }
    if (!list.length) body.append(el("tr", {}, el("td", { colspan: 5, class: "muted" }, "No teachers yet.")));
  }

  const classes = new Map();
  async function loadClasses() {
    try {
      const data = await api("GET", "/v1/classes");
      for (const c of (Array.isArray(data) ? data : data.classes || [])) classes.set(c.classId, c);
    } catch (err) { if (!(err instanceof ApiProblem && (err.status === 404 || err.status === 405))) throw err; }
    renderClasses();
  }

  // Updates status badges in place, so a roster being typed or links on screen are not wiped.
  async function refreshClassStatuses() {
    const data = await api("GET", "/v1/classes");
    for (const c of data.classes || []) {
      const known = classes.has(c.classId);
      classes.set(c.classId, c);
      const badge = document.querySelector('li[data-class="' + CSS.escape(c.classId) + '"] .badge');
      if (!known || !badge) { renderClasses(); return; }
      badge.textContent = c.status; badge.className = "badge " + c.status;
    }
  }

  function renderClasses() {
    const ul = $("classes"); ul.replaceChildren();
    for (const c of classes.values()) {
      const out = el("div", { class: "links", "aria-live": "polite" });
      const roster = el("textarea", { rows: 3, "aria-label": "Roster for " + c.classId, placeholder: "one student per line: id, name, email" });
      ul.append(el("li", { "data-class": c.classId },
        el("strong", {}, c.topic || c.classId), " ",
        el("span", { class: "badge " + (c.status || "") }, c.status || ""),
        el("p", { class: "muted" }, "Class " + c.classId + " · teacher " + c.teacherId + " · " + when(c.startTime) + " · " + c.durationMinutes + " min · Zoom meeting " + (c.zoomMeetingId || "?")),
        el("div", { class: "row" },
          el("button", { type: "button", class: "secondary", onclick: (e) => guarded(e.target, async () => {
            const r = await api("POST", "/v1/classes/" + encodeURIComponent(c.classId) + "/start-link", {});
            out.replaceChildren(el("p", {}, "Start link: ", el("a", { href: r.url, "data-testid": "start-link" }, r.url)));
          }) }, "Start link")),
        el("label", {}, "Roster", roster),
        el("button", { type: "button", onclick: (e) => guarded(e.target, async () => {
          const students = roster.value.split("\n").map((l) => l.split(",").map((s) => s.trim())).filter((p) => p[0])
            .map(([id, name, email]) => (email ? { id, name: name || id, email } : { id, name: name || id }));
          const r = await api("POST", "/v1/classes/" + encodeURIComponent(c.classId) + "/join-links", { students });
          out.replaceChildren(el("ul", {}, r.links.map((l) => el("li", {}, l.studentId + ": ", el("a", { href: l.url, "data-student": l.studentId }, l.url)))));
        }) }, "Make join links"),
        out));
    }
    if (!classes.size) ul.append(el("li", { class: "muted" }, "No classes yet."));
  }

  let playing = "";
  async function loadRecordings() {
    const data = await api("GET", "/v1/recordings");
    const list = Array.isArray(data) ? data : data.recordings || [];
    const body = $("recordings"); body.replaceChildren();
    for (const r of list) {
      for (const f of r.files || []) {
        const size = Number(f.sizeBytes || 0); const done = Number(f.bytesArchived || 0);
        const state = el("div", {}, el("span", { class: "badge " + f.status, "data-file-status": f.id }, f.status));
        if (f.status === "archiving" || (f.status === "pending" && done > 0)) {
          state.append(" ", el("progress", { max: size || 1, value: done, "aria-label": "Archived " + bytes(done) + " of " + bytes(size) }), " " + bytes(done) + " / " + bytes(size));
        } else if (f.status === "archived") state.append(" " + bytes(size));
        if (f.status === "failed" && f.error) state.append(el("p", { class: "muted", "data-file-error": f.id }, "Reason: " + f.error));
        const actions = el("div", { class: "row" });
        if (f.status === "failed") actions.append(el("button", { type: "button", class: "secondary", onclick: (e) => guarded(e.target, async () => {
          await api("POST", "/v1/recordings/" + encodeURIComponent(r.id) + "/retry", {}); await loadRecordings();
        }) }, "Retry"));
        if (f.status === "archived" && /^(MP4|M4A)$/i.test(f.fileType || "")) actions.append(el("button", { type: "button", "data-play": f.id, onclick: (e) => guarded(e.target, async () => {
          const link = await api("POST", "/v1/recordings/files/" + encodeURIComponent(f.id) + "/playback-link", {});
          playing = f.id; $("player-box").hidden = false; $("player").src = link.url;
          const cc = (r.files || []).find((x) => x.fileType === "CC" && x.status === "archived");
          if (cc) $("player-captions").src = (await api("POST", "/v1/recordings/files/" + encodeURIComponent(cc.id) + "/playback-link", {})).url;
          $("player").focus();
        }) }, "Play"));
        body.append(el("tr", {},
          el("td", {}, (r.topic || r.meetingId || r.id) + (r.startTime ? " · " + when(r.startTime) : "")),
          el("td", {}, f.fileType || "", " ", el("span", { class: "muted" }, f.id === playing ? "(playing)" : "")),
          el("td", {}, state), el("td", {}, actions)));
      }
    }
    if (!list.length) body.append(el("tr", {}, el("td", { colspan: 4, class: "muted" }, "No recordings yet.")));
  }

  // Outbound events: subscriptions, their latest deliveries with a replay button each.
  async function loadEvents() {
    const { subscriptions } = await api("GET", "/v1/events/subscriptions");
    const ul = $("subscriptions"); ul.replaceChildren();
    for (const s of subscriptions) {
      const path = "/v1/events/subscriptions/" + encodeURIComponent(s.id);
      const { deliveries } = await api("GET", path + "/deliveries?limit=10");
      const rows = deliveries.map((d) => el("tr", {},
        el("td", {}, d.type), el("td", {}, el("span", { class: "badge " + d.status, "data-delivery-status": d.eventId }, d.status)),
        el("td", {}, String(d.attempts)), el("td", { class: "muted" }, d.lastError || (d.lastStatus ? "HTTP " + d.lastStatus : "")),
        el("td", {}, el("button", { type: "button", class: "secondary", "data-replay": d.eventId, onclick: (e) => guarded(e.target, async () => {
          await api("POST", path + "/replay", { eventId: d.eventId }); notice("Event queued again."); await loadEvents();
        }) }, "Replay"))));
      ul.append(el("li", { "data-subscription": s.id },
        el("p", {}, el("strong", {}, s.url), " ", el("span", { class: "badge " + (s.enabled ? "active" : "failed") }, s.enabled ? "enabled" : "disabled"),
          s.disabledReason ? el("span", { class: "muted" }, " (" + s.disabledReason + ")") : null),
        el("p", { class: "muted" }, s.eventTypes.join(", ")),
        el("div", { class: "row" },
          el("button", { type: "button", class: "secondary", onclick: (e) => guarded(e.target, async () => {
            await api("PATCH", path, { enabled: !s.enabled }); await loadEvents();
          }) }, s.enabled ? "Disable" : "Enable"),
          el("button", { type: "button", class: "secondary", onclick: (e) => guarded(e.target, async () => {
            const r = await api("POST", path + "/rotate-secret", { overlapSeconds: 86400 });
            show("event-secret", "New signing secret (shown once; the old one signs too for 24 hours): " + r.secret);
          }) }, "Rotate secret")),
        el("table", {}, el("caption", { class: "sr-only" }, "Recent deliveries"),
          el("thead", {}, el("tr", {}, ["Event", "Status", "Attempts", "Last answer", ""].map((h) => el("th", { scope: "col" }, h)))),
          el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colspan: 5, class: "muted" }, "No deliveries yet."))))));
    }
    if (!subscriptions.length) ul.append(el("li", { class: "muted" }, "No subscriptions yet."));
  }

  async function loadAll() {
    const results = await Promise.allSettled([loadLink(false), loadPending(), loadUsage(), loadTeachers(), loadClasses(), loadRecordings(), loadEvents()]);
    const failed = results.find((r) => r.status === "rejected");
    if (failed && !(failed.reason instanceof ApiProblem && failed.reason.status === 401)) fail(problemText(failed.reason));
  }

  function formData(form) {
    const out = {};
    for (const input of form.elements) {
      if (!input.name) continue;
      out[input.name] = input.type === "checkbox" ? input.checked : input.type === "number" ? Number(input.value) : input.value;
    }
    return out;
  }

  document.addEventListener("DOMContentLoaded", () => {
    const params = new URLSearchParams(location.search);
    const outcome = params.get("zoom_link");
    const fragment = new URLSearchParams(location.hash.slice(1));
    confirmation = fragment.get("zoom_confirm") || "";
    handoff = fragment.get("zoom_handoff") || "";
    if (outcome) {
      notice({ linked: "Zoom is linked.", relinked: "Zoom is linked again.", pending: "Zoom authorized Wise. Confirm the link below.", denied: "Zoom was not linked: the authorization was declined." }[outcome] || "Zoom linking finished: " + outcome);
    }
    if (handoff) notice("Zoom was added from the Marketplace. Sign in as an admin to link it to your institute.");
    if (outcome || location.hash) history.replaceState(null, "", location.pathname);
    $("signin-form").addEventListener("submit", (e) => { e.preventDefault(); guarded(e.submitter, () => signIn($("token").value)); });
    const demo = $("demo-token");
    if (demo) demo.addEventListener("click", (e) => guarded(e.target, async () => {
      const res = await fetch("/console/demo-token", { method: "POST" });
      if (!res.ok) throw new Error("the demo token is not available here");
      await signIn((await res.json()).token);
    }));
    $("signout").addEventListener("click", () => signedOut("Signed out."));
    $("link-btn").addEventListener("click", (e) => guarded(e.target, async () => {
      const r = await api("POST", "/v1/zoom/link", { returnTo: location.origin + "/console" });
      location.assign(r.authorizeUrl);
    }));
    $("confirm-btn").addEventListener("click", (e) => guarded(e.target, async () => {
      const s = await api("POST", "/v1/zoom/link/confirm", { confirmation: confirmation });
      confirmation = ""; $("pending-box").hidden = true;
      await loadAll();
      notice(s.missingScopes && s.missingScopes.length ? "Zoom is linked, but some permissions were not granted." : "Zoom is linked.");
    }));
    $("cancel-btn").addEventListener("click", (e) => guarded(e.target, async () => {
      await api("DELETE", "/v1/zoom/link/pending");
      confirmation = ""; $("pending-box").hidden = true; notice("Linking Zoom was cancelled.");
    }));
    $("test-btn").addEventListener("click", (e) => guarded(e.target, () => loadLink(true)));
    $("unlink-btn").addEventListener("click", (e) => guarded(e.target, async () => {
      if (!confirm("Unlink Zoom? Teachers' classes stay in Zoom, but Wise can no longer manage them.")) return;
      await api("DELETE", "/v1/zoom/link"); await loadLink(false); notice("Zoom is unlinked.");
    }));
    $("teacher-form").addEventListener("submit", (e) => { e.preventDefault(); guarded(e.submitter, async () => {
      await api("POST", "/v1/teachers", formData(e.target)); e.target.reset(); await Promise.all([loadTeachers(), loadUsage()]);
    }); });
    $("class-form").addEventListener("submit", (e) => { e.preventDefault(); guarded(e.submitter, async () => {
      const f = formData(e.target);
      const body = { teacherId: f.teacherId, topic: f.topic, startTime: new Date(f.startTime).toISOString(), durationMinutes: f.durationMinutes, registration: f.registration };
      const c = await api("PUT", "/v1/classes/" + encodeURIComponent(f.classId) + "/meeting", body);
      classes.set(c.classId, c); renderClasses();
    }); });
    $("subscription-form").addEventListener("submit", (e) => { e.preventDefault(); guarded(e.submitter, async () => {
      const { types } = await api("GET", "/v1/events/types");
      const r = await api("POST", "/v1/events/subscriptions", { url: formData(e.target).url, eventTypes: types.map((t) => t.type) });
      e.target.reset(); show("event-secret", "Signing secret (shown once): " + r.secret); await loadEvents();
    }); });
    if (token) guarded(null, () => signIn(token));
  });
})();
`;
