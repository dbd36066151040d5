// Fault rules: replaced answers (status + Zoom body, HTML 200, XML), delays, counts, and bodies
// cut mid-stream (dropAfterBytes, truncateBody) on JSON and on file downloads.
import { beforeEach, describe, expect, it } from "vitest";
import { api, authorize, control, createMeeting, reset, simulate, tokenRequest } from "./helpers.ts";

let token = "";
let refresh = "";
beforeEach(async () => {
  await reset();
  const t = await authorize();
  token = t.access_token;
  refresh = t.refresh_token;
});

const fault = (rule: Record<string, unknown>) => control<{ id: string }>("/faults", rule);

async function readAll(res: Response): Promise<{ bytes: number; error?: unknown }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes };
      bytes += value.length;
    }
  } catch (error) {
    return { bytes, error };
  }
}

describe("faults", () => {
  it("replaces an answer with a status and Zoom body, for the given number of times", async () => {
    await fault({ operation: "users.get", status: 500, zoomCode: 9999, message: "boom", times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await api(token, "/users/me");
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ code: 9999, message: "boom" });
    }
    expect((await api(token, "/users/me")).status).toBe(200);
  });

  it("can apply forever (times 0) until cleared, and only to one account", async () => {
    await fault({ operation: "users.get", status: 503, times: 0, accountId: "emuAcctA1" });
    expect((await api(token, "/users/me")).status).toBe(503);
    expect((await api(token, "/users/me")).status).toBe(503);
    const b = await authorize("Vb2nK8sTQe6Xo1Lw5ZyRmQ");
    expect((await api(b.access_token, "/users/me")).status).toBe(200);
    await control("/faults", undefined, "DELETE");
    expect((await api(token, "/users/me")).status).toBe(200);
  });

  it("deletes one rule by id", async () => {
    const { id } = await fault({ operation: "users.get", status: 500, times: 0 });
    await control(`/faults/${id}`, undefined, "DELETE");
    expect((await api(token, "/users/me")).status).toBe(200);
  });

  it("delays an answer", async () => {
    await fault({ operation: "users.get", delayMs: 300 });
    const t0 = Date.now();
    const res = await api(token, "/users/me");
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it("answers HTML with status 200", async () => {
    await fault({ operation: "meetings.get", html200: true });
    const m = await createMeeting(token);
    const res = await api(token, `/meetings/${m.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("<html>");
  });

  it("answers the token endpoint in XML", async () => {
    await fault({ operation: "oauth.token", xml: true });
    const res = await tokenRequest({ grant_type: "refresh_token", refresh_token: refresh });
    expect(res.headers.get("content-type")).toContain("xml");
    expect(await res.text()).toMatch(/^<\?xml/);
    // The replaced answer did not consume the refresh token.
    expect((await tokenRequest({ grant_type: "refresh_token", refresh_token: refresh })).status).toBe(200);
  });

  it("cuts a JSON body after N bytes while the operation still happened (lost refresh response)", async () => {
    await fault({ operation: "oauth.token", dropAfterBytes: 20 });
    const res = await tokenRequest({ grant_type: "refresh_token", refresh_token: refresh });
    const read = await res.text().then(
      (text) => ({ text, error: undefined as unknown }),
      (error: unknown) => ({ text: "", error }),
    );
    expect(read.error ?? (read.text.length < 20 ? "short" : undefined)).toBeDefined();
    // Zoom rotated the token even though the client never saw the new one.
    expect((await tokenRequest({ grant_type: "refresh_token", refresh_token: refresh })).status).toBe(400);
  });

  it("truncates a body below its declared Content-Length", async () => {
    await fault({ operation: "users.get", truncateBody: 10 });
    const res = await api(token, "/users/me");
    const declared = Number(res.headers.get("content-length"));
    expect(declared).toBeGreaterThan(10);
    const read = await readAll(res);
    expect(read.bytes).toBeLessThan(declared);
  });

  it("drops a file download mid-body", async () => {
    const m = await createMeeting(token);
    const s = await simulate(m.id, { recording: { files: [{ fileType: "MP4", sizeBytes: 1_000_000 }] } });
    await fault({ operation: "recordings.file", dropAfterBytes: 100_000 });
    const redirect = await fetch(s.recording?.files[0]?.download_url ?? "", {
      headers: { authorization: `Bearer ${token}` },
      redirect: "manual",
    });
    const res = await fetch(redirect.headers.get("location") ?? "");
    expect(res.headers.get("content-length")).toBe("1000000");
    const read = await readAll(res);
    expect(read.bytes).toBeLessThan(1_000_000);
    expect(read.error).toBeDefined();
  });

  it("applies to the download redirect", async () => {
    const m = await createMeeting(token);
    const s = await simulate(m.id, { recording: {} });
    await fault({ operation: "recordings.download", html200: true });
    const res = await fetch(s.recording?.files[0]?.download_url ?? "", {
      headers: { authorization: `Bearer ${token}` },
      redirect: "manual",
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Sign In");
  });

  it("counts requests per operation in stats", async () => {
    await api(token, "/users/me");
    await api(token, "/users/me");
    const stats = await control<{ requests: Record<string, number> }>("/stats", undefined, "GET");
    expect(stats.requests["users.get"]).toBe(2);
    expect(stats.requests["oauth.token"]).toBe(1);
  });
});
