// Byte plumbing of the archive: network bodies are read in large pieces (not Zoom's 4 KiB chunks),
// never past the asked length, hashed whole, and other streams still work.
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../tokens/encoding.ts";
import { ByteSource, exactSlice, READ_SIZE, ShortBody } from "./stream.ts";

const CHUNK = 4096;

function bytes(n: number): Uint8Array<ArrayBuffer> {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 255);
}

/** A byte stream (as fetch bodies are) that hands out `data` in 4 KiB chunks. */
function byteBody(data: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      if (at >= data.byteLength) {
        controller.close();
        controller.byobRequest?.respond(0);
        return;
      }
      const piece = data.slice(at, at + CHUNK);
      at += piece.byteLength;
      controller.enqueue(piece);
    },
  });
}

function plainBody(data: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= data.byteLength) return controller.close();
      controller.enqueue(data.slice(at, at + CHUNK));
      at += CHUNK;
    },
  });
}

async function drain(source: ByteSource, max: number) {
  const sizes: number[] = [];
  const parts: Uint8Array[] = [];
  for (let chunk = await source.read(max); chunk; chunk = await source.read(max)) {
    sizes.push(chunk.byteLength);
    parts.push(chunk.slice());
  }
  const all = new Uint8Array(sizes.reduce((s, n) => s + n, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  return { sizes, all };
}

describe("ByteSource", () => {
  it("reads a byte stream in pieces of up to READ_SIZE, never more than asked", async () => {
    const data = bytes(3 * READ_SIZE + 12_345);
    const source = new ByteSource(byteBody(data), true);
    const { sizes, all } = await drain(source, 2 * READ_SIZE);
    expect(all).toEqual(data);
    expect(Math.max(...sizes)).toBe(READ_SIZE);
    expect(sizes.length).toBeLessThan(10);
    expect(source.bytesRead).toBe(data.byteLength);
    expect(await source.sha256()).toBe(await sha256Hex(data));

    const small = new ByteSource(byteBody(bytes(100_000)), false);
    expect((await drain(small, 10_000)).sizes.every((n) => n <= 10_000)).toBe(true);
  });

  it("still reads a stream that is not a byte stream", async () => {
    const data = bytes(50_000);
    const source = new ByteSource(plainBody(data), true);
    const { all } = await drain(source, 20_000);
    expect(all).toEqual(data);
    expect(await source.sha256()).toBe(await sha256Hex(data));
  });

  it("a slice longer than the body fails as a short body", async () => {
    const source = new ByteSource(byteBody(bytes(10_000)), false);
    const slice = exactSlice(source, 20_000);
    const reading = new Response(slice.readable).arrayBuffer().catch(() => null);
    await expect(slice.pumped).rejects.toBeInstanceOf(ShortBody);
    await reading;
  });
});
