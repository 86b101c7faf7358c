import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LoginPage } from "./LoginPage";

function answer(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
});

async function typeCredentials() {
  fireEvent.change(screen.getByLabelText("Identifiant"), { target: { value: "admin" } });
  fireEvent.change(screen.getByLabelText("Mot de passe"), { target: { value: "secret" } });
  fireEvent.click(screen.getByRole("button", { name: "Se connecter" }));
}

describe("LoginPage", () => {
  it("enrols a TOTP authenticator at first login, then logs in", async () => {
    const calls: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (request: Request) => {
        calls.push(new URL(request.url).pathname);
        if (calls.length === 1) {
          return answer(200, { stage: "enrol", challenge: "ch", provisioning_uri: "otpauth://totp/CSU:admin?secret=JBSWY3DPEHPK3PXP", totp_secret: "JBSWY3DPEHPK3PXP" });
        }
        return answer(200, { stage: "done", csrf_token: "csrf-1", expires_at: "2026-12-02T18:00:00Z" });
      }),
    );
    const onLoggedIn = vi.fn();
    render(<LoginPage notice={null} onLoggedIn={onLoggedIn} />);
    await typeCredentials();
    expect(await screen.findByText("Activer la double authentification")).toBeTruthy();
    expect(screen.getByRole("img", { name: "Code QR de l'authentificateur" })).toBeTruthy();
    expect(screen.getByTestId("totp-secret").textContent).toBe("JBSW Y3DP EHPK 3PXP");
    fireEvent.change(screen.getByLabelText("Code à usage unique"), { target: { value: "123 456" } });
    fireEvent.click(screen.getByRole("button", { name: "Valider" }));
    await waitFor(() => expect(onLoggedIn).toHaveBeenCalled());
    expect(calls).toEqual(["/api/auth/login", "/api/auth/login/mfa"]);
    expect(localStorage.getItem("sentinelle.csrf")).toBe("csrf-1");
  });

  it("says in French what to do when the account is locked", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => answer(403, { code: "account_locked", message: "locked", details: { retry_after_minutes: 15 } })),
    );
    render(<LoginPage notice={null} onLoggedIn={() => undefined} />);
    await typeCredentials();
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Compte verrouillé");
    expect(alert.textContent).toContain("15 min");
  });

  it("shows the session-expired notice", () => {
    render(<LoginPage notice="sessionExpired" onLoggedIn={() => undefined} />);
    expect(screen.getByRole("status").textContent).toContain("Votre session a expiré");
  });
});
