// The site's name and time zone, written into index.html by the server that serves it.
function meta(name: string, fallback: string): string {
  const value = document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? "";
  return value && !value.startsWith("__SENTINELLE_") ? value : fallback;
}

export const site = {
  get name(): string {
    return meta("sentinelle-site-name", "Centre de supervision urbain");
  },
  get timezone(): string {
    return meta("sentinelle-site-timezone", "Europe/Paris");
  },
};

/** An instant as the site's local date and time, `dd/mm/yyyy hh:mm:ss` (with `tenths`, one
 * decimal of the second): how every screen writes times. */
export function siteDateTime(instant: string | number | Date, tenths = false): string {
  return new Intl.DateTimeFormat("fr-FR", {
    timeZone: site.timezone,
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    ...(tenths ? { fractionalSecondDigits: 1 as const } : {}),
  }).format(new Date(instant));
}
