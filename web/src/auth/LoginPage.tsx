import { type FormEvent, useEffect, useReducer, useRef, useState } from "react";
import { api, asApiError, csrf, networkError } from "../api/client";
import { describeError } from "../api/errors";
import { Alert, Button, TextField } from "../components/ui";
import { t } from "../i18n";
import { site } from "../site";
import { groupSecret, initialLogin, type LoginNotice, loginReducer } from "./loginFlow";
import { QrCode } from "./QrCode";

export function LoginPage({ notice, onLoggedIn }: { notice: LoginNotice; onLoggedIn: () => void }) {
  const [state, dispatch] = useReducer(loginReducer, notice, initialLogin);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (state.step === "done") {
      csrf.set(state.csrfToken);
      onLoggedIn();
    }
    if (state.step === "totp" || state.step === "enrol") codeRef.current?.focus();
  }, [state, onLoggedIn]);

  async function submitPassword(e: FormEvent) {
    e.preventDefault();
    dispatch({ type: "submit" });
    try {
      const { data, error, response } = await api.POST("/api/auth/login", {
        body: { username, password },
      });
      if (data) dispatch({ type: "answer", body: data });
      else dispatch({ type: "failed", error: asApiError(error, response.status) });
    } catch {
      dispatch({ type: "failed", error: networkError() });
    }
  }

  async function submitCode(e: FormEvent) {
    e.preventDefault();
    if (state.step !== "totp" && state.step !== "enrol") return;
    dispatch({ type: "submit" });
    try {
      const { data, error, response } = await api.POST("/api/auth/login/mfa", {
        body: { challenge: state.challenge, code: code.replace(/\s/g, "") },
      });
      setCode("");
      if (data) dispatch({ type: "answer", body: data });
      else dispatch({ type: "failed", error: asApiError(error, response.status) });
    } catch {
      dispatch({ type: "failed", error: networkError() });
    }
  }

  const error = state.step !== "done" ? state.error : null;
  const busy = state.step !== "done" && state.busy;

  return (
    <div className="login-screen">
      <main className={`login-card ${state.step === "enrol" ? "login-card-wide" : ""}`}>
        <div className="login-brand">
          <Logo />
          <div>
            <div className="login-product">{t("app.name")}</div>
            <div className="login-site">{site.name}</div>
          </div>
        </div>

        {state.step === "credentials" && (
          <form onSubmit={submitPassword} noValidate aria-labelledby="login-title">
            <h1 id="login-title">{t("login.title")}</h1>
            <p className="muted">{t("login.subtitle")}</p>
            {state.notice && !error && (
              <Alert tone={state.notice === "sessionExpired" ? "warning" : "info"}>{t(`login.${state.notice}`)}</Alert>
            )}
            {error && <Alert tone="error">{describeError(error)}</Alert>}
            <TextField
              label={t("login.username")}
              name="username"
              autoComplete="username"
              autoFocus
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
            <TextField
              label={t("login.password")}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <Button type="submit" variant="primary" className="btn-block" disabled={busy || !username || !password}>
              {busy ? t("login.submitting") : t("login.submit")}
            </Button>
          </form>
        )}

        {(state.step === "totp" || state.step === "enrol") && (
          <form onSubmit={submitCode} noValidate aria-labelledby="login-title">
            <h1 id="login-title">{state.step === "enrol" ? t("login.enrolTitle") : t("login.totpTitle")}</h1>
            {state.step === "enrol" ? (
              <div className="enrol">
                <p className="muted">{t("login.enrolHelp")}</p>
                <div className="enrol-grid">
                  <QrCode text={state.uri} label={t("login.enrolQrLabel")} />
                  <div>
                    <div className="field-label">{t("login.enrolSecret")}</div>
                    <code className="secret" data-testid="totp-secret">
                      {groupSecret(state.secret)}
                    </code>
                  </div>
                </div>
              </div>
            ) : (
              <p className="muted">{t("login.totpHelp")}</p>
            )}
            {error && <Alert tone="error">{describeError(error)}</Alert>}
            <TextField
              label={t("login.code")}
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]*"
              maxLength={10}
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
              inputRef={codeRef}
            />
            <Button type="submit" variant="primary" className="btn-block" disabled={busy || code.replace(/\s/g, "").length < 6}>
              {busy ? t("login.submitting") : t("login.verify")}
            </Button>
            <Button variant="ghost" className="btn-block" onClick={() => dispatch({ type: "restart" })}>
              {t("login.back")}
            </Button>
          </form>
        )}
        <p className="login-legal">{t("login.legal")}</p>
      </main>
    </div>
  );
}

export function Logo() {
  return (
    <svg className="logo" viewBox="0 0 32 32" aria-hidden="true">
      <path d="M16 2 4 7v8c0 7.2 5.1 13.4 12 15 6.9-1.6 12-7.8 12-15V7L16 2z" fill="#1f6feb" />
      <circle cx="16" cy="15" r="5.5" fill="none" stroke="#e6edf3" strokeWidth="2" />
      <circle cx="16" cy="15" r="2" fill="#e6edf3" />
    </svg>
  );
}
