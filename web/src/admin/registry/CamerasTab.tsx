// Administration — cameras: a searchable, filterable table (code, name, zone, status, lawful
// service, kind, retention, conformity of the last recording to the 2007 standard), status
// changes with a journalled reason, and the create / edit form (CameraDialog).
import { useCallback, useEffect, useMemo, useState } from "react";
import type { Me } from "../../api/client";
import { Icon } from "../../components/icons";
import { Badge, Button, EmptyState, TextField } from "../../components/ui";
import { t } from "../../i18n";
import { CameraDialog } from "./CameraDialog";
import {
  CAMERA_STATUSES,
  CAMERA_TONE,
  type Camera,
  type CameraStatus,
  cameraStatusLabel,
  explain,
  formatFps,
  kindLabel,
  type Zone,
} from "./registry";
import { Loaded } from "../shared/Loaded";
import { loadRegistry, type Registry, RegistryToolbar, SelectField, useConformity, useLoad } from "./shared";
import { StatusDialog } from "./StatusDialog";
import "./registry.css";

const PAGE = 50;

export interface CameraFilter {
  text: string;
  status: CameraStatus | "";
  zoneId: string;
  lawful: "" | "yes" | "no";
}

/** The cameras a filter keeps (code, name or address contain the text, case and accents ignored). */
export function filterCameras(cameras: readonly Camera[], filter: CameraFilter): Camera[] {
  const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  const text = fold(filter.text.trim());
  return cameras.filter(
    (c) =>
      (!text || [c.code, c.name, c.address].some((v) => fold(v).includes(text))) &&
      (!filter.status || c.status === filter.status) &&
      (!filter.zoneId || String(c.zone_id) === filter.zoneId) &&
      (!filter.lawful || c.lawful === (filter.lawful === "yes")),
  );
}

export function CamerasTab({ me }: { me: Me }) {
  const [load, reload] = useLoad(useCallback(loadRegistry, []));
  const [filter, setFilter] = useState<CameraFilter>({ text: "", status: "", zoneId: "", lawful: "" });
  const [editing, setEditing] = useState<Camera | "new" | null>(null);
  const [statusOf, setStatusOf] = useState<Camera | null>(null);
  const canWrite = me.permissions.includes("registry.write");
  const canStatus = me.permissions.includes("camera.status");
  const noZone = load.state === "ready" && load.data.zones.length === 0;

  return (
    <div className="reg-tab">
      <RegistryToolbar
        title={t("adminReg.cams.title")}
        onReload={reload}
        newLabel={t("adminReg.cams.new")}
        onNew={canWrite ? () => setEditing("new") : undefined}
        newDisabled={load.state !== "ready" || noZone}
      />
      <Loaded load={load} reload={reload} loadingLabel={t("adminReg.cams.loading")} explain={explain}>
        {(registry) => (
          <>
            <Filters filter={filter} zones={registry.zones} onChange={setFilter} />
            {registry.cameras.length === 0 ? (
              <EmptyState icon={<Icon name="wall" size={40} />} title={t("adminReg.cams.emptyTitle")}>
                <p>{noZone ? t("adminReg.cams.noZone") : t("adminReg.cams.emptyBody")}</p>
              </EmptyState>
            ) : (
              <CameraTable
                registry={registry}
                cameras={filterCameras(registry.cameras, filter)}
                canWrite={canWrite}
                canStatus={canStatus}
                onEdit={setEditing}
                onStatus={setStatusOf}
              />
            )}
            <CameraDialog
              editing={editing}
              registry={registry}
              onClose={() => setEditing(null)}
              onSaved={() => {
                setEditing(null);
                reload();
              }}
            />
          </>
        )}
      </Loaded>
      <StatusDialog
        camera={statusOf}
        onClose={() => setStatusOf(null)}
        onDone={() => {
          setStatusOf(null);
          reload();
        }}
      />
    </div>
  );
}

function Filters({ filter, zones, onChange }: { filter: CameraFilter; zones: Zone[]; onChange: (f: CameraFilter) => void }) {
  return (
    <div className="filters" role="search">
      <TextField
        label={t("adminReg.cams.search")}
        placeholder={t("adminReg.cams.searchPlaceholder")}
        value={filter.text}
        onChange={(e) => onChange({ ...filter, text: e.target.value })}
        type="search"
      />
      <SelectField
        label={t("adminReg.cams.filterStatus")}
        value={filter.status}
        onChange={(e) => onChange({ ...filter, status: e.target.value as CameraStatus | "" })}
      >
        <option value="">{t("adminReg.cams.all")}</option>
        {CAMERA_STATUSES.map((s) => (
          <option key={s} value={s}>
            {cameraStatusLabel(s)}
          </option>
        ))}
      </SelectField>
      <SelectField label={t("adminReg.cams.filterZone")} value={filter.zoneId} onChange={(e) => onChange({ ...filter, zoneId: e.target.value })}>
        <option value="">{t("adminReg.cams.allZones")}</option>
        {zones.map((z) => (
          <option key={z.id} value={z.id}>
            {z.name} ({z.authorisation_reference})
          </option>
        ))}
      </SelectField>
      <SelectField
        label={t("adminReg.cams.filterLawful")}
        value={filter.lawful}
        onChange={(e) => onChange({ ...filter, lawful: e.target.value as CameraFilter["lawful"] })}
      >
        <option value="">{t("adminReg.cams.all")}</option>
        <option value="yes">{t("adminReg.cams.lawfulOnly")}</option>
        <option value="no">{t("adminReg.cams.notLawful")}</option>
      </SelectField>
    </div>
  );
}

function CameraTable({
  registry,
  cameras,
  canWrite,
  canStatus,
  onEdit,
  onStatus,
}: {
  registry: Registry;
  cameras: Camera[];
  canWrite: boolean;
  canStatus: boolean;
  onEdit: (c: Camera) => void;
  onStatus: (c: Camera) => void;
}) {
  const [page, setPage] = useState(0);
  useEffect(() => setPage(0), [cameras.length]);
  const shown = useMemo(() => cameras.slice(page * PAGE, (page + 1) * PAGE), [cameras, page]);
  const zones = new Map(registry.zones.map((z) => [z.id, z]));
  if (cameras.length === 0) {
    return (
      <EmptyState icon={<Icon name="wall" size={40} />} title={t("adminReg.cams.noMatch")}>
        <p />
      </EmptyState>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table" aria-label={t("adminReg.cams.title")}>
        <thead>
          <tr>
            <th scope="col">{t("adminReg.cams.col.code")}</th>
            <th scope="col">{t("adminReg.cams.col.name")}</th>
            <th scope="col">{t("adminReg.cams.col.zone")}</th>
            <th scope="col">{t("adminReg.cams.col.status")}</th>
            <th scope="col" title={t("adminReg.cams.lawfulTitle")}>{t("adminReg.cams.col.lawful")}</th>
            <th scope="col" className="hide-narrow">{t("adminReg.cams.col.kind")}</th>
            <th scope="col">{t("adminReg.cams.col.retention")}</th>
            <th scope="col">{t("adminReg.cams.col.conformity")}</th>
            {(canWrite || canStatus) && <th scope="col" className="col-actions">{t("adminReg.cams.col.actions")}</th>}
          </tr>
        </thead>
        <tbody>
          {shown.map((c) => (
            <tr key={c.id} data-testid={`camera-${c.code}`}>
              <td className="nowrap">
                <span className="code-chip">{c.code}</span>
              </td>
              <td>{c.name}</td>
              <td>{zones.get(c.zone_id)?.name ?? t("adminReg.none")}</td>
              <td className="col-status">
                <Badge tone={CAMERA_TONE[c.status]}>{cameraStatusLabel(c.status)}</Badge>
              </td>
              <td>
                <Badge tone={c.lawful ? "ok" : "muted"}>{c.lawful ? t("adminReg.cams.lawful") : t("adminReg.cams.unlawful")}</Badge>
              </td>
              <td className="hide-narrow">{kindLabel(c.kind)}</td>
              <td className="nowrap">{t("adminReg.days", { n: c.retention_days })}</td>
              <td>
                <ConformityCell cameraId={c.id} />
              </td>
              {(canWrite || canStatus) && (
                <td className="col-actions">
                  {canStatus && (
                    <Button size="sm" onClick={() => onStatus(c)} aria-label={t("adminReg.cams.changeStatusLabel", { code: c.code })}>
                      {t("adminReg.cams.changeStatus")}
                    </Button>
                  )}
                  {canWrite && (
                    <Button size="sm" onClick={() => onEdit(c)} aria-label={t("adminReg.cams.editLabel", { code: c.code })}>
                      {t("adminReg.edit")}
                    </Button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="table-footer pager">
        <span className="muted">{t("adminReg.count", { n: shown.length, total: cameras.length })}</span>
        {cameras.length > PAGE && (
          <span className="reg-pager">
            <Button size="sm" disabled={page === 0} onClick={() => setPage(page - 1)}>
              {t("adminReg.previous")}
            </Button>
            <Button size="sm" disabled={(page + 1) * PAGE >= cameras.length} onClick={() => setPage(page + 1)}>
              {t("adminReg.next")}
            </Button>
          </span>
        )}
      </div>
    </div>
  );
}

function ConformityCell({ cameraId }: { cameraId: number }) {
  const c = useConformity(cameraId);
  if (c.state === "loading") return <span className="muted">…</span>;
  if (c.state === "none") return <span className="muted reg-conf-none">{t("adminReg.cams.noSegment")}</span>;
  if (c.state === "unknown") return <span className="muted">{t("adminReg.cams.conformityUnknown")}</span>;
  const d = c.data;
  return (
    <span className="reg-conf-cell">
      <Badge tone={d.conforming ? "ok" : "error"}>{d.conforming ? t("adminReg.cams.conforming") : t("adminReg.cams.notConforming")}</Badge>
      <span className="cell-note">
        {t("adminReg.cams.confValue", { width: d.width, height: d.height, fps: formatFps(d.fps) })}
      </span>
    </span>
  );
}
