// Emulator control state: injected faults, the webhook outbox and the emulator's configuration.
import { RecordingTables } from "./recordings.ts";

export interface Fault {
  id: string;
  operation: string;
  accountId?: string;
  /** Remaining applications; -1 means forever. */
  remaining: number;
  status?: number;
  zoomCode?: number;
  message?: string;
  body?: unknown;
  delayMs?: number;
  dropAfterBytes?: number;
  html200?: boolean;
  truncateBody?: number;
  xml?: boolean;
  headers?: Record<string, string>;
}

/** One attempt to deliver a webhook: when (emulator ms) and the answer (status or what went wrong). */
export interface DeliveryAttempt {
  at: number;
  status: number | string;
}

export interface Delivery {
  id: string;
  event: string;
  url: string;
  /** Headers of the latest attempt (each attempt is signed again with its own timestamp). */
  headers: Record<string, string>;
  body: string;
  deliveredStatus?: number | string;
  /** pending: waiting for an (other) attempt; acknowledged: answered 200/204; dropped: Zoom gave up. */
  state: "pending" | "acknowledged" | "dropped";
  attempts: DeliveryAttempt[];
  /** When the next attempt is due (emulator ms) while pending. */
  nextAttemptAt?: number;
  /** Set on a copy made through the control API. */
  duplicateOf?: string;
}

export interface Config {
  webhook: {
    url: string;
    secretToken: string;
    /** Outcome of the latest endpoint.url_validation; false stops every delivery until it passes again. */
    validated?: boolean;
    /** When the endpoint was last validated (emulator ms); Zoom validates again every 72 hours. */
    validatedAt?: number;
    /** With a URL, hold deliveries in the outbox until POST /__emulator/webhooks/release. */
    hold?: boolean;
  };
  rateLimits: { light: number; medium: number; heavy: number; dailyHeavy: number; enabled: boolean };
  /** Meeting creates and updates per host per day (Zoom: 100). */
  meetingDailyCap: number;
  /** Where download_url redirects to: another origin stands for Zoom's CDN (default: the request's). */
  downloads?: { fileOrigin?: string };
  /** Registrants one meeting may hold (Zoom: 4,999); lowered by tests to reach the cap cheaply. */
  registrantCap?: number;
  /** Lifetime of new access tokens, sent as `expires_in` (Zoom: 3599, "often" but not promised). */
  accessTokenTtlSeconds?: number;
}

export class OutboxTables extends RecordingTables {
  faults(): Fault[] {
    return this.all<{ doc: string }>("SELECT doc FROM faults ORDER BY seq").map((r) => JSON.parse(r.doc));
  }

  putFault(f: Fault): void {
    this.run(
      "INSERT INTO faults (id, seq, doc) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
      f.id,
      this.nextSeq(),
      JSON.stringify(f),
    );
  }

  deleteFault(id: string): void {
    this.run("DELETE FROM faults WHERE id = ?", id);
  }

  deliveries(): Delivery[] {
    return this.all<{ doc: string }>("SELECT doc FROM outbox ORDER BY seq").map((r) => JSON.parse(r.doc));
  }

  delivery(id: string): Delivery | undefined {
    return this.doc<Delivery>("outbox", "id", id);
  }

  /** Gives the listed deliveries the outbox positions they already hold, in the order listed. */
  reorderDeliveries(ids: string[]): void {
    const seqs = ids.map((id) => this.one<{ seq: number }>("SELECT seq FROM outbox WHERE id = ?", id)?.seq);
    if (seqs.some((s) => s === undefined)) throw new Error("reorder: unknown delivery id");
    const sorted = (seqs as number[]).slice().sort((a, b) => a - b);
    // Two passes, so no position is taken twice in between.
    for (const [i, id] of ids.entries()) this.run("UPDATE outbox SET seq = ? WHERE id = ?", -1 - i, id);
    for (const [i, id] of ids.entries())
      this.run("UPDATE outbox SET seq = ? WHERE id = ?", sorted[i] ?? 0, id);
  }

  putDelivery(d: Delivery): void {
    this.run(
      "INSERT INTO outbox (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
      d.id,
      JSON.stringify(d),
    );
  }
}
