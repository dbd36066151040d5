// REST behaviour: users and seats, pagination tokens, meetings and start links, registrants,
// past meetings, rate limits and UUID encoding.
import { beforeEach, describe, expect, it } from "vitest";
import { API, advance, api, apiJson, authorize, control, createMeeting, reset, simulate } from "./helpers.ts";

let token = "";
beforeEach(async () => {
  await reset();
  token = (await authorize()).access_token;
});

type Err = { code: number; message: string };

describe("users", () => {
  it("lists active users, hides pending ids, counts seats", async () => {
    const list = await apiJson<{
      users: { id?: string; email: string; status: string }[];
      total_records: number;
    }>(token, "/users");
    expect(list.users.map((u) => u.email)).toContain("owner@school-a.example");
    expect(list.users.every((u) => u.status === "active" && u.id)).toBe(true);
    const pending = await apiJson<{ users: { id?: string; email: string }[] }>(
      token,
      "/users?status=pending",
    );
    expect(pending.users).toHaveLength(1);
    expect(pending.users[0]?.id).toBeUndefined();
    const summary = await apiJson(token, "/users/summary");
    expect(summary).toMatchObject({ licensed_users_count: 2, basic_users_count: 1, pending_users_count: 1 });
  });

  it("creates pending (create) and active (custCreate) users; 1005 for a taken email", async () => {
    const invited = await api(token, "/users", {
      method: "POST",
      body: { action: "create", user_info: { email: "new@school-a.example", type: 1, first_name: "N" } },
    });
    expect(invited.status).toBe(201);
    expect(((await invited.json()) as { id: string }).id).toMatch(/^[\w-]{22}$/);
    const pending = await apiJson<{ users: { email: string }[] }>(token, "/users?status=pending");
    expect(pending.users.map((u) => u.email)).toContain("new@school-a.example");
    const cust = await apiJson<{ id: string }>(token, "/users", {
      method: "POST",
      body: { action: "custCreate", user_info: { email: "cust@school-a.example", type: 1 } },
    });
    expect((await apiJson<{ status: string }>(token, `/users/${cust.id}`)).status).toBe("active");
    const taken = await api(token, "/users", {
      method: "POST",
      body: { action: "custCreate", user_info: { email: "owner@school-a.example", type: 1 } },
    });
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as Err).code).toBe(1005);
  });

  it("refuses a licensed user beyond the paid seats with 2034", async () => {
    // Seeded: 2 licensed users of 5 seats; 3 more fit.
    for (const n of [1, 2, 3]) {
      const res = await api(token, "/users", {
        method: "POST",
        body: { action: "custCreate", user_info: { email: `l${n}@school-a.example`, type: 2 } },
      });
      expect(res.status).toBe(201);
    }
    const over = await api(token, "/users", {
      method: "POST",
      body: { action: "custCreate", user_info: { email: "l4@school-a.example", type: 2 } },
    });
    expect(over.status).toBe(400);
    const body = (await over.json()) as Err;
    expect(body.code).toBe(2034);
    expect(body.message).toContain("maximum number of 5 paid users");
    const basic = await apiJson<{ users: { id: string; type: number }[] }>(token, "/users");
    const basicUser = basic.users.find((u) => u.type === 1);
    const patch = await api(token, `/users/${basicUser?.id}`, { method: "PATCH", body: { type: 2 } });
    expect(patch.status).toBe(400);
    expect(((await patch.json()) as Err).code).toBe(2034);
  });

  it("404 1001 for an unknown user; settings round trip; delete", async () => {
    const missing = await api(token, "/users/nobody123");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ code: 1001, message: "User does not exist: nobody123." });
    expect(
      (
        await api(token, "/users/me/settings", {
          method: "PATCH",
          body: { recording: { cloud_recording: false } },
        })
      ).status,
    ).toBe(204);
    const settings = await apiJson<{ recording: { cloud_recording: boolean } }>(token, "/users/me/settings");
    expect(settings.recording.cloud_recording).toBe(false);
    const u = await apiJson<{ id: string }>(token, "/users", {
      method: "POST",
      body: { action: "custCreate", user_info: { email: "gone@school-a.example", type: 1 } },
    });
    expect((await api(token, `/users/${u.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await api(token, `/users/${u.id}`)).status).toBe(404);
  });
});

describe("pagination", () => {
  it("pages with next_page_token, clamps page_size and expires tokens after 15 minutes", async () => {
    for (const n of [1, 2, 3]) {
      await apiJson(token, "/users", {
        method: "POST",
        body: { action: "custCreate", user_info: { email: `p${n}@school-a.example`, type: 1 } },
      });
    }
    const first = await apiJson<{
      users: unknown[];
      next_page_token: string;
      total_records: number;
      page_size: number;
    }>(token, "/users?page_size=2");
    expect(first.users).toHaveLength(2);
    expect(first.total_records).toBe(6);
    expect(first.next_page_token).not.toBe("");
    const second = await apiJson<{ users: unknown[]; next_page_token: string }>(
      token,
      `/users?page_size=2&next_page_token=${first.next_page_token}`,
    );
    expect(second.users).toHaveLength(2);
    const big = await apiJson<{ page_size: number }>(token, "/users?page_size=5000");
    expect(big.page_size).toBe(2000);
    await advance(15 * 60 + 1);
    token = (await authorize()).access_token;
    const expired = await api(token, `/users?page_size=2&next_page_token=${second.next_page_token}`);
    expect(expired.status).toBe(400);
    expect(await expired.json()).toEqual({
      code: 300,
      message: "The next page token is invalid or expired.",
    });
  });
});

describe("meetings", () => {
  it("creates a meeting with Zoom's fields", async () => {
    const m = await createMeeting(token, { settings: { approval_type: 0, auto_recording: "cloud" } });
    expect(String(m.id)).toMatch(/^\d{11}$/);
    expect(m.uuid).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(m.start_url).toMatch(new RegExp(`^https://api.zoom.us/s/${m.id}\\?zak=`));
    expect(m.join_url).toContain(`/j/${m.id}?pwd=`);
    expect(m).toMatchObject({ host_id: "Qm3tWgkXRSmZ0aW1Jp7dAA", topic: "Algebra", type: 2, duration: 45 });
    expect(m.settings).toMatchObject({ approval_type: 0, auto_recording: "cloud" });
    expect((m as unknown as { registration_url: string }).registration_url).toBeTruthy();
  });

  it("returns a fresh start_url on each GET that expires after two hours", async () => {
    const m = await createMeeting(token);
    const a = await apiJson<{ start_url: string }>(token, `/meetings/${m.id}`);
    const b = await apiJson<{ start_url: string }>(token, `/meetings/${m.id}`);
    expect(a.start_url).not.toBe(b.start_url);
    const page = await fetch(a.start_url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`Meeting ${m.id} started by host Olivia Owner`);
    await advance(2 * 3600 + 1);
    const expired = await fetch(b.start_url);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("expired");
    const join = await fetch(m.join_url);
    expect(await join.text()).toContain(`Join meeting ${m.id}`);
  });

  it("updates, ends and deletes; afterwards 3001", async () => {
    const m = await createMeeting(token);
    expect(
      (await api(token, `/meetings/${m.id}`, { method: "PATCH", body: { topic: "Geometry" } })).status,
    ).toBe(204);
    expect((await apiJson<{ topic: string }>(token, `/meetings/${m.id}`)).topic).toBe("Geometry");
    expect(
      (await api(token, `/meetings/${m.id}/status`, { method: "PUT", body: { action: "end" } })).status,
    ).toBe(204);
    expect((await api(token, `/meetings/${m.id}`, { method: "DELETE" })).status).toBe(204);
    const gone = await api(token, `/meetings/${m.id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ code: 3001, message: `Meeting does not exist: ${m.id}.` });
  });

  it("caps creates and updates per host per day", async () => {
    await control("/config", { meetingDailyCap: 2, rateLimits: { enabled: false } });
    const m = await createMeeting(token);
    expect((await api(token, `/meetings/${m.id}`, { method: "PATCH", body: { topic: "x" } })).status).toBe(
      204,
    );
    const third = await api(token, "/users/me/meetings", { method: "POST", body: { topic: "t" } });
    expect(third.status).toBe(429);
    expect(((await third.json()) as Err).message).toContain("daily rate limit of (2)");
    await advance(86_400);
    token = (await authorize()).access_token;
    expect((await api(token, "/users/me/meetings", { method: "POST", body: { topic: "t" } })).status).toBe(
      201,
    );
  });

  it("creates recurring meetings with occurrences", async () => {
    const m = await apiJson<{ occurrences: { start_time: string }[]; type: number }>(
      token,
      "/users/me/meetings",
      {
        method: "POST",
        body: {
          topic: "Weekly",
          type: 8,
          start_time: "2030-12-03T10:00:00Z",
          recurrence: { type: 2, repeat_interval: 1, end_times: 4 },
        },
      },
    );
    // Without weekly_days the series keeps the start's weekday.
    expect(m.occurrences.map((o) => o.start_time)).toEqual([
      "2030-12-03T10:00:00Z",
      "2030-12-10T10:00:00Z",
      "2030-12-17T10:00:00Z",
      "2030-12-24T10:00:00Z",
    ]);
  });
});

describe("registrants", () => {
  it("gives a personal join_url with automatic approval", async () => {
    const m = await createMeeting(token, { settings: { approval_type: 0 } });
    const r = await apiJson<{ id: number; registrant_id: string; join_url: string; topic: string }>(
      token,
      `/meetings/${m.id}/registrants`,
      { method: "POST", body: { first_name: "Sam", last_name: "Student", email: "sam@students.example" } },
    );
    expect(r.id).toBe(m.id);
    expect(r.join_url).toContain(`/w/${m.id}?tk=`);
    const page = await fetch(r.join_url);
    const html = await page.text();
    expect(html).toContain(`${m.id}`);
    expect(html).toContain("Sam Student");
    const list = await apiJson<{ registrants: { id: string; email: string }[] }>(
      token,
      `/meetings/${m.id}/registrants`,
    );
    expect(list.registrants.map((x) => x.id)).toEqual([r.registrant_id]);
  });

  it("gives no join_url with manual approval and refuses when registration is off", async () => {
    const manual = await createMeeting(token, { settings: { approval_type: 1 } });
    const r = await apiJson<{ join_url?: string; registrant_id: string }>(
      token,
      `/meetings/${manual.id}/registrants`,
      {
        method: "POST",
        body: { first_name: "Pat", email: "pat@students.example" },
      },
    );
    expect(r.registrant_id).toBeTruthy();
    expect(r.join_url).toBeUndefined();
    const off = await createMeeting(token);
    const res = await api(token, `/meetings/${off.id}/registrants`, {
      method: "POST",
      body: { first_name: "Pat", email: "pat@students.example" },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Err).code).toBe(3000);
  });

  it("allows the same email three times a day", async () => {
    const m = await createMeeting(token, { settings: { approval_type: 0 } });
    const add = () =>
      api(token, `/meetings/${m.id}/registrants`, {
        method: "POST",
        body: { first_name: "A", email: "a@s.example" },
      });
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const res = await add();
      expect(res.status).toBe(201);
      ids.push(((await res.json()) as { registrant_id: string }).registrant_id);
    }
    expect(new Set(ids).size).toBe(1);
    const fourth = await add();
    expect(fourth.status).toBe(429);
    expect(((await fourth.json()) as Err).message).toContain("daily rate limit of (3)");
  });
});

describe("past meetings and UUIDs", () => {
  it("records instances and participants and accepts double-encoded UUIDs", async () => {
    const m = await createMeeting(token);
    const uuids: string[] = [];
    // Enough runs that one UUID starts with "/" or holds "//" (every fifth does).
    for (let i = 0; i < 5; i++) {
      uuids.push((await simulate(m.id, { participants: [{ name: "Kim", email: "kim@s.example" }] })).uuid);
    }
    const awkward = uuids.find((u) => u.startsWith("/") || u.includes("//"));
    expect(awkward).toBeDefined();
    const inst = await apiJson<{ meetings: { uuid: string }[] }>(token, `/past_meetings/${m.id}/instances`);
    expect(inst.meetings.map((x) => x.uuid)).toEqual(uuids);
    for (const uuid of uuids) {
      const double = encodeURIComponent(encodeURIComponent(uuid));
      const details = await apiJson<{ uuid: string; participants_count: number }>(
        token,
        `/past_meetings/${double}`,
      );
      expect(details.uuid).toBe(uuid);
      expect(details.participants_count).toBe(2);
    }
    const single = encodeURIComponent(uuids[0] as string);
    const parts = await apiJson<{
      participants: { name: string; user_email: string; join_time: string; duration: number }[];
    }>(token, `/past_meetings/${single}/participants`);
    // A guest's email is hidden, as Zoom does; the host is a user of the account.
    expect(parts.participants.map((p) => p.user_email)).toEqual(["owner@school-a.example", ""]);
    expect(parts.participants[1]?.duration).toBeGreaterThan(0);
  });
});

describe("rate limits", () => {
  it("answers 429 with QPS headers over the per-second limit", async () => {
    await control("/config", { rateLimits: { light: 3 } });
    const results = await Promise.all(Array.from({ length: 6 }, () => api(token, "/users/me")));
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    const r = limited[0] as Response;
    expect(r.headers.get("X-RateLimit-Type")).toBe("QPS");
    expect(r.headers.get("X-RateLimit-Limit")).toBe("3");
    expect(r.headers.get("X-RateLimit-Remaining")).toBe("0");
    expect(r.headers.get("Retry-After")).toBe("1");
    expect(await r.json()).toEqual({
      code: 429,
      message: "You have reached the maximum per-second rate limit for this API. Try again later.",
    });
    await advance(1);
    expect((await api(token, "/users/me")).status).toBe(200);
  });

  it("applies a daily limit to HEAVY calls and can be disabled", async () => {
    await control("/config", { rateLimits: { dailyHeavy: 1 } });
    expect((await api(token, "/accounts/me/plans/usage")).status).toBe(200);
    const over = await api(token, "/accounts/me/plans/usage");
    expect(over.status).toBe(429);
    expect(over.headers.get("X-RateLimit-Type")).toBe("Daily-limit");
    expect(over.headers.get("Retry-After")).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00Z$/);
    expect(((await over.json()) as Err).message).toContain("daily");
    await control("/config", { rateLimits: { enabled: false } });
    expect((await api(token, "/accounts/me/plans/usage")).status).toBe(200);
  });
});

describe("usage", () => {
  it("reports plan storage as strings and counts recordings", async () => {
    const before = await apiJson<{ plan_recording: Record<string, string> }>(
      token,
      "/accounts/me/plans/usage",
    );
    expect(before.plan_recording).toMatchObject({ plan_storage: "5 GB", plan_storage_usage: "1.2 GB" });
    const m = await createMeeting(token);
    await simulate(m.id, { recording: { files: [{ fileType: "MP4", sizeBytes: 512 * 1024 * 1024 }] } });
    const after = await apiJson<{ plan_recording: Record<string, string> }>(
      token,
      "/accounts/me/plans/usage",
    );
    expect(after.plan_recording.plan_storage_usage).toBe("1.7 GB");
    const report = await apiJson<{ cloud_recording_storage: { date: string; usage: string }[] }>(
      token,
      "/report/cloud_recording",
    );
    expect(report.cloud_recording_storage.at(-1)?.usage).toBe("1.7 GB");
    const tooLong = await fetch(`${API}/report/cloud_recording?from=2026-01-01&to=2026-03-01`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(tooLong.status).toBe(400);
  });

  it("answers plan usage in the Billing API's shape: plan_base one object, storage free, planned and exceeded", async () => {
    type Usage = { plan_base: Record<string, unknown>; plan_recording: Record<string, string> };
    const seeded = await apiJson<Usage>(token, "/accounts/me/plans/usage");
    expect(Array.isArray(seeded.plan_base)).toBe(false);
    expect(seeded.plan_base).toEqual({ type: "monthly", hosts: 5, usage: expect.any(Number), pending: 0 });
    // A plain Pro account: 5 GB come with the licenses, no additional storage plan.
    await control("/config", { plan: { storage: "0", freeStorage: "5 GB", usage: "4 GB" } });
    const pro = await apiJson<Usage>(token, "/accounts/me/plans/usage");
    expect(pro.plan_recording).toEqual({
      free_storage: "5 GB",
      free_storage_usage: "4 GB",
      plan_storage: "0",
      plan_storage_usage: "0",
      plan_storage_exceed: "0",
    });
    // Past the free storage and a 1 GB plan: the rest is plan_storage_exceed.
    await control("/config", { plan: { storage: "1 GB", usage: "7 GB" } });
    const over = await apiJson<Usage>(token, "/accounts/me/plans/usage");
    expect(over.plan_recording).toMatchObject({
      free_storage_usage: "5 GB",
      plan_storage: "1 GB",
      plan_storage_usage: "1 GB",
      plan_storage_exceed: "1 GB",
    });
  });
});
