import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Me } from "../../api/client";
import { ToastProvider } from "../../components/toasts";
import { AuthorisationsTab } from "./AuthorisationsTab";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });

const auth = (id: number, reference: string, status: string) => ({
  id,
  reference,
  prefecture: "Préfecture de la Drôme",
  issued_on: "2022-01-10",
  expires_on: "2027-01-09",
  status,
  renewal_file_due_on: "2026-09-09",
  purposes: ["attacks_on_persons_and_property"],
  retention_max_days: 14,
  retention_min_days: null,
  recipients: [],
  camera_limit: null,
  notes: "",
  zone_ids: [],
});

function stubRegistry() {
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const path = new URL(request.url).pathname;
      if (path === "/api/authorisations") {
        return json([auth(1, "2024/DSC/0457", "valid"), auth(2, "2022/DSC/0112", "renewal_due"), auth(3, "2019/DSC/0031", "expired")]);
      }
      if (path === "/api/zones") return json([]);
      return json({ items: [], total: 0, limit: 500, offset: 0 });
    }),
  );
}

const me = (permissions: string[]): Me => ({
  user_id: 1,
  username: "dupont",
  role: "supervisor",
  permissions,
  video_access: true,
  all_cameras: true,
  camera_group_ids: [],
});

describe("AuthorisationsTab", () => {
  it("highlights the renewal due and the expired one, and counts them", async () => {
    stubRegistry();
    render(
      <ToastProvider>
        <AuthorisationsTab me={me(["registry.read", "registry.write"])} />
      </ToastProvider>,
    );
    const table = await screen.findByRole("table", { name: "Autorisations préfectorales" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => r.className)).toEqual(["", "reg-row-warn", "reg-row-error"]);
    expect(screen.getByText("1 autorisation(s) expirée(s) : leurs caméras sont sorties du service légal.")).toBeTruthy();
    expect(screen.getByText(/1 autorisation\(s\) à renouveler/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Nouvelle autorisation" })).toBeTruthy();
    expect(screen.getAllByRole("button", { name: /Modifier l'autorisation/ })).toHaveLength(3);
  });

  it("is read-only without registry.write", async () => {
    stubRegistry();
    render(
      <ToastProvider>
        <AuthorisationsTab me={me(["registry.read"])} />
      </ToastProvider>,
    );
    await screen.findByRole("table", { name: "Autorisations préfectorales" });
    expect(screen.getByText(/Consultation seule/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Nouvelle autorisation" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Modifier l'autorisation/ })).toBeNull();
  });
});
