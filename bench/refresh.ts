// Refresh storm: N concurrent API calls whose access token Zoom just expired. Counts refresh grants
// at the emulator (must be exactly 1 per storm) and compares caller latency with one plain token
// round-trip to the same emulator, measured in the same run.
import { fmt, percentile, type Stack } from "./harness.ts";

const BASIC = `Basic ${btoa("wise-local-client:wise-local-client-secret")}`;

async function plainRoundTrips(stack: Stack, n: number): Promise<number[]> {
  // A separate grant (account B) so the product's refresh token is never touched.
  const verifier = "bench-verifier-0123456789-0123456789-0123456789";
  const challenge = btoa(
    String.fromCharCode(
      ...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))),
    ),
  )
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
  const form = new URLSearchParams({
    response_type: "code",
    client_id: "wise-local-client",
    redirect_uri: "https://edge.test/oauth/zoom/callback",
    state: "bench",
    code_challenge: challenge,
    code_challenge_method: "S256",
    user_id: "Vb2nK8sTQe6Xo1Lw5ZyRmQ",
    decision: "approve",
  });
  const consent = await stack.zoom("/oauth/authorize", { method: "POST", body: form, redirect: "manual" });
  const code = new URL(consent.headers.get("location") ?? "").searchParams.get("code") ?? "";
  const first = await stack.zoom("/oauth/token", {
    method: "POST",
    headers: { authorization: BASIC },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: "https://edge.test/oauth/zoom/callback",
      code_verifier: verifier,
    }),
  });
  let refresh = ((await first.json()) as { refresh_token: string }).refresh_token;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await stack.zoom("/oauth/token", {
      method: "POST",
      headers: { authorization: BASIC },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refresh }),
    });
    refresh = ((await res.json()) as { refresh_token: string }).refresh_token;
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

export async function refreshStorm(stack: Stack): Promise<string[]> {
  await stack.control("/config", { rateLimits: { enabled: false } });
  await stack.link("bench-a");
  const auth = { authorization: `Bearer ${await stack.token("bench-a")}` };
  const check = async () => {
    const t = performance.now();
    const res = await stack.app("/v1/zoom/link?live=1", { headers: auth });
    const body = (await res.json()) as { live?: { ok: boolean } };
    return { ms: performance.now() - t, ok: body.live?.ok === true };
  };
  await check(); // warm the isolate and the refresher

  const base = await plainRoundTrips(stack, 30);
  const baseP50 = percentile(base, 50);
  // The emulator serialises every request through one Durable Object, so N concurrent calls queue there
  // whatever the product does: N plain API calls straight to the emulator show that floor.
  const { validTokens } = await stack.control<{ validTokens: { access: string[] } }>(
    "/stats",
    undefined,
    "GET",
  );
  const plainToken = validTokens.access.at(-1) ?? "";
  const plainBurst = async (n: number) => {
    const t = performance.now();
    await Promise.all(
      Array.from({ length: n }, async () => {
        const r = await stack.zoom("/v2/users/me", { headers: { authorization: `Bearer ${plainToken}` } });
        await r.arrayBuffer();
      }),
    );
    return performance.now() - t;
  };
  const lines = [
    `refresh storm (baseline: one plain refresh_token round-trip to the emulator, p50 ${fmt(baseP50, 2)} ms)`,
    "  callers  grants  ok         p50 ms   p99 ms   p50/base  p99/base  storm wall / N plain Zoom calls wall",
  ];
  for (const n of [1, 10, 100, 1000]) {
    await stack.control("/clock", { advanceSeconds: 3600 });
    const before = (await stack.control<{ grants: { refresh_token: number } }>("/stats", undefined, "GET"))
      .grants.refresh_token;
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: n }, check));
    const wall = performance.now() - started;
    const floor = await plainBurst(n);
    const after = (await stack.control<{ grants: { refresh_token: number } }>("/stats", undefined, "GET"))
      .grants.refresh_token;
    const ms = results.map((r) => r.ms).sort((a, b) => a - b);
    const ok = results.filter((r) => r.ok).length;
    const p50 = percentile(ms, 50);
    const p99 = percentile(ms, 99);
    lines.push(
      `  ${String(n).padStart(7)}  ${String(after - before).padStart(6)}  ${`${ok}/${n}`.padEnd(11)}${fmt(p50).padStart(7)}  ${fmt(p99).padStart(7)}   ${fmt(p50 / baseP50).padStart(7)}x  ${fmt(p99 / baseP50).padStart(7)}x  ${fmt(wall).padStart(7)} / ${fmt(floor)} ms = ${fmt(wall / floor, 2)}x`,
    );
    if (after - before !== 1 || ok !== n) lines.push(`  !! expected exactly 1 grant and ${n} successes`);
  }
  return lines;
}
