import { useEffect, useState } from "react";
import { t } from "../i18n";

export function formatSiteTime(date: Date, timeZone: string): { date: string; time: string } {
  const day = new Intl.DateTimeFormat("fr-FR", {
    timeZone,
    weekday: "short",
    day: "2-digit",
    month: "short",
    year: "numeric",
  }).format(date);
  const time = new Intl.DateTimeFormat("fr-FR", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
  }).format(date);
  return { date: day, time };
}

/** The site's local time, live (the operator's machine may be set to another zone). */
export function Clock({ timeZone }: { timeZone: string }) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(new Date()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  const { date, time } = formatSiteTime(now, timeZone);
  return (
    <div className="clock" aria-label={t("shell.clockLabel", { zone: timeZone })} title={timeZone}>
      <span className="clock-time" data-testid="clock">
        {time}
      </span>
      <span className="clock-date">{date}</span>
    </div>
  );
}
