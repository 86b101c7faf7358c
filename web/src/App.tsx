import { useCallback, useEffect, useState } from "react";
import { api, csrf, type Me, onSessionExpired } from "./api/client";
import { LoginPage } from "./auth/LoginPage";
import type { LoginNotice } from "./auth/loginFlow";
import { PasswordDialog } from "./auth/PasswordDialog";
import { Spinner } from "./components/ui";
import { t } from "./i18n";
import { AdminPage } from "./admin/AdminPage";
import { WallPage } from "./live/WallPage";
import { MapPage } from "./map/MapPage";
import { disclosureIdOf, ReviewPage } from "./disclosure/ReviewPage";
import { ExportsPage } from "./pages/ExportsPage";
import { JournalPage } from "./pages/JournalPage";
import { PlaybackPage } from "./playback/PlaybackPage";
import { ForbiddenPage, HomePage, NotFoundPage } from "./pages/pages";
import { canSee } from "./shell/nav";
import { Shell } from "./shell/Shell";

type Session = { state: "checking" } | { state: "anonymous"; notice: LoginNotice } | { state: "in"; me: Me };

const RECHECK_MS = 60_000;

export function App() {
  const [session, setSession] = useState<Session>({ state: "checking" });
  const [passwordOpen, setPasswordOpen] = useState(false);

  const loadMe = useCallback(async (noticeIfOut: LoginNotice) => {
    try {
      const { data } = await api.GET("/api/auth/me");
      // Without this tab's CSRF token the session could read but not act: log in again.
      if (data && csrf.get()) setSession({ state: "in", me: data });
      else setSession({ state: "anonymous", notice: noticeIfOut });
    } catch {
      setSession({ state: "anonymous", notice: noticeIfOut });
    }
  }, []);

  useEffect(() => {
    void loadMe(null);
  }, [loadMe]);

  // Any authenticated call answering 401 means the session expired (idle or maximum age).
  useEffect(
    () =>
      onSessionExpired(() => {
        csrf.clear();
        setPasswordOpen(false);
        setSession((s) => (s.state === "in" ? { state: "anonymous", notice: "sessionExpired" } : s));
      }),
    [],
  );

  // Notice an expiry even on a screen that makes no calls.
  const signedIn = session.state === "in";
  useEffect(() => {
    if (!signedIn) return;
    const check = () => void api.GET("/api/auth/me");
    const timer = window.setInterval(check, RECHECK_MS);
    window.addEventListener("focus", check);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener("focus", check);
    };
  }, [signedIn]);

  const logout = useCallback(async (notice: LoginNotice) => {
    try {
      await api.POST("/api/auth/logout");
    } catch {
      /* the session ends locally either way */
    }
    csrf.clear();
    setSession({ state: "anonymous", notice });
  }, []);

  if (session.state === "checking") return <Spinner label={t("common.loading")} />;
  if (session.state === "anonymous") {
    return <LoginPage notice={session.notice} onLoggedIn={() => void loadMe(null)} />;
  }
  const me = session.me;
  return (
    <>
      <Shell
        me={me}
        onLogout={() => void logout("loggedOut")}
        onChangePassword={() => setPasswordOpen(true)}
        render={(path, screen) => {
          if (path === "/" || path === "") return <HomePage me={me} />;
          if (!screen) return <NotFoundPage />;
          if (!canSee(screen, me)) return <ForbiddenPage me={me} />;
          if (screen.id === "wall") return <WallPage me={me} />;
          if (screen.id === "exports") {
            const disclosure = disclosureIdOf(path);
            if (disclosure !== null) return <ReviewPage key={disclosure} id={disclosure} />;
            return path === screen.path ? <ExportsPage /> : <NotFoundPage />;
          }
          if (screen.id === "journal") return <JournalPage canVerify={me.permissions.includes("audit.verify")} />;
          if (screen.id === "playback") return <PlaybackPage />;
          if (screen.id === "map") return <MapPage me={me} />;
          return <AdminPage me={me} />;
        }}
      />
      <PasswordDialog
        open={passwordOpen}
        onClose={() => setPasswordOpen(false)}
        onChanged={() => {
          setPasswordOpen(false);
          csrf.clear();
          setSession({ state: "anonymous", notice: "passwordChanged" });
        }}
      />
    </>
  );
}
