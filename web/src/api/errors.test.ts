import { describe, expect, it } from "vitest";
import type { ApiError } from "./client";
import { describeError } from "./errors";

const error = (code: string, status: number): ApiError => ({ code, message: "", details: {}, status });

describe("describeError", () => {
  it("gives the catalogue's text of a known code", () => {
    expect(describeError(error("reason_required", 422))).toContain("motif");
  });

  it("falls back on the kind of error, in French, naming the code", () => {
    expect(describeError(error("zone_not_found", 404))).toBe(
      "Élément introuvable (zone_not_found) : il a peut-être été supprimé. Rechargez la page.",
    );
    expect(describeError(error("camera_out_of_scope", 403))).toMatch(/^Accès refusé \(camera_out_of_scope\)/);
    expect(describeError(error("zone_name_taken", 409))).toMatch(/^Opération impossible/);
    expect(describeError(error("invalid_period", 422))).toMatch(/^Saisie refusée/);
    expect(describeError(error("probe_unreachable", 503))).toMatch(/^Service momentanément indisponible/);
    expect(describeError(error("worker_exploded", 500))).toMatch(/^Erreur inattendue \(worker_exploded\)/);
  });
});
