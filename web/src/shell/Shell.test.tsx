import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Me } from "../api/client";
import { Shell } from "./Shell";

const supervisor: Me = {
  user_id: 2,
  username: "dupont",
  role: "supervisor",
  permissions: ["audit.read", "registry.read", "video.export", "video.live", "video.playback"],
  video_access: true,
  all_cameras: true,
  camera_group_ids: [],
};

function renderShell(me: Me = supervisor) {
  render(
    <Shell
      me={me}
      onLogout={() => undefined}
      onChangePassword={() => undefined}
      render={(path) => <p data-testid="page">{path}</p>}
    />,
  );
}

const press = (key: string, target: Element | Window = window) =>
  act(() => {
    fireEvent.keyDown(target, { key });
  });

beforeEach(() => window.history.replaceState(null, "", "/"));
afterEach(cleanup);

describe("Shell", () => {
  it("shows the French, role-aware navigation", () => {
    renderShell();
    const nav = screen.getByRole("navigation", { name: "Navigation principale" });
    expect(nav.textContent).toContain("Mur d'images");
    expect(nav.textContent).toContain("Exports");
    expect(nav.textContent).not.toContain("Administration");
    expect(screen.getByTestId("role").textContent).toBe("Superviseur");
  });

  it("navigates with g + letter and ignores screens the role lacks", () => {
    renderShell();
    press("g");
    press("e");
    expect(window.location.pathname).toBe("/exports");
    expect(screen.getByTestId("page").textContent).toBe("/exports");
    press("g");
    press("a"); // administration: not granted
    expect(window.location.pathname).toBe("/exports");
    press("g");
    press("m");
    expect(window.location.pathname).toBe("/mur");
  });

  it("does not fire shortcuts while typing in a field", () => {
    renderShell();
    const input = document.createElement("input");
    document.body.appendChild(input);
    press("g", input);
    press("r", input);
    expect(window.location.pathname).toBe("/");
    input.remove();
  });

  it("opens the shortcuts help with ?", () => {
    renderShell();
    press("?");
    expect(screen.getByText("Raccourcis clavier", { selector: "h2" })).toBeTruthy();
    expect(screen.getByText("Aller aux exports")).toBeTruthy();
  });
});
