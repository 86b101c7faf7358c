// Administration — privacy masks (rule 3, CSI L251-3): pick a camera, draw its masks over its
// current picture (habilitated administrators) or a neutral frame, preview them as recorded,
// save a new version with a reason, choose camera or server masking, confirm a repair after a
// failed audit, and read the history and the last audits. `?camera=<id>` selects a camera.
import { useCallback, useEffect, useMemo, useState } from "react";
import type { Me } from "../../api/client";
import { Icon } from "../../components/icons";
import { EmptyState, ErrorState, Spinner, TextField } from "../../components/ui";
import { t } from "../../i18n";
import type { Camera } from "../registry/registry";
import { allCameras, useLoad } from "../registry/shared";
import { MaskEditor } from "./MaskEditor";
import { explainMask } from "./masks";
import "./privacy.css";

const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

export function MasksTab({ me }: { me: Me }) {
  const [load, reload] = useLoad(useCallback(allCameras, []));
  const [text, setText] = useState("");
  const [selected, setSelected] = useState<number | null>(() => Number(new URLSearchParams(window.location.search).get("camera")) || null);
  const canWrite = me.permissions.includes("registry.write");
  const cameras = load.state === "ready" ? load.data : [];
  const shown = useMemo(
    () => cameras.filter((c) => !text.trim() || [c.code, c.name, c.address].some((v) => fold(v).includes(fold(text.trim())))),
    [cameras, text],
  );
  const camera = cameras.find((c) => c.id === selected) ?? null;

  useEffect(() => {
    if (selected === null) return;
    const url = new URL(window.location.href);
    url.searchParams.set("camera", String(selected));
    window.history.replaceState(null, "", url);
  }, [selected]);

  if (load.state === "loading") return <Spinner label={t("privacy.cameras.loading")} />;
  if (load.state === "error") return <ErrorState message={explainMask(load.error)} onRetry={reload} />;
  if (cameras.length === 0)
    return (
      <EmptyState icon={<Icon name="wall" size={40} />} title={t("privacy.cameras.emptyTitle")}>
        <p>{t("privacy.cameras.emptyBody")}</p>
      </EmptyState>
    );
  return (
    <div className="mk-layout">
      <aside className="mk-picker" aria-label={t("privacy.cameras.title")}>
        <TextField
          label={t("privacy.cameras.search")}
          placeholder={t("privacy.cameras.searchPlaceholder")}
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <ul className="mk-camera-list">
          {shown.map((c) => (
            <CameraItem key={c.id} camera={c} active={c.id === selected} onPick={() => setSelected(c.id)} />
          ))}
          {shown.length === 0 && <li className="mk-muted">{t("privacy.cameras.noMatch")}</li>}
        </ul>
      </aside>
      <div className="mk-main">
        {camera ? (
          <MaskEditor key={camera.id} camera={camera} canWrite={canWrite} />
        ) : (
          <EmptyState icon={<Icon name="lock" size={40} />} title={t("privacy.pick.title")}>
            <p>{t("privacy.pick.body")}</p>
          </EmptyState>
        )}
      </div>
    </div>
  );
}

function CameraItem({ camera, active, onPick }: { camera: Camera; active: boolean; onPick: () => void }) {
  return (
    <li>
      <button type="button" className={`mk-camera${active ? " mk-camera-active" : ""}`} aria-current={active || undefined} onClick={onPick}>
        <span className="mk-camera-code">{camera.code}</span>
        <span className="mk-camera-name">{camera.name}</span>
      </button>
    </li>
  );
}
