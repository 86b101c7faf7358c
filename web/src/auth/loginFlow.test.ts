import { describe, expect, it } from "vitest";
import { groupSecret, initialLogin, type LoginState, loginReducer } from "./loginFlow";

const err = (code: string) => ({ code, message: "", details: {}, status: 401 });

describe("login flow", () => {
  it("goes from the password to a TOTP code, then done", () => {
    let s: LoginState = initialLogin();
    s = loginReducer(s, { type: "submit" });
    expect(s).toMatchObject({ step: "credentials", busy: true });
    s = loginReducer(s, { type: "answer", body: { stage: "totp", challenge: "c1" } });
    expect(s).toEqual({ step: "totp", challenge: "c1", busy: false, error: null });
    s = loginReducer(s, { type: "submit" });
    s = loginReducer(s, { type: "answer", body: { stage: "done", csrf_token: "x" } });
    expect(s).toEqual({ step: "done", csrfToken: "x" });
  });

  it("shows the enrolment with its URI and secret", () => {
    const s = loginReducer(initialLogin(), {
      type: "answer",
      body: { stage: "enrol", challenge: "c", provisioning_uri: "otpauth://totp/x", totp_secret: "ABCD" },
    });
    expect(s).toMatchObject({ step: "enrol", uri: "otpauth://totp/x", secret: "ABCD" });
  });

  it("keeps the step on a wrong code, returns to the password when the step expired", () => {
    const totp: LoginState = { step: "totp", challenge: "c", busy: true, error: null };
    expect(loginReducer(totp, { type: "failed", error: err("invalid_mfa_code") })).toMatchObject({
      step: "totp",
      busy: false,
      error: { code: "invalid_mfa_code" },
    });
    expect(loginReducer(totp, { type: "failed", error: err("login_challenge_invalid") })).toMatchObject({
      step: "credentials",
      error: { code: "login_challenge_invalid" },
    });
  });

  it("carries the notice (session expired) until the first error", () => {
    const s = initialLogin("sessionExpired");
    expect(s).toMatchObject({ notice: "sessionExpired" });
    expect(loginReducer(s, { type: "failed", error: err("invalid_credentials") })).toMatchObject({
      error: { code: "invalid_credentials" },
    });
  });

  it("refuses an answer it does not understand", () => {
    const s = loginReducer(initialLogin(), { type: "answer", body: { stage: "totp" } });
    expect(s).toMatchObject({ step: "credentials", error: { code: "unexpected_login_answer" } });
  });

  it("groups the secret by four", () => {
    expect(groupSecret("ABCDEFGHIJ")).toBe("ABCD EFGH IJ");
  });
});
