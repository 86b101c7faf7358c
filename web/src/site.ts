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
