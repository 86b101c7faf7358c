// The review's picture: the source frame with the tracks' boxes of that frame drawn over it
// (SVG in the picture's pixel units), coloured by decision; clicking a box selects its track;
// in drawing mode a drag traces a manual region. The preview swaps the boxes for a canvas that
// blurs or pixelates what the render will hide (an approximation, labelled so).
import { type PointerEvent as ReactPointerEvent, useEffect, useRef, useState } from "react";
import { t } from "../i18n";
import {
  boxesAt,
  boxStyle,
  effectiveDecision,
  type Effect,
  hiddenAt,
  type Rect,
  rectFromDrag,
  regionsAt,
  type ReviewState,
  type Track,
} from "./review";

const MIN_SIZE = 0.01; // a drag smaller than this (normalised) is a click, not a region

export function FrameStage({
  url,
  width,
  height,
  frame,
  tracks,
  state,
  selected,
  preview,
  drawing,
  onSelect,
  onRegion,
}: {
  url: string | null;
  width: number;
  height: number;
  frame: number;
  tracks: readonly Track[];
  state: ReviewState;
  selected: number | null;
  preview: boolean;
  drawing: boolean;
  onSelect: (trackId: number | null) => void;
  onRegion: (box: Rect) => void;
}) {
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ from: [number, number]; to: [number, number] } | null>(null);
  const [loadedUrl, setLoadedUrl] = useState<string | null>(null);
  const img = useRef<HTMLImageElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const boxes = boxesAt(tracks, frame);
  const regions = regionsAt(state.manual, frame);
  const font = Math.max(11, height * 0.026);

  useEffect(() => {
    if (!preview || !url || loadedUrl !== url || !img.current || !canvas.current) return;
    renderPreview(canvas.current, img.current, hiddenAt(tracks, state, frame), state.effect);
  }, [preview, url, loadedUrl, tracks, state, frame]);

  const at = (e: { clientX: number; clientY: number }): [number, number] => {
    const box = svg.current!.getBoundingClientRect();
    return [(e.clientX - box.left) / box.width, (e.clientY - box.top) / box.height];
  };
  const down = (e: ReactPointerEvent<SVGSVGElement>) => {
    if (e.button !== 0) return;
    if (!drawing) return onSelect(null);
    svg.current?.setPointerCapture(e.pointerId);
    const p = at(e);
    setDrag({ from: p, to: p });
  };
  const move = (e: ReactPointerEvent<SVGSVGElement>) => {
    if (drag) setDrag({ ...drag, to: at(e) });
  };
  const up = () => {
    if (!drag) return;
    const rect = rectFromDrag(drag.from, drag.to);
    setDrag(null);
    if (rect[2] >= MIN_SIZE && rect[3] >= MIN_SIZE) onRegion(rect);
  };
  const px = (r: Rect) => ({ x: r[0] * width, y: r[1] * height, width: r[2] * width, height: r[3] * height });
  const draft = drag ? rectFromDrag(drag.from, drag.to) : null;

  return (
    <div className={`dr-stage ${drawing ? "dr-stage-drawing" : ""}`} style={{ aspectRatio: `${width} / ${height}`, width: `min(100%, calc((100vh - 330px) * ${(width / Math.max(height, 1)).toFixed(4)}))` }} data-testid="dr-stage">
      {url && (
        <img
          ref={img}
          className="dr-picture"
          src={url}
          alt={t("disclosure.review.frameAlt", { frame })}
          onLoad={() => setLoadedUrl(url)}
          draggable={false}
        />
      )}
      {preview && <canvas ref={canvas} className="dr-preview" width={width} height={height} data-testid="dr-preview" />}
      {preview && <span className="dr-preview-badge">{t("disclosure.review.previewBadge")}</span>}
      <svg
        ref={svg}
        className="dr-svg"
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        aria-label={t("disclosure.review.stage")}
      >
        {!preview &&
          boxes.map(({ track, box, detected }) => {
            const decision = effectiveDecision(track, state);
            const style = boxStyle(decision, detected);
            const on = track.id === selected;
            const r = px(box);
            return (
              <g
                key={track.id}
                className={`${style.className}${on ? " dr-box-selected" : ""}`}
                data-track={track.id}
                data-decision={decision}
                onPointerDown={(e) => {
                  if (drawing || e.button !== 0) return;
                  e.stopPropagation();
                  onSelect(track.id);
                }}
              >
                {on && <rect {...r} className="dr-halo" />}
                <rect {...r} stroke={style.stroke} strokeDasharray={style.dash} className="dr-rect" />
                {(detected || on) && (
                  <text x={r.x + 3} y={r.y + font} fontSize={font} fill={style.stroke} className="dr-tag">
                    {track.kind === "face" ? "V" : "P"}
                    {track.id}
                  </text>
                )}
              </g>
            );
          })}
        {!preview &&
          regions.map((region) => {
            const style = boxStyle("manual");
            return <rect key={region.id} {...px(region.box)} stroke={style.stroke} className={`${style.className} dr-rect`} data-region={region.id} />;
          })}
        {draft && <rect {...px(draft)} className="dr-draft" />}
      </svg>
    </div>
  );
}

/** The frame as the render will show it, roughly: each hidden box blurred or pixelated. */
function renderPreview(canvas: HTMLCanvasElement, img: HTMLImageElement, hidden: Rect[], effect: Effect): void {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const { width: w, height: h } = canvas;
  ctx.filter = "none";
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(img, 0, 0, w, h);
  for (const [x, y, bw, bh] of hidden) {
    const rx = Math.max(0, Math.floor(x * w));
    const ry = Math.max(0, Math.floor(y * h));
    const rw = Math.min(w - rx, Math.ceil(bw * w));
    const rh = Math.min(h - ry, Math.ceil(bh * h));
    if (rw <= 0 || rh <= 0) continue;
    if (effect === "pixelate") pixelate(ctx, canvas, rx, ry, rw, rh);
    else blur(ctx, img, w, h, rx, ry, rw, rh);
  }
}

function blur(ctx: CanvasRenderingContext2D, img: HTMLImageElement, w: number, h: number, x: number, y: number, rw: number, rh: number) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(x, y, rw, rh);
  ctx.clip();
  ctx.filter = `blur(${Math.max(8, Math.round(Math.min(rw, rh) / 6))}px)`;
  ctx.drawImage(img, 0, 0, w, h);
  ctx.restore();
}

function pixelate(ctx: CanvasRenderingContext2D, source: HTMLCanvasElement, x: number, y: number, rw: number, rh: number) {
  const block = Math.max(8, Math.round(Math.min(rw, rh) / 8));
  const small = document.createElement("canvas");
  small.width = Math.max(1, Math.ceil(rw / block));
  small.height = Math.max(1, Math.ceil(rh / block));
  const sctx = small.getContext("2d");
  if (!sctx) return;
  sctx.drawImage(source, x, y, rw, rh, 0, 0, small.width, small.height);
  ctx.save();
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, small.width, small.height, x, y, rw, rh);
  ctx.restore();
}
