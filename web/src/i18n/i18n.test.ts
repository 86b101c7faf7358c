import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCREENS } from "../shell/nav";
import { fr } from "./fr";
import { t } from "./index";

const SRC = join(import.meta.dirname, "..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !/\.test\./.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

const ROLES = ["administrator", "supervisor", "operator", "requisition_agent", "external_viewer", "auditor", "technician"];
const STATUSES = ["queued", "running", "done", "failed", "cancelled"];
const API_ERRORS = ["invalid_credentials", "account_locked", "account_disabled", "invalid_mfa_code", "login_challenge_invalid", "not_authenticated", "network"];

describe("French catalogue", () => {
  it("has every key the sources use", () => {
    const missing: string[] = [];
    for (const file of sources(SRC)) {
      const text = readFileSync(file, "utf-8");
      for (const m of text.matchAll(/\bt\(\s*"([^"]+)"/g)) {
        if (!(m[1]! in fr)) missing.push(`${file}: ${m[1]}`);
      }
      for (const m of text.matchAll(/"((?:[a-z]+\.)+[a-zA-Z]+)"\s+as MessageKey|label: "([a-z]+\.[a-zA-Z]+)"/g)) {
        const key = m[1] ?? m[2]!;
        if (!(key in fr)) missing.push(`${file}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("has the keys built at run time: roles, statuses, errors, screens", () => {
    const keys = [
      ...ROLES.map((r) => `role.${r}`),
      ...STATUSES.map((s) => `status.${s}`),
      ...API_ERRORS.map((e) => `error.${e}`),
      ...SCREENS.map((s) => s.label),
      "login.sessionExpired",
      "login.loggedOut",
      "login.passwordChanged",
    ];
    expect(keys.filter((k) => !(k in fr))).toEqual([]);
  });

  it("has no empty message and fills placeholders", () => {
    expect(Object.entries(fr).filter(([, v]) => v.trim() === "")).toEqual([]);
    expect(t("error.account_locked", { minutes: 15 })).toContain("15 min");
    expect(t("home.title", { name: "dupont" })).toBe("Bienvenue, dupont");
  });
});
