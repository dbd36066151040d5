// Secrets of the link flows stay out of D1 and out of every log line the service writes: meeting
// join URLs (passcodes) and registrants' personal links are sealed at rest; signed link tokens,
// host start URLs and OAuth codes and states never reach a log.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { handleRegistrationMessage } from "../../src/links/registration.ts";
import { api, clearTables } from "../helpers/api.ts";
import { BASE, call } from "../helpers/app.ts";
import { addTeacherThroughApi } from "../helpers/classes.ts";
import { dumpTables } from "../helpers/db.ts";
import {
  beginLink,
  callback,
  confirmationOf,
  confirmLink,
  consent,
  firstHop,
  linkZoom,
  resetEmulator,
  stats,
} from "../helpers/zoom.ts";

const click = async (url: string) => {
  const res = await call(url.startsWith(BASE) ? url.slice(BASE.length) : url, {
    redirect: "manual",
    headers: { "cf-connecting-ip": "198.51.100.77" },
  });
  await res.body?.cancel();
  return res;
};

/** Every row of every product table, as text. */
const everyRow = async () => JSON.stringify(await dumpTables());

/** What Zoom holds, read with the account's current token. */
async function zoom<T>(path: string): Promise<T> {
  const token = (await stats()).validTokens.access.at(-1);
  const res = await fetch(`https://api.zoom.us/v2${path}`, { headers: { authorization: `Bearer ${token}` } });
  return (await res.json()) as T;
}

async function scheduleClass(classId: string, registration: boolean) {
  const res = await api<{ zoomMeetingId: string }>("PUT", `/v1/classes/${classId}/meeting`, {
    teacherId: "t-1",
    topic: "Algebra",
    startTime: new Date(Date.now() + 5 * 60_000).toISOString(),
    durationMinutes: 60,
    registration,
  });
  expect(res.status).toBe(201);
  const links = await api<{ links: { studentId: string; url: string }[] }>(
    "POST",
    `/v1/classes/${classId}/join-links`,
    {
      students: [
        { id: "stu-1", name: "Asha Rao", email: "asha@example.com" },
        { id: "stu-2", name: "Ben Ito" },
      ],
    },
  );
  expect(links.status).toBe(200);
  return { meetingId: res.body.zoomMeetingId, links: links.body.links.map((l) => l.url) };
}

beforeEach(async () => {
  await resetEmulator();
  await clearTables();
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function linkedWithTeacher() {
  expect((await linkZoom("tenant-a")).status).toBeLessThan(400);
  await addTeacherThroughApi();
}

describe("join URLs at rest", () => {
  it("keeps meeting join URLs (with passcodes) and registrants' links sealed in D1, and clicks still open them", async () => {
    await linkedWithTeacher();
    const open = await scheduleClass("c-open", false);
    const registered = await scheduleClass("c-reg", true);
    await handleRegistrationMessage(env, {
      kind: "register-students",
      tenantId: "tenant-a",
      classId: "c-reg",
      studentIds: ["stu-1", "stu-2"],
    });

    const meeting = await zoom<{ join_url: string }>(`/meetings/${open.meetingId}`);
    const passcode = new URL(meeting.join_url).searchParams.get("pwd") ?? "";
    expect(passcode).not.toBe("");
    const openClick = await click(open.links[0] ?? "");
    expect(openClick.status).toBe(302);
    expect(openClick.headers.get("location")).toContain(`pwd=${passcode}`);

    const personal: string[] = [];
    for (const url of registered.links) {
      const res = await click(url);
      expect(res.status).toBe(302);
      const location = res.headers.get("location") ?? "";
      expect(location).toContain(`/w/${registered.meetingId}?tk=`);
      personal.push(location, new URL(location).searchParams.get("tk") ?? "");
    }
    const { registrants } = await zoom<{ registrants: { join_url: string }[] }>(
      `/meetings/${registered.meetingId}/registrants`,
    );
    expect(registrants).toHaveLength(2);

    const stored = await everyRow();
    for (const secret of [meeting.join_url, passcode, ...personal, ...registrants.map((r) => r.join_url)]) {
      expect(secret.length).toBeGreaterThan(4);
      expect(stored).not.toContain(secret);
    }
    expect(stored).not.toMatch(/pwd=|tk=/);
    // The sealed values are there, under the vault's format.
    const sealed = await env.DB.prepare(
      "SELECT join_url FROM class_registrants WHERE class_id = 'c-reg'",
    ).all<{
      join_url: string;
    }>();
    for (const r of sealed.results) expect(r.join_url).toMatch(/^v1\.t2\./);
  });

  it("does not open a sealed URL copied into another student's row", async () => {
    await linkedWithTeacher();
    const registered = await scheduleClass("c-reg", true);
    await handleRegistrationMessage(env, {
      kind: "register-students",
      tenantId: "tenant-a",
      classId: "c-reg",
      studentIds: ["stu-1"],
    });
    await env.DB.prepare(
      "UPDATE class_registrants SET status = 'registered', join_url = (SELECT join_url FROM class_registrants WHERE student_id = 'stu-1') WHERE student_id = 'stu-2'",
    ).run();
    const warn = vi.spyOn(console, "warn");
    const first = await click(registered.links[0] ?? "");
    const second = await click(registered.links[1] ?? "");
    expect(first.headers.get("location")).not.toBe(second.headers.get("location"));
    expect(warn.mock.calls.map((c) => String(c[0])).join("\n")).toContain("join URL does not open");
  });
});

describe("logs", () => {
  it("hold no signed link, start URL, personal join link, OAuth code or state after clicks and a callback", async () => {
    const lines: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(" "));
      });
    }
    const linkStart = await beginLink("tenant-a");
    const hop = await firstHop(linkStart);
    const back = await consent(hop.authorizeUrl);
    const code = back.searchParams.get("code") ?? "";
    const state = back.searchParams.get("state") ?? "";
    const answer = await callback(back);
    expect(answer.status).toBeLessThan(400);
    const confirmation = (await confirmationOf(answer)) ?? "";
    expect((await confirmLink("tenant-a", confirmation)).status).toBe(200);
    // A replayed callback and a replayed first hop fail, and are logged as such: still without secrets.
    await callback(back);
    await call(linkStart.slice(BASE.length), { redirect: "manual" });
    await addTeacherThroughApi();
    const { links } = await scheduleClass("c-reg", true);

    const secrets = [code, state, linkStart.split("/").at(-1) ?? "", hop.cookie, confirmation];
    for (const url of links) {
      const token = url.split("/").at(-1) ?? "";
      secrets.push(token, token.split(".").at(-1) ?? "");
      const res = await click(url); // registers on the spot
      secrets.push(res.headers.get("location") ?? "");
      await click(`${url}/status`);
      await click(`${url}x`); // tampered: refused and charged to the address
    }
    const start = await api<{ url: string }>("POST", "/v1/classes/c-reg/start-link");
    const startToken = start.body.url.split("/").at(-1) ?? "";
    const started = await click(start.body.url);
    expect(started.status).toBe(302);
    const startUrl = started.headers.get("location") ?? "";
    secrets.push(startToken, startUrl, new URL(startUrl).searchParams.get("zak") ?? "");
    await click(`/r/${startToken}`); // wrong purpose

    expect(lines.some((l) => l.includes('"path":"/j/[token]"'))).toBe(true);
    expect(lines.some((l) => l.includes('"path":"/oauth/zoom/callback"'))).toBe(true);
    expect(lines.some((l) => l.includes('"path":"/oauth/zoom/start/[handle]"'))).toBe(true);
    const logged = lines.join("\n");
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(logged).not.toContain(secret);
    }
  });
});
