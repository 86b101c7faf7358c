// The live wall: a 1/4/9/16 grid of live tiles, the camera list, saved layouts and presets.
import { useCallback, useEffect, useMemo, useState } from "react";
import { api, asApiError, type Me, type Schemas } from "../api/client";
import { describeError } from "../api/errors";
import { useToast } from "../components/toasts";
import { Alert, Badge, Button, Dialog, Kbd, TextField } from "../components/ui";
import { t } from "../i18n";
import {
  clearTile,
  emptyWall,
  firstEmpty,
  fromTiles,
  GRIDS,
  type Grid,
  loadLast,
  moveTile,
  place,
  saveLast,
  setGrid,
  toLayout,
  visibleTiles,
  type WallState,
} from "./layout";
import { listDot } from "./camState";
import { Tile, type LiveState, type WallCamera } from "./Tile";
import "./wall.css";

type Layout = Schemas["LayoutOut"];
const STATUS_POLL_MS = 5000;
const GRID_KEYS: Record<string, Grid> = { "1": 1, "4": 4, "9": 9, "6": 16 };

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
}

function GridIcon({ n }: { n: Grid }) {
  const side = Math.sqrt(n);
  const cell = 14 / side;
  const rects = [];
  for (let r = 0; r < side; r++)
    for (let c = 0; c < side; c++)
      rects.push(<rect key={`${r}-${c}`} x={1 + c * cell + 0.6} y={1 + r * cell + 0.6} width={cell - 1.2} height={cell - 1.2} rx={0.6} />);
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" fill="currentColor" aria-hidden="true">
      {rects}
    </svg>
  );
}

export function WallPage({ me }: { me: Me }) {
  const toast = useToast();
  const external = me.role === "external_viewer";
  const [wall, setWall] = useState<WallState>(() => loadLast() ?? emptyWall(4));
  const [selected, setSelected] = useState<number | null>(null);
  const [maximised, setMaximised] = useState<number | null>(null);
  const [cameras, setCameras] = useState<WallCamera[] | null>(null);
  const [camerasError, setCamerasError] = useState<string | null>(null);
  const [status, setStatus] = useState<Map<number, LiveState>>(new Map());
  const [query, setQuery] = useState("");
  const [layouts, setLayouts] = useState<Layout[]>([]);
  const [layoutsError, setLayoutsError] = useState<string | null>(null);
  const [reason, setReason] = useState<string | null>(external ? null : "");
  const [reasonOpen, setReasonOpen] = useState(external);
  const [saveOpen, setSaveOpen] = useState(false);
  const [deleting, setDeleting] = useState<Layout | null>(null);
  const [hiddenNotice, setHiddenNotice] = useState<number>(0);

  useEffect(() => saveLast(wall), [wall]);

  // Opened from the map (/mur?camera=<id>): that camera goes to the first free tile.
  useEffect(() => {
    const asked = Number(new URLSearchParams(window.location.search).get("camera"));
    if (!Number.isInteger(asked) || asked <= 0) return;
    window.history.replaceState(null, "", window.location.pathname);
    setWall((w) => (visibleTiles(w).includes(asked) ? w : place(w, firstEmpty(w) ?? 0, asked)));
  }, []);

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const { data, error, response } = await api.GET("/api/cameras", { params: { query: { limit: 500 } } });
        if (!live) return;
        if (data) setCameras(data.items.map((c) => ({ id: c.id, code: c.code, name: c.name, address: c.address, status: c.status, lawful: c.lawful })));
        else setCamerasError(describeError(asApiError(error, response.status)));
      } catch {
        if (live) setCamerasError(t("wall.camerasError"));
      }
    })();
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    let live = true;
    const poll = async () => {
      try {
        const { data } = await api.GET("/api/live/status");
        if (live && data) setStatus(new Map(data.map((s) => [s.camera_id, s.state])));
      } catch {
        /* keep the last known states */
      }
    };
    void poll();
    const timer = window.setInterval(() => void poll(), STATUS_POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);

  const refreshLayouts = useCallback(async () => {
    try {
      const { data, error, response } = await api.GET("/api/wall/layouts");
      if (data) {
        setLayouts(data);
        setLayoutsError(null);
      } else if (response.status !== 401) setLayoutsError(describeError(asApiError(error, response.status)));
    } catch {
      setLayoutsError(t("wall.layoutsError"));
    }
  }, []);
  useEffect(() => void refreshLayouts(), [refreshLayouts]);

  const byId = useMemo(() => new Map((cameras ?? []).map((c) => [c.id, c])), [cameras]);
  const onWall = useMemo(() => new Set(visibleTiles(wall).filter((id): id is number => id !== null)), [wall]);

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    const list = cameras ?? [];
    if (!q) return list;
    return list.filter((c) => `${c.code} ${c.name} ${c.address}`.toLowerCase().includes(q));
  }, [cameras, query]);

  const changeGrid = useCallback((grid: Grid) => {
    setMaximised(null);
    setWall((w) => setGrid(w, grid));
    setSelected((s) => (s !== null && s >= grid ? null : s));
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (document.querySelector("dialog[open]")) return;
      if (e.key === "Escape" && maximised !== null) {
        e.preventDefault();
        setMaximised(null);
        return;
      }
      const grid = GRID_KEYS[e.key];
      if (grid) {
        e.preventDefault();
        changeGrid(grid);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [maximised, changeGrid]);

  const putCamera = (cameraId: number) => {
    setWall((w) => {
      const target = selected ?? firstEmpty(w);
      if (target === null) return w;
      return place(w, target, cameraId);
    });
    setSelected((s) => (s !== null && s + 1 < wall.grid ? s + 1 : null));
  };

  const applyLayout = (layout: Layout) => {
    setMaximised(null);
    setSelected(null);
    setWall(fromTiles(layout.grid, layout.tiles));
    setHiddenNotice(layout.hidden_tiles);
    toast("info", t("wall.loadedToast", { name: layout.name }));
  };

  const mine = layouts.filter((l) => l.mine && !l.shared);
  const presets = layouts.filter((l) => l.shared);
  const tiles = visibleTiles(wall);
  const side = Math.sqrt(maximised !== null ? 1 : wall.grid);

  const renderTile = (index: number, isMax: boolean) => {
    const id = wall.tiles[index] ?? null;
    const camera = id === null ? null : (byId.get(id) ?? { id, code: `#${id}`, name: "", address: "" });
    return (
      <Tile
        key={`${index}-${isMax ? "main" : "sub"}`}
        index={index}
        camera={camera}
        liveState={id === null ? null : (status.get(id) ?? null)}
        stream={isMax ? "main" : "sub"}
        reason={reason}
        selected={!isMax && selected === index}
        maximised={isMax}
        onSelect={() => setSelected((s) => (s === index ? null : index))}
        onRemove={() => {
          setWall((w) => clearTile(w, index));
          if (isMax) setMaximised(null);
        }}
        onMaximise={() => setMaximised(isMax ? null : index)}
        onDropCamera={(cameraId) => setWall((w) => place(w, index, cameraId))}
        onDropTile={(from) => setWall((w) => moveTile(w, from, index))}
      />
    );
  };

  return (
    <div className={`wall-page ${maximised !== null ? "is-maximised" : ""}`}>
      <aside className="wall-side" aria-label={t("wall.cameras")}>
        <div className="wall-side-head">
          <h2>{t("wall.cameras")}</h2>
          {cameras && (
            <span className="muted wall-count">{t("wall.camerasCount", { shown: shown.length, total: cameras.length })}</span>
          )}
        </div>
        <input
          className="wall-search"
          type="search"
          aria-label={t("wall.search")}
          placeholder={t("wall.searchPlaceholder")}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <ul className="wall-camlist" data-testid="camera-list">
          {camerasError && (
            <li>
              <Alert tone="error">{camerasError}</Alert>
            </li>
          )}
          {cameras && cameras.length === 0 && <li className="muted wall-camlist-note">{t("wall.noCameras")}</li>}
          {cameras && cameras.length > 0 && shown.length === 0 && (
            <li className="muted wall-camlist-note">{t("wall.noMatch")}</li>
          )}
          {shown.map((c) => {
            const dot = listDot(c, status.get(c.id) ?? null);
            return (
              <li key={c.id}>
                <button
                  type="button"
                  className={`wall-cam ${onWall.has(c.id) ? "is-on-wall" : ""}`}
                  draggable
                  data-camera-id={c.id}
                  title={c.address}
                  onDragStart={(e) => {
                    e.dataTransfer.setData("application/x-sentinelle-camera", String(c.id));
                    e.dataTransfer.effectAllowed = "copy";
                  }}
                  onClick={() => putCamera(c.id)}
                >
                  <span className={`wall-dot wall-dot-${dot.tone}`} title={t(dot.label)} aria-label={t(dot.label)} />
                  <span className="wall-cam-text">
                    <span className="wall-cam-code">{c.code}</span>
                    <span className="wall-cam-name">{c.name}</span>
                  </span>
                  {onWall.has(c.id) && (
                    <span className="wall-onwall" title={t("wall.onWall")} aria-label={t("wall.onWall")}>
                      ●
                    </span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
        <div className="wall-layouts">
          <h2>{t("wall.layouts")}</h2>
          {layoutsError && <Alert tone="error">{layoutsError}</Alert>}
          <h3>{t("wall.myLayouts")}</h3>
          <LayoutList items={mine} empty={t("wall.noLayouts")} onLoad={applyLayout} onDelete={setDeleting} />
          <h3>{t("wall.presets")}</h3>
          <LayoutList items={presets} empty={t("wall.noPresets")} onLoad={applyLayout} onDelete={setDeleting} />
        </div>
      </aside>

      <section className="wall-main" aria-label={t("wall.title")}>
        <div className="wall-toolbar" role="toolbar" aria-label={t("wall.layoutLabel")}>
          <span className="wall-toolbar-label">{t("wall.layoutLabel")}</span>
          <div className="wall-segmented">
            {GRIDS.map((g) => (
              <button
                key={g}
                type="button"
                className={`wall-seg ${wall.grid === g && maximised === null ? "is-active" : ""}`}
                aria-pressed={wall.grid === g}
                title={`${g === 1 ? t("wall.grid1") : t("wall.gridN", { n: g })} — ${t("wall.gridKey", { key: g === 16 ? "6" : String(g) })}`}
                data-testid={`grid-${g}`}
                onClick={() => changeGrid(g)}
              >
                <GridIcon n={g} />
                <span>{g}</span>
              </button>
            ))}
          </div>
          <Button size="sm" onClick={() => setSaveOpen(true)}>
            {t("wall.saveAs")}
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setWall((w) => ({ grid: w.grid, tiles: emptyWall().tiles }))}>
            {t("wall.clear")}
          </Button>
          {external && reason && (
            <button type="button" className="wall-reason" onClick={() => setReasonOpen(true)} title={t("wall.reasonChange")}>
              {t("wall.reasonShown", { reason })}
            </button>
          )}
          <span className="wall-spacer" />
          {maximised !== null ? (
            <span className="wall-hint">
              <Kbd>Échap</Kbd> {t("wall.restore")}
            </span>
          ) : selected !== null ? (
            <span className="wall-hint wall-hint-strong">{t("wall.tileSelected", { n: selected + 1 })}</span>
          ) : (
            <span className="wall-hint">{t("wall.keysHelp")}</span>
          )}
        </div>
        {hiddenNotice > 0 && (
          <div className="wall-notice">
            <Alert tone="warning">{t("wall.hiddenTiles", { n: hiddenNotice })}</Alert>
          </div>
        )}
        <div
          className="wall-grid"
          role="grid"
          data-grid={maximised !== null ? 1 : wall.grid}
          style={{ gridTemplateColumns: `repeat(${side}, 1fr)`, gridTemplateRows: `repeat(${side}, 1fr)` }}
        >
          {maximised !== null ? renderTile(maximised, true) : tiles.map((_, i) => renderTile(i, false))}
        </div>
      </section>

      <ReasonDialog
        open={reasonOpen}
        initial={reason ?? ""}
        onClose={() => setReasonOpen(false)}
        onSubmit={(r) => {
          setReason(r);
          setReasonOpen(false);
        }}
      />
      <SaveDialog
        open={saveOpen}
        mine={layouts.filter((l) => l.mine)}
        onClose={() => setSaveOpen(false)}
        onSave={async (name, shared) => {
          const body = { name, shared, ...toLayout(wall) };
          const same = layouts.find((l) => l.mine && l.name === name);
          const result = same
            ? await api.PUT("/api/wall/layouts/{layout_id}", { params: { path: { layout_id: same.id } }, body })
            : await api.POST("/api/wall/layouts", { body });
          if (!result.data) return describeError(asApiError(result.error, result.response.status));
          setSaveOpen(false);
          toast("success", t("wall.savedToast", { name }));
          void refreshLayouts();
          return null;
        }}
      />
      <Dialog
        open={deleting !== null}
        title={t("wall.deleteTitle")}
        onClose={() => setDeleting(null)}
        footer={
          <>
            <Button variant="ghost" onClick={() => setDeleting(null)}>
              {t("wall.cancel")}
            </Button>
            <Button
              variant="danger"
              onClick={async () => {
                if (!deleting) return;
                const { response, error } = await api.DELETE("/api/wall/layouts/{layout_id}", {
                  params: { path: { layout_id: deleting.id } },
                });
                if (response.ok) toast("success", t("wall.deletedToast", { name: deleting.name }));
                else toast("error", describeError(asApiError(error, response.status)));
                setDeleting(null);
                void refreshLayouts();
              }}
            >
              {t("wall.delete")}
            </Button>
          </>
        }
      >
        <p>{deleting && t("wall.deleteBody", { name: deleting.name })}</p>
      </Dialog>
    </div>
  );
}

function LayoutList({
  items,
  empty,
  onLoad,
  onDelete,
}: {
  items: Layout[];
  empty: string;
  onLoad: (l: Layout) => void;
  onDelete?: (l: Layout) => void;
}) {
  if (items.length === 0) return <p className="muted wall-layouts-empty">{empty}</p>;
  return (
    <ul className="wall-layout-list">
      {items.map((l) => (
        <li key={l.id} className="wall-layout">
          <button type="button" className="wall-layout-load" onClick={() => onLoad(l)} title={t("wall.load")}>
            <GridIcon n={(GRIDS as readonly number[]).includes(l.grid) ? (l.grid as Grid) : 4} />
            <span className="wall-layout-name">{l.name}</span>
            {l.shared && <Badge tone="info">{t("wall.sharedBadge")}</Badge>}
            {!l.mine && <span className="muted wall-layout-owner">{t("wall.byOwner", { owner: l.owner })}</span>}
          </button>
          {onDelete && l.mine && (
            <button
              type="button"
              className="icon-btn"
              aria-label={`${t("wall.delete")} ${l.name}`}
              title={t("wall.delete")}
              onClick={() => onDelete(l)}
            >
              ×
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

function SaveDialog({
  open,
  mine,
  onClose,
  onSave,
}: {
  open: boolean;
  mine: Layout[];
  onClose: () => void;
  onSave: (name: string, shared: boolean) => Promise<string | null>;
}) {
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) {
      setError(null);
      setBusy(false);
    }
  }, [open]);
  const submit = async () => {
    const clean = name.trim();
    if (!clean) return;
    setBusy(true);
    try {
      const problem = await onSave(clean, shared);
      setError(problem);
    } catch {
      setError(t("error.unknown", { code: "network" }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      title={t("wall.saveTitle")}
      onClose={onClose}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            {t("wall.cancel")}
          </Button>
          <Button variant="primary" disabled={busy || !name.trim()} onClick={() => void submit()}>
            {t("wall.save")}
          </Button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {error && <Alert tone="error">{error}</Alert>}
        <TextField
          label={t("wall.layoutName")}
          value={name}
          maxLength={100}
          autoFocus
          list="wall-layout-names"
          onChange={(e) => setName(e.target.value)}
        />
        <datalist id="wall-layout-names">
          {mine.map((l) => (
            <option key={l.id} value={l.name} />
          ))}
        </datalist>
        <label className="wall-check">
          <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
          <span>{t("wall.sharedToggle")}</span>
        </label>
      </form>
    </Dialog>
  );
}

function ReasonDialog({
  open,
  initial,
  onClose,
  onSubmit,
}: {
  open: boolean;
  initial: string;
  onClose: () => void;
  onSubmit: (reason: string) => void;
}) {
  const [value, setValue] = useState(initial);
  useEffect(() => {
    if (open) setValue(initial);
  }, [open, initial]);
  return (
    <Dialog
      open={open}
      title={t("wall.reasonTitle")}
      onClose={onClose}
      footer={
        <Button variant="primary" disabled={!value.trim()} onClick={() => onSubmit(value.trim())}>
          {t("wall.reasonSubmit")}
        </Button>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onSubmit(value.trim());
        }}
      >
        <p>{t("wall.reasonHelp")}</p>
        <TextField
          label={t("wall.reasonLabel")}
          value={value}
          maxLength={500}
          autoFocus
          placeholder={t("wall.reasonPlaceholder")}
          onChange={(e) => setValue(e.target.value)}
        />
      </form>
    </Dialog>
  );
}
