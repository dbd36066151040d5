// Shared services of the state object: storage, emulator time, configuration and background work.
import type { Config, Db } from "./db.ts";
import type { EmulatorVars } from "./env.ts";
import { defaultConfig } from "./seed.ts";

export class Core {
  /** Per-second request windows for rate limiting; in memory because they only live a second. */
  readonly qpsWindows = new Map<string, { second: number; count: number }>();

  constructor(
    readonly db: Db,
    readonly env: EmulatorVars,
    private readonly waitUntil: (p: Promise<unknown>) => void,
  ) {}

  /** Emulator time: real time plus the offset set through POST /__emulator/clock. */
  now(): number {
    return Date.now() + (this.db.getMeta<number>("clockOffsetMs") ?? 0);
  }

  advanceClock(seconds: number): number {
    this.db.setMeta("clockOffsetMs", (this.db.getMeta<number>("clockOffsetMs") ?? 0) + seconds * 1000);
    return this.now();
  }

  config(): Config {
    return this.db.getMeta<Config>("config") ?? defaultConfig(this.env);
  }

  setConfig(config: Config): void {
    this.db.setMeta("config", config);
  }

  /** Secret for signed file URLs; regenerated at every reset. */
  signingKey(): string {
    return this.db.getMeta<string>("signingKey") ?? "";
  }

  defer(p: Promise<unknown>): void {
    this.waitUntil(p.catch((err) => console.error("background task failed", err)));
  }

  nextUuidSequence(): number {
    const n = (this.db.getMeta<number>("uuidSeq") ?? 0) + 1;
    this.db.setMeta("uuidSeq", n);
    return n;
  }
}
