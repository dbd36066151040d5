// Link token signing and verification: every malformed, forged or misused token is refused.
import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "../tokens/encoding.ts";
import { type LinkClaims, type LinkKey, MAX_TOKEN_LENGTH, signLink, verifyLink } from "./token.ts";

const key = (id: string, fill: number): LinkKey => ({ id, secret: new Uint8Array(32).fill(fill) });
const CURRENT = key("k2", 2);
const OLD = key("k1", 1);
const RING = [CURRENT, OLD];
const NOW = Date.UTC(2026, 10, 20, 9, 0, 0);
const sec = (ms: number) => Math.floor(ms / 1000);

const claims = (over: Partial<LinkClaims> = {}): LinkClaims => ({
  purpose: "join",
  tenant: "tenant-a",
  class: "class-1",
  subject: "student-1",
  exp: sec(NOW) + 3600,
  nbf: sec(NOW),
  iat: NOW,
  ...over,
});

const parts = (t: string) => t.split(".") as [string, string, string, string];
const reason = async (token: string, purpose: LinkClaims["purpose"] = "join", ring = RING) => {
  const v = await verifyLink(ring, token, purpose, NOW);
  return v.ok ? "ok" : v.reason;
};

describe("link tokens", () => {
  it("round-trips, signed with the current key, in the documented shape", async () => {
    const token = await signLink(RING, claims());
    expect(token).toMatch(/^v1\.k2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const v = await verifyLink(RING, token, "join", NOW);
    expect(v).toEqual({ ok: true, claims: claims() });
    expect(token.length).toBeLessThan(300);
  });

  it("verifies tokens of an older key still in the ring, and play tokens naming a file", async () => {
    const old = await signLink([OLD], claims());
    expect(await reason(old)).toBe("ok");
    const play = await signLink(RING, claims({ purpose: "play", class: undefined, file: "file-9" }));
    expect(await reason(play, "play")).toBe("ok");
  });

  it("refuses an unknown key id, and a token re-signed with another key under a known id", async () => {
    const foreign = await signLink([key("k9", 9)], claims());
    expect(await reason(foreign)).toBe("unknown_key");
    const resigned = await signLink([key("k2", 7)], claims());
    expect(parts(resigned)[1]).toBe("k2");
    expect(await reason(resigned)).toBe("bad_signature");
    // A retired key stops verifying once it leaves the ring.
    expect(await reason(await signLink([OLD], claims()), "join", [CURRENT])).toBe("unknown_key");
  });

  it("refuses truncated, padded, non-base64 and restructured tokens", async () => {
    const token = await signLink(RING, claims());
    const [v, kid, payload, sig] = parts(token);
    const bad = [
      "",
      token.slice(0, -1),
      token.slice(0, -10),
      `${token}=`,
      `${token}==`,
      `${v}.${kid}.${payload}=.${sig}`,
      `${v}.${kid}.${payload}.${sig}A`,
      `${v}.${kid}.${payload.slice(0, -3)}.${sig}`,
      `${v}.${kid}.${payload.replace(/^./, "+")}.${sig}`,
      `${v}.${kid}.${payload}.${sig.replace(/^./, "/")}`,
      `${v}.${kid}.${payload}.${sig}.x`,
      `${v}.${kid}.${payload}`,
      `v2.${kid}.${payload}.${sig}`,
      `V1.${kid}.${payload}.${sig}`,
      `${v}..${payload}.${sig}`,
      `${v}.${kid}.${payload}..${sig}`,
      ` ${token}`,
      `${token}\n`,
    ];
    for (const t of bad) expect([t, await reason(t)]).toEqual([t, "malformed"]);
  });

  it("refuses a non-canonical spelling of the signature (one link, one spelling)", async () => {
    const token = await signLink(RING, claims());
    const [v, kid, payload, sig] = parts(token);
    // The last of 43 characters carries 4 bits of the signature and 2 unused bits; set the unused ones.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(sig.at(-1) ?? "A");
    const twin = `${sig.slice(0, -1)}${alphabet[last | 1]}`;
    expect(twin).not.toBe(sig);
    expect(fromBase64Url(twin)).toEqual(fromBase64Url(sig));
    expect(await reason(`${v}.${kid}.${payload}.${twin}`)).toBe("malformed");
  });

  it("refuses unicode and percent-encoding tricks", async () => {
    const token = await signLink(RING, claims());
    const [v, kid, payload, sig] = parts(token);
    const bad = [
      token.replace(".", "%2E"),
      encodeURIComponent(`${token}/`),
      token.replace("v1", "ｖ1"),
      `${v}.${kid}.${payload}.${sig.slice(0, -1)}\u0430`,
      `${v}.${kid}\u200b.${payload}.${sig}`,
      token.normalize("NFKC").replace("k2", "k\u00b2"),
    ];
    for (const t of bad) expect(await reason(t)).toMatch(/malformed|unknown_key/);
  });

  it("refuses two students' payloads swapped between their signatures", async () => {
    const a = parts(await signLink(RING, claims({ subject: "student-a" })));
    const b = parts(await signLink(RING, claims({ subject: "student-b" })));
    expect(await reason([a[0], a[1], b[2], a[3]].join("."))).toBe("bad_signature");
    expect(await reason([b[0], b[1], a[2], b[3]].join("."))).toBe("bad_signature");
  });

  it("refuses a token used for another purpose", async () => {
    const start = await signLink(RING, claims({ purpose: "start", subject: "teacher-1" }));
    expect(await reason(start, "join")).toBe("wrong_purpose");
    const join = await signLink(RING, claims());
    expect(await reason(join, "start")).toBe("wrong_purpose");
    expect(await reason(join, "play")).toBe("wrong_purpose");
  });

  it("refuses expired and not-yet-valid tokens, with a minute of clock skew", async () => {
    expect(await reason(await signLink(RING, claims({ exp: sec(NOW) })))).toBe("expired");
    expect(await reason(await signLink(RING, claims({ exp: sec(NOW) - 1 })))).toBe("expired");
    expect(await reason(await signLink(RING, claims({ nbf: sec(NOW) + 61 })))).toBe("not_yet_valid");
    expect(await reason(await signLink(RING, claims({ nbf: sec(NOW) + 60 })))).toBe("ok");
  });

  it("refuses tokens over 2 KB before any work", async () => {
    const token = await signLink(RING, claims());
    expect(await reason(token + "A".repeat(MAX_TOKEN_LENGTH))).toBe("too_long");
    expect(await reason("A".repeat(MAX_TOKEN_LENGTH + 1))).toBe("too_long");
  });

  it("refuses correctly signed payloads that do not match the claims schema", async () => {
    const sign = async (body: unknown) => {
      const signed = `v1.k2.${toBase64Url(new TextEncoder().encode(JSON.stringify(body)))}`;
      const k = await crypto.subtle.importKey(
        "raw",
        CURRENT.secret as Uint8Array<ArrayBuffer>,
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
      const sig = await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(signed));
      return `${signed}.${toBase64Url(new Uint8Array(sig))}`;
    };
    const good = { ...claims() };
    expect(await reason(await sign(good))).toBe("ok");
    const bad = [
      { ...good, extra: 1 },
      { ...good, tenant: "../other" },
      { ...good, subject: "" },
      { ...good, exp: "9999999999" },
      { ...good, purpose: "admin" },
      { ...good, class: undefined },
      { ...good, file: "f1" },
      { ...good, iat: 1.5 },
      [good],
      "just a string",
    ];
    for (const b of bad) expect([b, await reason(await sign(b))]).toEqual([b, "malformed"]);
  });
});
