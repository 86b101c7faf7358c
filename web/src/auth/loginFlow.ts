// The login flow as a pure state machine: password, then a TOTP code or a TOTP enrolment.
import type { ApiError, LoginOut } from "../api/client";

export type LoginNotice = "sessionExpired" | "loggedOut" | "passwordChanged" | null;

export type LoginState =
  | { step: "credentials"; busy: boolean; error: ApiError | null; notice: LoginNotice }
  | { step: "totp"; challenge: string; busy: boolean; error: ApiError | null }
  | {
      step: "enrol";
      challenge: string;
      uri: string;
      secret: string;
      busy: boolean;
      error: ApiError | null;
    }
  | { step: "done"; csrfToken: string };

export type LoginEvent =
  | { type: "submit" }
  | { type: "answer"; body: LoginOut }
  | { type: "failed"; error: ApiError }
  | { type: "restart"; error?: ApiError | null };

export function initialLogin(notice: LoginNotice = null): LoginState {
  return { step: "credentials", busy: false, error: null, notice };
}

export function loginReducer(state: LoginState, event: LoginEvent): LoginState {
  if (state.step === "done") return state;
  switch (event.type) {
    case "submit":
      return { ...state, busy: true, error: null };
    case "restart":
      return { step: "credentials", busy: false, error: event.error ?? null, notice: null };
    case "failed":
      // A step that expired on the server cannot be retried: back to the password.
      if (event.error.code === "login_challenge_invalid") {
        return { step: "credentials", busy: false, error: event.error, notice: null };
      }
      return { ...state, busy: false, error: event.error };
    case "answer": {
      const body = event.body;
      if (body.stage === "done" && body.csrf_token) {
        return { step: "done", csrfToken: body.csrf_token };
      }
      if (body.stage === "totp" && body.challenge) {
        return { step: "totp", challenge: body.challenge, busy: false, error: null };
      }
      if (body.stage === "enrol" && body.challenge && body.provisioning_uri && body.totp_secret) {
        return {
          step: "enrol",
          challenge: body.challenge,
          uri: body.provisioning_uri,
          secret: body.totp_secret,
          busy: false,
          error: null,
        };
      }
      return {
        ...state,
        busy: false,
        error: { code: "unexpected_login_answer", message: "", details: {}, status: 200 },
      };
    }
  }
}

/** The secret in groups of four, easier to type by hand. */
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})/g, "$1 ").trim();
}
