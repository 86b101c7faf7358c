// Drawing a zone's perimeter on the map (registry.write): pick a zone, click its vertices,
// finish (saved with PATCH /api/zones/{id}); Backspace removes the last vertex, Escape cancels.
import { useEffect, useRef, useState } from "react";
import { api, asApiError, type ApiError, networkError } from "../api/client";
import { describeError } from "../api/errors";
import { useToast } from "../components/toasts";
import { Alert, Button, Kbd } from "../components/ui";
import { hasMessage, t } from "../i18n";
import { type LatLon, polygonOf, selfIntersects } from "./geometry";
import type { Zone } from "./MapCanvas";

/** What to say about a refused perimeter (the map's own codes first). */
export function describeMapError(error: ApiError): string {
  const key = `map.error.${error.code}`;
  return hasMessage(key) ? t(key) : describeError(error);
}

export interface Drawing {
  zone: Zone;
  vertices: LatLon[];
}

async function savePerimeter(zone: Zone, vertices: LatLon[] | null): Promise<Zone | ApiError> {
  try {
    const { data, error, response } = await api.PATCH("/api/zones/{zone_id}", {
      params: { path: { zone_id: zone.id } },
      body: { perimeter: vertices ? polygonOf(vertices) : null, reason: "" },
    });
    return data ?? asApiError(error, response.status);
  } catch {
    return networkError();
  }
}

/** The zone picker and its buttons (above the camera list). */
export function ZonePicker({
  zones,
  chosenId,
  onChoose,
  onDraw,
  onSaved,
  disabled,
}: {
  zones: readonly Zone[];
  chosenId: number | null;
  onChoose: (zoneId: number) => void;
  onDraw: (zone: Zone) => void;
  onSaved: (zone: Zone) => void;
  disabled: boolean;
}) {
  const toast = useToast();
  const [error, setError] = useState<string | null>(null);
  const zone = zones.find((z) => z.id === chosenId) ?? null;
  if (zones.length === 0) return <p className="muted map-side-note">{t("map.zone.none")}</p>;
  return (
    <div className="map-zone-tools">
      <label className="map-zone-label-field">
        <span>{t("map.zone.choose")}</span>
        <select value={chosenId ?? ""} disabled={disabled} onChange={(e) => onChoose(Number(e.target.value))} data-testid="zone-select">
          {zones.map((z) => (
            <option key={z.id} value={z.id}>
              {z.perimeter ? z.name : t("map.zone.noPerimeter", { name: z.name })}
            </option>
          ))}
        </select>
      </label>
      <div className="map-zone-buttons">
        <Button size="sm" disabled={disabled || !zone} onClick={() => zone && onDraw(zone)} data-testid="zone-draw">
          {zone?.perimeter ? t("map.zone.redraw") : t("map.zone.draw")}
        </Button>
        {zone?.perimeter && (
          <Button
            size="sm"
            variant="ghost"
            disabled={disabled}
            onClick={async () => {
              const saved = await savePerimeter(zone, null);
              if ("id" in saved) {
                setError(null);
                onSaved(saved);
                toast("success", t("map.zone.removed", { name: zone.name }));
              } else setError(describeMapError(saved));
            }}
          >
            {t("map.zone.remove")}
          </Button>
        )}
      </div>
      {error && <Alert tone="error">{error}</Alert>}
    </div>
  );
}

/** The banner over the map while a perimeter is drawn. */
export function DrawingBar({
  drawing,
  onUndo,
  onCancel,
  onSaved,
}: {
  drawing: Drawing;
  onUndo: () => void;
  onCancel: () => void;
  onSaved: (zone: Zone) => void;
}) {
  const toast = useToast();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const n = drawing.vertices.length;
  const crossing = selfIntersects(drawing.vertices);
  const finish = async () => {
    if (n < 3) return setError(t("map.zone.tooFew"));
    if (crossing) return setError(t("map.zone.crossing"));
    setSaving(true);
    const saved = await savePerimeter(drawing.zone, drawing.vertices);
    setSaving(false);
    if ("id" in saved) {
      toast("success", t("map.zone.saved", { name: drawing.zone.name }));
      onSaved(saved);
    } else setError(describeMapError(saved));
  };
  const keys = useRef({ finish, onUndo, onCancel });
  keys.current = { finish, onUndo, onCancel };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (el && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA")) return;
      const action = { Enter: keys.current.finish, Backspace: keys.current.onUndo, Escape: keys.current.onCancel }[e.key];
      if (!action) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      void action();
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, []);
  return (
    <div className="map-drawing" role="region" aria-label={t("map.zone.drawingTitle", { name: drawing.zone.name })} data-testid="zone-drawing">
      <div className="map-drawing-text">
        <div className="map-drawing-title">
          <strong>{t("map.zone.drawingTitle", { name: drawing.zone.name })}</strong>
          <span className="map-drawing-count" data-testid="zone-vertices">
            {t("map.zone.points", { n })}
          </span>
        </div>
        <span>{t("map.zone.drawingHelp")}</span>
        <span className="map-drawing-keys">
          <Kbd>Entrée</Kbd> {t("map.zone.keyFinish")} · <Kbd>⌫</Kbd> {t("map.zone.keyUndo")} · <Kbd>Échap</Kbd> {t("map.zone.keyCancel")}
        </span>
        {(error || crossing) && <Alert tone="error">{crossing ? t("map.zone.crossing") : error}</Alert>}
      </div>
      <div className="map-drawing-buttons">
        <Button size="sm" variant="ghost" disabled={n === 0 || saving} onClick={onUndo}>
          {t("map.zone.undo")}
        </Button>
        <Button size="sm" variant="ghost" disabled={saving} onClick={onCancel}>
          {t("map.zone.cancel")}
        </Button>
        <Button size="sm" variant="primary" disabled={n < 3 || crossing || saving} onClick={() => void finish()} data-testid="zone-finish">
          {t("map.zone.finish")}
        </Button>
      </div>
    </div>
  );
}

