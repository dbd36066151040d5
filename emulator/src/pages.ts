// Browser-facing pages: OAuth consent, OAuth error, host start page and participant join pages.
// Plain HTML forms that work without JavaScript and read well on a phone.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;padding:1rem;background:#f4f6fa;color:#222}
main{max-width:28rem;margin:2rem auto;background:#fff;padding:1.5rem;border-radius:12px;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem}ul{padding-left:1.2rem}select,button{font-size:1rem;width:100%;padding:.7rem;margin:.4rem 0;border-radius:8px}
button{border:0;background:#0b5cff;color:#fff}button.deny{background:#e6e8ee;color:#222}.muted{color:#666;font-size:.9rem}
</style>
</head>
<body><main>
${body}
</main></body>
</html>`;
}

export interface ConsentView {
  appName: string;
  scopes: string[];
  users: { id: string; label: string }[];
  selectedUserId: string;
  hidden: Record<string, string>;
}

export function consentPage(v: ConsentView): string {
  const options = v.users
    .map(
      (u) =>
        `<option value="${escapeHtml(u.id)}"${u.id === v.selectedUserId ? " selected" : ""}>${escapeHtml(u.label)}</option>`,
    )
    .join("\n");
  const hidden = Object.entries(v.hidden)
    .map(([k, val]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(val)}">`)
    .join("\n");
  const scopes = v.scopes
    .map(
      (s) =>
        `<li><label><input type="checkbox" name="granted" value="${escapeHtml(s)}" checked> <code>${escapeHtml(s)}</code></label></li>`,
    )
    .join("\n");
  return page(
    `Authorize ${v.appName}`,
    `<h1>${escapeHtml(v.appName)} would like to access your Zoom account</h1>
<form method="post" action="/oauth/authorize">
<p>Requested permissions (untick one to decline it):</p>
<ul>
${scopes}
</ul>
<input type="hidden" name="choose_scopes" value="1">
<label for="user_id">Signed in as</label>
<select id="user_id" name="user_id">
${options}
</select>
${hidden}
<button type="submit" name="decision" value="approve">Authorize</button>
<button type="submit" name="decision" value="deny" class="deny">Deny</button>
</form>
<p class="muted">Zoom emulator: no password is asked for.</p>`,
  );
}

export function errorPage(title: string, detail: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p>`);
}

export function startPage(meetingId: number, hostName: string, topic: string): string {
  return page(
    `Meeting ${meetingId}`,
    `<h1>Meeting ${meetingId} started by host ${escapeHtml(hostName)}</h1><p>${escapeHtml(topic)}</p>`,
  );
}

export function expiredStartPage(meetingId: string): string {
  return page(
    "Link expired",
    `<h1>This start link has expired</h1><p>The host link for meeting ${escapeHtml(meetingId)} is no longer valid. Ask the app for a new one.</p>`,
  );
}

export function joinPage(meetingId: number, topic: string, registrantName?: string): string {
  const who = registrantName ? `<p>Joining as ${escapeHtml(registrantName)}</p>` : "";
  return page(
    `Join meeting ${meetingId}`,
    `<h1>Join meeting ${meetingId}</h1><p>${escapeHtml(topic)}</p>${who}`,
  );
}
