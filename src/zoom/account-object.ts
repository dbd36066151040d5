// The ZoomAccount Durable Object: one per linked Zoom account, and the only code that refreshes its
// tokens. Zoom's refresh tokens are single-use, so two refreshes racing with the same token would
// kill the link (one wins, the other gets invalid_grant). Here concurrent callers share one in-flight
// refresh, the new pair is compare-and-swapped into D1 before anyone uses it, and an invalid_grant
// is believed only after re-reading D1 (another writer may have won).
import { DurableObject } from "cloudflare:workers";
import { audit, auditStatement } from "../db/audit.ts";
import { database } from "../db/client.ts";
import { linkNeedsRelinkEvent, linkUnlinkedEvent } from "../events/emit.ts";
import { committedIds, dispatchEvents } from "../events/outbox.ts";
import { loadConfig } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import {
  type CredentialRow,
  credentialForAccount,
  deleteCredentialStatement,
  markNeedsRelinkWithEvents,
  openTokens,
  sealTokens,
  swapTokens,
  vaultFor,
} from "./credentials.ts";
import { ZoomNeedsRelink, ZoomNotLinked, ZoomUnavailable } from "./errors.ts";
import { refreshTokens, revokeToken } from "./oauth.ts";

export interface AccessToken {
  accessToken: string;
  /** epoch ms */
  expiresAt: number;
}

/**
 * What the object's RPC methods answer. Failures are values, not exceptions: an exception thrown out of
 * a Durable Object method is reported as the object's own uncaught error, while "Zoom is down" or "the
 * link needs renewal" are ordinary outcomes for the caller to turn back into typed errors (unwrapToken).
 */
export type TokenResult =
  | ({ ok: true } & AccessToken)
  | { ok: false; error: "not_linked" | "needs_relink" | "unavailable"; reason: string };

async function settle(work: Promise<AccessToken>): Promise<TokenResult> {
  try {
    return { ok: true, ...(await work) };
  } catch (err) {
    if (err instanceof ZoomNotLinked) return { ok: false, error: "not_linked", reason: err.message };
    if (err instanceof ZoomNeedsRelink) return { ok: false, error: "needs_relink", reason: err.reason };
    if (err instanceof ZoomUnavailable) return { ok: false, error: "unavailable", reason: err.message };
    throw err;
  }
}

/** The caller's side of TokenResult: the token, or the typed error it stands for. */
export function unwrapToken(result: TokenResult): AccessToken {
  if (result.ok) return { accessToken: result.accessToken, expiresAt: result.expiresAt };
  if (result.error === "not_linked") throw new ZoomNotLinked(result.reason);
  if (result.error === "needs_relink") throw new ZoomNeedsRelink(result.reason);
  throw new ZoomUnavailable(result.reason);
}

/** A token this close to expiry is refreshed rather than handed out. */
const EXPIRY_MARGIN_MS = 60_000;
/** Idle links are refreshed at least this often, so their refresh token never lapses. */
export const KEEPALIVE_MS = 6 * 24 * 3600_000;
/** Links used this recently get their access token renewed ahead of expiry by the alarm. */
const ACTIVE_WINDOW_MS = 3600_000;
const AHEAD_OF_EXPIRY_MS = 5 * 60_000;
/** Transient token-endpoint failures are retried within one refresh this many times. */
const REFRESH_ATTEMPTS = 3;
const RETRY_ALARM_MS = 15 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ZoomAccount extends DurableObject<Env> {
  private inflight: Promise<AccessToken> | null = null;
  private current: (AccessToken & { refreshHash: string }) | null = null;

  private get config() {
    return loadConfig(this.env);
  }
  private get db() {
    return database(this.env.DB);
  }

  /** A valid access token for the account, refreshing it (once, for all callers) when needed. */
  getAccessToken(zoomAccountId: string): Promise<TokenResult> {
    return settle(this.currentToken(zoomAccountId));
  }

  /**
   * Zoom rejected `rejected` (code 124). If a newer token is already held, that one is returned;
   * otherwise the token is refreshed, once for all callers that saw the same rejection.
   */
  refreshAfterRejection(zoomAccountId: string, rejected: string): Promise<TokenResult> {
    return settle(this.tokenAfterRejection(zoomAccountId, rejected));
  }

  private async currentToken(zoomAccountId: string): Promise<AccessToken> {
    await this.remember(zoomAccountId, true);
    const c = this.current;
    if (c && c.expiresAt - EXPIRY_MARGIN_MS > Date.now())
      return { accessToken: c.accessToken, expiresAt: c.expiresAt };
    return this.refreshShared(zoomAccountId, null);
  }

  private async tokenAfterRejection(zoomAccountId: string, rejected: string): Promise<AccessToken> {
    await this.remember(zoomAccountId, true);
    if (this.inflight) return this.inflight;
    const c = this.current;
    if (c && c.accessToken !== rejected && c.expiresAt - EXPIRY_MARGIN_MS > Date.now()) {
      return { accessToken: c.accessToken, expiresAt: c.expiresAt };
    }
    return this.refreshShared(zoomAccountId, rejected);
  }

  /** Called after a (re)link stored a new credential: forget cached tokens and plan the alarm. */
  async linked(zoomAccountId: string): Promise<void> {
    await this.settle();
    this.current = null;
    await this.remember(zoomAccountId, false);
    await this.scheduleAlarm();
  }

  /** Stops refreshing: the account's credential is gone or belongs elsewhere now. */
  async forget(): Promise<void> {
    await this.settle();
    this.current = null;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  /**
   * Unlinks: revokes at Zoom (best effort, logged), deletes the credential, stops the alarm, audits.
   * Runs here so that it cannot interleave with a refresh of the same account.
   */
  async unlink(zoomAccountId: string, actor: string, how: "unlinked" | "deauthorized"): Promise<boolean> {
    await this.forget();
    const db = this.db;
    const row = await credentialForAccount(db, zoomAccountId);
    if (!row) return false;
    let revoked: boolean | "skipped" = "skipped";
    if (how === "unlinked") {
      try {
        const { refreshToken } = await openTokens(vaultFor(this.config), row);
        revoked = await revokeToken(this.config, refreshToken);
      } catch (err) {
        revoked = false;
        log("warn", "unlink: could not read the credential to revoke it", { zoomAccountId, err });
      }
      log(revoked ? "info" : "warn", "unlink: revocation at Zoom", { zoomAccountId, revoked });
    }
    const deleted = deleteCredentialStatement(db, zoomAccountId);
    const audited = auditStatement(db, {
      tenantId: row.tenantId,
      actor,
      action: how === "unlinked" ? "zoom.unlinked" : "zoom.deauthorized",
      details: { zoomAccountId, revokedAtZoom: revoked },
    });
    // The credential goes, and zoom.link.unlinked is written, in one batch.
    const event = await linkUnlinkedEvent(db, row, how === "unlinked" ? "admin" : "zoom", actor);
    await dispatchEvents(this.env, committedIds(await db.batch([deleted, audited, event.statement])));
    return true;
  }

  /** Keeps links alive: renews access tokens of active links ahead of expiry, idle ones weekly. */
  override async alarm(): Promise<void> {
    const zoomAccountId = await this.ctx.storage.get<string>("zoomAccountId");
    if (!zoomAccountId) return;
    const row = await credentialForAccount(this.db, zoomAccountId);
    if (row?.status !== "linked") {
      await this.ctx.storage.deleteAll();
      return;
    }
    const due = await this.alarmDueAt(row);
    if (due > Date.now() + 1000) {
      // Woken early (the link was used since the alarm was set): nothing changed, plan again from this row.
      await this.ctx.storage.setAlarm(due);
      return;
    }
    try {
      await this.refreshShared(zoomAccountId, null, true);
    } catch (err) {
      if (err instanceof ZoomNeedsRelink || err instanceof ZoomNotLinked) return;
      log("warn", "alarm: refresh failed, will retry", { zoomAccountId, err });
      await this.ctx.storage.setAlarm(Date.now() + RETRY_ALARM_MS);
      return;
    }
    await this.scheduleAlarm();
  }

  private async alarmDueAt(row: CredentialRow): Promise<number> {
    const lastUsed = (await this.ctx.storage.get<number>("lastUsedAt")) ?? 0;
    const keepAlive = (row.lastRefreshAt ?? row.linkedAt) + KEEPALIVE_MS;
    const active = Date.now() - lastUsed < ACTIVE_WINDOW_MS;
    return active ? Math.min(keepAlive, row.accessTokenExpiresAt - AHEAD_OF_EXPIRY_MS) : keepAlive;
  }

  private async scheduleAlarm(): Promise<void> {
    const zoomAccountId = await this.ctx.storage.get<string>("zoomAccountId");
    if (!zoomAccountId) return;
    const row = await credentialForAccount(this.db, zoomAccountId);
    if (row?.status !== "linked") {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    await this.ctx.storage.setAlarm(Math.max(Date.now() + 1000, await this.alarmDueAt(row)));
  }

  private async remember(zoomAccountId: string, used: boolean): Promise<void> {
    const known = await this.ctx.storage.get<string>("zoomAccountId");
    if (known && known !== zoomAccountId)
      throw new Error("ZoomAccount object addressed with another account id");
    if (!known) await this.ctx.storage.put("zoomAccountId", zoomAccountId);
    if (used) {
      const last = (await this.ctx.storage.get<number>("lastUsedAt")) ?? 0;
      // Write at most once a minute: this runs on every API call.
      if (Date.now() - last > 60_000) {
        await this.ctx.storage.put("lastUsedAt", Date.now());
        if ((await this.ctx.storage.getAlarm()) === null) await this.scheduleAlarm();
      }
    }
  }

  /** Waits for an in-flight refresh to finish, whatever its outcome. */
  private async settle(): Promise<void> {
    if (this.inflight) await this.inflight.catch(() => undefined);
  }

  private refreshShared(zoomAccountId: string, rejected: string | null, force = false): Promise<AccessToken> {
    if (!this.inflight) {
      this.inflight = this.refresh(zoomAccountId, rejected, force).finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  private async refresh(
    zoomAccountId: string,
    rejected: string | null,
    force: boolean,
  ): Promise<AccessToken> {
    const db = this.db;
    const vault = vaultFor(this.config);
    // Always start from D1: after an eviction, a relink or another writer, memory may be stale.
    const row = await credentialForAccount(db, zoomAccountId);
    if (!row) throw new ZoomNotLinked(`no credential for ${zoomAccountId}`);
    if (row.status === "needs_relink") throw new ZoomNeedsRelink(row.reason ?? "needs relink");
    const stored = await openTokens(vault, row);
    if (
      !force &&
      stored.accessToken !== rejected &&
      row.accessTokenExpiresAt - EXPIRY_MARGIN_MS > Date.now()
    ) {
      return this.keep(row.refreshTokenHash, stored.accessToken, row.accessTokenExpiresAt);
    }

    let lastError: unknown;
    for (let attempt = 0; attempt < REFRESH_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(250 * 4 ** (attempt - 1) * (0.5 + Math.random() / 2));
      let tokens: Awaited<ReturnType<typeof refreshTokens>>;
      try {
        tokens = await refreshTokens(this.config, stored.refreshToken);
      } catch (err) {
        if (err instanceof ZoomNeedsRelink) return this.onTerminal(row, err);
        lastError = err;
        log("warn", "refresh: transient failure", { zoomAccountId, attempt, err });
        continue;
      }
      const sealed = await sealTokens(vault, row, tokens);
      const now = Date.now();
      if (await swapTokens(db, row, sealed, now)) {
        return this.keep(sealed.refreshTokenHash, tokens.accessToken, tokens.accessTokenExpiresAt);
      }
      // Lost the compare-and-swap: the row changed under us (a relink or unlink). D1 is the truth.
      log("warn", "refresh: lost the compare-and-swap; using the stored credential", { zoomAccountId });
      const winner = await credentialForAccount(db, zoomAccountId);
      if (!winner) throw new ZoomNotLinked(`credential for ${zoomAccountId} was removed`);
      if (winner.status !== "linked") throw new ZoomNeedsRelink(winner.reason ?? "needs relink");
      const opened = await openTokens(vault, winner);
      return this.keep(winner.refreshTokenHash, opened.accessToken, winner.accessTokenExpiresAt);
    }
    throw lastError instanceof ZoomUnavailable ? lastError : new ZoomUnavailable(String(lastError));
  }

  private async onTerminal(row: CredentialRow, err: ZoomNeedsRelink): Promise<AccessToken> {
    const db = this.db;
    // Another writer may have refreshed with this very token and stored the result: believe D1.
    const again = await credentialForAccount(db, row.zoomAccountId);
    if (again && again.status === "linked" && again.refreshTokenHash !== row.refreshTokenHash) {
      const opened = await openTokens(vaultFor(this.config), again);
      return this.keep(again.refreshTokenHash, opened.accessToken, again.accessTokenExpiresAt);
    }
    const now = Date.now();
    const event = await linkNeedsRelinkEvent(db, row, err.reason, now);
    const marked = await markNeedsRelinkWithEvents(db, row, err.reason, now, [event.statement]);
    if (marked.changed) {
      await dispatchEvents(this.env, marked.eventIds);
      await audit(db, {
        tenantId: row.tenantId,
        actor: "zoom",
        action: "zoom.needs_relink",
        details: { zoomAccountId: row.zoomAccountId, reason: err.reason },
      });
      log("warn", "refresh: Zoom refused the refresh token; link needs renewal", {
        zoomAccountId: row.zoomAccountId,
        reason: err.reason,
      });
    }
    this.current = null;
    await this.ctx.storage.deleteAlarm();
    throw err;
  }

  private keep(refreshHash: string, accessToken: string, expiresAt: number): AccessToken {
    this.current = { accessToken, expiresAt, refreshHash };
    return { accessToken, expiresAt };
  }
}
