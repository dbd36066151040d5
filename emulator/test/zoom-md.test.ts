// ZOOM.md behaviours that no other emulator suite proves: refresh token lifetime, the one-month
// window of recording lists and reports, no account-wide recording list for an ordinary account, and
// the registrant capacity of a meeting.
import { beforeEach, describe, expect, it } from "vitest";
import { advance, api, authorize, control, createMeeting, reset, tokenRequest } from "./helpers.ts";

let token = "";
beforeEach(async () => {
  await reset();
  token = (await authorize()).access_token;
});

type Err = { code: number; message: string };
const DAY = 24 * 3600;

describe("refresh tokens", () => {
  it("a refresh token unused for 90 days is refused as an invalid grant", async () => {
    const first = await authorize();
    await advance(89 * DAY);
    const kept = await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(kept.status).toBe(200);
    const { refresh_token } = (await kept.json()) as { refresh_token: string };
    await advance(90 * DAY + 60);
    const stale = await tokenRequest({ grant_type: "refresh_token", refresh_token });
    expect(stale.status).toBe(400);
    expect(await stale.json()).toMatchObject({ error: "invalid_grant" });
  });
});

describe("date windows", () => {
  it("lists a user's recordings over at most one month per call (300 beyond)", async () => {
    const ok = await api(token, "/users/me/recordings?from=2026-01-01&to=2026-02-01");
    expect(ok.status).toBe(200);
    const tooLong = await api(token, "/users/me/recordings?from=2026-01-01&to=2026-02-02");
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as Err).code).toBe(300);
  });

  it("reports daily cloud recording storage, as strings, over at most 30 days (300 beyond)", async () => {
    const ok = await api(token, "/report/cloud_recording?from=2026-01-01&to=2026-01-31");
    expect(ok.status).toBe(200);
    const days = ((await ok.json()) as { cloud_recording_storage: Record<string, unknown>[] })
      .cloud_recording_storage;
    expect(days).toHaveLength(31);
    for (const d of days) expect(typeof d.usage).toBe("string");
    const tooLong = await api(token, "/report/cloud_recording?from=2026-01-01&to=2026-02-01");
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as Err).code).toBe(300);
  });
});

describe("account-wide recordings", () => {
  it("GET /accounts/{id}/recordings is not there for an account that is not a master account", async () => {
    for (const id of ["me", "emuAcctA1"]) {
      const res = await api(token, `/accounts/${id}/recordings`);
      expect(res.status).toBe(404);
    }
    // Listing per user is what works.
    expect((await api(token, "/users/me/recordings")).status).toBe(200);
  });
});

describe("registrants", () => {
  it("a meeting takes 4,999 registrants, then answers 3043; a registered email still gets its link", async () => {
    expect((await control<{ registrantCap: number }>("/config", {})).registrantCap).toBe(4999);
    await control("/config", { registrantCap: 2 });
    const m = await createMeeting(token, { settings: { approval_type: 0 } });
    const register = (email: string) =>
      api(token, `/meetings/${m.id}/registrants`, { method: "POST", body: { first_name: "S", email } });
    const first = await register("one@students.example");
    expect(first.status).toBe(201);
    expect((await register("two@students.example")).status).toBe(201);
    const full = await register("three@students.example");
    expect(full.status).toBe(400);
    expect(((await full.json()) as Err).code).toBe(3043);
    const again = await register("one@students.example");
    expect(again.status).toBe(201);
    expect(((await again.json()) as { join_url: string }).join_url).toBe(
      ((await first.json()) as { join_url: string }).join_url,
    );
  });
});
