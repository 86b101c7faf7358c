// The privacy masks drawn over a live or recorded <video> as a visual confirmation for the
// operator (issue 6 item 4): discreet hatched outlines with the mask's name as a tooltip,
// aligned with the video's content box (object-fit: contain letterboxing), recomputed when the
// element is resized and when the stream's picture size changes. The masks themselves are
// applied by the camera or the burn-in; this only shows where they are.
import { type RefObject, useEffect, useId, useState } from "react";
import { t } from "../i18n";
import { type OverlayPolygon, useCurrentMasks, useMasksAt } from "./maskData";
import "./overlay.css";

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The rectangle the picture occupies inside the video element, in its offset parent. */
export function contentBox(video: HTMLVideoElement): Box | null {
  const { videoWidth: vw, videoHeight: vh, offsetWidth: ew, offsetHeight: eh } = video;
  if (!vw || !vh || !ew || !eh) return null;
  const scale = Math.min(ew / vw, eh / vh);
  const width = vw * scale;
  const height = vh * scale;
  return { left: video.offsetLeft + (ew - width) / 2, top: video.offsetTop + (eh - height) / 2, width, height };
}

function useContentBox(videoRef: RefObject<HTMLVideoElement | null>): Box | null {
  const [box, setBox] = useState<Box | null>(null);
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const update = () =>
      setBox((old) => {
        const next = contentBox(video);
        const same = old && next && (["left", "top", "width", "height"] as const).every((k) => Math.abs(old[k] - next[k]) < 0.5);
        return same ? old : next;
      });
    update();
    const observer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(update);
    observer?.observe(video);
    video.addEventListener("loadedmetadata", update);
    video.addEventListener("resize", update); // videoWidth / videoHeight changed
    window.addEventListener("resize", update);
    return () => {
      observer?.disconnect();
      video.removeEventListener("loadedmetadata", update);
      video.removeEventListener("resize", update);
      window.removeEventListener("resize", update);
    };
  }, [videoRef]);
  return box;
}

export function MaskOverlay({ videoRef, polygons }: { videoRef: RefObject<HTMLVideoElement | null>; polygons: readonly OverlayPolygon[] }) {
  const box = useContentBox(videoRef);
  const hatch = useId().replace(/:/g, "");
  if (!box || polygons.length === 0) return null;
  const legend = t("privacy.overlay.legend", { names: polygons.map((p) => p.name).join(", ") });
  return (
    <svg
      className="mask-overlay"
      style={{ left: box.left, top: box.top, width: box.width, height: box.height }}
      viewBox="0 0 1000 1000"
      preserveAspectRatio="none"
      data-testid="mask-overlay"
      aria-label={legend}
      role="img"
    >
      <defs>
        <pattern id={hatch} width="14" height="14" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <line x1="0" y1="0" x2="0" y2="14" className="mask-overlay-hatch" />
        </pattern>
      </defs>
      {polygons.map((p) => (
        <polygon key={p.name} points={p.points.map((q) => `${(q[0] ?? 0) * 1000},${(q[1] ?? 0) * 1000}`).join(" ")} fill={`url(#${hatch})`} data-name={p.name}>
          <title>{t("privacy.overlay.legend", { names: p.name })}</title>
        </polygon>
      ))}
    </svg>
  );
}

/** The camera's current masks over a live video. */
export function LiveMaskOverlay({ cameraId, videoRef }: { cameraId: number; videoRef: RefObject<HTMLVideoElement | null> }) {
  return <MaskOverlay videoRef={videoRef} polygons={useCurrentMasks(cameraId)} />;
}

/** The masks in force at the instant a recorded video shows (`wallTime`, epoch ms). */
export function PlaybackMaskOverlay({
  cameraId,
  videoRef,
  wallTime,
}: {
  cameraId: number;
  videoRef: RefObject<HTMLVideoElement | null>;
  wallTime: () => number | null;
}) {
  return <MaskOverlay videoRef={videoRef} polygons={useMasksAt(cameraId, videoRef, wallTime)} />;
}
