// Pure HTTP range logic for playback (RFC 9110 §14): which bytes a Range header asks for, and
// whether an If-Range validator still allows a partial answer. No I/O, unit tested beside it.

export type ByteRange =
  | { kind: "full" }
  | { kind: "partial"; offset: number; length: number }
  | { kind: "unsatisfiable" };

/**
 * Interprets a Range header against an object of `size` bytes. A header we do not understand, in
 * another unit, or asking for several ranges gets the whole object (servers may ignore Range,
 * and answering multipart/byteranges is not worth it for video players, which ask for one range).
 * A range that cannot be served (start past the end, last before first, a zero suffix) is 416.
 */
export function parseRange(header: string | null | undefined, size: number): ByteRange {
  if (!header) return { kind: "full" };
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!m?.[1]) return { kind: "full" };
  const specs = m[1].split(",").map((s) => s.trim());
  if (specs.length !== 1) return { kind: "full" };
  const spec = /^(\d*)-(\d*)$/.exec(specs[0] as string);
  if (!spec || (spec[1] === "" && spec[2] === "")) return { kind: "full" };
  const [first, last] = [spec[1] as string, spec[2] as string];
  // Positions beyond 15 digits cannot be exact numbers: they are past the end of any object.
  const huge = (d: string) => d.length > 15;
  if (first === "") {
    const suffix = huge(last) ? Number.MAX_SAFE_INTEGER : Number(last);
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    const length = Math.min(suffix, size);
    return { kind: "partial", offset: size - length, length };
  }
  const start = huge(first) ? Number.MAX_SAFE_INTEGER : Number(first);
  if (start >= size) return { kind: "unsatisfiable" };
  if (last === "") return { kind: "partial", offset: start, length: size - start };
  const end = huge(last) ? size - 1 : Number(last);
  if (end < start) return { kind: "unsatisfiable" };
  return { kind: "partial", offset: start, length: Math.min(end, size - 1) - start + 1 };
}

/**
 * If-Range (§13.1.5): a partial answer only while the representation is unchanged. An entity tag
 * must match strongly; a date must equal the last modification (to the second).
 */
export function ifRangeAllows(ifRange: string | null | undefined, etag: string, lastModified: Date): boolean {
  if (!ifRange) return true;
  const v = ifRange.trim();
  if (v.startsWith("W/")) return false;
  if (v.startsWith('"')) return v === etag;
  const date = Date.parse(v);
  return Number.isFinite(date) && Math.floor(date / 1000) === Math.floor(lastModified.getTime() / 1000);
}

/** The Content-Range value of a partial answer. */
export const contentRange = (offset: number, length: number, size: number) =>
  `bytes ${offset}-${offset + length - 1}/${size}`;
