// The token vault: AES-256-GCM with a fresh 96-bit IV per encryption and the key id stored with
// each ciphertext. The tenant, the Zoom account and the field name are bound as additional data,
// so a ciphertext copied into another row or column fails to decrypt instead of being misused.

import { fromBase64Url, toBase64Url } from "./encoding.ts";

export interface VaultKey {
  id: string;
  secret: Uint8Array;
}

/** What a ciphertext is bound to. */
export interface VaultContext {
  tenantId: string;
  zoomAccountId: string;
  field: string;
}

export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VaultError";
  }
}

const FORMAT = "v1";
const keyCache = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function importKey(secret: Uint8Array): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", secret as Uint8Array<ArrayBuffer>, "AES-GCM", false, [
      "encrypt",
      "decrypt",
    ]);
    keyCache.set(secret, key);
  }
  return key;
}

function aad(ctx: VaultContext) {
  // Length-prefixed so that ("a|b", "c") and ("a", "b|c") can never produce the same bytes.
  return new TextEncoder().encode(
    [ctx.tenantId, ctx.zoomAccountId, ctx.field].map((p) => `${p.length}:${p}`).join("|"),
  );
}

export class TokenVault {
  constructor(private readonly keys: VaultKey[]) {
    if (keys.length === 0) throw new VaultError("the key ring is empty");
  }

  get currentKeyId(): string {
    return (this.keys[0] as VaultKey).id;
  }

  /** `v1.<kid>.<iv>.<ciphertext+tag>`, base64url parts. */
  async encrypt(plaintext: string, ctx: VaultContext): Promise<string> {
    const key = this.keys[0] as VaultKey;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: aad(ctx) },
      await importKey(key.secret),
      new TextEncoder().encode(plaintext),
    );
    return `${FORMAT}.${key.id}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ct))}`;
  }

  async decrypt(sealed: string, ctx: VaultContext): Promise<string> {
    const [format, kid, ivPart, ctPart, ...rest] = sealed.split(".");
    if (format !== FORMAT || !kid || !ivPart || !ctPart || rest.length)
      throw new VaultError("malformed ciphertext");
    const key = this.keys.find((k) => k.id === kid);
    if (!key) throw new VaultError(`unknown key id ${kid}`);
    const iv = fromBase64Url(ivPart);
    const ct = fromBase64Url(ctPart);
    if (iv?.length !== 12 || !ct) throw new VaultError("malformed ciphertext");
    try {
      const pt = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv, additionalData: aad(ctx) },
        await importKey(key.secret),
        ct,
      );
      return new TextDecoder().decode(pt);
    } catch {
      throw new VaultError("ciphertext does not authenticate for this context");
    }
  }

  /** The key id a ciphertext was sealed with (to find rows that need re-encryption). */
  static keyIdOf(sealed: string): string | undefined {
    return sealed.split(".")[1];
  }

  /** Re-seals under the current key; returns null when it already is. */
  async reseal(sealed: string, ctx: VaultContext): Promise<string | null> {
    if (TokenVault.keyIdOf(sealed) === this.currentKeyId) return null;
    return this.encrypt(await this.decrypt(sealed, ctx), ctx);
  }
}
