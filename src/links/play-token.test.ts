// Playback tokens: round trip, key rotation, and every way a token must be refused.
import { describe, expect, it } from "vitest";
import { toBase64Url } from "../tokens/encoding.ts";
import { mintPlayToken, PlayTokenError, verifyPlayToken } from "./play-token.ts";
import type { LinkKey } from "./token.ts";

const key = (id: string, fill: number): LinkKey => ({ id, secret: new Uint8Array(32).fill(fill) });
const ring = [key("k2", 2), key("k1", 1)];
const grant = { tenantId: "tenant-a", fileId: "file-1", subject: "student-7" };
const now = 1_800_000_000;

async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (err instanceof PlayTokenError) return err.reason;
    throw err;
  }
  throw new Error("token was accepted");
}

describe("play tokens", () => {
  it("round-trips with the first key and verifies with any key of the ring", async () => {
    const { token, expiresAt } = await mintPlayToken(ring, grant, 3600, now);
    expect(token.split(".")).toHaveLength(4);
    expect(token.startsWith("v1.k2.")).toBe(true);
    expect(await verifyPlayToken(ring, token, now + 10)).toEqual({
      ...grant,
      expiresAt,
      issuedAt: now * 1000,
    });
    const old = await mintPlayToken([key("k1", 1)], grant, 3600, now);
    expect((await verifyPlayToken(ring, old.token, now)).fileId).toBe("file-1");
  });

  it("refuses a forged signature, a tampered payload and an unknown key", async () => {
    const { token } = await mintPlayToken(ring, grant, 3600, now);
    const forged = await mintPlayToken([key("k2", 9)], grant, 3600, now);
    expect(await refusal(verifyPlayToken(ring, forged.token, now))).toBe("bad_signature");
    const [v, kid, , sig] = token.split(".");
    const other = toBase64Url(
      new TextEncoder().encode(
        JSON.stringify({ p: "play", t: "tenant-b", f: "file-1", s: "student-7", exp: now + 3600, nbf: now }),
      ),
    );
    expect(await refusal(verifyPlayToken(ring, `${v}.${kid}.${other}.${sig}`, now))).toBe("bad_signature");
    expect(await refusal(verifyPlayToken(ring, token.replace("v1.k2.", "v1.k9."), now))).toBe("unknown_key");
  });

  it("refuses expired and not yet valid tokens", async () => {
    const { token } = await mintPlayToken(ring, grant, 3600, now);
    expect(await refusal(verifyPlayToken(ring, token, now + 3600))).toBe("expired");
    expect(await refusal(verifyPlayToken(ring, token, now - 3600))).toBe("not_yet_valid");
  });

  it("refuses malformed tokens", async () => {
    for (const bad of [
      "",
      "v1",
      "v1.k2.x",
      "v2.k2.e30.AAAA",
      "v1.k2.***.abc",
      `v1.k2.e30.${"A".repeat(43)}`,
      "x".repeat(3000),
    ]) {
      expect(await refusal(verifyPlayToken(ring, bad, now))).toMatch(/malformed|bad_signature/);
    }
  });
});
