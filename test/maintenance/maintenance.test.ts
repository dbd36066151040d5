// Nightly maintenance: key rotation re-encrypts credentials and join URLs; expired OAuth states are dropped.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, expect, it } from "vitest";
import worker from "../../src/index.ts";
import { openJoinUrl } from "../../src/links/join-urls.ts";
import { handleRegistrationMessage } from "../../src/links/registration.ts";
import { loadConfig } from "../../src/platform/config.ts";
import { TokenVault } from "../../src/tokens/vault.ts";
import { call } from "../helpers/app.ts";
import { createClass } from "../helpers/classes.ts";
import { bearer } from "../helpers/jwt.ts";
import { freshStart, linkStatus, linkZoom, startLink, stats } from "../helpers/zoom.ts";

const NEW_KEY = "t3:cm90YXRpb24ta2V5LW51bWJlci10aHJlZS0zMmJ5dGU=";

async function runCron(overrides: Record<string, unknown> = {}) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "0 3 * * *" }), { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
}

beforeEach(async () => {
  await freshStart();
});

it("re-encrypts credentials under a new current key, keeping the tokens", async () => {
  await linkZoom("tenant-a");
  const before = await env.DB.prepare("SELECT * FROM zoom_credentials").first<Record<string, string>>();
  expect(before?.refresh_token_enc?.split(".")[1]).toBe("t2");

  const ring = `${NEW_KEY},${env.TOKEN_ENCRYPTION_KEYS}`;
  await runCron({ TOKEN_ENCRYPTION_KEYS: ring });
  const after = await env.DB.prepare("SELECT * FROM zoom_credentials").first<Record<string, string>>();
  expect(after?.refresh_token_enc?.split(".")[1]).toBe("t3");
  expect(after?.access_token_enc?.split(".")[1]).toBe("t3");
  expect(after?.refresh_token_hash).toBe(before?.refresh_token_hash);

  // Only the new key is needed to read them now.
  const onlyNew = new TokenVault([
    { id: "t3", secret: Uint8Array.from(atob(NEW_KEY.slice(3)), (c) => c.charCodeAt(0)) },
  ]);
  const refresh = await onlyNew.decrypt(after?.refresh_token_enc ?? "", {
    tenantId: "tenant-a",
    zoomAccountId: "emuAcctA1",
    field: "refresh_token",
  });
  expect((await stats()).validTokens.refresh).toContain(refresh);

  // A second run has nothing to do.
  await runCron({ TOKEN_ENCRYPTION_KEYS: ring });
  expect(
    await env.DB.prepare("SELECT refresh_token_enc FROM zoom_credentials").first("refresh_token_enc"),
  ).toBe(after?.refresh_token_enc);
});

it("drops expired and used OAuth states", async () => {
  await startLink("tenant-a");
  await startLink("tenant-a");
  await env.DB.prepare(
    "UPDATE oauth_states SET expires_at = 0 WHERE rowid = (SELECT min(rowid) FROM oauth_states)",
  ).run();
  await runCron();
  expect(await env.DB.prepare("SELECT count(*) AS n FROM oauth_states").first("n")).toBe(1);
  expect((await linkStatus("tenant-a")).status).toBe("unlinked");
});

it("re-seals join URLs under the new key, and seals rows stored before URLs were sealed", async () => {
  const cls = await createClass("tenant-a", { registration: true });
  const minted = await call(`/v1/classes/${cls.classId}/join-links`, {
    method: "POST",
    headers: { ...(await bearer({ tenant: "tenant-a" })), "content-type": "application/json" },
    body: JSON.stringify({ students: [{ id: "stu-1", name: "Asha Rao" }] }),
  });
  expect(minted.status).toBe(200);
  await handleRegistrationMessage(env, {
    kind: "register-students",
    tenantId: "tenant-a",
    classId: cls.classId,
    studentIds: ["stu-1"],
  });
  const stored = async () => ({
    meeting: (await env.DB.prepare("SELECT join_url FROM classes").first<string>("join_url")) ?? "",
    personal:
      (await env.DB.prepare("SELECT join_url FROM class_registrants").first<string>("join_url")) ?? "",
  });
  const before = await stored();
  // The test helper writes the meeting's URL as rows were written before sealing.
  expect(before.meeting).toBe(cls.joinUrl);
  expect(before.personal).toMatch(/^v1\.t2\./);
  const personalUrl = await openJoinUrl(
    loadConfig(env).tokenKeys,
    { ...owner(cls), studentId: "stu-1" },
    before.personal,
  );

  await runCron({ TOKEN_ENCRYPTION_KEYS: `${NEW_KEY},${env.TOKEN_ENCRYPTION_KEYS}` });
  const after = await stored();
  expect(after.meeting).toMatch(/^v1\.t3\./);
  expect(after.personal).toMatch(/^v1\.t3\./);
  const onlyNew = [{ id: "t3", secret: Uint8Array.from(atob(NEW_KEY.slice(3)), (c) => c.charCodeAt(0)) }];
  expect(await openJoinUrl(onlyNew, owner(cls), after.meeting)).toBe(cls.joinUrl);
  expect(await openJoinUrl(onlyNew, { ...owner(cls), studentId: "stu-1" }, after.personal)).toBe(personalUrl);
  expect(personalUrl).toContain("tk=");
});

const owner = (cls: { tenant: string; classId: string; meetingId: string }) => ({
  tenantId: cls.tenant,
  classId: cls.classId,
  zoomMeetingId: cls.meetingId,
});
