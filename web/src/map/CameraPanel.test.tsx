import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { Me } from "../api/client";
import { type Camera, CameraPanel } from "./CameraPanel";
import type { MapState } from "./geometry";
import type { Zone } from "./MapCanvas";

afterEach(cleanup);

const CAMERA = {
  id: 7,
  code: "VSR-007",
  name: "Place du Marché",
  zone_id: 3,
  authorisation_id: 1,
  authorisation_status: "valid",
  lawful: true,
  kind: "fixed",
  placement: "public_road",
  site_category: "market",
  field_of_view: "wide",
  fast_flows: false,
  legal_minimums: { width: 1280, height: 720, fps: 12 },
  latitude: 44.93,
  longitude: 4.89,
  azimuth_deg: 90,
  view_angle_deg: 60,
  view_range_m: 50,
  address: "2 place du Marché",
  main_stream_url: null,
  sub_stream_url: null,
  retention_days: 14,
  commissioned_on: null,
  status: "in_service",
  status_changed_at: "2026-11-22T08:00:00Z",
  group_ids: [],
} as Camera;
const ZONE = { id: 3, authorisation_id: 1, authorisation_reference: "2026/DSC/0001", name: "Centre-ville", description: "", perimeter: null } as Zone;

function me(role: Me["role"], permissions: string[], videoAccess = true): Me {
  return { user_id: 1, username: "u", role, permissions, video_access: videoAccess, all_cameras: true, camera_group_ids: [] };
}

function show(user: Me, state: MapState, camera: Camera = CAMERA, reason: string | null = "") {
  const given: string[] = [];
  render(
    <CameraPanel
      me={user}
      camera={camera}
      state={state}
      recording={undefined}
      zone={ZONE}
      reason={reason}
      onReason={(r) => given.push(r)}
      onClose={() => undefined}
    />,
  );
  return given;
}

describe("CameraPanel", () => {
  it("shows identity, zone and authorisation", () => {
    show(me("technician", ["registry.read", "camera.status"]), "fault");
    expect(screen.getByText("VSR-007")).toBeTruthy();
    expect(screen.getByText("2 place du Marché")).toBeTruthy();
    expect(screen.getByText("Centre-ville")).toBeTruthy();
    expect(screen.getByText("2026/DSC/0001 — valide")).toBeTruthy();
    expect(screen.getByText("En défaut")).toBeTruthy();
  });

  it("tells a role without live view why there is no preview, and offers no wall", () => {
    show(me("technician", ["registry.read", "camera.status"]), "recording");
    expect(screen.getByTestId("map-preview-blocked").textContent).toContain("vue en direct");
    expect(screen.queryByRole("button", { name: "Voir sur le mur" })).toBeNull();
    expect(screen.queryByTestId("map-preview")).toBeNull();
  });

  it("refuses images without a valid habilitation, and of a camera not lawfully in service", () => {
    show(me("operator", ["registry.read", "video.live", "video.playback"], false), "recording");
    expect(screen.getByTestId("map-preview-blocked").textContent).toContain("habilitation");
    cleanup();
    show(me("operator", ["registry.read", "video.live", "video.playback"]), "out_of_service", { ...CAMERA, lawful: false });
    expect(screen.getByTestId("map-preview-blocked").textContent).toContain("CSI L252-1");
    expect(screen.getByRole("button", { name: "Voir sur le mur" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Relecture" })).toBeTruthy();
  });

  it("asks an external viewer for a reason before any preview", () => {
    const given = show(me("external_viewer", ["registry.read", "video.live"]), "recording", CAMERA, null);
    expect(screen.queryByTestId("map-preview")).toBeNull();
    const start = screen.getByRole("button", { name: "Afficher l'aperçu" }) as HTMLButtonElement;
    expect(start.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText("Motif de la consultation"), { target: { value: "  PV 2026/12  " } });
    fireEvent.click(start);
    expect(given).toEqual(["PV 2026/12"]);
  });
});
