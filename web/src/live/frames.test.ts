import { describe, expect, it } from "vitest";
import { encodeFrame, FrameError, FrameKind, HEADER_SIZE, parseFrame, parseHeader } from "./frames";

describe("live frame header", () => {
  it("reads >BBqI from hand-made bytes", () => {
    // kind 2, flags 1, arrival 1_700_000_000_123_456 µs, length 3, payload.
    const bytes = new Uint8Array([
      0x02, 0x01, 0x00, 0x06, 0x0a, 0x24, 0x18, 0x20, 0x22, 0x40, 0x00, 0x00, 0x00, 0x03, 0xaa, 0xbb, 0xcc,
    ]);
    const h = parseHeader(bytes);
    expect(h).toEqual({ kind: 2, keyframe: true, arrivedUs: 1_700_000_000_123_456, length: 3 });
    const f = parseFrame(bytes.buffer);
    expect(f.kind).toBe("fragment");
    if (f.kind === "fragment") {
      expect(f.keyframe).toBe(true);
      expect(Array.from(f.data)).toEqual([0xaa, 0xbb, 0xcc]);
    }
  });

  it("a non-keyframe fragment has flag bit 0 clear", () => {
    const f = parseFrame(encodeFrame(FrameKind.FRAGMENT, 0b10, 5, new Uint8Array([1])));
    expect(f.kind === "fragment" && f.keyframe).toBe(false);
  });

  it("splits an INIT into codec string and ftyp+moov", () => {
    const codec = "avc1.64001F";
    const init = new Uint8Array([codec.length, ...Array.from(codec, (c) => c.charCodeAt(0)), 0, 0, 0, 8, 0x66, 0x74, 0x79, 0x70]);
    const f = parseFrame(encodeFrame(FrameKind.INIT, 0, 42, init));
    expect(f).toMatchObject({ kind: "init", codec, arrivedUs: 42 });
    expect(f.data.byteLength).toBe(8);
  });

  it("refuses short or truncated messages and unknown kinds", () => {
    expect(() => parseHeader(new Uint8Array(HEADER_SIZE - 1))).toThrow(FrameError);
    const full = encodeFrame(FrameKind.FRAGMENT, 0, 1, new Uint8Array(10));
    expect(() => parseFrame(full.subarray(0, full.byteLength - 1))).toThrow(/truncated/);
    expect(() => parseFrame(encodeFrame(9, 0, 1, new Uint8Array(1)))).toThrow(/unknown/);
    expect(() => parseFrame(encodeFrame(FrameKind.INIT, 0, 1, new Uint8Array([5, 0x61])))).toThrow(/codec/);
  });

  it("reads a payload that does not start at offset 0 of its buffer", () => {
    const frame = encodeFrame(FrameKind.FRAGMENT, 1, 7, new Uint8Array([9, 8]));
    const padded = new Uint8Array(frame.byteLength + 3);
    padded.set(frame, 3);
    const f = parseFrame(padded.subarray(3));
    expect(Array.from(f.data)).toEqual([9, 8]);
  });
});
