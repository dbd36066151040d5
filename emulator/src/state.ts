// The ZoomState Durable Object: the one consistent Zoom every request talks to. It owns the SQLite
// state and exposes RPC methods; the Worker only parses requests and streams file bodies.
import { DurableObject } from "cloudflare:workers";
import { handleControl } from "./control.ts";
import { Core } from "./core.ts";
import { Db } from "./db.ts";
import { describe, downloadAccount, downloadRedirect, type FileDescriptor, fileAccess } from "./downloads.ts";
import type { EmulatorVars } from "./env.ts";
import { effectOf, replacement, takeFault, withFault } from "./faults.ts";
import { html, toWire, type WireRequest, type WireResponse } from "./http.ts";
import { hex, isoSeconds, randomBytes } from "./ids.ts";
import {
  authorizeDecision,
  authorizePage,
  marketplaceAdd,
  revoke,
  token,
  tokenRequestAccount,
} from "./oauth.ts";
import { errorPage, expiredStartPage, joinPage, startPage } from "./pages.ts";
import type { ReceivedDelivery, ReceiverConfig } from "./receiver-types.ts";
import { lookupStart } from "./rest/meetings.ts";
import { lookupJoin } from "./rest/registrants.ts";
import { handleRest } from "./rest/router.ts";
import { defaultConfig, seed } from "./seed.ts";

export type FileAnswer =
  | { file: FileDescriptor; effect?: WireResponse["effect"] }
  | { response: WireResponse };

/** The emulator Worker's bindings: its settings and this object's namespace. */
export interface Env extends EmulatorVars {
  ZOOM_STATE: DurableObjectNamespace<ZoomState>;
}

export class ZoomState extends DurableObject<Env> {
  private readonly db: Db;
  private readonly core: Core;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = new Db(ctx.storage.sql);
    this.core = new Core(this.db, env, (p) => ctx.waitUntil(p));
    ctx.blockConcurrencyWhile(async () => {
      this.db.createSchema();
      if (!this.db.getMeta<boolean>("seeded")) this.seedFresh();
    });
  }

  private seedFresh(): void {
    this.db.setMeta("clockOffsetMs", 0);
    const config = defaultConfig(this.env);
    // The endpoint counts as validated at reset; Zoom validates it again 72 hours later.
    this.db.setMeta("config", { ...config, webhook: { ...config.webhook, validatedAt: Date.now() } });
    this.db.setMeta("signingKey", hex(randomBytes(32)));
    seed(this.db, isoSeconds(Date.now() - 30 * 86_400_000), this.env);
    this.db.setMeta("seeded", true);
  }

  private reset(): void {
    this.db.dropAll();
    this.core.qpsWindows.clear();
    this.db.createSchema();
    this.seedFresh();
  }

  private count(operation: string): void {
    this.db.increment(`stat:op:${operation}`);
  }

  async rest(req: WireRequest): Promise<WireResponse> {
    return handleRest(this.core, req);
  }

  async authorize(req: WireRequest): Promise<WireResponse> {
    this.count("oauth.authorize");
    return withFault(this.core, "oauth.authorize", undefined, () =>
      req.method === "POST" ? authorizeDecision(this.core, req) : authorizePage(this.core, req),
    );
  }

  async marketplaceAdd(clientId: string, redirectUri: string | undefined): Promise<WireResponse> {
    this.count("marketplace.add");
    return marketplaceAdd(this.core, clientId, redirectUri);
  }

  async token(req: WireRequest): Promise<WireResponse> {
    this.count("oauth.token");
    return withFault(this.core, "oauth.token", tokenRequestAccount(this.core, req), async () => {
      try {
        return await token(this.core, req);
      } catch (err) {
        return toWire(err);
      }
    });
  }

  async revoke(req: WireRequest): Promise<WireResponse> {
    this.count("oauth.revoke");
    return withFault(this.core, "oauth.revoke", undefined, () => {
      try {
        return revoke(this.core, req);
      } catch (err) {
        return toWire(err);
      }
    });
  }

  async download(req: WireRequest, key: string, kind: "rest" | "webhook" = "rest"): Promise<WireResponse> {
    this.count("recordings.download");
    return withFault(this.core, "recordings.download", downloadAccount(this.core, key), async () => {
      try {
        return await downloadRedirect(this.core, req, key, kind);
      } catch (err) {
        return toWire(err);
      }
    });
  }

  async file(fileId: string, exp: string, sig: string, hasAuthorization: boolean): Promise<FileAnswer> {
    this.count("recordings.file");
    // Kept so tests can tell a bearer was never forwarded to the signed URL.
    if (hasAuthorization) this.count("recordings.file.with_authorization");
    const fault = takeFault(this.core, "recordings.file", this.db.file(fileId)?.accountId);
    const replaced = fault ? replacement(fault) : undefined;
    if (replaced) return { response: { ...replaced, effect: effectOf(fault) } };
    const access = await fileAccess(this.core, fileId, exp, sig, hasAuthorization);
    if ("status" in access) return { response: access };
    return { file: access, effect: effectOf(fault) };
  }

  /** Describes a file for the control API's streaming hash. */
  async fileDescriptor(fileId: string): Promise<FileDescriptor | undefined> {
    const file = this.db.file(fileId);
    return file ? describe(file) : undefined;
  }

  async control(req: WireRequest): Promise<WireResponse> {
    return handleControl(this.core, req, { reset: () => this.reset() });
  }

  // The event receiver's state (emulator/src/receiver.ts); its tables come and go with a reset.
  private receiverTables(): void {
    this.ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS receiver_endpoints (name TEXT PRIMARY KEY, config TEXT NOT NULL)",
    );
    this.ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS receiver_deliveries (seq INTEGER PRIMARY KEY AUTOINCREMENT, endpoint TEXT NOT NULL, entry TEXT NOT NULL)",
    );
  }

  async receiverConfig(name: string): Promise<ReceiverConfig | undefined> {
    this.receiverTables();
    const row = this.ctx.storage.sql
      .exec<{ config: string }>("SELECT config FROM receiver_endpoints WHERE name = ?", name)
      .toArray()[0];
    return row ? (JSON.parse(row.config) as ReceiverConfig) : undefined;
  }

  async receiverConfigure(name: string, config: ReceiverConfig): Promise<void> {
    this.receiverTables();
    this.ctx.storage.sql.exec(
      "INSERT INTO receiver_endpoints (name, config) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET config = excluded.config",
      name,
      JSON.stringify(config),
    );
  }

  async receiverRecord(entry: Omit<ReceivedDelivery, "seq">): Promise<void> {
    this.receiverTables();
    this.ctx.storage.sql.exec(
      "INSERT INTO receiver_deliveries (endpoint, entry) VALUES (?, ?)",
      entry.endpoint,
      JSON.stringify(entry),
    );
  }

  async receiverDeliveries(name: string): Promise<ReceivedDelivery[]> {
    this.receiverTables();
    return this.ctx.storage.sql
      .exec<{ seq: number; entry: string }>(
        "SELECT seq, entry FROM receiver_deliveries WHERE endpoint = ? ORDER BY seq",
        name,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, ...(JSON.parse(r.entry) as Omit<ReceivedDelivery, "seq">) }));
  }

  async receiverClear(): Promise<void> {
    this.ctx.storage.sql.exec("DROP TABLE IF EXISTS receiver_endpoints");
    this.ctx.storage.sql.exec("DROP TABLE IF EXISTS receiver_deliveries");
  }

  async startPage(meetingId: string, zak: string): Promise<WireResponse> {
    const found = lookupStart(this.core, meetingId, zak);
    if (!found) return html(410, expiredStartPage(meetingId));
    this.db.putMeeting({ ...found.meeting, status: "started" });
    return html(200, startPage(found.meeting.id, found.hostName, found.meeting.topic));
  }

  async joinPage(meetingId: string, registrantToken?: string): Promise<WireResponse> {
    const found = lookupJoin(this.core, meetingId, registrantToken);
    if (!found) return html(404, errorPage("Meeting not found", `Meeting ${meetingId} does not exist.`));
    if (registrantToken && !found.registrant) {
      return html(403, errorPage("Invalid link", "This registration link is not valid."));
    }
    const name = found.registrant
      ? `${found.registrant.firstName} ${found.registrant.lastName}`.trim()
      : undefined;
    return html(200, joinPage(found.meeting.id, found.meeting.topic, name));
  }
}
