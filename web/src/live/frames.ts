// The live WebSocket's frames (src/sentinelle/ingest/livewire.py): a 14-byte header
// `>BBqI` (kind, flags, arrival instant in Unix µs, payload length) then the payload.
export const HEADER_SIZE = 14;
export const KEYFRAME_FLAG = 1;

export const FrameKind = { INIT: 1, FRAGMENT: 2, ERROR: 3 } as const;
export type FrameKindValue = (typeof FrameKind)[keyof typeof FrameKind];

export interface FrameHeader {
  kind: number;
  keyframe: boolean;
  arrivedUs: number; // Unix µs (exact below 2^53, i.e. for any real date)
  length: number;
}

export type LiveFrame =
  | { kind: "init"; arrivedUs: number; codec: string; data: Uint8Array }
  | { kind: "fragment"; arrivedUs: number; keyframe: boolean; data: Uint8Array };

export class FrameError extends Error {}

export function parseHeader(buffer: ArrayBuffer | Uint8Array): FrameHeader {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  if (bytes.byteLength < HEADER_SIZE) throw new FrameError(`short header: ${bytes.byteLength} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  return {
    kind: view.getUint8(0),
    keyframe: (view.getUint8(1) & KEYFRAME_FLAG) !== 0,
    arrivedUs: Number(view.getBigInt64(2, false)),
    length: view.getUint32(10, false),
  };
}

/** One WebSocket binary message: an INIT (codec string + ftyp/moov) or a FRAGMENT (moof/mdat). */
export function parseFrame(buffer: ArrayBuffer | Uint8Array): LiveFrame {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  const header = parseHeader(bytes);
  if (bytes.byteLength < HEADER_SIZE + header.length) {
    throw new FrameError(`truncated payload: ${bytes.byteLength - HEADER_SIZE} of ${header.length} bytes`);
  }
  const payload = bytes.subarray(HEADER_SIZE, HEADER_SIZE + header.length);
  if (header.kind === FrameKind.INIT) {
    if (payload.byteLength < 1) throw new FrameError("empty init");
    const size = payload[0] ?? 0;
    if (payload.byteLength < 1 + size) throw new FrameError("truncated codec");
    const codec = String.fromCharCode(...payload.subarray(1, 1 + size));
    return { kind: "init", arrivedUs: header.arrivedUs, codec, data: payload.subarray(1 + size) };
  }
  if (header.kind === FrameKind.FRAGMENT) {
    return { kind: "fragment", arrivedUs: header.arrivedUs, keyframe: header.keyframe, data: payload };
  }
  throw new FrameError(`unknown frame kind ${header.kind}`);
}

/** Build a frame as the server does (tests). */
export function encodeFrame(kind: number, flags: number, arrivedUs: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, kind);
  view.setUint8(1, flags);
  view.setBigInt64(2, BigInt(arrivedUs), false);
  view.setUint32(10, payload.byteLength, false);
  out.set(payload, HEADER_SIZE);
  return out;
}

// --- Media times of the server's boxes (ingest/live.py), for the latency probe ----------------

/** The payload of the first box `type` among the boxes of `bytes` (ISO-BMFF, 32-bit sizes). */
function childBox(bytes: Uint8Array, type: string): Uint8Array | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + 8 <= bytes.byteLength) {
    const size = view.getUint32(at, false);
    if (size < 8 || at + size > bytes.byteLength) return null;
    const name = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    if (name === type) return bytes.subarray(at + 8, at + size);
    at += size;
  }
  return null;
}

function boxPath(bytes: Uint8Array, path: string[]): Uint8Array | null {
  let current: Uint8Array | null = bytes;
  for (const type of path) {
    if (current === null) return null;
    current = childBox(current, type);
  }
  return current;
}

/** The track's timescale (ticks per second) from an init segment's moov/trak/mdia/mdhd. */
export function initTimescale(init: Uint8Array): number | null {
  const mdhd = boxPath(init, ["moov", "trak", "mdia", "mdhd"]);
  if (mdhd === null || mdhd.byteLength < 24) return null;
  const view = new DataView(mdhd.buffer, mdhd.byteOffset, mdhd.byteLength);
  const version = view.getUint8(0);
  const offset = version === 1 ? 20 : 12; // after version/flags and creation/modification times
  return mdhd.byteLength >= offset + 4 ? view.getUint32(offset, false) : null;
}

/** The presentation time, in timescale ticks, of a fragment's first sample: its tfdt decode
 * time plus the trun's composition offset when present. */
export function fragmentPresentation(fragment: Uint8Array): number | null {
  const traf = boxPath(fragment, ["moof", "traf"]);
  if (traf === null) return null;
  const tfdt = childBox(traf, "tfdt");
  if (tfdt === null || tfdt.byteLength < 8) return null;
  const tv = new DataView(tfdt.buffer, tfdt.byteOffset, tfdt.byteLength);
  const decode = tv.getUint8(0) === 1 ? Number(tv.getBigUint64(4, false)) : tv.getUint32(4, false);
  const trun = childBox(traf, "trun");
  if (trun === null || trun.byteLength < 8) return decode;
  const rv = new DataView(trun.buffer, trun.byteOffset, trun.byteLength);
  const flags = rv.getUint32(0, false) & 0xffffff;
  if (!(flags & 0x800) || rv.getUint32(4, false) < 1) return decode;
  let at = 8 + (flags & 0x1 ? 4 : 0) + (flags & 0x4 ? 4 : 0);
  at += (flags & 0x100 ? 4 : 0) + (flags & 0x200 ? 4 : 0) + (flags & 0x400 ? 4 : 0);
  if (trun.byteLength < at + 4) return decode;
  const cto = rv.getUint8(0) === 1 ? rv.getInt32(at, false) : rv.getUint32(at, false);
  return decode + cto;
}
