import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ExportDialog } from "./ExportDialog";
import { MINUTE } from "./geometry";
import { Timeline } from "./Timeline";

const T0 = Date.UTC(2026, 10, 22, 9, 10, 0);

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function answer(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("ExportDialog", () => {
  it("asks for a reason before any call", () => {
    const fetch = vi.fn();
    vi.stubGlobal("fetch", fetch);
    render(<ExportDialog open selection={{ from: T0, to: T0 + MINUTE }} cameraIds={[1]} onClose={() => undefined} />);
    fireEvent.click(screen.getByRole("button", { name: "Lancer l'export" }));
    expect(screen.getAllByText("Le motif est obligatoire.").length).toBeGreaterThan(0);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("sends the request and shows the refusal in French", async () => {
    const bodies: unknown[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (request: Request) => {
        bodies.push(await request.json());
        return answer(403, { code: "habilitation_required", message: "", details: {} });
      }),
    );
    render(<ExportDialog open selection={{ from: T0, to: T0 + MINUTE }} cameraIds={[1, 2]} onClose={() => undefined} />);
    fireEvent.change(screen.getByLabelText("Motif"), { target: { value: "Réquisition judiciaire" } });
    fireEvent.change(screen.getByLabelText("Référence de la réquisition"), { target: { value: "PV 2026/004512" } });
    fireEvent.click(screen.getByRole("button", { name: "Lancer l'export" }));
    expect(await screen.findByText(/habilitation valide/)).toBeTruthy();
    expect(bodies).toEqual([
      {
        camera_ids: [1, 2],
        from: "2026-11-22T09:10:00.000Z",
        to: "2026-11-22T09:11:00.000Z",
        reason: "Réquisition judiciaire",
        requisition: "PV 2026/004512",
        officer: "",
      },
    ]);
  });
});

describe("Timeline", () => {
  const tracks = [
    {
      id: 1,
      code: "CAM-001",
      name: "Place de l'Hôtel de Ville",
      ranges: [{ from: T0, to: T0 + 20_000 }],
      gaps: [{ from: T0 + 20_000, to: T0 + 60_000, reason: "offline" as const }],
    },
  ];

  it("draws ranges, gaps by reason, the selection, and seeks on a click", () => {
    const onSeek = vi.fn();
    render(
      <Timeline
        view={{ start: T0, end: T0 + MINUTE }}
        onView={() => undefined}
        tracks={tracks}
        playhead={T0 + 30_000}
        onSeek={onSeek}
        marked={{ from: T0 + 10_000, to: T0 + 40_000 }}
      />,
    );
    const track = screen.getByTestId("track-CAM-001");
    expect(track.querySelectorAll(".tl-range")).toHaveLength(1);
    expect(track.querySelector(".tl-gap-offline")?.getAttribute("title")).toBe("hors ligne");
    expect(screen.getByTestId("timeline-selection")).toBeTruthy();
    expect(screen.getByTestId("playhead")).toBeTruthy();
    // jsdom lays out nothing: the bar counts as 200 px wide, from x = 0.
    const bars = track.parentElement as HTMLElement;
    fireEvent.pointerDown(bars, { button: 0, clientX: 100 });
    fireEvent.pointerUp(bars, { button: 0, clientX: 100 });
    expect(onSeek).toHaveBeenCalledWith(T0 + 30_000);
  });

  it("pans when dragged instead of seeking", () => {
    const onSeek = vi.fn();
    const onView = vi.fn();
    render(<Timeline view={{ start: T0, end: T0 + MINUTE }} onView={onView} tracks={tracks} playhead={null} onSeek={onSeek} marked={null} />);
    const bars = screen.getByTestId("track-CAM-001").parentElement as HTMLElement;
    fireEvent.pointerDown(bars, { button: 0, clientX: 100 });
    fireEvent.pointerMove(bars, { clientX: 150 });
    fireEvent.pointerUp(bars, { clientX: 150 });
    expect(onSeek).not.toHaveBeenCalled();
    expect(onView).toHaveBeenLastCalledWith({ start: T0 - 15_000, end: T0 + 45_000 });
  });

  it("marks a period with shift + drag", () => {
    const onSeek = vi.fn();
    const onMark = vi.fn();
    render(<Timeline view={{ start: T0, end: T0 + MINUTE }} onView={() => undefined} tracks={tracks} playhead={null} onSeek={onSeek} marked={null} lone={T0} onMark={onMark} />);
    expect(screen.getByTestId("timeline-mark")).toBeTruthy();
    const bars = screen.getByTestId("track-CAM-001").parentElement as HTMLElement;
    fireEvent.pointerDown(bars, { button: 0, clientX: 150, shiftKey: true });
    fireEvent.pointerMove(bars, { clientX: 50 });
    fireEvent.pointerUp(bars, { clientX: 50 });
    expect(onSeek).not.toHaveBeenCalled();
    expect(onMark).toHaveBeenLastCalledWith(T0 + 45_000, T0 + 15_000);
  });
});
