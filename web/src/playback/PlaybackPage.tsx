// The playback screen: up to 4 cameras driven by one clock, opened with a journalled reason;
// hls.js players on the grant's playlists, speeds ×1/8…×32, frame steps, snapshots, the
// timeline with its mark in/out selection, and the export of that selection.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, type ApiError, asApiError, networkError, type Schemas } from "../api/client";
import { describeError } from "../api/errors";
import { useToast } from "../components/toasts";
import { Alert, Button, Dialog, EmptyState, Spinner, TextField } from "../components/ui";
import { Icon } from "../components/icons";
import { type MessageKey, t } from "../i18n";
import { PageHeader } from "../pages/pages";
import { site, siteDateTime } from "../site";
import { ExportDialog } from "./ExportDialog";
import {
  centredOn, follow, fromLocalInput, HOUR, MINUTE, nextSpeed, resolution, selection, span,
  SPEEDS, speedLabel, toLocalInput, type View, ZOOM_STEP, zoomAt,
} from "./geometry";
import { Player, type PlayerHandle } from "./Player";
import { type Bucket, type GapReason, Legend, Timeline, type TrackData } from "./Timeline";
import "./playback.css";

const MAX_CAMERAS = 4;
const TICK_MS = 100;
/** The period opened around the chosen instant (the API allows 24 h). */
const BEFORE = 2 * HOUR;
const AFTER = 4 * HOUR;

type Camera = Schemas["CameraOut"];
type Opened = Schemas["PlaybackOut"];
type CamPlayback = Schemas["CameraPlaybackOut"];

interface Clock {
  wall: number;
  anchor: number;
  rate: number;
  playing: boolean;
}

const ms = (iso: string) => new Date(iso).getTime();

export function formatClock(t: number): string {
  return siteDateTime(t, true);
}

function trackOf(cam: CamPlayback, tl: Schemas["TimelineSummaryOut"] | Schemas["TimelineOut"]): TrackData {
  return {
    id: cam.camera_id,
    code: cam.code,
    name: cam.name,
    ranges: tl.ranges.map((r) => ({ from: ms(r.from), to: ms(r.to) })),
    gaps: tl.gaps.map((g) => ({ from: ms(g.from), to: ms(g.to), reason: g.reason as GapReason })),
  };
}

export function PlaybackPage() {
  const toast = useToast();
  const [cameras, setCameras] = useState<Camera[] | ApiError | null>(null);
  const [chosen, setChosen] = useState<number[]>([]);
  const [goto, setGoto] = useState(() => toLocalInput(Date.now() - 15 * MINUTE, site.timezone).slice(0, 19));
  const [gotoError, setGotoError] = useState(false);
  const [asking, setAsking] = useState(false);
  const [opened, setOpened] = useState<{ data: Opened; reason: string } | null>(null);
  const [opening, setOpening] = useState(false);
  const [openError, setOpenError] = useState<ApiError | null>(null);
  const [now, setNow] = useState<number | null>(null);
  const [playing, setPlaying] = useState(false);
  const [rate, setRate] = useState(1);
  const [view, setView] = useState<View>(() => centredOn(Date.now(), HOUR));
  const [markIn, setMarkIn] = useState<number | null>(null);
  const [markOut, setMarkOut] = useState<number | null>(null);
  const [tracks, setTracks] = useState<TrackData[]>([]);
  const [buckets, setBuckets] = useState<Record<number, Bucket[]> | null>(null);
  const [active, setActive] = useState(0);
  const [exporting, setExporting] = useState(false);
  const [states, setStates] = useState<Record<number, { inGap: GapReason | "none" | null; error: string | null; ready: boolean }>>({});
  const clock = useRef<Clock>({ wall: 0, anchor: 0, rate: 1, playing: false });
  const players = useRef<Map<number, PlayerHandle>>(new Map());

  useEffect(() => {
    void (async () => {
      try {
        const { data, error, response } = await api.GET("/api/cameras");
        const items = data?.items;
        setCameras(items ?? asApiError(error, response.status));
        const asked = Number(new URLSearchParams(window.location.search).get("camera")); // from the map
        const first = items?.find((c) => c.id === asked) ?? items?.[0];
        if (first) setChosen((c) => (c.length ? c : [first.id]));
      } catch {
        setCameras(networkError());
      }
    })();
  }, []);

  const wallNow = useCallback(() => {
    const c = clock.current;
    return c.playing ? c.wall + (performance.now() - c.anchor) * c.rate : c.wall;
  }, []);

  const setClock = useCallback((patch: Partial<Clock>) => {
    const wall = wallNow();
    clock.current = { ...clock.current, wall, anchor: performance.now(), ...patch };
    setNow(clock.current.wall);
    if (patch.playing !== undefined) setPlaying(patch.playing);
    if (patch.rate !== undefined) setRate(patch.rate);
  }, [wallNow]);

  const seek = useCallback((at: number) => {
    setClock({ wall: at });
  }, [setClock]);

  const openingNow = useRef(false);
  async function openPlayback(reason: string, around?: number) {
    const at = around ?? fromLocalInput(goto, site.timezone);
    if (at === null) {
      setGotoError(true);
      return;
    }
    if (openingNow.current) return;
    openingNow.current = true;
    setAsking(false);
    setOpening(true);
    setOpenError(null);
    try {
      const from = new Date(at - BEFORE).toISOString();
      const to = new Date(at + AFTER).toISOString();
      const { data, error, response } = await api.POST("/api/playback", {
        body: { camera_ids: chosen, from, to, reason },
      });
      if (!data) {
        setOpenError(asApiError(error, response.status));
        return;
      }
      players.current.clear();
      setOpened({ data, reason });
      setTracks(data.cameras.map((c) => trackOf(c, c.timeline)));
      setStates({});
      setActive(0);
      setMarkIn(null);
      setMarkOut(null);
      setView((v) => (around !== undefined ? v : centredOn(at, 30 * MINUTE)));
      clock.current = { wall: at, anchor: performance.now(), rate: 1, playing: true };
      setNow(at);
      setRate(1);
      setPlaying(true);
    } catch {
      setOpenError(networkError());
    } finally {
      openingNow.current = false;
      setOpening(false);
    }
  }

  // Go to another instant of the open playback, or reopen around it when outside.
  function jump() {
    const at = fromLocalInput(goto, site.timezone);
    setGotoError(at === null);
    if (at === null) return;
    if (opened && at >= ms(opened.data.from) && at <= ms(opened.data.to)) {
      seek(at);
      setView((v) => centredOn(at, span(v)));
    } else if (opened) void openPlayback(opened.reason);
    else setAsking(true);
  }

  // One clock drives every player: the first camera's video when it plays footage, else the clock.
  useEffect(() => {
    if (!opened) return;
    const timer = window.setInterval(() => {
      const c = clock.current;
      const t0 = performance.now();
      let wall = wallNow();
      const ids = opened.data.cameras.map((cam) => cam.camera_id);
      const master = players.current.get(ids[0] ?? -1);
      if (c.playing && master && c.rate <= 16) {
        const w = master.wallTime();
        if (w !== null && master.playingFootage()) {
          wall = w;
          clock.current = { ...c, wall, anchor: t0 };
        }
      }
      const next: typeof states = {};
      let allInGap = c.playing;
      let resume = Infinity;
      opened.data.cameras.forEach((cam, i) => {
        const p = players.current.get(cam.camera_id);
        const track = tracks[i];
        if (!p) {
          allInGap = false;
          return;
        }
        const found = p.follow(wall, c.playing, c.rate, i === 0 && c.rate <= 16);
        let gap: GapReason | "none" | null = null;
        if (found === "none") gap = "none";
        else if (found !== "ok") {
          gap = track?.gaps.find((g) => wall >= g.from && wall < g.to)?.reason ?? "not_recorded";
          resume = Math.min(resume, found);
        }
        if (gap === null) allInGap = false;
        next[cam.camera_id] = { inGap: gap, error: p.error(), ready: p.ready() };
      });
      // Through a gap of every camera: on to the next footage.
      if (allInGap && Number.isFinite(resume)) {
        clock.current = { ...clock.current, wall: resume, anchor: performance.now() };
        wall = resume;
      }
      setNow(wall);
      setStates((old) => (JSON.stringify(old) === JSON.stringify(next) ? old : next));
    }, TICK_MS);
    return () => window.clearInterval(timer);
  }, [opened, tracks, wallNow]);

  // Keep the playhead in view while playing.
  useEffect(() => {
    if (now !== null && playing) setView((v) => follow(v, now));
  }, [now, playing]);

  // Timeline data for the visible window: summaries when coarse, the timeline when fine.
  const level = resolution(view);
  const viewKey = `${level}:${Math.round(view.start / (span(view) / 4))}:${Math.round(span(view))}`;
  useEffect(() => {
    if (!opened) return;
    const ids = opened.data.cameras.map((c) => c.camera_id);
    const from = new Date(view.start - span(view) / 2).toISOString();
    const to = new Date(view.end + span(view) / 2).toISOString();
    let stale = false;
    const timer = window.setTimeout(async () => {
      try {
        if (level === "fine") {
          const found = await Promise.all(
            opened.data.cameras.map((cam) =>
              api.GET("/api/cameras/{camera_id}/timeline", { params: { path: { camera_id: cam.camera_id }, query: { from, to } } }),
            ),
          );
          if (stale) return;
          setBuckets(null);
          setTracks(opened.data.cameras.map((cam, i) => (found[i]?.data ? trackOf(cam, found[i].data) : trackOf(cam, cam.timeline))));
        } else {
          const { data } = await api.GET("/api/timelines/summary", {
            params: { query: { camera_id: ids, from, to, bucket: level } },
          });
          if (stale || !data) return;
          const out: Record<number, Bucket[]> = {};
          for (const s of data) out[s.camera_id] = s.buckets.map((b) => ({ from: ms(b.from), to: ms(b.to), coverage: b.coverage }));
          setBuckets(out);
        }
      } catch {
        /* the bars keep the last data */
      }
    }, 200);
    return () => {
      stale = true;
      window.clearTimeout(timer);
    };
  }, [opened, viewKey]); // eslint-disable-line react-hooks/exhaustive-deps

  const shown: TrackData[] = useMemo(
    () => tracks.map((tr) => (buckets && level !== "fine" ? { ...tr, buckets: buckets[tr.id] ?? [] } : tr)),
    [tracks, buckets, level],
  );

  const marked = selection(markIn, markOut);

  const step = useCallback((direction: 1 | -1) => {
    const cam = opened?.data.cameras[active];
    const fps = (cam && players.current.get(cam.camera_id)?.fps()) || 25;
    setClock({ playing: false, wall: wallNow() + (direction * 1000) / fps });
  }, [opened, active, setClock, wallNow]);

  const zoom = useCallback((factor: number) => {
    setView((v) => zoomAt(v, factor, clock.current.wall || (v.start + v.end) / 2));
  }, []);

  async function snapshot() {
    const cam = opened?.data.cameras[active];
    if (!cam || !opened) return;
    const at = new Date(wallNow()).toISOString();
    try {
      const { data, error, response } = await api.POST("/api/cameras/{camera_id}/snapshot", {
        params: { path: { camera_id: cam.camera_id } },
        body: { at, format: "jpeg", reason: opened.reason },
        parseAs: "blob",
      });
      if (!data) {
        toast("error", describeError(asApiError(error, response.status)));
        return;
      }
      const disposition = response.headers.get("Content-Disposition") ?? "";
      const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `${cam.code}.jpg`;
      const url = URL.createObjectURL(data as Blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
      toast("success", t("playback.snapshotDone", { name }));
    } catch {
      toast("error", describeError(networkError()));
    }
  }

  // Keyboard: space, , . [ ] + - i o (not while typing or in a dialog).
  useEffect(() => {
    if (!opened) return;
    const key = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (target && (target.closest("input, textarea, select, dialog") || target.isContentEditable)) return;
      const k = e.key;
      if (k === " ") setClock({ playing: !clock.current.playing });
      else if (k === ",") step(-1);
      else if (k === ".") step(1);
      else if (k === "[") setClock({ rate: nextSpeed(clock.current.rate, -1) });
      else if (k === "]") setClock({ rate: nextSpeed(clock.current.rate, 1) });
      else if (k === "+" || k === "=") zoom(ZOOM_STEP);
      else if (k === "-") zoom(1 / ZOOM_STEP);
      else if (k === "i") setMarkIn(wallNow());
      else if (k === "o") setMarkOut(wallNow());
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", key);
    return () => window.removeEventListener("keydown", key);
  }, [opened, setClock, step, zoom, wallNow]);

  const camerasList = Array.isArray(cameras) ? cameras : [];
  const toggle = (id: number) =>
    setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : c.length >= MAX_CAMERAS ? c : [...c, id]));

  return (
    <div className="pb">
      <PageHeader title={t("playback.title")} lead={t("playback.lead")} />
      <section className="pb-bar" aria-label={t("playback.cameras")}>
        <div className="pb-cams">
          <span className="field-label">{t("playback.cameras")}</span>
          {cameras === null && <span className="muted">{t("playback.camerasLoading")}</span>}
          {cameras !== null && !Array.isArray(cameras) && <Alert tone="error">{describeError(cameras)}</Alert>}
          {Array.isArray(cameras) && cameras.length === 0 && <span className="muted">{t("playback.noCameras")}</span>}
          <div className="pb-chips">
            {camerasList.map((c) => (
              <label key={c.id} className={`pb-chip ${chosen.includes(c.id) ? "pb-chip-on" : ""}`} title={c.name}>
                <input type="checkbox" checked={chosen.includes(c.id)} onChange={() => toggle(c.id)} disabled={!chosen.includes(c.id) && chosen.length >= MAX_CAMERAS} />
                <span className="pb-chip-code">{c.code}</span> <span className="pb-chip-name">{c.name}</span>
              </label>
            ))}
          </div>
        </div>
        <form
          className="pb-goto"
          onSubmit={(e) => {
            e.preventDefault();
            if (opened && chosen.join() === opened.data.cameras.map((c) => c.camera_id).join()) jump();
            else setAsking(true);
          }}
        >
          <TextField
            label={t("playback.goto")}
            type="datetime-local"
            step={1}
            value={goto}
            onChange={(e) => setGoto(e.target.value)}
            error={gotoError ? t("playback.gotoInvalid") : null}
            hint={gotoError ? t("playback.gotoInvalid") : undefined}
          />
          <Button type="submit" variant="primary" disabled={chosen.length === 0 || opening}>
            {opened && chosen.join() === opened.data.cameras.map((c) => c.camera_id).join() ? t("playback.go") : t("playback.open")}
          </Button>
        </form>
      </section>

      {openError && <Alert tone="error">{describeError(openError)}</Alert>}
      {opening && <Spinner label={t("playback.opening")} />}
      {!opened && !opening && (
        <EmptyState icon={<Icon name="playback" size={40} />} title={t("playback.startTitle")}>
          <p>{t("playback.startBody")}</p>
        </EmptyState>
      )}

      {opened && (
        <>
          <div className={`pb-grid pb-grid-${Math.min(opened.data.cameras.length, 4)}`}>
            {opened.data.cameras.map((cam, i) => {
              const st = states[cam.camera_id];
              return (
                <div
                  key={`${opened.data.grant}-${cam.camera_id}`}
                  className={`pb-tile ${i === active ? "pb-tile-active" : ""}`}
                  onClick={() => setActive(i)}
                  data-testid={`tile-${cam.code}`}
                >
                  <Player
                    cam={cam}
                    register={(h) => {
                      if (h) players.current.set(cam.camera_id, h);
                      else players.current.delete(cam.camera_id);
                    }}
                  />
                  <div className="pb-tile-head">
                    <span className="pb-tile-code">{cam.code}</span> {cam.name}
                  </div>
                  {st?.error && (
                    <div className="pb-overlay pb-overlay-error" role="alert">
                      {t("playback.videoError", { detail: st.error })}
                    </div>
                  )}
                  {!st?.error && st?.inGap && (
                    <div className="pb-overlay" role="status">
                      <strong>{t("playback.gapTitle")}</strong>
                      <span>{st.inGap === "none" ? t("playback.gapNone") : t(`playback.gapReason.${st.inGap}` as MessageKey)}</span>
                    </div>
                  )}
                  {!st?.error && !st?.inGap && st && !st.ready && (
                    <div className="pb-overlay">
                      <Spinner label={t("playback.loadingVideo")} />
                    </div>
                  )}
                </div>
              );
            })}
          </div>

          <div className="pb-transport" role="toolbar" aria-label={t("playback.title")}>
            <div className="pb-clock" aria-label={t("playback.clock")} data-testid="playback-clock">
              {now !== null ? formatClock(now) : "—"}
            </div>
            <div className="pb-buttons">
              <Button aria-label={t("playback.frameBack")} title={`${t("playback.frameBack")} (,)`} onClick={() => step(-1)}>
                <TransportIcon d="M6 5v14M18 5l-9 7 9 7z" />
              </Button>
              <Button variant="primary" aria-label={playing ? t("playback.pause") : t("playback.play")} title={`${playing ? t("playback.pause") : t("playback.play")} (espace)`} onClick={() => setClock({ playing: !playing })}>
                {playing ? <TransportIcon d="M7 5h4v14H7zM14 5h4v14h-4z" fill /> : <TransportIcon d="M7 4l13 8-13 8z" fill />}
              </Button>
              <Button aria-label={t("playback.frameForward")} title={`${t("playback.frameForward")} (.)`} onClick={() => step(1)}>
                <TransportIcon d="M18 5v14M6 5l9 7-9 7z" />
              </Button>
            </div>
            <div className="pb-speeds" role="group" aria-label={t("playback.speed")}>
              {SPEEDS.map((s) => (
                <button key={s} type="button" className={`pb-speed ${s === rate ? "pb-speed-on" : ""}`} aria-pressed={s === rate} onClick={() => setClock({ rate: s })}>
                  {speedLabel(s)}
                </button>
              ))}
            </div>
            <div className="pb-actions">
              <Button onClick={() => void snapshot()} title={t("playback.snapshot")}>
                <Icon name="download" size={14} /> {t("playback.snapshot")}
              </Button>
              <Button onClick={() => setMarkIn(wallNow())}>{t("playback.markIn")}</Button>
              <Button onClick={() => setMarkOut(wallNow())}>{t("playback.markOut")}</Button>
              <Button variant="primary" disabled={!marked} title={marked ? undefined : t("playback.exportNeedsMarks")} onClick={() => setExporting(true)}>
                {t("playback.export")}
              </Button>
            </div>
          </div>

          <div className="pb-timeline">
            <div className="pb-timeline-tools">
              <Legend />
              <span className="pb-selection muted" data-testid="selection-label">
                {marked ? t("playback.selection", { range: `${formatClock(marked.from)} → ${formatClock(marked.to)}`, duration: `${Math.round((marked.to - marked.from) / 1000)} s` }) : t("playback.exportNeedsMarks")}
              </span>
              {marked && (
                <Button size="sm" variant="ghost" onClick={() => { setMarkIn(null); setMarkOut(null); }}>
                  {t("playback.clearMarks")}
                </Button>
              )}
              <Button size="sm" aria-label={t("playback.zoomOut")} title={t("playback.zoomOut")} onClick={() => zoom(1 / ZOOM_STEP)}>
                −
              </Button>
              <Button size="sm" aria-label={t("playback.zoomIn")} title={t("playback.zoomIn")} onClick={() => zoom(ZOOM_STEP)}>
                +
              </Button>
            </div>
            <Timeline
              view={view}
              onView={setView}
              tracks={shown}
              playhead={now}
              onSeek={(at) => {
                // Beyond the opened period: reopen around the instant, with the same reason.
                if (opened && (at < ms(opened.data.from) || at > ms(opened.data.to))) {
                  setGoto(toLocalInput(at, site.timezone));
                  void openPlayback(opened.reason, at);
                } else seek(at);
              }}
              marked={marked}
              lone={marked ? null : (markIn ?? markOut)}
              onMark={(a, b) => {
                setMarkIn(a);
                setMarkOut(b);
              }}
            />
            <p className="pb-keys muted">
{t("playback.keys")}
            </p>
          </div>
        </>
      )}

      <ReasonDialog open={asking} onClose={() => setAsking(false)} onConfirm={(reason) => void openPlayback(reason)} />
      <ExportDialog
        open={exporting}
        selection={marked}
        cameraIds={opened?.data.cameras.map((c) => c.camera_id) ?? []}
        onClose={() => setExporting(false)}
      />
    </div>
  );
}

function TransportIcon({ d, fill = false }: { d: string; fill?: boolean }) {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor" stroke="currentColor" strokeWidth={fill ? 0 : 2} strokeLinejoin="round">
      <path d={d} />
    </svg>
  );
}

function ReasonDialog({ open, onClose, onConfirm }: { open: boolean; onClose: () => void; onConfirm: (reason: string) => void }) {
  const [reason, setReason] = useState("");
  const [number, setNumber] = useState("");
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    if (open) setMissing(false);
  }, [open]);
  const confirm = () => {
    const text = reason.trim() || (number.trim() ? t("playback.requisitionReason", { number: number.trim() }) : "");
    if (!text) {
      setMissing(true);
      return;
    }
    onConfirm(text);
  };
  return (
    <Dialog
      open={open}
      title={t("playback.reasonTitle")}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button variant="primary" onClick={confirm}>
            {t("playback.reasonConfirm")}
          </Button>
        </>
      }
    >
      <p>{t("playback.reasonBody")}</p>
      {missing && <Alert tone="error">{t("playback.reasonRequired")}</Alert>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          confirm();
        }}
      >
        <TextField label={t("playback.reason")} hint={t("playback.reasonHint")} value={reason} onChange={(e) => setReason(e.target.value)} autoFocus />
        <TextField label={t("playback.requisitionNo")} placeholder="PV 2026/004512" value={number} onChange={(e) => setNumber(e.target.value)} />
        <button type="submit" hidden />
      </form>
    </Dialog>
  );
}


