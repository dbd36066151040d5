// The emulator's configuration through the control API: what GET /__emulator/config shows, and how a
// POST changes it (webhook target, rate limits, daily caps, download origin, plan, OAuth clients).
import type { Core } from "./core.ts";
import type { Account, Client, Config } from "./db.ts";
import { isoSeconds, newOpaque, parseStorage } from "./ids.ts";
import { kindOf, scopesOfSet } from "./scopes.ts";
import { SEED } from "./seed.ts";

type Body = Record<string, unknown>;

export function publicConfig(core: Core) {
  return {
    ...core.config(),
    plans: core.db.accounts().map((a) => ({
      accountId: a.id,
      seats: a.seats,
      storageBytes: a.storageBytes,
      freeStorageBytes: a.freeStorageBytes ?? 0,
    })),
    clients: core.db.clients(),
    now: isoSeconds(core.now()),
  };
}

export function applyConfig(core: Core, b: Body): void {
  const clients = clientsOf(core, b);
  const config: Config = core.config();
  const webhook = b.webhook as Partial<Config["webhook"]> | undefined;
  if (webhook) {
    if (typeof webhook.url === "string") {
      config.webhook.url = webhook.url;
      config.webhook.validated = undefined;
    }
    if (typeof webhook.secretToken === "string") config.webhook.secretToken = webhook.secretToken;
    if (typeof webhook.hold === "boolean") config.webhook.hold = webhook.hold;
  }
  const limits = b.rateLimits as Partial<Config["rateLimits"]> | undefined;
  if (limits) config.rateLimits = { ...config.rateLimits, ...limits };
  if (typeof b.meetingDailyCap === "number") config.meetingDailyCap = b.meetingDailyCap;
  const downloads = b.downloads as { fileOrigin?: unknown } | undefined;
  if (downloads && typeof downloads.fileOrigin === "string")
    config.downloads = { fileOrigin: downloads.fileOrigin.replace(/\/+$/, "") };
  if (typeof b.registrantCap === "number") config.registrantCap = b.registrantCap;
  if (typeof b.accessTokenTtlSeconds === "number" && b.accessTokenTtlSeconds > 0)
    config.accessTokenTtlSeconds = b.accessTokenTtlSeconds;
  core.setConfig(config);
  const plan = b.plan as
    | {
        accountId?: string;
        seats?: number;
        storageBytes?: number;
        storage?: string;
        freeStorage?: string;
        usage?: string;
      }
    | undefined;
  if (plan) {
    const account = core.db.account(plan.accountId ?? SEED.accountA);
    if (!account) throw new Error(`unknown account ${plan.accountId}`);
    const next: Account = { ...account };
    if (typeof plan.seats === "number") next.seats = plan.seats;
    if (typeof plan.storageBytes === "number") next.storageBytes = plan.storageBytes;
    if (typeof plan.storage === "string") next.storageBytes = parseStorage(plan.storage) ?? next.storageBytes;
    // A plain Pro account: storage comes with the licenses (free_storage) and plan_storage is "0".
    if (typeof plan.freeStorage === "string")
      next.freeStorageBytes = parseStorage(plan.freeStorage) ?? next.freeStorageBytes;
    if (typeof plan.usage === "string") next.baseUsageBytes = parseStorage(plan.usage) ?? next.baseUsageBytes;
    core.db.putAccount(next);
  }
  for (const client of clients) core.db.putClient(client);
}

export type ClientInput = Partial<Client> & { scopeSet?: unknown };

/**
 * The clients a /config body registers or changes, checked before anything is applied. `scopeSet`
 * ("classic" or "granular") stands for the scopes a Wise app of that kind holds. Zoom keeps an app's
 * scopes of one kind: a registration that mixes classic and granular scopes is refused.
 */
export function clientsOf(core: Core, b: Body): Client[] {
  if (!Array.isArray(b.clients)) return [];
  return (b.clients as ClientInput[]).map((raw) => {
    if (!raw.clientId) throw new Error("clients[].clientId is required");
    const current = core.db.client(raw.clientId);
    const fromSet = scopesOfSet(raw.scopeSet);
    if (raw.scopeSet !== undefined && !fromSet)
      throw new Error("clients[].scopeSet must be classic or granular");
    const scopes = raw.scopes ?? fromSet ?? current?.scopes ?? [];
    if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === "string"))
      throw new Error("clients[].scopes must be a list of scope names");
    if (kindOf(scopes) === "mixed") {
      throw new Error(
        `clients[].scopes mixes classic and granular scopes (${scopes.join(" ")}): an app's scopes are of one kind`,
      );
    }
    return {
      clientId: raw.clientId,
      clientSecret: raw.clientSecret ?? current?.clientSecret ?? newOpaque(16),
      name: raw.name ?? current?.name ?? raw.clientId,
      redirectUris: raw.redirectUris ?? current?.redirectUris ?? [],
      scopes,
      custCreate: raw.custCreate ?? current?.custCreate ?? false,
    };
  });
}
