// The latency probe and the fMP4 time readers, on boxes made by the server's own muxer
// (src/sentinelle/ingest/live.py: init_segment and media_fragment, printed as hex).
import { describe, expect, it } from "vitest";
import { fragmentPresentation, initTimescale } from "./frames";
import { LatencyProbe, timingAsked } from "./latency";

const hex = (s: string) => new Uint8Array(s.match(/../g)!.map((b) => parseInt(b, 16)));

// media_fragment(7, decode=8_100_000_000, duration=3600, cto=7200, keyframe, 6-byte sample)
const FRAGMENT = hex(
  "000000686d6f6f66000000106d666864000000000000000700000050747261660000001074666864000200000000000100000014" +
    "746664740100000000000001e2cc3100000000247472756e01000f01000000010000007000000e10000000060200000000001c20" +
    "0000000e6d646174000000026588",
);
// init_segment(SPS of avc1.64001f, PPS, 640×360): ftyp + moov, mdhd timescale 90 000.
const INIT = hex(
  "000000206674797069736f6d0000020069736f6d69736f36617663316d703431000002686d6f6f760000006c6d76686400000000" +
  "000000000000000000015f9000000000000100000100000000000000000000000001000000000000000000000000000000010000" +
  "0000000000000000000000004000000000000000000000000000000000000000000000000000000000000002000001cc7472616b" +
  "0000005c746b68640000000300000000000000000000000100000000000000000000000000000000000000000000000000010000" +
  "00000000000000000000000000010000000000000000000000000000400000000280000001680000000001686d64696100000020" +
  "6d64686400000000000000000000000000015f900000000055c400000000003068646c7200000000000000007669646500000000" +
  "000000000000000053656e74696e656c6c65206c69766500000001106d696e6600000014766d6864000000010000000000000000" +
  "0000002464696e660000001c6472656600000000000000010000000c75726c2000000001000000d07374626c0000008473747364" +
  "00000000000000010000007461766331000000000000000100000000000000000000000000000000028001680048000000480000" +
  "00000000000100000000000000000000000000000000000000000000000000000000000000000018ffff0000001e617663430164" +
  "001fffe100056764001fac01000268eefdf8f8000000001073747473000000000000000000000010737473630000000000000000" +
  "000000147374737a000000000000000000000000000000107374636f0000000000000000000000286d7665780000002074726578" +
  "000000000000000100000001000000000000000000000000",
);

function box(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.byteLength);
  new DataView(out.buffer).setUint32(0, out.byteLength);
  out.set(Array.from(type, (c) => c.charCodeAt(0)), 4);
  out.set(body, 8);
  return out;
}

function mdhdInit(timescale: number): Uint8Array {
  const mdhd = new Uint8Array(24);
  new DataView(mdhd.buffer).setUint32(12, timescale);
  return box("moov", box("trak", box("mdia", box("mdhd", mdhd))));
}

class FakeVideo {
  dataset: Record<string, string> = {};
  callbacks: ((now: number, meta: { mediaTime: number; expectedDisplayTime: number; presentationTime: number }) => void)[] = [];
  requestVideoFrameCallback(cb: FakeVideo["callbacks"][number]) {
    this.callbacks.push(cb);
    return this.callbacks.length;
  }
  cancelVideoFrameCallback() {
    this.callbacks = [];
  }
}

describe("fMP4 media times", () => {
  it("reads the presentation time of the server's fragment: tfdt decode time + trun offset", () => {
    expect(fragmentPresentation(FRAGMENT)).toBe(8_100_000_000 + 7200);
  });

  it("reads the timescale of an init segment's mdhd", () => {
    expect(initTimescale(INIT)).toBe(90_000);
    expect(initTimescale(mdhdInit(1000))).toBe(1000);
  });

  it("answers null for boxes that are not what it looks for", () => {
    expect(fragmentPresentation(new Uint8Array([0, 0, 0, 8, 0x6d, 0x64, 0x61, 0x74]))).toBeNull();
    expect(fragmentPresentation(FRAGMENT.subarray(0, 40))).toBeNull(); // a truncated moof
    expect(initTimescale(INIT.subarray(0, 64))).toBeNull();
  });
});

describe("latency probe", () => {
  const origin = 1_800_000_000_000; // Unix ms of performance.timeOrigin
  function probeAt(nowMs: () => number) {
    const video = new FakeVideo();
    const win = {} as Window;
    const probe = new LatencyProbe(video as unknown as HTMLVideoElement, "12/sub", { origin, now: nowMs }, win);
    return { video, win, probe };
  }

  it("is asked for only by the page (bench, e2e)", () => {
    expect(timingAsked({} as Window)).toBe(false);
    expect(timingAsked({ __sentinelleTiming: true } as Window)).toBe(true);
  });

  it("measures arrival in the worker → display of the frame made of it, on one clock", () => {
    let now = 100; // performance.now() when the message arrives
    const { video, win, probe } = probeAt(() => now);
    probe.start();
    probe.onInit(mdhdInit(1000));
    probe.onInit(INIT);
    const arrivedUs = (origin + 80) * 1000; // the worker received it 20 ms before the page did
    probe.onFragment(FRAGMENT, arrivedUs);
    now = 400;
    const mediaTime = (8_100_000_000 + 7200) / 90_000;
    expect(video.callbacks).toHaveLength(1);
    video.callbacks[0]!(now, { mediaTime, expectedDisplayTime: 316, presentationTime: 300 });
    const samples = win.__sentinelleLatency?.["12/sub"];
    expect(samples).toEqual([{ displayMs: 236, presentMs: 220, receiptMs: 20 }]);
    expect(video.dataset.latencyMs).toBe("236");
    expect(video.callbacks).toHaveLength(2); // it keeps watching
    probe.stop();
    expect(video.callbacks).toHaveLength(0);
  });

  it("ignores a presented frame it has no arrival for, and forgets the ones passed", () => {
    const { probe } = probeAt(() => 0);
    probe.onFragment(FRAGMENT, origin * 1000);
    expect(probe.presented(1.0, 5, 5)).toBeNull(); // not a frame it saw
    const t = (8_100_000_000 + 7200) / 90_000;
    expect(probe.presented(t + 1e-7, 10, 9)).toMatchObject({ displayMs: 10 }); // float rounding
    expect(probe.presented(t, 20, 19)).toBeNull(); // presented once, then forgotten
  });
});
