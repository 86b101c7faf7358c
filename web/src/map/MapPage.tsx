// The map of cameras: markers coloured by state with a legend, field-of-view sectors, zone
// perimeters, a searchable camera list, the chosen camera's panel with a live preview, and the
// drawing of zone perimeters for administrators. See docs/design/map.md.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, asApiError, type ApiError, type Me, networkError } from "../api/client";
import { describeError } from "../api/errors";
import { ErrorState, Spinner } from "../components/ui";
import { t } from "../i18n";
import { CameraPanel, type Camera, type Recording } from "./CameraPanel";
import { cameraState, type CameraStatus, filterCameras, type LatLon, MAP_STATES, type MapState } from "./geometry";
import { MapCanvas, type MapConfig, type PlacedCamera, type Zone } from "./MapCanvas";
import { type Drawing, DrawingBar, ZonePicker } from "./ZoneTools";
import "./map.css";

const POLL_MS = 5000;

interface Loaded {
  config: MapConfig;
  cameras: Camera[];
  zones: Zone[];
}

type MapCamera = PlacedCamera & { camera: Camera; address: string };

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
}

async function load(): Promise<Loaded | ApiError> {
  try {
    const [config, cameras, zones] = await Promise.all([
      api.GET("/api/map/config"),
      api.GET("/api/cameras", { params: { query: { limit: 500 } } }),
      api.GET("/api/zones"),
    ]);
    if (!config.data) return asApiError(config.error, config.response.status);
    if (!cameras.data) return asApiError(cameras.error, cameras.response.status);
    if (!zones.data) return asApiError(zones.error, zones.response.status);
    return { config: config.data, cameras: cameras.data.items, zones: zones.data };
  } catch {
    return networkError();
  }
}

function useRecording(): Map<number, Recording> {
  const [recording, setRecording] = useState<Map<number, Recording>>(new Map());
  const last = useRef("");
  useEffect(() => {
    let live = true;
    const poll = async () => {
      try {
        const { data } = await api.GET("/api/map/recording");
        const text = JSON.stringify(data);
        if (!live || !data || text === last.current) return; // unchanged: the map is not redrawn
        last.current = text;
        setRecording(new Map(data.map((r) => [r.camera_id, r])));
      } catch {
        /* keep the last known states */
      }
    };
    void poll();
    const timer = window.setInterval(() => void poll(), POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);
  return recording;
}

function Legend({ config, counts }: { config: MapConfig; counts: Record<MapState, number> }) {
  return (
    <div className="map-legend" aria-label={t("map.legend")} data-testid="map-legend">
      <h2>{t("map.legend")}</h2>
      <ul>
        {MAP_STATES.map((s) => (
          <li key={s} title={t(`map.stateHint.${s}`)}>
            <span className={`map-swatch map-swatch-${s}`} aria-hidden="true" />
            <span>{t(`map.state.${s}`)}</span>
            <span className="map-legend-count">{counts[s]}</span>
          </li>
        ))}
        <li>
          <span className="map-swatch map-swatch-fov" aria-hidden="true" />
          <span>{t("map.legendFov")}</span>
        </li>
        <li>
          <span className="map-swatch map-swatch-zone" aria-hidden="true" />
          <span>{t("map.legendZone")}</span>
        </li>
      </ul>
      <p className="map-legend-bg">{t(`map.background.${config.mode}`)}</p>
    </div>
  );
}

export function MapPage({ me }: { me: Me }) {
  const [loaded, setLoaded] = useState<Loaded | ApiError | null>(null);
  const recording = useRecording();
  const [query, setQuery] = useState("");
  const [shownStates, setShownStates] = useState<Set<MapState>>(() => new Set(MAP_STATES));
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const [reason, setReason] = useState<string | null>(me.role === "external_viewer" ? null : "");
  // Opened from the administration's zones (/carte?zone=<id>): that zone is chosen and shown.
  const [askedZone] = useState(() => Number(new URLSearchParams(window.location.search).get("zone")) || null);
  const [zoneId, setZoneId] = useState<number | null>(askedZone);
  const [drawing, setDrawing] = useState<Drawing | null>(null);
  const [fitSignal, setFitSignal] = useState(0);
  const search = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const canDraw = me.permissions.includes("registry.write");

  const reload = useCallback(() => {
    setLoaded(null);
    void load().then(setLoaded);
  }, []);
  useEffect(reload, [reload]);

  const data = loaded && "config" in loaded ? loaded : null;
  const zones = useMemo(() => data?.zones ?? [], [data]);
  const zonesById = useMemo(() => new Map(zones.map((z) => [z.id, z])), [zones]);
  useEffect(() => {
    if (zoneId === null && zones[0]) setZoneId(zones[0].id);
  }, [zones, zoneId]);

  const cameras = useMemo<MapCamera[]>(() => {
    const out: MapCamera[] = [];
    for (const c of data?.cameras ?? []) {
      const state = cameraState(c.status as CameraStatus, c.lawful, recording.get(c.id)?.recording ?? null);
      if (state === null) continue; // decommissioned: not on the map
      out.push({ ...c, state, camera: c });
    }
    return out;
  }, [data, recording]);

  const counts = useMemo(() => {
    const n = { recording: 0, fault: 0, out_of_service: 0, awaiting: 0 } as Record<MapState, number>;
    for (const c of cameras) n[c.state] += 1;
    return n;
  }, [cameras]);
  const shown = useMemo(() => filterCameras(cameras, query, shownStates), [cameras, query, shownStates]);
  const onMap = useMemo(() => cameras.filter((c) => shownStates.has(c.state)), [cameras, shownStates]);
  const selected = cameras.find((c) => c.id === selectedId) ?? null;

  const choose = useCallback((id: number) => {
    setSelectedId(id);
  }, []);

  // Keyboard: "/" searches, Escape closes the panel (drawing has its own keys).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || drawing) return;
      if (e.key === "/" && !isTyping(e.target)) {
        e.preventDefault();
        search.current?.focus();
        search.current?.select();
      } else if (e.key === "Escape" && selectedId !== null && !document.querySelector("dialog[open]")) {
        setSelectedId(null);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [drawing, selectedId]);

  useEffect(() => setActive((a) => Math.min(a, Math.max(0, shown.length - 1))), [shown.length]);
  useEffect(() => {
    list.current?.querySelector<HTMLElement>(`[data-index="${active}"]`)?.scrollIntoView({ block: "nearest" });
  }, [active]);

  const onListKey = (e: React.KeyboardEvent) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((a) => Math.max(0, Math.min(shown.length - 1, a + step)));
    } else if (e.key === "Enter") {
      const camera = shown[active];
      if (camera) {
        e.preventDefault();
        choose(camera.id);
      }
    }
  };

  const updateZone = (zone: Zone) => {
    setLoaded((l) => (l && "config" in l ? { ...l, zones: l.zones.map((z) => (z.id === zone.id ? zone : z)) } : l));
  };

  if (loaded === null) return <Spinner label={t("map.loading")} />;
  if (!data) {
    const error = loaded as ApiError;
    return <ErrorState message={error.code === "network" ? t("map.networkError") : describeError(error)} onRetry={reload} />;
  }

  const toggleState = (s: MapState) =>
    setShownStates((old) => {
      const next = new Set(old);
      if (next.has(s)) next.delete(s);
      else next.add(s);
      return next;
    });

  return (
    <div className={`map-page ${selected ? "has-panel" : ""}`} data-testid="map-page">
      <h1 className="sr-only">{t("map.title")}</h1>
      <aside className="map-side" aria-label={t("map.cameras")}>
        <div className="map-side-head">
          <h2>{t("map.cameras")}</h2>
          <span className="muted map-count">{t("map.camerasCount", { shown: shown.length, total: cameras.length })}</span>
        </div>
        <input
          ref={search}
          className="map-search"
          type="search"
          aria-label={t("map.search")}
          placeholder={t("map.searchPlaceholder")}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={onListKey}
          aria-controls="map-camlist"
          aria-activedescendant={shown[active] ? `map-cam-${shown[active].id}` : undefined}
        />
        <div className="map-filters" role="group" aria-label={t("map.filter")}>
          {MAP_STATES.map((s) => (
            <button
              key={s}
              type="button"
              className={`map-chip map-chip-${s} ${shownStates.has(s) ? "is-on" : ""}`}
              aria-pressed={shownStates.has(s)}
              title={t(`map.stateHint.${s}`)}
              onClick={() => toggleState(s)}
              data-testid={`filter-${s}`}
            >
              <span className={`map-swatch map-swatch-${s}`} aria-hidden="true" />
              <span className="map-chip-label">{t(`map.chip.${s}`)}</span>
              <span className="map-chip-count">{counts[s]}</span>
            </button>
          ))}
        </div>
        <ul id="map-camlist" ref={list} className="map-camlist" role="listbox" aria-label={t("map.cameras")} data-testid="map-camera-list" onKeyDown={onListKey}>
          {cameras.length === 0 && <li className="muted map-side-note">{t("map.noCameras")}</li>}
          {cameras.length > 0 && shown.length === 0 && <li className="muted map-side-note">{t("map.noMatch")}</li>}
          {shown.map((c, i) => (
            <li
              key={c.id}
              id={`map-cam-${c.id}`}
              role="option"
              aria-selected={c.id === selectedId}
              data-index={i}
              data-camera-id={c.id}
              className={`map-cam ${i === active ? "is-active" : ""} ${c.id === selectedId ? "is-selected" : ""}`}
              onClick={() => {
                setActive(i);
                choose(c.id);
              }}
            >
              <span className={`map-swatch map-swatch-${c.state}`} title={t(`map.state.${c.state}`)} aria-label={t(`map.state.${c.state}`)} />
              <span className="map-cam-text">
                <span className="map-cam-code">{c.code}</span>
                <span className="map-cam-name">{c.name}</span>
              </span>
              {(c.latitude === null || c.longitude === null) && <span className="map-cam-unplaced">{t("map.notPlaced")}</span>}
            </li>
          ))}
        </ul>
        <p className="map-keys muted">{t("map.keysHelp")}</p>
        {canDraw && (
          <div className="map-zones">
            <h2>{t("map.zones")}</h2>
            <ZonePicker
              zones={zones}
              chosenId={zoneId}
              onChoose={setZoneId}
              onDraw={(zone) => {
                setSelectedId(null);
                setDrawing({ zone, vertices: [] });
              }}
              onSaved={updateZone}
              disabled={drawing !== null}
            />
          </div>
        )}
      </aside>

      <section className="map-main" aria-label={t("map.aria")}>
        <MapCanvas
          config={data.config}
          cameras={onMap}
          zones={zones}
          selectedId={selectedId}
          highlightZoneId={drawing?.zone.id ?? null}
          draft={drawing?.vertices ?? null}
          onSelect={choose}
          onMapClick={(at: LatLon) => setDrawing((d) => (d ? { ...d, vertices: [...d.vertices, at] } : d))}
          fitSignal={fitSignal}
          focusZoneId={fitSignal === 0 ? askedZone : null}
        />
        <Legend config={data.config} counts={counts} />
        <button type="button" className="map-fit" onClick={() => setFitSignal((n) => n + 1)} title={t("map.fit")} aria-label={t("map.fit")}>
          <svg width="16" height="16" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" aria-hidden="true">
            <circle cx="10" cy="10" r="5.5" />
            <circle cx="10" cy="10" r="1.2" fill="currentColor" />
            <path d="M10 1.5v3M10 15.5v3M1.5 10h3M15.5 10h3" />
          </svg>
        </button>
        {drawing && (
          <DrawingBar
            drawing={drawing}
            onUndo={() => setDrawing((d) => (d ? { ...d, vertices: d.vertices.slice(0, -1) } : d))}
            onCancel={() => setDrawing(null)}
            onSaved={(zone) => {
              updateZone(zone);
              setDrawing(null);
            }}
          />
        )}
      </section>

      {selected && (
        <CameraPanel
          key={selected.id}
          me={me}
          camera={selected.camera}
          state={selected.state}
          recording={recording.get(selected.id)}
          zone={zonesById.get(selected.camera.zone_id)}
          reason={reason}
          onReason={setReason}
          onClose={() => setSelectedId(null)}
        />
      )}
    </div>
  );
}

