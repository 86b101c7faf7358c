import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ProbePanel } from "./ProbePanel";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function answer(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

const BODY = { url: " rtsp://10.0.0.7/main ", field_of_view: "wide" as const, fast_flows: false };

const RESULT = {
  url: "rtsp://10.0.0.7/main",
  codec: "h264",
  width: 320,
  height: 240,
  fps: 5,
  frames_measured: 6,
  legal_minimums: { width: 352, height: 288, fps: 6 },
  conforming: false,
  problems: ["resolution 320×240 below 352×288", "frame rate 5.0 fps below 6 fps"],
};

function stub(status: number, body: unknown): unknown[] {
  const sent: unknown[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      sent.push(await request.json());
      return answer(status, body);
    }),
  );
  return sent;
}

describe("ProbePanel", () => {
  it("cannot test without an address", () => {
    render(<ProbePanel body={{ ...BODY, url: "" }} />);
    expect((screen.getByRole("button", { name: "Tester le flux" }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/Saisissez l'adresse rtsp/)).toBeTruthy();
  });

  it("shows the properties, the problems in French and withholds the image", async () => {
    const sent = stub(200, { ...RESULT, preview: { available: false, jpeg_base64: null, reason: "habilitation_required" } });
    render(<ProbePanel body={BODY} />);
    fireEvent.click(screen.getByRole("button", { name: "Tester le flux" }));
    expect(await screen.findByText("Non conforme à l'arrêté du 3 août 2007")).toBeTruthy();
    expect(screen.getByText("H.264 (AVC)")).toBeTruthy();
    expect(screen.getByText("Résolution 320×240 inférieure au minimum 352×288.")).toBeTruthy();
    expect(screen.getByText(/Aperçu réservé aux personnels habilités/)).toBeTruthy();
    expect(screen.queryByRole("img")).toBeNull();
    expect(sent).toEqual([{ ...BODY, url: "rtsp://10.0.0.7/main" }]);
    expect(screen.getByRole("button", { name: "Rafraîchir" })).toBeTruthy();
  });

  it("shows the keyframe to habilitated staff", async () => {
    stub(200, {
      ...RESULT,
      width: 704,
      height: 576,
      fps: 12,
      conforming: true,
      problems: [],
      preview: { available: true, jpeg_base64: "/9j/AAAA", reason: null },
    });
    render(<ProbePanel body={BODY} />);
    fireEvent.click(screen.getByRole("button", { name: "Tester le flux" }));
    const img = (await screen.findByRole("img", { name: "Aperçu du flux testé (première image clé)" })) as HTMLImageElement;
    expect(img.src).toBe("data:image/jpeg;base64,/9j/AAAA");
    expect(screen.getByText("Conforme à l'arrêté du 3 août 2007")).toBeTruthy();
  });

  it("says what went wrong and what to do", async () => {
    stub(503, { code: "probe_timeout", message: "no keyframe within 8 s", details: { timeout_seconds: 8 } });
    render(<ProbePanel body={BODY} />);
    fireEvent.click(screen.getByRole("button", { name: "Tester le flux" }));
    expect(await screen.findByText(/La caméra ne répond pas/)).toBeTruthy();
  });
});
