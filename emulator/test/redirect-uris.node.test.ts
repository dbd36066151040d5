// REDIRECT_URIS registers extra callbacks on the local Wise client (a stack on another PORT), and
// only those: anything else, or a value that is not an http(s) URL, stays refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorInMiniflare, startEmulator } from "./miniflare.ts";

let emu: EmulatorInMiniflare;

beforeAll(async () => {
  emu = await startEmulator({
    REDIRECT_URIS: " http://localhost:9787/oauth/zoom/callback ,not a url,javascript:alert(1)//, ",
  });
}, 60_000);

afterAll(async () => {
  await emu?.dispose();
});

function consent(redirectUri: string): Promise<Response> {
  return emu.fetch(
    `/oauth/authorize?${new URLSearchParams({ response_type: "code", client_id: "wise-local-client", redirect_uri: redirectUri, state: "s1" })}`,
    { redirect: "manual" },
  );
}

describe("REDIRECT_URIS", () => {
  it("lets the local client send people back to a registered callback on another port", async () => {
    await emu.control("/reset");
    const page = await consent("http://localhost:9787/oauth/zoom/callback");
    expect(page.status).toBe(200);
    const approve = await emu.fetch("/oauth/authorize", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        response_type: "code",
        client_id: "wise-local-client",
        redirect_uri: "http://localhost:9787/oauth/zoom/callback",
        state: "s1",
        user_id: "Qm3tWgkXRSmZ0aW1Jp7dAA",
        decision: "approve",
      }).toString(),
      redirect: "manual",
    });
    expect(approve.status).toBe(302);
    const location = new URL(approve.headers.get("location") ?? "");
    expect(location.origin + location.pathname).toBe("http://localhost:9787/oauth/zoom/callback");
    expect(location.searchParams.get("code")).toBeTruthy();
  });

  it("keeps the seeded callbacks and refuses every other one", async () => {
    await emu.control("/reset");
    expect((await consent("http://localhost:8787/oauth/zoom/callback")).status).toBe(200);
    for (const uri of ["http://localhost:9788/oauth/zoom/callback", "not a url", "javascript:alert(1)//"]) {
      const res = await consent(uri);
      expect(res.status, uri).toBe(400);
      expect(res.headers.get("location")).toBeNull();
    }
  });
});
