// The review's side panel: the tracks the detectors followed with their frames and times and the
// agent's decision for each (keep visible, hide, dismiss), then the manual regions.
import { useState } from "react";
import { Button, Kbd } from "../components/ui";
import { t } from "../i18n";
import { boxAt, type Decision, effectiveDecision, frameTime, type Region, type ReviewState, type Track } from "./review";

export function trackLabel(track: Track): string {
  if (track.kind !== "face") return t("disclosure.review.person", { id: track.id });
  if (track.parent === null) return t("disclosure.review.face", { id: track.id });
  return t("disclosure.review.faceOf", { id: track.id, parent: track.parent });
}

const DECISIONS: { decision: Decision; label: "disclosure.review.keep" | "disclosure.review.hide" | "disclosure.review.dismiss"; key: string }[] = [
  { decision: "keep", label: "disclosure.review.keep", key: "K" },
  { decision: "hide", label: "disclosure.review.hide", key: "M" },
  { decision: "dismiss", label: "disclosure.review.dismiss", key: "D" },
];

export function TrackList({
  tracks,
  state,
  frame,
  fps,
  selected,
  onSelect,
  onDecide,
  onJump,
}: {
  tracks: readonly Track[];
  state: ReviewState;
  frame: number;
  fps: number;
  selected: number | null;
  onSelect: (id: number) => void;
  onDecide: (id: number, decision: Decision) => void;
  onJump: (frame: number) => void;
}) {
  const [onlyHere, setOnlyHere] = useState(false);
  if (tracks.length === 0) return <p className="muted dr-none">{t("disclosure.review.noTracks")}</p>;
  const shown = onlyHere ? tracks.filter((tr) => tr.id === selected || boxAt(tr, frame) !== null) : tracks;
  return (
    <>
      <label className="dr-track-filter">
        <input type="checkbox" checked={onlyHere} onChange={(e) => setOnlyHere(e.target.checked)} />
        {t("disclosure.review.onlyHere", { shown: shown.length, total: tracks.length })}
      </label>
      <ul className="dr-tracks" aria-label={t("disclosure.review.tracks")}>
        {shown.map((track) => {
          const own = state.decisions[track.id];
          const effective = effectiveDecision(track, state);
          const byParent = own === undefined && effective === "keep"; // a face of a kept person
          const label = trackLabel(track);
          const here = boxAt(track, frame) !== null;
          return (
            <li
              key={track.id}
              className={`dr-track dr-track-${effective} ${track.id === selected ? "dr-track-selected" : ""}`}
              data-testid={`track-${track.id}`}
              aria-current={track.id === selected ? "true" : undefined}
            >
              <div className="dr-track-head">
                <button type="button" className="dr-track-name" onClick={() => onSelect(track.id)}>
                  <span className={`dr-swatch dr-swatch-${effective}`} aria-hidden="true" />
                  {label}
                </button>
                {here && <span className="dr-here">{t("disclosure.review.here")}</span>}
              </div>
              <button type="button" className="dr-span" title={t("disclosure.review.jump")} onClick={() => onJump(track.first_frame)}>
                {t("disclosure.review.span", {
                  first: track.first_frame,
                  last: track.last_frame,
                  from: frameTime(track.first_frame, fps),
                  to: frameTime(track.last_frame, fps),
                })}
              </button>
              {byParent && track.parent !== null && (
                <div className="cell-note">{t("disclosure.review.keptByParent", { parent: track.parent })}</div>
              )}
              <div className="dr-decisions" role="group" aria-label={t("disclosure.review.decision", { label })}>
                {DECISIONS.map((d) => (
                  <button
                    key={d.decision}
                    type="button"
                    className={`dr-decision dr-decision-${d.decision}`}
                    aria-pressed={effective === d.decision}
                    onClick={() => {
                      onSelect(track.id);
                      onDecide(track.id, d.decision);
                    }}
                    title={`${t(d.label)} (${d.key})`}
                  >
                    {t(d.label)}
                  </button>
                ))}
              </div>
            </li>
          );
        })}
      </ul>
    </>
  );
}

export function RegionList({
  regions,
  frames,
  length,
  onLength,
  onChange,
  onDelete,
  onJump,
}: {
  regions: readonly Region[];
  frames: number;
  length: number;
  onLength: (n: number) => void;
  onChange: (region: Region) => void;
  onDelete: (id: string) => void;
  onJump: (frame: number) => void;
}) {
  const last = Math.max(frames - 1, 0);
  return (
    <>
      <div className="dr-region-length">
        <label htmlFor="dr-length">{t("disclosure.review.regionLength")}</label>
        <input id="dr-length" type="number" min={1} max={frames} value={length} onChange={(e) => onLength(Math.max(1, Number(e.target.value) || 1))} />
      </div>
      {regions.length === 0 && (
        <p className="muted dr-none">
          {t("disclosure.review.noRegions")} <Kbd>R</Kbd>
        </p>
      )}
      <ul className="dr-regions">
        {regions.map((region, i) => (
          <li key={region.id} className="dr-region" data-testid={`region-${region.id}`}>
            <button type="button" className="dr-track-name" onClick={() => onJump(region.first_frame)}>
              <span className="dr-swatch dr-swatch-manual" aria-hidden="true" />
              {t("disclosure.review.region", { n: i + 1 })}
            </button>
            <label className="dr-frame-field">
              <span>{t("disclosure.review.regionFirst")}</span>
              <input
                type="number"
                min={0}
                max={last}
                value={region.first_frame}
                onChange={(e) => onChange({ ...region, first_frame: clamp(Number(e.target.value), last) })}
              />
            </label>
            <label className="dr-frame-field">
              <span>{t("disclosure.review.regionLast")}</span>
              <input
                type="number"
                min={0}
                max={last}
                value={region.last_frame}
                onChange={(e) => onChange({ ...region, last_frame: clamp(Number(e.target.value), last) })}
              />
            </label>
            <Button size="sm" variant="ghost" aria-label={t("disclosure.review.regionDelete", { n: i + 1 })} onClick={() => onDelete(region.id)}>
              ×
            </Button>
          </li>
        ))}
      </ul>
    </>
  );
}

function clamp(value: number, last: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.min(last, Math.round(value))) : 0;
}
