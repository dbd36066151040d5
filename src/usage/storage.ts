// Zoom prints storage as text ("2 GB", "1.2 GB", "340 MB", "0"); these turn it into bytes. Pure.

const UNITS: Record<string, number> = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};

/**
 * Bytes from one of Zoom's storage strings, or undefined when it cannot be read. Units are binary
 * (Zoom's plan of "5 GB" is 5 GiB); a bare number is bytes (Zoom prints zero as "0").
 */
export function parseStorageBytes(text: string | undefined | null): number | undefined {
  if (text === undefined || text === null) return undefined;
  const m = /^\s*(\d{1,15}(?:,\d{3})*(?:\.\d+)?)\s*([KMGT]?B)?\s*$/i.exec(text);
  if (!m?.[1]) return undefined;
  const value = Number(m[1].replaceAll(",", ""));
  const unit = UNITS[(m[2] ?? "B").toUpperCase()];
  if (!Number.isFinite(value) || unit === undefined) return undefined;
  return Math.round(value * unit);
}

/** The storage figures of Zoom's plan usage (`plan_recording`), as far as the account has them. */
export interface PlanRecordingFigures {
  free_storage?: string | undefined;
  free_storage_usage?: string | undefined;
  plan_storage?: string | undefined;
  plan_storage_usage?: string | undefined;
  plan_storage_exceed?: string | undefined;
}

/**
 * Cloud storage in bytes from whichever fields the account has: the licenses' free storage (a
 * plain Pro account, where `plan_storage` is "0"), an additional storage plan, and the usage beyond
 * both (`plan_storage_exceed`). `capacityBytes` and `usedBytes` are null when Zoom gave no figure.
 */
export function cloudStorageOf(rec: PlanRecordingFigures | undefined): {
  capacityBytes: number | null;
  usedBytes: number | null;
  exceedBytes: number;
} {
  const add = (...values: (number | undefined)[]) =>
    values.every((v) => v === undefined) ? null : values.reduce<number>((n, v) => n + (v ?? 0), 0);
  const capacity = add(parseStorageBytes(rec?.free_storage), parseStorageBytes(rec?.plan_storage));
  const exceed = parseStorageBytes(rec?.plan_storage_exceed) ?? 0;
  let used = add(parseStorageBytes(rec?.free_storage_usage), parseStorageBytes(rec?.plan_storage_usage));
  // Usage figures may stop at the capacity: what is beyond is only in plan_storage_exceed.
  if (exceed > 0) used = Math.max(used ?? 0, (capacity ?? 0) + exceed);
  return { capacityBytes: capacity, usedBytes: used, exceedBytes: exceed };
}
