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
