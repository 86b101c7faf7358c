// Pure geometry and state of the map: a camera's field-of-view sector on the ground, the state
// its marker shows, zone perimeters between Leaflet's [lat, lon] and GeoJSON's [lon, lat], the
// camera list's search and filter. No Leaflet, no DOM: unit-tested in geometry.test.ts.

/** [latitude, longitude] in degrees (Leaflet's order). */
export type LatLon = [number, number];

/** Mean Earth radius (IUGG), metres: ample for sectors of a few hundred metres. */
const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** The point `distanceM` metres from `from` in direction `bearingDeg` (0 = north, clockwise),
 * on a sphere (great circle). */
export function destination(from: LatLon, bearingDeg: number, distanceM: number): LatLon {
  const [lat, lon] = from;
  const d = distanceM / EARTH_RADIUS_M;
  const b = bearingDeg * RAD;
  const φ1 = lat * RAD;
  const λ1 = lon * RAD;
  const φ2 = Math.asin(Math.sin(φ1) * Math.cos(d) + Math.cos(φ1) * Math.sin(d) * Math.cos(b));
  const λ2 = λ1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(φ1), Math.cos(d) - Math.sin(φ1) * Math.sin(φ2));
  return [φ2 / RAD, ((((λ2 / RAD + 540) % 360) + 360) % 360) - 180];
}

/** Great-circle distance in metres. */
export function distance(a: LatLon, b: LatLon): number {
  const φ1 = a[0] * RAD;
  const φ2 = b[0] * RAD;
  const dφ = φ2 - φ1;
  const dλ = (b[1] - a[1]) * RAD;
  const h = Math.sin(dφ / 2) ** 2 + Math.cos(φ1) * Math.cos(φ2) * Math.sin(dλ / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from `a` to `b`, degrees in [0, 360) clockwise from north. */
export function bearing(a: LatLon, b: LatLon): number {
  const φ1 = a[0] * RAD;
  const φ2 = b[0] * RAD;
  const dλ = (b[1] - a[1]) * RAD;
  const y = Math.sin(dλ) * Math.cos(φ2);
  const x = Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(dλ);
  return ((Math.atan2(y, x) / RAD) % 360 + 360) % 360;
}

export interface ViewSector {
  latitude: number | null;
  longitude: number | null;
  azimuth_deg: number | null;
  view_angle_deg: number | null;
  view_range_m: number | null;
}

/** Default depth drawn when a camera has a direction and angle but no declared range. */
export const DEFAULT_RANGE_M = 60;

/** The ground a camera sees, as a closed polygon: its position, then an arc of `range` metres
 * from azimuth − angle/2 to azimuth + angle/2, back to the position. A 360° camera (dome) is
 * a circle. Null when the camera is not placed or has no direction/angle. */
export function fovSector(camera: ViewSector, stepDeg = 5): LatLon[] | null {
  const { latitude, longitude, azimuth_deg: azimuth, view_angle_deg: angle } = camera;
  if (latitude === null || longitude === null || angle === null || angle <= 0) return null;
  if (azimuth === null && angle < 360) return null;
  const range = camera.view_range_m ?? DEFAULT_RANGE_M;
  const apex: LatLon = [latitude, longitude];
  const full = angle >= 360;
  const start = full ? 0 : (azimuth ?? 0) - angle / 2;
  const span = full ? 360 : angle;
  const steps = Math.max(2, Math.ceil(span / stepDeg));
  const arc: LatLon[] = [];
  for (let i = 0; i <= steps; i++) arc.push(destination(apex, start + (span * i) / steps, range));
  if (full) return arc; // first and last arc points coincide: closed
  return [apex, ...arc, apex];
}

// --- the state a marker shows ----------------------------------------------------------------

export type CameraStatus = "planned" | "awaiting_authorisation" | "in_service" | "out_of_service" | "decommissioned";

/** What the map shows of a camera (legend order). */
export type MapState = "recording" | "fault" | "out_of_service" | "awaiting";
export const MAP_STATES: readonly MapState[] = ["recording", "fault", "out_of_service", "awaiting"];

/** A camera's state on the map from its registry status, its lawfulness (rule 1: in service
 * under a valid authorisation) and whether its stream is received (null: not known). A
 * decommissioned camera is not shown (null). In service without a valid authorisation is
 * "awaiting" (it needs one); in service and lawful, "recording" only when the stream is
 * received, else a fault. */
export function cameraState(status: CameraStatus, lawful: boolean, recording: boolean | null): MapState | null {
  switch (status) {
    case "decommissioned":
      return null;
    case "out_of_service":
      return "out_of_service";
    case "planned":
    case "awaiting_authorisation":
      return "awaiting";
    case "in_service":
      if (!lawful) return "awaiting";
      return recording === true ? "recording" : "fault";
  }
}

// --- zone perimeters ----------------------------------------------------------------------

export interface Polygon {
  type: "Polygon";
  coordinates: number[][][];
}

/** A perimeter's outer ring in Leaflet's order, without the closing repetition. */
export function perimeterLatLons(perimeter: Polygon | null | undefined): LatLon[] {
  const ring = perimeter?.coordinates[0] ?? [];
  const points = ring.map(([lon, lat]) => [lat, lon] as LatLon);
  const first = points[0];
  const last = points[points.length - 1];
  if (points.length > 1 && first && last && first[0] === last[0] && first[1] === last[1]) points.pop();
  return points;
}

/** Vertices clicked on the map (lat, lon) as a GeoJSON Polygon: [lon, lat], closed, rounded to
 * 1e-7° (about a centimetre). */
export function polygonOf(vertices: readonly LatLon[]): Polygon {
  const round = (v: number) => Math.round(v * 1e7) / 1e7;
  const ring = vertices.map(([lat, lon]) => [round(lon), round(lat)]);
  const first = ring[0];
  if (first) ring.push([first[0] ?? 0, first[1] ?? 0]);
  return { type: "Polygon", coordinates: [ring] };
}

function orientation(p: LatLon, q: LatLon, r: LatLon): number {
  return (q[1] - p[1]) * (r[0] - p[0]) - (q[0] - p[0]) * (r[1] - p[1]);
}

function properlyCross(a: LatLon, b: LatLon, c: LatLon, d: LatLon): boolean {
  const o1 = orientation(a, b, c);
  const o2 = orientation(a, b, d);
  const o3 = orientation(c, d, a);
  const o4 = orientation(c, d, b);
  return o1 * o2 < 0 && o3 * o4 < 0;
}

/** Whether the outline through `vertices` (closed back to the first) crosses itself: a quick
 * check while drawing; the server's check (registry/perimeter.py) is the authority. */
export function selfIntersects(vertices: readonly LatLon[]): boolean {
  const n = vertices.length;
  if (n < 4) return false;
  const edge = (i: number): [LatLon, LatLon] => [vertices[i] as LatLon, vertices[(i + 1) % n] as LatLon];
  for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue; // adjacent through the closing edge
      const [a, b] = edge(i);
      const [c, d] = edge(j);
      if (properlyCross(a, b, c, d)) return true;
    }
  }
  return false;
}

// --- the camera list ----------------------------------------------------------------------

export interface ListedCamera {
  code: string;
  name: string;
  address: string;
  state: MapState;
}

/** Cameras matching the search (code, name or address; accents and case ignored) and one of
 * the `shown` states, in code order. */
export function filterCameras<T extends ListedCamera>(cameras: readonly T[], query: string, shown: ReadonlySet<MapState>): T[] {
  const q = fold(query.trim());
  return cameras
    .filter((c) => shown.has(c.state) && (!q || fold(`${c.code} ${c.name} ${c.address}`).includes(q)))
    .sort((a, b) => a.code.localeCompare(b.code, "fr", { numeric: true }));
}

function fold(text: string): string {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}
