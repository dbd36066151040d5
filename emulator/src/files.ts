// Recording file bodies: deterministic pseudo-random bytes (or the sample clip) generated on the
// fly in bounded memory, with Range support and the stream-damaging fault effects.
import type { FaultEffect } from "./http.ts";
import { SAMPLE_MP4 } from "./recordings.ts";

export const BLOCK_SIZE = 64 * 1024;
const WORDS = BLOCK_SIZE / 4;

/** FNV-1a: a stable 32-bit seed from a file id. */
export function seedOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const baseCache = new Map<number, Uint32Array>();

/** One 64 KiB xorshift block per seed; every other block is derived from it cheaply. */
function baseBlock(seed: number): Uint32Array {
  const cached = baseCache.get(seed);
  if (cached) return cached;
  const out = new Uint32Array(WORDS);
  let x = seed || 1;
  for (let i = 0; i < WORDS; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x >>> 0;
  }
  if (baseCache.size > 16) baseCache.clear();
  baseCache.set(seed, out);
  return out;
}

/** Block `index` of a file: the base block XORed with a per-block key, so any offset is computable. */
export function generateBlock(seed: number, index: number): Uint8Array {
  const base = baseBlock(seed);
  const key = mix32(seed ^ Math.imul(index + 1, 0x27d4eb2d));
  const step = mix32(key) | 1;
  const out = new Uint32Array(WORDS);
  let k = key;
  for (let i = 0; i < WORDS; i++) {
    out[i] = (base[i] as number) ^ k;
    k = (k + step) | 0;
  }
  return new Uint8Array(out.buffer);
}

export interface ByteSource {
  fileId: string;
  size: number;
  sample: boolean;
}

/**
 * A pull stream of bytes [start, end) of a file. Each pull makes one chunk of at most 64 KiB, so
 * memory stays bounded whatever the file size.
 */
export function fileStream(
  src: ByteSource,
  start: number,
  end: number,
  effect?: FaultEffect,
): ReadableStream<Uint8Array> {
  const seed = seedOf(src.fileId);
  let pos = start;
  const limit = Math.min(
    end,
    start + (effect?.dropAfterBytes ?? Number.POSITIVE_INFINITY),
    start + (effect?.truncateBody ?? Number.POSITIVE_INFINITY),
  );
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pos >= limit) {
          if (effect?.dropAfterBytes !== undefined && limit < end) {
            controller.error(new Error("connection reset by emulator fault"));
          } else controller.close();
          return;
        }
        let chunk: Uint8Array;
        if (src.sample) {
          chunk = SAMPLE_MP4.slice(pos, Math.min(limit, pos + BLOCK_SIZE));
        } else {
          const index = Math.floor(pos / BLOCK_SIZE);
          const offset = pos - index * BLOCK_SIZE;
          const take = Math.min(BLOCK_SIZE - offset, limit - pos);
          const block = generateBlock(seed, index);
          chunk = offset === 0 && take === BLOCK_SIZE ? block : block.subarray(offset, offset + take);
        }
        pos += chunk.length;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Gives a stream a declared Content-Length. When the fault effects cut it short the length stream
 * errors, which aborts the response: the client sees a broken connection, as with a real CDN.
 */
export function withLength(stream: ReadableStream<Uint8Array>, length: number): ReadableStream<Uint8Array> {
  const fixed = new FixedLengthStream(length);
  stream.pipeTo(fixed.writable).catch(() => {
    // The readable side already carries the error to the client.
  });
  return fixed.readable;
}

/** A byte string body cut or broken per the fault effect, still declaring its full length. */
export function damagedBody(bytes: Uint8Array, effect: FaultEffect): ReadableStream<Uint8Array> {
  const cut = Math.min(
    bytes.length,
    effect.dropAfterBytes ?? bytes.length,
    effect.truncateBody ?? bytes.length,
  );
  let sent = false;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) {
        sent = true;
        if (cut > 0) controller.enqueue(bytes.slice(0, cut));
        return;
      }
      if (effect.dropAfterBytes !== undefined)
        controller.error(new Error("connection reset by emulator fault"));
      else controller.close();
    },
  });
  return withLength(source, bytes.length);
}

export type RangeResult =
  | { kind: "full" }
  | { kind: "partial"; start: number; end: number }
  | { kind: "unsatisfiable" };

/** RFC 9110 single byte ranges; multi-range and malformed headers get the whole file. */
export function parseRange(header: string | null, size: number): RangeResult {
  if (!header) return { kind: "full" };
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return { kind: "full" };
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return { kind: "unsatisfiable" };
  return { kind: "partial", start, end };
}

export async function sha256OfFile(src: ByteSource): Promise<string> {
  const digest = new crypto.DigestStream("SHA-256");
  await fileStream(src, 0, src.size).pipeTo(digest);
  const bytes = new Uint8Array(await digest.digest);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
