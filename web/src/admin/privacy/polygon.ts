// Pure geometry of the mask editor: the server's validation mirrored on the client (same order,
// same codes, same exact integer arithmetic in millionths of the picture — see
// docs/design/privacy.md "The model"), moving points and polygons inside the picture, and the
// pixelation block size the burn-in uses.

export type Point = [number, number];

export interface DraftPolygon {
  name: string;
  points: Point[];
  fill: "opaque" | "pixelate";
  ptz_preset: string | null;
}

export interface PolygonProblem {
  code: string;
  /** Index of the polygon concerned, null for the whole set. */
  polygon: number | null;
}

export const MAX_POLYGONS = 32;
export const MAX_POINTS = 64;
export const COVERAGE_LIMIT = 0.9;
const SCALE = 1_000_000;
const COVERAGE_GRID = 128; // coarser than the server's 512: a warning before saving, the server decides

type IntPoint = [number, number];

/** The first problem of a set, as the server would report it; null when the set is valid. */
export function firstProblem(polygons: readonly DraftPolygon[]): PolygonProblem | null {
  if (polygons.length > MAX_POLYGONS) return { code: "mask_too_many_polygons", polygon: null };
  const seen = new Set<string>();
  for (const [index, polygon] of polygons.entries()) {
    const name = polygon.name.trim();
    if (!name) return { code: "mask_name_required", polygon: index };
    const key = name.toLocaleLowerCase("fr");
    if (seen.has(key)) return { code: "mask_name_duplicate", polygon: index };
    seen.add(key);
    const code = shapeProblem(polygon.points);
    if (code) return { code, polygon: index };
  }
  if (coverage(polygons.map((p) => p.points)) >= COVERAGE_LIMIT) return { code: "mask_covers_image", polygon: null };
  return null;
}

/** The code of the first problem of one ring (the server's order), or null. */
export function shapeProblem(raw: readonly Point[]): string | null {
  if (raw.length === 0) return "mask_polygon_empty";
  if (raw.length > MAX_POINTS) return "mask_too_many_points";
  if (raw.some(([x, y]) => !inUnit(x) || !inUnit(y))) return "mask_outside_image";
  const points = withoutRepeats(raw.map(([x, y]) => [Math.round(x * SCALE), Math.round(y * SCALE)] as IntPoint));
  if (points.length < 3) return "mask_polygon_too_few_points";
  if (collinear(points)) return "mask_polygon_zero_area";
  if (firstCrossing(points) !== null) return "mask_self_intersecting";
  return null;
}

function inUnit(v: number): boolean {
  return Number.isFinite(v) && v >= 0 && v <= 1;
}

function withoutRepeats(points: IntPoint[]): IntPoint[] {
  const out: IntPoint[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  while (out.length > 1 && out[0]![0] === out[out.length - 1]![0] && out[0]![1] === out[out.length - 1]![1]) out.pop();
  return out;
}

function orient(a: IntPoint, b: IntPoint, c: IntPoint): number {
  return Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
}

function collinear(ring: IntPoint[]): boolean {
  return ring.slice(2).every((c) => orient(ring[0]!, ring[1]!, c) === 0);
}

function onSegment(a: IntPoint, b: IntPoint, p: IntPoint): boolean {
  return (
    Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1])
  );
}

/** Whether the closed segments a-b and c-d share a point (touching counts). */
export function segmentsIntersect(a: IntPoint, b: IntPoint, c: IntPoint, d: IntPoint): boolean {
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  if (o1 !== o2 && o3 !== o4 && o1 !== 0 && o2 !== 0 && o3 !== 0 && o4 !== 0) return true;
  return (
    (o1 === 0 && onSegment(a, b, c)) ||
    (o2 === 0 && onSegment(a, b, d)) ||
    (o3 === 0 && onSegment(c, d, a)) ||
    (o4 === 0 && onSegment(c, d, b))
  );
}

function foldsBack(a: IntPoint, b: IntPoint, c: IntPoint): boolean {
  if (orient(a, b, c) !== 0) return false;
  return (a[0] - b[0]) * (c[0] - b[0]) + (a[1] - b[1]) * (c[1] - b[1]) > 0;
}

/** The first pair of sides that meet other than at a shared corner, or null (a simple ring). */
export function firstCrossing(ring: readonly IntPoint[]): [number, number] | null {
  const n = ring.length;
  for (let i = 0; i < n; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % n]!;
    if (n > 3 && foldsBack(a, b, ring[(i + 2) % n]!)) return [i, (i + 1) % n];
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue;
      if (segmentsIntersect(a, b, ring[j]!, ring[(j + 1) % n]!)) return [i, j];
    }
  }
  return null;
}

/** Whether the pixel centre (x, y) lies inside the ring (even-odd). */
export function inside(ring: readonly Point[], x: number, y: number): boolean {
  let odd = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd;
  }
  return odd;
}

/** Share of the picture the union of `rings` hides, on a coarse grid of pixel centres. */
export function coverage(rings: readonly (readonly Point[])[], grid = COVERAGE_GRID): number {
  if (rings.length === 0) return 0;
  let hidden = 0;
  for (let row = 0; row < grid; row++) {
    for (let col = 0; col < grid; col++) {
      const x = (col + 0.5) / grid;
      const y = (row + 0.5) / grid;
      if (rings.some((r) => r.length >= 3 && inside(r, x, y))) hidden++;
    }
  }
  return hidden / (grid * grid);
}

const clamp = (v: number) => Math.min(1, Math.max(0, v));

/** A point kept inside the picture and rounded to the stored precision. */
export function clampPoint([x, y]: Point): Point {
  return [Math.round(clamp(x) * SCALE) / SCALE, Math.round(clamp(y) * SCALE) / SCALE];
}

/** The ring moved by (dx, dy), stopped at the picture's edges as a whole (its shape kept). */
export function translate(ring: readonly Point[], dx: number, dy: number): Point[] {
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  const ddx = Math.min(Math.max(dx, -Math.min(...xs)), 1 - Math.max(...xs));
  const ddy = Math.min(Math.max(dy, -Math.min(...ys)), 1 - Math.max(...ys));
  return ring.map(([x, y]) => clampPoint([x + ddx, y + ddy]));
}

/** The pixelation block of the burn-in for a picture `width` wide: 2·⌈W/80⌉ pixels. */
export function pixelBlock(width: number): number {
  return 2 * Math.ceil(width / 80);
}

/** A name not yet used in the set: "Zone 1", "Zone 2"… (`base` is the catalogue's word). */
export function freeName(polygons: readonly DraftPolygon[], base: string): string {
  const used = new Set(polygons.map((p) => p.name.trim().toLocaleLowerCase("fr")));
  for (let k = polygons.length + 1; ; k++) {
    const name = `${base} ${k}`;
    if (!used.has(name.toLocaleLowerCase("fr"))) return name;
  }
}
