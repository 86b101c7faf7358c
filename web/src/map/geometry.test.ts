import { describe, expect, it } from "vitest";
import {
  bearing,
  cameraState,
  destination,
  distance,
  filterCameras,
  fovSector,
  type LatLon,
  type MapState,
  perimeterLatLons,
  polygonOf,
  selfIntersects,
} from "./geometry";

const VALENCE: LatLon = [44.9334, 4.8924];

describe("destination", () => {
  it("goes north along the meridian: 1° of latitude is about 111.2 km", () => {
    const [lat, lon] = destination(VALENCE, 0, 111_195);
    expect(lat).toBeCloseTo(45.9334, 3);
    expect(lon).toBeCloseTo(4.8924, 6);
  });

  it("keeps the distance and direction asked, whatever the bearing", () => {
    for (const b of [0, 45, 90, 135, 180, 270, 359]) {
      const p = destination(VALENCE, b, 80);
      expect(distance(VALENCE, p)).toBeCloseTo(80, 3);
      expect((bearing(VALENCE, p) - b + 540) % 360 - 180).toBeCloseTo(0, 3);
    }
  });

  it("east moves longitude only, west is negative", () => {
    const east = destination(VALENCE, 90, 100);
    const west = destination(VALENCE, 270, 100);
    expect(east[1]).toBeGreaterThan(VALENCE[1]);
    expect(west[1]).toBeLessThan(VALENCE[1]);
    expect(east[0]).toBeCloseTo(VALENCE[0], 5);
  });
});

describe("fovSector", () => {
  const camera = { latitude: VALENCE[0], longitude: VALENCE[1], azimuth_deg: 90, view_angle_deg: 60, view_range_m: 50 };

  it("starts and ends at the camera and spans azimuth ± angle/2 at the range", () => {
    const sector = fovSector(camera);
    expect(sector).not.toBeNull();
    const points = sector as LatLon[];
    expect(points[0]).toEqual(VALENCE);
    expect(points[points.length - 1]).toEqual(VALENCE);
    const arc = points.slice(1, -1);
    expect(arc.length).toBeGreaterThanOrEqual(13);
    for (const p of arc) expect(distance(VALENCE, p)).toBeCloseTo(50, 3);
    expect(bearing(VALENCE, arc[0] as LatLon)).toBeCloseTo(60, 3);
    expect(bearing(VALENCE, arc[arc.length - 1] as LatLon)).toBeCloseTo(120, 3);
  });

  it("handles a sector across north (azimuth 350°, 40°)", () => {
    const arc = (fovSector({ ...camera, azimuth_deg: 350, view_angle_deg: 40 }) as LatLon[]).slice(1, -1);
    expect(bearing(VALENCE, arc[0] as LatLon)).toBeCloseTo(330, 3);
    expect(bearing(VALENCE, arc[arc.length - 1] as LatLon)).toBeCloseTo(10, 3);
  });

  it("draws a 360° camera as a circle, even without a direction", () => {
    const circle = fovSector({ ...camera, azimuth_deg: null, view_angle_deg: 360 }) as LatLon[];
    expect(circle).not.toContainEqual(VALENCE);
    for (const p of circle) expect(distance(VALENCE, p)).toBeCloseTo(50, 3);
  });

  it("uses a default depth and gives nothing for an unplaced or undirected camera", () => {
    const sector = fovSector({ ...camera, view_range_m: null }) as LatLon[];
    expect(distance(VALENCE, sector[1] as LatLon)).toBeCloseTo(60, 3);
    expect(fovSector({ ...camera, latitude: null })).toBeNull();
    expect(fovSector({ ...camera, azimuth_deg: null })).toBeNull();
    expect(fovSector({ ...camera, view_angle_deg: null })).toBeNull();
  });
});

describe("cameraState", () => {
  it("maps status, lawfulness and recording to the legend", () => {
    expect(cameraState("in_service", true, true)).toBe("recording");
    expect(cameraState("in_service", true, false)).toBe("fault");
    expect(cameraState("in_service", true, null)).toBe("fault");
    expect(cameraState("in_service", false, true)).toBe("awaiting");
    expect(cameraState("out_of_service", false, true)).toBe("out_of_service");
    expect(cameraState("awaiting_authorisation", false, false)).toBe("awaiting");
    expect(cameraState("planned", false, false)).toBe("awaiting");
    expect(cameraState("decommissioned", false, false)).toBeNull();
  });
});

describe("perimeters", () => {
  const vertices: LatLon[] = [
    [44.93, 4.89],
    [44.93, 4.9],
    [44.94, 4.9],
  ];

  it("round-trips clicked vertices through GeoJSON ([lon, lat], closed)", () => {
    const polygon = polygonOf(vertices);
    expect(polygon.type).toBe("Polygon");
    expect(polygon.coordinates[0]).toEqual([
      [4.89, 44.93],
      [4.9, 44.93],
      [4.9, 44.94],
      [4.89, 44.93],
    ]);
    expect(perimeterLatLons(polygon)).toEqual(vertices);
    expect(perimeterLatLons(null)).toEqual([]);
  });

  it("rounds to 1e-7 degrees", () => {
    const [[lon, lat] = []] = polygonOf([[44.123456789, 4.987654321]]).coordinates[0] ?? [];
    expect(lon).toBe(4.9876543);
    expect(lat).toBe(44.1234568);
  });

  it("sees a bow tie cross itself, not a square or a concave outline", () => {
    const square: LatLon[] = [[0, 0], [0, 1], [1, 1], [1, 0]];
    const bowTie: LatLon[] = [[0, 0], [1, 1], [0, 1], [1, 0]];
    const concave: LatLon[] = [[0, 0], [0, 4], [4, 4], [1, 2], [4, 0]];
    expect(selfIntersects(square)).toBe(false);
    expect(selfIntersects(concave)).toBe(false);
    expect(selfIntersects(bowTie)).toBe(true);
    expect(selfIntersects(square.slice(0, 3))).toBe(false);
  });
});

describe("filterCameras", () => {
  const all: { code: string; name: string; address: string; state: MapState }[] = [
    { code: "CAM-010", name: "Gare routière", address: "Place du Général-Leclerc", state: "recording" },
    { code: "CAM-002", name: "Hôtel de ville", address: "Place de la Liberté", state: "fault" },
    { code: "CAM-001", name: "Marché", address: "Place des Clercs", state: "awaiting" },
  ];
  const every = new Set<MapState>(["recording", "fault", "out_of_service", "awaiting"]);

  it("sorts by code (numeric) and searches code, name and address without accents", () => {
    expect(filterCameras(all, "", every).map((c) => c.code)).toEqual(["CAM-001", "CAM-002", "CAM-010"]);
    expect(filterCameras(all, "hotel", every).map((c) => c.code)).toEqual(["CAM-002"]);
    expect(filterCameras(all, "  PLACE ", every)).toHaveLength(3);
    expect(filterCameras(all, "leclerc", every).map((c) => c.code)).toEqual(["CAM-010"]);
  });

  it("keeps only the states shown", () => {
    expect(filterCameras(all, "", new Set<MapState>(["fault"])).map((c) => c.code)).toEqual(["CAM-002"]);
    expect(filterCameras(all, "gare", new Set<MapState>(["fault"]))).toEqual([]);
  });
});
