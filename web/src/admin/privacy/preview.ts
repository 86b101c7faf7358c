// "Prévisualiser": the picture as it will be recorded in server mode, drawn on a canvas with
// the burn-in's rules (docs/design/privacy.md, Burn-in): an opaque polygon is black, a
// pixelated one is filled with the average colour of blocks of 2·⌈W/80⌉ pixels anchored at the
// picture's corner, only inside the polygon.
import { type DraftPolygon, pixelBlock } from "./polygon";

export function renderPreview(
  canvas: HTMLCanvasElement,
  source: CanvasImageSource | null,
  width: number,
  height: number,
  polygons: readonly DraftPolygon[],
): void {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) return;
  if (source) ctx.drawImage(source, 0, 0, width, height);
  else paintNeutral(ctx, width, height);
  const pixels = ctx.getImageData(0, 0, width, height).data;
  const block = pixelBlock(width);
  for (const polygon of polygons) {
    if (polygon.points.length < 3) continue;
    const path = new Path2D();
    polygon.points.forEach(([x, y], k) => (k === 0 ? path.moveTo(x * width, y * height) : path.lineTo(x * width, y * height)));
    path.closePath();
    ctx.save();
    ctx.clip(path, "evenodd");
    if (polygon.fill === "opaque") {
      ctx.fillStyle = "#000";
      ctx.fillRect(0, 0, width, height);
    } else {
      pixelate(ctx, pixels, width, height, block, polygon);
    }
    ctx.restore();
  }
}

function pixelate(
  ctx: CanvasRenderingContext2D,
  pixels: Uint8ClampedArray,
  width: number,
  height: number,
  block: number,
  polygon: DraftPolygon,
): void {
  const xs = polygon.points.map((p) => p[0] * width);
  const ys = polygon.points.map((p) => p[1] * height);
  const x0 = Math.floor(Math.min(...xs) / block) * block;
  const y0 = Math.floor(Math.min(...ys) / block) * block;
  const x1 = Math.min(width, Math.max(...xs));
  const y1 = Math.min(height, Math.max(...ys));
  for (let by = y0; by < y1; by += block) {
    for (let bx = x0; bx < x1; bx += block) {
      const [r, g, b] = average(pixels, width, bx, by, Math.min(bx + block, width), Math.min(by + block, height));
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(bx, by, block, block);
    }
  }
}

function average(pixels: Uint8ClampedArray, width: number, x0: number, y0: number, x1: number, y1: number): number[] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * width + x) * 4;
      sum[0]! += pixels[i]!;
      sum[1]! += pixels[i + 1]!;
      sum[2]! += pixels[i + 2]!;
      n++;
    }
  }
  return sum.map((s) => Math.round(s / Math.max(1, n)));
}

/** The neutral frame: a dark grey with a faint grid, where no picture may be shown. */
export function paintNeutral(ctx: CanvasRenderingContext2D, width: number, height: number): void {
  ctx.fillStyle = "#2a2f37";
  ctx.fillRect(0, 0, width, height);
  ctx.strokeStyle = "rgba(255,255,255,0.08)";
  ctx.lineWidth = Math.max(1, width / 960);
  for (let k = 1; k < 10; k++) {
    ctx.beginPath();
    ctx.moveTo((k * width) / 10, 0);
    ctx.lineTo((k * width) / 10, height);
    ctx.moveTo(0, (k * height) / 10);
    ctx.lineTo(width, (k * height) / 10);
    ctx.stroke();
  }
}
