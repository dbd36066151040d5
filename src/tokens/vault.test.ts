import { describe, expect, it } from "vitest";
import { TokenVault, VaultError } from "./vault.ts";

const k = (id: string, fill: number) => ({ id, secret: new Uint8Array(32).fill(fill) });
const ctx = { tenantId: "t1", zoomAccountId: "acct", field: "refresh_token" };

describe("TokenVault", () => {
  it("round-trips and never repeats an IV", async () => {
    const vault = new TokenVault([k("a", 1)]);
    const one = await vault.encrypt("secret-token", ctx);
    const two = await vault.encrypt("secret-token", ctx);
    expect(one).not.toBe(two);
    expect(one).not.toContain("secret-token");
    expect(one.split(".")[1]).toBe("a");
    expect(await vault.decrypt(one, ctx)).toBe("secret-token");
  });

  it("refuses a ciphertext moved to another tenant, account or field", async () => {
    const vault = new TokenVault([k("a", 1)]);
    const sealed = await vault.encrypt("secret-token", ctx);
    await expect(vault.decrypt(sealed, { ...ctx, tenantId: "t2" })).rejects.toBeInstanceOf(VaultError);
    await expect(vault.decrypt(sealed, { ...ctx, zoomAccountId: "other" })).rejects.toBeInstanceOf(
      VaultError,
    );
    await expect(vault.decrypt(sealed, { ...ctx, field: "access_token" })).rejects.toBeInstanceOf(VaultError);
  });

  it("refuses tampered and malformed ciphertexts", async () => {
    const vault = new TokenVault([k("a", 1)]);
    const sealed = await vault.encrypt("secret-token", ctx);
    const parts = sealed.split(".");
    const ct = parts[3] as string;
    const flipped = `${parts.slice(0, 3).join(".")}.${ct[0] === "A" ? "B" : "A"}${ct.slice(1)}`;
    await expect(vault.decrypt(flipped, ctx)).rejects.toBeInstanceOf(VaultError);
    await expect(vault.decrypt("v1.a.zz", ctx)).rejects.toBeInstanceOf(VaultError);
    await expect(vault.decrypt(sealed.replace(".a.", ".nope."), ctx)).rejects.toThrow(/unknown key id/);
  });

  it("decrypts with old keys and reseals under the current one", async () => {
    const old = new TokenVault([k("old", 2)]);
    const sealed = await old.encrypt("secret-token", ctx);
    const rotated = new TokenVault([k("new", 3), k("old", 2)]);
    expect(await rotated.decrypt(sealed, ctx)).toBe("secret-token");
    const resealed = await rotated.reseal(sealed, ctx);
    expect(TokenVault.keyIdOf(resealed ?? "")).toBe("new");
    expect(await rotated.reseal(resealed ?? "", ctx)).toBeNull();
    expect(await new TokenVault([k("new", 3)]).decrypt(resealed ?? "", ctx)).toBe("secret-token");
  });
});
