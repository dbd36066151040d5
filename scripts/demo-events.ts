// Subscribes the demo tenant to every outbound event at the Zoom emulator's receiver
// (`/hooks/demo`), which verifies each delivery's Standard Webhooks signature and records it, so a
// new user of `npm start` sees events flow: GET <emulator>/__emulator/receiver/demo.
import { SignJWT } from "jose";
import { devVars, localPorts, localVars } from "./local.ts";

const ENDPOINT = "demo";

async function adminToken(): Promise<string> {
  const vars = localVars(localPorts());
  const secret = devVars().JWT_HS256_SECRET;
  if (!secret) throw new Error("JWT_HS256_SECRET is not set in .dev.vars");
  return new SignJWT({ tenant: "demo", role: "admin" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(vars.JWT_ISSUER ?? "")
    .setAudience(vars.JWT_AUDIENCE ?? "")
    .setSubject("demo-admin")
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(secret));
}

/** Returns the receiver URL where the demo tenant's deliveries can be read. */
export async function subscribeDemoToReceiver(appUrl: string, zoomUrl: string): Promise<string> {
  const headers = { authorization: `Bearer ${await adminToken()}`, "content-type": "application/json" };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${appUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const origin = new URL(zoomUrl).origin;
  const url = `${origin}/hooks/${ENDPOINT}`;
  await call("PATCH", "/v1/tenant", { webhookOrigins: [origin] });
  const types = ((await call("GET", "/v1/events/types")).types as { type: string }[]).map((t) => t.type);
  const existing = (
    (await call("GET", "/v1/events/subscriptions")).subscriptions as { id: string; url: string }[]
  ).find((s) => s.url === url);
  // The secret is shown once: a subscription from an earlier run gets a new one for this run's receiver.
  const answer = existing
    ? await call("POST", `/v1/events/subscriptions/${existing.id}/rotate-secret`, { overlapSeconds: 0 })
    : await call("POST", "/v1/events/subscriptions", {
        url,
        eventTypes: types,
        description: "npm start receiver",
      });
  if (existing)
    await call("PATCH", `/v1/events/subscriptions/${existing.id}`, { eventTypes: types, enabled: true });
  const res = await fetch(`${zoomUrl}/__emulator/receiver/${ENDPOINT}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ secrets: [answer.secret], mode: "ok" }),
  });
  if (!res.ok) throw new Error(`receiver setup: ${res.status}`);
  return `${zoomUrl}/__emulator/receiver/${ENDPOINT}`;
}
