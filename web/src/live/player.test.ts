// The live player against fakes of MediaSource, SourceBuffer, WebSocket and the API's fetch.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { encodeFrame, FrameKind } from "./frames";
import { isRefusal, LivePlayer, type PlayerState, wsUrl } from "./player";

class FakeBuffer extends EventTarget {
  updating = false;
  mode = "segments";
  appended: number[][] = [];
  removed: [number, number][] = [];
  changed: string[] = [];
  ranges: [number, number][] = [];
  get buffered() {
    const r = this.ranges;
    return { length: r.length, start: (i: number) => r[i]![0], end: (i: number) => r[i]![1] };
  }
  private finish() {
    this.updating = true;
    queueMicrotask(() => {
      this.updating = false;
      this.dispatchEvent(new Event("updateend"));
    });
  }
  appendBuffer(data: Uint8Array) {
    this.appended.push(Array.from(data));
    this.ranges = [[this.ranges[0]?.[0] ?? 0, (this.ranges[0]?.[1] ?? 0) + 0.1]];
    this.finish();
  }
  remove(start: number, end: number) {
    this.removed.push([start, end]);
    this.finish();
  }
  changeType(type: string) {
    this.changed.push(type);
  }
}

class FakeSource extends EventTarget {
  static last: FakeSource | null = null;
  static isTypeSupported = (type: string) => type.includes("avc1");
  readyState = "closed";
  types: string[] = [];
  buffer = new FakeBuffer();
  constructor() {
    super();
    FakeSource.last = this;
  }
  addSourceBuffer(type: string) {
    this.types.push(type);
    return this.buffer;
  }
  endOfStream() {
    this.readyState = "ended";
  }
}

class FakeSocket {
  static all: FakeSocket[] = [];
  binaryType = "blob";
  onmessage: ((e: { data: ArrayBuffer | string }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  close() {
    this.closed = true;
  }
  send(kind: number, flags: number, payload: number[]) {
    const bytes = encodeFrame(kind, flags, 1, new Uint8Array(payload));
    this.onmessage?.({ data: bytes.buffer as ArrayBuffer });
  }
}

// A keyframe fragment from the server's muxer (ingest/live.py media_fragment), presentation time
// 8_100_007_200 ticks of 90 kHz: 90 000.08 s.
const SERVER_KEYFRAME = new Uint8Array(
  (
    "000000686d6f6f66000000106d666864000000000000000700000050747261660000001074666864000200000000000100000014" +
    "746664740100000000000001e2cc3100000000247472756e01000f01000000010000007000000e10000000060200000000001c20" +
    "0000000e6d646174000000026588"
  )
    .match(/../g)!
    .map((b) => parseInt(b, 16)),
);
const initPayload = (codec: string, box: number[]) => [codec.length, ...Array.from(codec, (c) => c.charCodeAt(0)), ...box];
const flush = () => new Promise((r) => setTimeout(r, 0));

function fakeVideo() {
  return {
    currentTime: 0,
    playbackRate: 1,
    paused: true,
    src: "",
    play: vi.fn(() => Promise.resolve()),
    removeAttribute: vi.fn(),
    load: vi.fn(),
  } as unknown as HTMLVideoElement & { play: ReturnType<typeof vi.fn> };
}

describe("live player", () => {
  let states: PlayerState[];
  beforeEach(() => {
    states = [];
    FakeSocket.all = [];
    vi.stubGlobal("MediaSource", FakeSource);
    vi.stubGlobal("WebSocket", FakeSocket);
    URL.createObjectURL = vi.fn(() => {
      queueMicrotask(() => {
        const s = FakeSource.last!;
        s.readyState = "open";
        s.dispatchEvent(new Event("sourceopen"));
      });
      return "blob:live";
    });
    URL.revokeObjectURL = vi.fn();
    vi.stubGlobal(
      "fetch",
      vi.fn(async (request: Request) => {
        const body = (await request.json()) as { camera_ids: number[]; stream: string };
        const id = body.camera_ids[0]!;
        return new Response(
          JSON.stringify({
            stream: body.stream,
            cameras: [{ camera_id: id, code: "C", name: "N", grant: "g", expires_at: "", url: `/api/live/${id}?stream=${body.stream}&grant=g` }],
          }),
          { status: 200, headers: { "Content-Type": "application/json" } },
        );
      }),
    );
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  const open = async (video = fakeVideo()) => {
    const player = new LivePlayer(video, { cameraId: 3, stream: "sub", reason: "", onState: (s) => states.push(s) });
    player.start();
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    return { player, video, ws: FakeSocket.all[0]! };
  };

  it("opens the grant's WebSocket on this host and appends INIT then fragments in order", async () => {
    const { ws, video, player } = await open();
    expect(ws.url).toBe(`ws://${location.host}/api/live/3?stream=sub&grant=g`);
    expect(ws.binaryType).toBe("arraybuffer");
    ws.send(FrameKind.INIT, 0, initPayload("avc1.64001f", [1, 1]));
    ws.send(FrameKind.FRAGMENT, 0, [9]); // before any keyframe: dropped
    ws.send(FrameKind.FRAGMENT, 1, [2]);
    ws.send(FrameKind.FRAGMENT, 0, [3]);
    await flush();
    await flush();
    const source = FakeSource.last!;
    expect(source.types).toEqual(['video/mp4; codecs="avc1.64001f"']);
    expect(source.buffer.appended).toEqual([[1, 1], [2], [3]]);
    expect(states.at(-1)?.kind).toBe("playing");
    expect(video.play).toHaveBeenCalled();
    player.stop();
    expect(ws.closed).toBe(true);
  });

  it("jumps to the live edge past 0.6 s of lag and trims the buffer behind to ~10 s", async () => {
    const { ws, video } = await open();
    ws.send(FrameKind.INIT, 0, initPayload("avc1.64001f", [1]));
    await flush();
    const buffer = FakeSource.last!.buffer;
    buffer.ranges = [[0, 30]];
    video.currentTime = 28;
    ws.send(FrameKind.FRAGMENT, 1, [2]);
    await flush();
    await flush();
    expect(video.currentTime).toBeGreaterThan(29.5);
    expect(buffer.removed[0]?.[1]).toBeCloseTo(video.currentTime - 10, 1);
  });

  it("starts a new MediaSource when a keyframe comes before the buffered range (a restarted worker)", async () => {
    const { ws } = await open();
    ws.send(FrameKind.INIT, 0, initPayload("avc1.64001f", [1]));
    ws.send(FrameKind.FRAGMENT, 1, [2]);
    await flush();
    await flush();
    const first = FakeSource.last!;
    first.buffer.ranges = [[95_000, 95_010]]; // what the old worker's timeline had reached
    ws.send(FrameKind.INIT, 0, initPayload("avc1.64001f", [7]));
    ws.send(FrameKind.FRAGMENT, 1, Array.from(SERVER_KEYFRAME)); // stamped 90 000.08 s
    await flush();
    await flush();
    const second = FakeSource.last!;
    expect(second).not.toBe(first);
    expect(second.buffer.appended).toEqual([[7], Array.from(SERVER_KEYFRAME)]);
    // The same timeline going on (a keyframe after the buffered range) keeps the MediaSource.
    second.buffer.ranges = [[89_990, 90_000]];
    ws.send(FrameKind.FRAGMENT, 1, Array.from(SERVER_KEYFRAME));
    await flush();
    expect(FakeSource.last).toBe(second);
  });

  it("plays a little faster while it is a little behind, at normal speed once back", async () => {
    const { ws, video } = await open();
    ws.send(FrameKind.INIT, 0, initPayload("avc1.64001f", [1]));
    await flush();
    const buffer = FakeSource.last!.buffer;
    buffer.ranges = [[0, 10]];
    video.currentTime = 9.6; // 0.4 s behind: not a jump
    ws.send(FrameKind.FRAGMENT, 1, [2]);
    await flush();
    await flush();
    expect(video.currentTime).toBe(9.6);
    expect(video.playbackRate).toBeGreaterThan(1);
    video.currentTime = 10.15; // caught up (each append adds 0.1 s here)
    ws.send(FrameKind.FRAGMENT, 0, [3]);
    await flush();
    await flush();
    expect(video.playbackRate).toBe(1);
  });

  it("a new INIT with another codec changes the SourceBuffer's type", async () => {
    const { ws } = await open();
    ws.send(FrameKind.INIT, 0, initPayload("avc1.64001f", [1]));
    ws.send(FrameKind.FRAGMENT, 1, [2]);
    await flush();
    await flush();
    ws.send(FrameKind.INIT, 0, initPayload("avc1.4d0028", [5]));
    ws.send(FrameKind.FRAGMENT, 1, [6]);
    await flush();
    await flush();
    const buffer = FakeSource.last!.buffer;
    expect(buffer.changed).toEqual(['video/mp4; codecs="avc1.4d0028"']);
    expect(buffer.appended.slice(-2)).toEqual([[5], [6]]);
  });

  it("says a codec it cannot play", async () => {
    const { ws } = await open();
    ws.send(FrameKind.INIT, 0, initPayload("hev1.1.6.L93", [1]));
    expect(states.at(-1)).toEqual({ kind: "unsupported", codec: "hev1.1.6.L93" });
  });

  it("reconnects with back-off on a close, not on a refusal", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { ws } = await open();
    ws.onclose?.({ code: 1006, reason: "" });
    expect(states.at(-1)).toMatchObject({ kind: "waiting", retryInMs: 1000 });
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(2));
    const second = FakeSocket.all[1]!;
    second.onmessage?.({ data: JSON.stringify({ code: "out_of_scope", message: "no" }) });
    second.onclose?.({ code: 4403, reason: "out_of_scope" });
    expect(states.at(-1)).toEqual({ kind: "refused", status: 403, code: "out_of_scope" });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("knows refusals and builds ws(s) URLs", () => {
    expect(isRefusal(4403)).toBe(true);
    expect(isRefusal(4404)).toBe(true);
    expect(isRefusal(4503)).toBe(false);
    expect(isRefusal(1006)).toBe(false);
    expect(wsUrl("/api/live/1?g=x", { protocol: "https:", host: "csu.example" })).toBe("wss://csu.example/api/live/1?g=x");
  });
});
