// The live latency probe, for the benchmark and the end-to-end tests only (a page asks for it
// with `window.__sentinelleTiming = true` before the console loads): for every frame the
// browser presents, the delay from the instant the ingest worker received its packet (the
// frame header's arrival instant, server wall clock) to the instant the frame is displayed
// (requestVideoFrameCallback's `expectedDisplayTime`, on `performance.timeOrigin`). The same
// machine's clock on both sides: the figure means something only when the browser runs where
// the worker does. Normal viewers never create a probe: no cost for them.
import { fragmentPresentation, initTimescale } from "./frames";

export interface LatencySample {
  displayMs: number; // arrival in the worker → expected display
  presentMs: number; // arrival in the worker → frame handed to the compositor
  receiptMs: number; // arrival in the worker → WebSocket message received by the page
}

declare global {
  interface Window {
    __sentinelleTiming?: boolean;
    __sentinelleLatency?: Record<string, LatencySample[]>;
  }
}

const MAX_PENDING = 600; // fragments waiting to be presented (~24 s at 25 fps)
const MAX_SAMPLES = 20_000;

export interface Clock {
  origin: number; // performance.timeOrigin, Unix ms
  now: () => number; // performance.now()
}

export function timingAsked(win: Window = window): boolean {
  return win.__sentinelleTiming === true;
}

interface Pending {
  arrivedMs: number;
  receivedMs: number;
}

export class LatencyProbe {
  private timescale = 90_000;
  private pending = new Map<number, Pending>(); // presentation ticks → instants
  private handle: number | null = null;
  readonly samples: LatencySample[] = [];

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly key: string,
    private readonly clock: Clock = { origin: performance.timeOrigin, now: () => performance.now() },
    private readonly win: Window = window,
  ) {}

  start(): void {
    const registry = (this.win.__sentinelleLatency ??= {});
    registry[this.key] = this.samples;
    this.watch();
  }

  stop(): void {
    if (this.handle !== null && typeof this.video.cancelVideoFrameCallback === "function") {
      this.video.cancelVideoFrameCallback(this.handle);
    }
    this.handle = null;
  }

  onInit(init: Uint8Array): void {
    this.timescale = initTimescale(init) ?? this.timescale;
  }

  onFragment(fragment: Uint8Array, arrivedUs: number): void {
    const ticks = fragmentPresentation(fragment);
    if (ticks === null) return;
    this.pending.set(ticks, { arrivedMs: arrivedUs / 1000, receivedMs: this.clock.origin + this.clock.now() });
    if (this.pending.size > MAX_PENDING) {
      const oldest = this.pending.keys().next();
      if (!oldest.done) this.pending.delete(oldest.value);
    }
  }

  /** A frame was presented: `mediaTime` (s) names it, the display instants are on `now()`. */
  presented(mediaTime: number, expectedDisplayTime: number, presentationTime: number): LatencySample | null {
    const ticks = Math.round(mediaTime * this.timescale);
    const key = [ticks, ticks - 1, ticks + 1].find((k) => this.pending.has(k));
    if (key === undefined) return null;
    const got = this.pending.get(key)!;
    for (const k of this.pending.keys()) if (k <= key) this.pending.delete(k);
    const sample = {
      displayMs: this.clock.origin + expectedDisplayTime - got.arrivedMs,
      presentMs: this.clock.origin + presentationTime - got.arrivedMs,
      receiptMs: got.receivedMs - got.arrivedMs,
    };
    if (this.samples.length >= MAX_SAMPLES) this.samples.splice(0, this.samples.length / 2);
    this.samples.push(sample);
    this.video.dataset.latencyMs = String(Math.round(sample.displayMs));
    return sample;
  }

  private watch(): void {
    if (typeof this.video.requestVideoFrameCallback !== "function") return;
    this.handle = this.video.requestVideoFrameCallback((_now, meta) => {
      this.presented(meta.mediaTime, meta.expectedDisplayTime, meta.presentationTime);
      this.watch();
    });
  }
}
