// A stand-in for Wise's event endpoint: POST /hooks/{endpoint} verifies Standard Webhooks signatures
// with the `standardwebhooks` library and records every delivery; its behaviour per endpoint (answer,
// delay, redirect, 410, down) and what it received are driven through /__emulator/receiver/{endpoint}.
import { Hono } from "hono";
import { Webhook } from "standardwebhooks";
import type { ReceiverConfig, ReceiverMode } from "./receiver-types.ts";
import type { Env } from "./state.ts";

export type { ReceivedDelivery, ReceiverConfig, ReceiverMode } from "./receiver-types.ts";

const state = (env: Env) => env.ZOOM_STATE.getByName("zoom");

const answers: Record<Exclude<ReceiverMode, "ok" | "slow">, number> = {
  fail: 500,
  gone: 410,
  redirect: 307,
  down: 503,
};

function verifiedBy(secrets: string[], body: string, headers: Record<string, string>): number {
  let n = 0;
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(body, headers);
      n++;
    } catch {
      // Not this secret.
    }
  }
  return n;
}

export const receiver = new Hono<{ Bindings: Env }>();

receiver.post("/hooks/:endpoint", async (c) => {
  const endpoint = c.req.param("endpoint");
  const config = (await state(c.env).receiverConfig(endpoint)) ?? { secrets: [], mode: "ok" as const };
  const body = await c.req.text();
  const headers: Record<string, string> = {};
  for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
    const v = c.req.header(name);
    if (v !== undefined) headers[name] = v;
  }
  const verified = verifiedBy(config.secrets, body, headers);
  let type: string | null = null;
  try {
    type = String((JSON.parse(body) as { type?: unknown }).type ?? "") || null;
  } catch {
    type = null;
  }
  const status =
    config.mode === "ok" || config.mode === "slow" ? (verified ? 204 : 401) : answers[config.mode];
  await state(c.env).receiverRecord({
    endpoint,
    webhookId: headers["webhook-id"] ?? null,
    timestamp: headers["webhook-timestamp"] ?? null,
    signature: headers["webhook-signature"] ?? null,
    verifiedSecrets: verified,
    type,
    body,
    answeredStatus: status,
    receivedAt: Date.now(),
  });
  if (config.mode === "slow") await new Promise((r) => setTimeout(r, config.delayMs ?? 5000));
  if (config.mode === "redirect") {
    return new Response(null, {
      status,
      headers: { location: `${new URL(c.req.url).origin}/hooks/${endpoint}-moved` },
    });
  }
  return new Response(null, { status });
});

receiver.put("/__emulator/receiver/:endpoint", async (c) => {
  const raw = (await c.req.json()) as Partial<ReceiverConfig>;
  const modes: ReceiverMode[] = ["ok", "fail", "gone", "redirect", "slow", "down"];
  const config: ReceiverConfig = {
    secrets: Array.isArray(raw.secrets) ? raw.secrets.filter((s) => typeof s === "string") : [],
    mode: modes.includes(raw.mode as ReceiverMode) ? (raw.mode as ReceiverMode) : "ok",
    ...(typeof raw.delayMs === "number" ? { delayMs: raw.delayMs } : {}),
  };
  await state(c.env).receiverConfigure(c.req.param("endpoint"), config);
  return c.json({ endpoint: c.req.param("endpoint"), ...config, secrets: config.secrets.length });
});

receiver.get("/__emulator/receiver/:endpoint", async (c) =>
  c.json({ deliveries: await state(c.env).receiverDeliveries(c.req.param("endpoint")) }),
);

receiver.delete("/__emulator/receiver", async (c) => {
  await state(c.env).receiverClear();
  return c.json({ cleared: true });
});
