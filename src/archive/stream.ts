// Byte plumbing for archiving: reads a network body chunk by chunk, counting and hashing on the
// way, and hands out exact-length slices as known-length streams for R2 (put and uploadPart).

/**
 * Bytes asked of the network per read. A fetch body otherwise arrives in 4 KiB chunks, and one
 * JavaScript round trip per chunk (hash, write, wait for R2) halved the copy's throughput.
 */
export const READ_SIZE = 1024 * 1024;

type Reader =
  | { byob: true; reader: ReadableStreamBYOBReader }
  | { byob: false; reader: ReadableStreamDefaultReader<Uint8Array> };

/** A pull reader over a body that can hand out at most `max` bytes at a time, keeping the rest. */
export class ByteSource {
  private leftover: Uint8Array | null = null;
  private readonly source: Reader;
  private ended = false;
  private readonly digestWriter: WritableStreamDefaultWriter<Uint8Array> | null;
  private readonly digest: DigestStream | null;
  /** Bytes read from the network so far. */
  bytesRead = 0;

  constructor(body: ReadableStream<Uint8Array>, hash: boolean) {
    this.source = byobReader(body);
    this.digest = hash ? new crypto.DigestStream("SHA-256") : null;
    this.digestWriter = this.digest ? this.digest.getWriter() : null;
  }

  async read(max: number): Promise<Uint8Array | null> {
    let chunk = this.leftover;
    this.leftover = null;
    if (!chunk) {
      chunk = await this.next(max);
      if (!chunk) return null;
      this.bytesRead += chunk.byteLength;
      // The digest copies what it is given, so the same chunk can go on to R2.
      if (this.digestWriter) await this.digestWriter.write(chunk);
    }
    if (chunk.byteLength > max) {
      this.leftover = chunk.subarray(max);
      return chunk.subarray(0, max);
    }
    return chunk;
  }

  /** The next bytes from the network: up to `max` (and READ_SIZE), in one piece when the body has them. */
  private async next(max: number): Promise<Uint8Array | null> {
    if (this.ended) return null;
    if (!this.source.byob) {
      const next = await this.source.reader.read();
      if (next.done) return null;
      return next.value;
    }
    const want = Math.max(1, Math.min(max, READ_SIZE));
    // A fresh buffer each time: the previous one may still be queued on its way to R2.
    const next = await this.source.reader.readAtLeast(want, new Uint8Array(want));
    if (next.done) this.ended = true;
    return next.value && next.value.byteLength > 0 ? next.value : null;
  }

  /** The SHA-256 (hex) of everything read; only when hashing was asked for. */
  async sha256(): Promise<string | null> {
    if (!this.digest || !this.digestWriter) return null;
    await this.digestWriter.close();
    return hex(await this.digest.digest);
  }

  cancel(reason?: unknown): void {
    this.source.reader.cancel(reason).catch(() => {});
  }
}

/** A BYOB reader when the body is a byte stream (network bodies are), else a default reader. */
function byobReader(body: ReadableStream<Uint8Array>): Reader {
  try {
    return { byob: true, reader: body.getReader({ mode: "byob" }) };
  } catch {
    return { byob: false, reader: body.getReader() };
  }
}

export class ShortBody extends Error {
  override name = "ShortBody";
}

/**
 * Streams exactly `length` bytes from `source` into a known-length stream, so R2 accepts it
 * without buffering. Resolves with the readable R2 consumes and the pump's completion.
 */
export function exactSlice(source: ByteSource, length: number) {
  const fixed = new FixedLengthStream(length);
  const writer = fixed.writable.getWriter();
  const pumped = (async () => {
    let left = length;
    try {
      while (left > 0) {
        const chunk = await source.read(left);
        if (!chunk) throw new ShortBody(`the body ended ${left} bytes early`);
        await writer.write(chunk);
        left -= chunk.byteLength;
      }
      await writer.close();
    } catch (err) {
      await writer.abort(err).catch(() => {});
      throw err;
    }
  })();
  return { readable: fixed.readable, pumped, abort: (err: unknown) => writer.abort(err).catch(() => {}) };
}

/** Streams an R2 object through SHA-256 (used after a resumed upload or to verify a found object). */
export async function sha256OfObject(
  bucket: R2Bucket,
  key: string,
): Promise<{ sha256: string; size: number } | null> {
  const object = await bucket.get(key);
  if (!object) return null;
  const digest = new crypto.DigestStream("SHA-256");
  await object.body.pipeTo(digest);
  return { sha256: hex(await digest.digest), size: object.size };
}

export function hex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}
