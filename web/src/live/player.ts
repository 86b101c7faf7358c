// The live player: POST /api/live for one camera, its WebSocket, and Media Source Extensions.
// INIT → MediaSource + SourceBuffer(`video/mp4; codecs="<codec>"`), then FRAGMENTs appended in
// order through a queue. Low latency: past 0.6 s behind the live edge it jumps near the edge,
// past 0.2 s it plays 15 % faster until it is back within 0.1 s; the buffer behind is trimmed
// to ~10 s. Reconnects with back-off, except on refusals.
import { api, asApiError } from "../api/client";
import { fragmentPresentation, initTimescale, parseFrame } from "./frames";
import { LatencyProbe, timingAsked } from "./latency";

export type Stream = "main" | "sub";

export type PlayerState =
  | { kind: "connecting" }
  | { kind: "playing" }
  | { kind: "waiting"; retryInMs: number; code: string | null } // closed, will reconnect
  | { kind: "refused"; status: number; code: string } // 403, 404, 400… : no retry
  | { kind: "unsupported"; codec: string };

export interface PlayerOptions {
  cameraId: number;
  stream: Stream;
  reason: string;
  onState: (state: PlayerState) => void;
  onFrame?: (arrivedUs: number) => void;
}

// How far behind the newest buffered frame playback may run. Past MAX_LAG_S it jumps to
// EDGE_S from the edge (a burst: the GOP cache on opening, a tab back from the background);
// past CATCH_UP_S it plays a little faster until it is back within SETTLED_S (a lag that
// builds up slowly, from stalls at the edge: jumping would skip frames for nothing).
const MAX_LAG_S = 0.6;
const EDGE_S = 0.1;
const CATCH_UP_S = 0.2;
const SETTLED_S = 0.1;
const CATCH_UP_RATE = 1.15;
const KEEP_BEHIND_S = 10;
const TRIM_EVERY_S = 5;
const REWIND_S = 1.0; // a keyframe this far before the buffered end: a new timeline
const MAX_QUEUE = 240; // about 10 s of frames: beyond, drop until the next keyframe
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];

/** Close codes 4000 + HTTP status that mean "do not try again". */
export function isRefusal(closeCode: number): boolean {
  return [4400, 4401, 4403, 4404, 4422].includes(closeCode);
}

export function wsUrl(path: string, loc: Pick<Location, "protocol" | "host"> = window.location): string {
  return `${loc.protocol === "https:" ? "wss" : "ws"}://${loc.host}${path}`;
}

type Op = { kind: "append"; data: Uint8Array } | { kind: "remove"; start: number; end: number };

export class LivePlayer {
  private ws: WebSocket | null = null;
  private source: MediaSource | null = null;
  private buffer: SourceBuffer | null = null;
  private objectUrl: string | null = null;
  private codec: string | null = null;
  private queue: Op[] = [];
  private waitKeyframe = true;
  private stopped = false;
  private attempt = 0;
  private retryTimer: number | null = null;
  private lastError: string | null = null;
  private lastTrim = 0;
  private playing = false;
  private init: Uint8Array | null = null; // the current init segment
  private timescale = 90_000;
  private readonly probe: LatencyProbe | null;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly opts: PlayerOptions,
  ) {
    this.probe = timingAsked() ? new LatencyProbe(video, `${opts.cameraId}/${opts.stream}`) : null;
  }

  start(): void {
    this.stopped = false;
    this.probe?.start();
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.probe?.stop();
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = ws.onmessage = ws.onerror = null;
      try {
        ws.close(1000);
      } catch {
        /* already closed */
      }
    }
    this.teardownMedia();
  }

  private setState(state: PlayerState): void {
    if (!this.stopped) this.opts.onState(state);
  }

  private async connect(): Promise<void> {
    this.setState({ kind: "connecting" });
    let url: string;
    try {
      const { data, error, response } = await api.POST("/api/live", {
        body: { camera_ids: [this.opts.cameraId], stream: this.opts.stream, reason: this.opts.reason },
      });
      if (this.stopped) return;
      const camera = data?.cameras.find((c) => c.camera_id === this.opts.cameraId);
      if (!camera) {
        const e = asApiError(error, response.status);
        if (response.status >= 400 && response.status < 500 && response.status !== 429) {
          this.setState({ kind: "refused", status: response.status, code: e.code });
          return;
        }
        this.retry(e.code);
        return;
      }
      url = camera.url;
    } catch {
      if (!this.stopped) this.retry("network");
      return;
    }
    const ws = new WebSocket(wsUrl(url));
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    this.lastError = null;
    ws.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
      if (typeof event.data === "string") {
        try {
          const body = JSON.parse(event.data) as { code?: unknown };
          if (typeof body.code === "string") this.lastError = body.code;
        } catch {
          /* not an error body */
        }
        return;
      }
      this.onFrame(event.data);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.teardownMedia();
      if (this.stopped) return;
      if (isRefusal(event.code)) {
        this.setState({ kind: "refused", status: event.code - 4000, code: this.lastError ?? event.reason ?? "" });
        return;
      }
      this.retry(this.lastError ?? event.reason ?? null);
    };
  }

  private retry(code: string | null): void {
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)] ?? 15000;
    this.attempt += 1;
    this.playing = false;
    this.setState({ kind: "waiting", retryInMs: delay, code });
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) void this.connect();
    }, delay);
  }

  private onFrame(data: ArrayBuffer): void {
    let frame;
    try {
      frame = parseFrame(data);
    } catch {
      return; // a malformed message: skip it, the next keyframe resynchronises
    }
    if (frame.kind === "init") {
      this.probe?.onInit(frame.data);
      this.init = frame.data;
      this.timescale = initTimescale(frame.data) ?? this.timescale;
      this.onInit(frame.codec, frame.data);
      return;
    }
    this.opts.onFrame?.(frame.arrivedUs);
    if (this.waitKeyframe && !frame.keyframe) return;
    if (this.queue.length > MAX_QUEUE) {
      // Far behind (a hidden tab, a slow decoder): drop what waits, resume at a keyframe.
      this.queue = this.queue.filter((op) => op.kind === "remove");
      this.waitKeyframe = true;
      if (!frame.keyframe) return;
    }
    if (frame.keyframe) this.restartIfRewound(frame.data);
    this.waitKeyframe = false;
    this.probe?.onFragment(frame.data, frame.arrivedUs);
    this.enqueue({ kind: "append", data: frame.data });
  }

  /** A keyframe stamped before what is buffered: the feed's timeline began again (the ingest
   * worker restarted and the API's relay reconnected to it). Start a new MediaSource: a
   * SourceBuffer would play the old range first, or stall. */
  private restartIfRewound(keyframe: Uint8Array): void {
    const buffer = this.buffer;
    if (!buffer || buffer.buffered.length === 0 || this.codec === null || this.init === null) return;
    const ticks = fragmentPresentation(keyframe);
    if (ticks === null) return;
    const end = buffer.buffered.end(buffer.buffered.length - 1);
    if (ticks / this.timescale < end - REWIND_S) this.restartMedia(this.codec, this.init);
  }

  private onInit(codec: string, init: Uint8Array): void {
    const type = `video/mp4; codecs="${codec}"`;
    if (typeof MediaSource === "undefined" || !MediaSource.isTypeSupported(type)) {
      this.setState({ kind: "unsupported", codec });
      this.stop();
      return;
    }
    this.waitKeyframe = true;
    if (this.buffer && this.codec === codec) {
      this.enqueue({ kind: "append", data: init }); // same codec, new parameters: a new init
      return;
    }
    if (this.buffer && this.codec !== codec && typeof this.buffer.changeType === "function") {
      this.codec = codec;
      this.queue = [];
      const buffer = this.buffer;
      const apply = () => {
        try {
          buffer.changeType(type);
          this.enqueue({ kind: "append", data: init });
        } catch {
          this.restartMedia(codec, init);
        }
      };
      if (buffer.updating) buffer.addEventListener("updateend", apply, { once: true });
      else apply();
      return;
    }
    this.restartMedia(codec, init);
  }

  private restartMedia(codec: string, init: Uint8Array): void {
    this.teardownMedia();
    this.codec = codec;
    const source = new MediaSource();
    this.source = source;
    this.objectUrl = URL.createObjectURL(source);
    this.video.src = this.objectUrl;
    source.addEventListener(
      "sourceopen",
      () => {
        if (this.source !== source) return;
        try {
          const buffer = source.addSourceBuffer(`video/mp4; codecs="${codec}"`);
          buffer.mode = "segments";
          buffer.addEventListener("updateend", () => this.afterUpdate());
          buffer.addEventListener("error", () => this.ws?.close(4000));
          this.buffer = buffer;
          this.queue.unshift({ kind: "append", data: init });
          this.pump();
        } catch {
          this.setState({ kind: "unsupported", codec });
        }
      },
      { once: true },
    );
  }

  private teardownMedia(): void {
    this.queue = [];
    this.buffer = null;
    this.codec = null;
    this.waitKeyframe = true;
    this.playing = false;
    const source = this.source;
    this.source = null;
    if (source && source.readyState === "open") {
      try {
        source.endOfStream();
      } catch {
        /* updating */
      }
    }
    if (this.objectUrl) {
      this.video.removeAttribute("src");
      this.video.load();
      URL.revokeObjectURL(this.objectUrl);
      this.objectUrl = null;
    }
  }

  private enqueue(op: Op): void {
    this.queue.push(op);
    this.pump();
  }

  private pump(): void {
    const buffer = this.buffer;
    if (!buffer || buffer.updating || this.source?.readyState !== "open") return;
    const op = this.queue.shift();
    if (!op) return;
    try {
      if (op.kind === "append") buffer.appendBuffer(op.data as Uint8Array<ArrayBuffer>);
      else buffer.remove(op.start, op.end);
    } catch (error) {
      if (error instanceof DOMException && error.name === "QuotaExceededError") {
        // Full: free what lies behind, then try the append again.
        this.queue.unshift(op);
        const t = this.video.currentTime;
        if (t > 2) this.queue.unshift({ kind: "remove", start: 0, end: t - 1 });
        else this.queue = [];
        return;
      }
      this.ws?.close(4000); // a broken buffer: start again
    }
  }

  private afterUpdate(): void {
    const buffer = this.buffer;
    const video = this.video;
    if (buffer && buffer.buffered.length > 0) {
      const end = buffer.buffered.end(buffer.buffered.length - 1);
      const start = buffer.buffered.start(0);
      const lag = end - video.currentTime;
      if (lag > MAX_LAG_S || video.currentTime < start) {
        video.currentTime = Math.max(start, end - EDGE_S);
        video.playbackRate = 1;
      } else if (lag > CATCH_UP_S) {
        video.playbackRate = CATCH_UP_RATE;
      } else if (lag < SETTLED_S) {
        video.playbackRate = 1;
      }
      if (!this.playing) {
        this.playing = true;
        this.attempt = 0;
        this.setState({ kind: "playing" });
        void video.play().catch(() => undefined);
      } else if (video.paused) {
        void video.play().catch(() => undefined);
      }
      const behind = video.currentTime - start;
      if (behind > KEEP_BEHIND_S + TRIM_EVERY_S && video.currentTime - this.lastTrim > TRIM_EVERY_S) {
        this.lastTrim = video.currentTime;
        this.queue.push({ kind: "remove", start: 0, end: video.currentTime - KEEP_BEHIND_S });
      }
    }
    this.pump();
  }
}

