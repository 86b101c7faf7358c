// One camera's video: hls.js on the grant's playlist (fMP4 as recorded, no transcoding), and
// the handle the page's clock drives it with (wall instants through EXT-X-PROGRAM-DATE-TIME).
import Hls from "hls.js";
import { useCallback, useEffect, useRef } from "react";
import { api, type Schemas } from "../api/client";
import { PlaybackMaskOverlay } from "../privacy/MaskOverlay";
import { type Frag, mediaTimeOf, wallTimeOf } from "./geometry";

export interface PlayerHandle {
  /** The wall instant the video shows, null before the playlist is known. */
  wallTime(): number | null;
  /** Playing footage now (not paused, seeking or waiting for data). */
  playingFootage(): boolean;
  /** Follow the clock: "ok" on footage, "none" without any footage, else the next footage's instant. */
  follow(wall: number, playing: boolean, rate: number, master: boolean): "ok" | "none" | number;
  error(): string | null;
  ready(): boolean;
  fps(): number | null;
}

const MAX_VIDEO_RATE = 16;

export function Player({ cam, register }: { cam: Schemas["CameraPlaybackOut"]; register: (h: PlayerHandle | null) => void }) {
  const ref = useRef<HTMLVideoElement>(null);
  const handleRef = useRef<PlayerHandle | null>(null);
  const wallTime = useCallback(() => handleRef.current?.wallTime() ?? null, []);

  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    let frags: Frag[] = [];
    let loaded = cam.start_program_date_time === null;
    let failure: string | null = null;
    let fps: number | null = null;
    let hls: Hls | null = null;
    let hadData = false;
    const onData = () => {
      hadData = true;
    };
    video.addEventListener("loadeddata", onData);

    if (cam.start_program_date_time !== null) {
      if (Hls.isSupported()) {
        hls = new Hls({ enableWorker: false, maxBufferLength: 20, backBufferLength: 20, startPosition: 0 });
        hls.on(Hls.Events.LEVEL_LOADED, (_e, data) => {
          frags = data.details.fragments
            .filter((f) => f.programDateTime !== null)
            .map((f) => ({ start: f.start, duration: f.duration, pdt: f.programDateTime ?? 0 }));
          loaded = true;
        });
        hls.on(Hls.Events.ERROR, (_e, data) => {
          if (!data.fatal) return;
          if (data.type === Hls.ErrorTypes.MEDIA_ERROR && hls) hls.recoverMediaError();
          else failure = data.details;
        });
        hls.loadSource(cam.playlist_url);
        hls.attachMedia(video);
      } else {
        failure = "lecteur HLS non pris en charge par ce navigateur";
      }
      const from = cam.start_program_date_time;
      void api
        .GET("/api/cameras/{camera_id}/timeline", {
          params: {
            path: { camera_id: cam.camera_id },
            query: { from, to: new Date(new Date(from).getTime() + 60_000).toISOString(), segments: true },
          },
        })
        .then(({ data }) => {
          const seg = data?.ranges[0]?.segments?.[0];
          if (seg && seg.fps > 0) fps = seg.fps;
        })
        .catch(() => undefined);
    }

    const handle: PlayerHandle = {
      wallTime: () => wallTimeOf(frags, video.currentTime),
      playingFootage: () => !video.paused && !video.seeking && video.readyState >= 3 && frags.length > 0,
      follow(wall, playing, rate, master) {
        if (!loaded) return "ok";
        if (frags.length === 0) {
          if (!video.paused) video.pause();
          return "none";
        }
        const at = mediaTimeOf(frags, wall);
        if (at === null || at.inGap) {
          if (!video.paused) video.pause();
          if (at === null) return Number.POSITIVE_INFINITY;
          return wallTimeOf(frags, at.media) ?? Number.POSITIVE_INFINITY;
        }
        const tolerance = !playing ? 0.02 : master ? 1.5 : 0.35 * Math.max(1, rate / 4);
        if (Math.abs(video.currentTime - at.media) > tolerance) video.currentTime = at.media;
        const videoRate = Math.min(rate, MAX_VIDEO_RATE);
        if (video.playbackRate !== videoRate) video.playbackRate = videoRate;
        if (playing && video.paused) void video.play().catch(() => undefined);
        if (!playing && !video.paused) video.pause();
        return "ok";
      },
      error: () => failure ?? (video.error ? `erreur vidéo ${video.error.code}` : null),
      ready: () => loaded && (frags.length === 0 || hadData || video.readyState >= 2),
      fps: () => fps,
    };
    handleRef.current = handle;
    register(handle);
    return () => {
      register(null);
      video.removeEventListener("loadeddata", onData);
      hls?.destroy();
    };
  }, [cam.playlist_url]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <>
      <video ref={ref} className="pb-video" muted playsInline data-testid={`video-${cam.code}`} />
      <PlaybackMaskOverlay cameraId={cam.camera_id} videoRef={ref} wallTime={wallTime} />
    </>
  );
}
