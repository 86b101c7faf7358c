// The Leaflet map itself: background (none, tile server or local tiles), zone perimeters with
// their names, cameras' field-of-view sectors and state-coloured markers, and the perimeter
// being drawn. Leaflet is driven imperatively from React effects; everything is SVG paths
// (no marker images), so nothing is fetched but the configured tiles.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { useEffect, useRef } from "react";
import type { Schemas } from "../api/client";
import { t } from "../i18n";
import { fovSector, type LatLon, type MapState, perimeterLatLons, type Polygon } from "./geometry";

export type MapConfig = Schemas["MapConfigOut"];
export type Zone = Schemas["ZoneOut"];
export interface PlacedCamera {
  id: number;
  code: string;
  name: string;
  latitude: number | null;
  longitude: number | null;
  azimuth_deg: number | null;
  view_angle_deg: number | null;
  view_range_m: number | null;
  state: MapState;
}

/** Where the map opens when no camera is placed: mainland France. */
const FRANCE: LatLon = [46.6, 2.4];
const FIT_MAX_ZOOM = 17;
// The legend (about 240 × 200 px) sits in the bottom-left corner: fit the view beside it.
const FIT: L.FitBoundsOptions = { paddingTopLeft: [260, 50], paddingBottomRight: [50, 50], maxZoom: FIT_MAX_ZOOM };
const PANES = { zones: 410, sectors: 420, draft: 430, markers: 440 } as const;

export function MapCanvas({
  config,
  cameras,
  zones,
  selectedId,
  highlightZoneId,
  draft,
  onSelect,
  onMapClick,
  fitSignal,
  focusZoneId = null,
}: {
  config: MapConfig;
  cameras: readonly PlacedCamera[];
  zones: readonly Zone[];
  selectedId: number | null;
  highlightZoneId: number | null;
  draft: readonly LatLon[] | null; // the perimeter being drawn, or null
  onSelect: (cameraId: number) => void;
  onMapClick: (at: LatLon) => void;
  fitSignal: number; // incremented to recentre on the cameras
  focusZoneId?: number | null; // open on this zone's perimeter rather than on the cameras
}) {
  const element = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layers = useRef<Record<keyof typeof PANES, L.LayerGroup> | null>(null);
  const handlers = useRef({ onSelect, onMapClick, drawing: draft !== null });
  handlers.current = { onSelect, onMapClick, drawing: draft !== null };

  // The map, once: panes in drawing order, controls in French, the background.
  useEffect(() => {
    const div = element.current;
    if (!div) return;
    const m = L.map(div, {
      zoomControl: false,
      attributionControl: false,
      minZoom: config.min_zoom,
      maxZoom: config.max_zoom,
      zoomSnap: 0.5,
    });
    for (const [name, z] of Object.entries(PANES)) {
      const pane = m.createPane(name);
      pane.style.zIndex = String(z);
    }
    L.control.zoom({ position: "topright", zoomInTitle: t("map.zoomIn"), zoomOutTitle: t("map.zoomOut") }).addTo(m);
    L.control.scale({ position: "bottomright", imperial: false }).addTo(m);
    if (config.mode !== "none" && config.tile_url) {
      L.tileLayer(config.tile_url, {
        minZoom: config.min_zoom,
        maxZoom: config.max_zoom,
        className: "map-tiles",
      }).addTo(m);
      if (config.attribution) L.control.attribution({ prefix: false }).addAttribution(config.attribution).addTo(m);
    }
    m.on("click", (e: L.LeafletMouseEvent) => {
      if (handlers.current.drawing) handlers.current.onMapClick([e.latlng.lat, e.latlng.lng]);
    });
    layers.current = {
      zones: L.layerGroup().addTo(m),
      sectors: L.layerGroup().addTo(m),
      draft: L.layerGroup().addTo(m),
      markers: L.layerGroup().addTo(m),
    };
    map.current = m;
    const resize = new ResizeObserver(() => m.invalidateSize());
    resize.observe(div);
    return () => {
      resize.disconnect();
      m.remove();
      map.current = null;
      layers.current = null;
    };
  }, [config]);

  // Open on the cameras (and again when asked), clear of the legend in the bottom-left corner.
  useEffect(() => {
    const m = map.current;
    if (!m) return;
    const b = config.bounds;
    const focus = perimeterLatLons(zones.find((z) => z.id === focusZoneId)?.perimeter as Polygon | null);
    if (focus.length >= 3) m.fitBounds(L.latLngBounds(focus), FIT);
    else if (!b) m.setView(FRANCE, 6);
    else if (b.south === b.north && b.west === b.east) m.setView([b.south, b.west], 16);
    else m.fitBounds(L.latLngBounds([b.south, b.west], [b.north, b.east]), FIT);
  }, [config, fitSignal]); // not on zone changes: a redrawn perimeter does not move the view

  // Zones with a perimeter, their name in the middle.
  useEffect(() => {
    const group = layers.current?.zones;
    if (!group) return;
    group.clearLayers();
    for (const zone of zones) {
      const ring = perimeterLatLons(zone.perimeter as Polygon | null);
      if (ring.length < 3) continue;
      const lit = zone.id === highlightZoneId;
      L.polygon(ring, { pane: "zones", className: `map-zone${lit ? " is-highlighted" : ""}`, interactive: false })
        .bindTooltip(zone.name, { permanent: true, direction: "center", className: "map-zone-label", opacity: 1 })
        .addTo(group);
    }
  }, [zones, highlightZoneId, config]);

  // Field-of-view sectors and markers.
  useEffect(() => {
    const sectors = layers.current?.sectors;
    const markers = layers.current?.markers;
    if (!sectors || !markers) return;
    sectors.clearLayers();
    markers.clearLayers();
    for (const camera of cameras) {
      if (camera.latitude === null || camera.longitude === null) continue;
      const selected = camera.id === selectedId;
      const sector = fovSector(camera);
      if (sector) {
        L.polygon(sector, {
          pane: "sectors",
          className: `map-fov map-fov-${camera.state}${selected ? " is-selected" : ""}`,
          interactive: false,
        }).addTo(sectors);
      }
      const marker = L.circleMarker([camera.latitude, camera.longitude], {
        pane: "markers",
        radius: selected ? 9 : 7,
        className: `map-marker map-marker-${camera.state}${selected ? " is-selected" : ""}`,
        bubblingMouseEvents: false,
      })
        .bindTooltip(`${camera.code} — ${camera.name}`, { direction: "top", offset: [0, -8], className: "map-marker-tip" })
        .on("click", () => {
          const h = handlers.current;
          if (h.drawing) h.onMapClick([camera.latitude ?? 0, camera.longitude ?? 0]);
          else h.onSelect(camera.id);
        })
        .addTo(markers);
      const path = marker.getElement();
      path?.setAttribute("data-camera", String(camera.id));
      path?.setAttribute("data-state", camera.state);
    }
  }, [cameras, selectedId, config]);

  // Follow the selected camera.
  useEffect(() => {
    const m = map.current;
    const camera = cameras.find((c) => c.id === selectedId);
    if (!m || !camera || camera.latitude === null || camera.longitude === null) return;
    const at = L.latLng(camera.latitude, camera.longitude);
    if (!m.getBounds().pad(-0.15).contains(at)) m.panTo(at);
  }, [selectedId]); // on selection only, not on each poll of the states

  // The perimeter being drawn: its outline so far, the closing edge dashed, its vertices.
  useEffect(() => {
    const m = map.current;
    const group = layers.current?.draft;
    if (!m || !group) return;
    group.clearLayers();
    const drawing = draft !== null;
    m.getContainer().classList.toggle("is-drawing", drawing);
    if (drawing) m.doubleClickZoom.disable();
    else m.doubleClickZoom.enable();
    if (!draft || draft.length === 0) return;
    L.polyline([...draft], { pane: "draft", className: "map-draft", interactive: false }).addTo(group);
    const first = draft[0];
    const last = draft[draft.length - 1];
    if (draft.length >= 3 && first && last) {
      L.polyline([last, first], { pane: "draft", className: "map-draft map-draft-closing", interactive: false }).addTo(group);
    }
    draft.forEach((p, i) => {
      L.circleMarker(p, { pane: "draft", radius: i === 0 ? 6 : 5, className: "map-draft-vertex", interactive: false }).addTo(group);
    });
  }, [draft, config]);

  return <div ref={element} className="map-canvas" role="application" aria-label={t("map.aria")} data-mode={config.mode} />;
}
