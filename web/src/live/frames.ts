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
