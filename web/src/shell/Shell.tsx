import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Me } from "../api/client";
import { Icon } from "../components/icons";
import { Dialog, Kbd } from "../components/ui";
import { Logo } from "../auth/LoginPage";
import { type MessageKey, t } from "../i18n";
import { site } from "../site";
import { Clock } from "./Clock";
import { canSee, SCREENS, type Screen, screenOfPath, visibleScreens } from "./nav";
import { navigate, usePath } from "./router";
import { isTyping, ShortcutMatcher } from "./shortcuts";

const SHORTCUT_LABELS: Record<string, MessageKey> = {
  wall: "shortcuts.goWall",
  map: "shortcuts.goMap",
  playback: "shortcuts.goPlayback",
  exports: "shortcuts.goExports",
  admin: "shortcuts.goAdmin",
  journal: "shortcuts.goJournal",
};

export function Shell({
  me,
  onLogout,
  onChangePassword,
  render,
}: {
  me: Me;
  onLogout: () => void;
  onChangePassword: () => void;
  render: (path: string, screen: Screen | undefined) => ReactNode;
}) {
  const path = usePath();
  const screens = useMemo(() => visibleScreens(me), [me]);
  const [helpOpen, setHelpOpen] = useState(false);
  const mainRef = useRef<HTMLElement>(null);

  const matcher = useMemo(
    () =>
      new ShortcutMatcher([
        { keys: ["?"], action: "help" },
        { keys: ["g", "h"], action: "home" },
        ...SCREENS.map((s) => ({ keys: ["g", s.key], action: s.id })),
      ]),
    [],
  );

  const run = useCallback(
    (action: string) => {
      if (action === "help") return setHelpOpen(true);
      if (action === "home") return navigate("/");
      const screen = SCREENS.find((s) => s.id === action);
      if (screen && canSee(screen, me)) navigate(screen.path);
    },
    [me],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (document.querySelector("dialog[open]")) return;
      const action = matcher.feed(e.key);
      if (action) {
        e.preventDefault();
        run(action);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [matcher, run]);

  useEffect(() => {
    mainRef.current?.focus({ preventScroll: true });
  }, [path]);

  const current = screenOfPath(path);
  return (
    <div className="shell">
      <a className="skip-link" href="#contenu">
        {t("shell.skip")}
      </a>
      <header className="topbar">
        <a
          className="topbar-brand"
          href="/"
          onClick={(e) => {
            e.preventDefault();
            navigate("/");
          }}
        >
          <Logo />
          <span className="topbar-product">{t("app.name")}</span>
          <span className="topbar-sep" aria-hidden="true" />
          <span className="topbar-site" data-testid="site-name">
            {site.name}
          </span>
        </a>
        <div className="topbar-spacer" />
        <Clock timeZone={site.timezone} />
        <button type="button" className="topbar-btn" onClick={() => setHelpOpen(true)} title={t("shell.shortcutsButton")}>
          <Icon name="keyboard" />
          <span className="sr-only">{t("shell.shortcutsButton")}</span>
        </button>
        <div className="topbar-user" data-testid="user">
          <span className="avatar" aria-hidden="true">
            {me.username.slice(0, 2).toUpperCase()}
          </span>
          <span className="user-text">
            <span className="user-name">{me.username}</span>
            <span className="user-role" data-testid="role">
              {t(`role.${me.role}`)}
              {!me.video_access && me.permissions.some((p) => p.startsWith("video.")) ? ` · ${t("shell.noVideo")}` : ""}
            </span>
          </span>
        </div>
        <button type="button" className="topbar-btn" onClick={onChangePassword} title={t("shell.changePassword")}>
          <Icon name="key" />
          <span className="sr-only">{t("shell.changePassword")}</span>
        </button>
        <button type="button" className="topbar-btn topbar-logout" onClick={onLogout} title={t("shell.logout")} aria-label={t("shell.logout")}>
          <Icon name="logout" />
          <span className="topbar-logout-text">{t("shell.logout")}</span>
        </button>
      </header>
      <nav className="sidenav" aria-label={t("shell.navLabel")}>
        <ul>
          {screens.map((screen) => (
            <li key={screen.id}>
              <a
                href={screen.path}
                title={t(screen.label)}
                className={current?.id === screen.id ? "active" : ""}
                aria-current={current?.id === screen.id ? "page" : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(screen.path);
                }}
              >
                <Icon name={screen.icon} />
                <span className="sidenav-label">{t(screen.label)}</span>
                <Kbd>g {screen.key}</Kbd>
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="contenu" className="content" ref={mainRef} tabIndex={-1}>
        {render(path, current)}
      </main>
      <Dialog open={helpOpen} title={t("shortcuts.title")} onClose={() => setHelpOpen(false)}>
        <table className="shortcuts">
          <tbody>
            <tr>
              <td>
                <Kbd>?</Kbd>
              </td>
              <td>{t("shortcuts.help")}</td>
            </tr>
            <tr>
              <td>
                <Kbd>g</Kbd> {t("shortcuts.then")} <Kbd>h</Kbd>
              </td>
              <td>{t("shortcuts.goHome")}</td>
            </tr>
            {SCREENS.map((s) => (
              <tr key={s.id} className={canSee(s, me) ? "" : "disabled"}>
                <td>
                  <Kbd>g</Kbd> {t("shortcuts.then")} <Kbd>{s.key}</Kbd>
                </td>
                <td>
                  {t(SHORTCUT_LABELS[s.id] ?? "nav.home")}
                  {!canSee(s, me) && <span className="muted"> — {t("shortcuts.unavailable")}</span>}
                </td>
              </tr>
            ))}
            <tr>
              <td>
                <Kbd>Échap</Kbd>
              </td>
              <td>{t("shortcuts.escape")}</td>
            </tr>
          </tbody>
        </table>
      </Dialog>
    </div>
  );
}
