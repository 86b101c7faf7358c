// The drawing surface of the mask editor: the reference picture (or the neutral frame) with an
// SVG overlay in the picture's own pixel units, polygons stored normalised. Draw: click the
// vertices, Enter or double-click closes, Escape cancels. Select a polygon by clicking it, drag
// a vertex or the whole polygon, Delete removes it. "Prévisualiser" swaps the overlay for the
// picture as it will be recorded (preview.ts).
import { type PointerEvent as ReactPointerEvent, type ReactNode, useEffect, useRef, useState } from "react";
import { t } from "../../i18n";
import type { Frame } from "./masks";
import { clampPoint, type DraftPolygon, type Point, translate } from "./polygon";
import { renderPreview } from "./preview";

type Drag = { kind: "vertex"; polygon: number; vertex: number } | { kind: "move"; polygon: number; from: Point; ring: Point[] };

const NEAR = 0.004; // a click this close to the last vertex adds nothing (double-click)

export function MaskCanvas({
  frame,
  polygons,
  selected,
  faulty,
  drawing,
  preview,
  readOnly,
  onDrawing,
  onChange,
  onSelect,
  onClose,
}: {
  frame: Frame;
  polygons: DraftPolygon[];
  selected: number | null;
  faulty: number | null;
  drawing: Point[] | null;
  preview: boolean;
  readOnly: boolean;
  onDrawing: (points: Point[] | null) => void;
  onChange: (polygons: DraftPolygon[]) => void;
  onSelect: (index: number | null) => void;
  onClose: (points: Point[]) => void;
}) {
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const [hover, setHover] = useState<Point | null>(null);
  const { width: w, height: h } = frame;

  const at = (e: { clientX: number; clientY: number }): Point => {
    const box = svg.current!.getBoundingClientRect();
    return clampPoint([(e.clientX - box.left) / box.width, (e.clientY - box.top) / box.height]);
  };

  const down = (e: ReactPointerEvent<SVGSVGElement>) => {
    if (readOnly || e.button !== 0) return;
    if (drawing) {
      const p = at(e);
      const last = drawing[drawing.length - 1];
      if (!last || Math.hypot(p[0] - last[0], p[1] - last[1]) > NEAR) onDrawing([...drawing, p]);
      return;
    }
    onSelect(null);
  };

  const startDrag = (e: ReactPointerEvent, next: Drag) => {
    if (readOnly || drawing || e.button !== 0) return;
    e.stopPropagation();
    svg.current?.setPointerCapture(e.pointerId);
    onSelect(next.polygon);
    setDrag(next);
  };

  const move = (e: ReactPointerEvent<SVGSVGElement>) => {
    if (drawing) setHover(at(e));
    if (!drag) return;
    const p = at(e);
    const out = polygons.map((poly, i) => {
      if (i !== drag.polygon) return poly;
      if (drag.kind === "vertex") return { ...poly, points: poly.points.map((q, k) => (k === drag.vertex ? p : q)) };
      return { ...poly, points: translate(drag.ring, p[0] - drag.from[0], p[1] - drag.from[1]) };
    });
    onChange(out);
  };

  const scale = (ps: Point[]) => ps.map(([x, y]) => `${x * w},${y * h}`).join(" ");
  const r = Math.max(w, h) / 160;
  return (
    <div className={`mk-stage${drawing ? " mk-stage-drawing" : ""}`} style={{ aspectRatio: `${w} / ${h}` }}>
      <Backdrop frame={frame} polygons={polygons} preview={preview} />
      {!preview && (
        <svg
          ref={svg}
          className="mk-svg"
          viewBox={`0 0 ${w} ${h}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={t("privacy.canvas.label", { count: polygons.length })}
          onPointerDown={down}
          onPointerMove={move}
          onPointerUp={() => setDrag(null)}
          onPointerLeave={() => setHover(null)}
          onDoubleClick={() => drawing && drawing.length >= 3 && onClose(drawing)}
        >
          {polygons.map((poly, i) => (
            <g key={i} className={polyClass(i, selected, faulty)} data-name={poly.name}>
              <polygon points={scale(poly.points)} onPointerDown={(e) => startDrag(e, { kind: "move", polygon: i, from: at(e), ring: poly.points })}>
                <title>{poly.name}</title>
              </polygon>
              <Label poly={poly} w={w} h={h} size={r * 3.2} />
              {i === selected &&
                !readOnly &&
                poly.points.map(([x, y], k) => (
                  <circle
                    key={k}
                    className="mk-handle"
                    cx={x * w}
                    cy={y * h}
                    r={r}
                    onPointerDown={(e) => startDrag(e, { kind: "vertex", polygon: i, vertex: k })}
                  />
                ))}
            </g>
          ))}
          {drawing && <Tracing points={drawing} hover={hover} w={w} h={h} r={r} />}
        </svg>
      )}
    </div>
  );
}

const polyClass = (i: number, selected: number | null, faulty: number | null) =>
  ["mk-poly", i === selected ? "mk-poly-selected" : "", i === faulty ? "mk-poly-faulty" : ""].join(" ");

function Label({ poly, w, h, size }: { poly: DraftPolygon; w: number; h: number; size: number }) {
  if (poly.points.length === 0) return null;
  const x = Math.min(...poly.points.map((p) => p[0])) * w;
  const y = Math.min(...poly.points.map((p) => p[1])) * h;
  return (
    <text className="mk-label" x={x + size / 3} y={y + size * 1.1} fontSize={size}>
      {poly.name}
    </text>
  );
}

function Tracing({ points, hover, w, h, r }: { points: Point[]; hover: Point | null; w: number; h: number; r: number }): ReactNode {
  const line = [...points, ...(hover ? [hover] : [])].map(([x, y]) => `${x * w},${y * h}`).join(" ");
  return (
    <g className="mk-tracing">
      <polyline points={line} />
      {points.map(([x, y], k) => (
        <circle key={k} cx={x * w} cy={y * h} r={k === 0 ? r * 1.3 : r} className={k === 0 ? "mk-handle mk-handle-first" : "mk-handle"} />
      ))}
    </g>
  );
}

/** The picture, the neutral frame, or the preview canvas of what will be recorded. */
function Backdrop({ frame, polygons, preview }: { frame: Frame; polygons: DraftPolygon[]; preview: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const img = useRef<HTMLImageElement>(null);
  useEffect(() => {
    if (!preview || !canvas.current) return;
    const draw = () => canvas.current && renderPreview(canvas.current, img.current, frame.width, frame.height, polygons);
    const picture = img.current;
    if (picture && !picture.complete) {
      picture.addEventListener("load", draw, { once: true });
      return () => picture.removeEventListener("load", draw);
    }
    draw();
    return undefined;
  }, [preview, frame, polygons]);
  return (
    <>
      {frame.kind === "picture" ? (
        <img ref={img} className="mk-picture" src={frame.src} alt={t("privacy.frame.alt")} draggable={false} />
      ) : (
        <div className="mk-neutral" aria-hidden="true" />
      )}
      {preview && <canvas ref={canvas} className="mk-preview" aria-label={t("privacy.preview.label")} data-testid="mask-preview" />}
    </>
  );
}
