// Line icons (inline SVG, 20×20 grid).
const PATHS: Record<string, string> = {
  wall: "M3 4h6v5H3zM11 4h6v5h-6zM3 11h6v5H3zM11 11h6v5h-6z",
  map: "M3 5l4-2 6 2 4-2v12l-4 2-6-2-4 2zM7 3v12M13 5v12",
  playback: "M10 3a7 7 0 1 1-7 7M3 4v4h4M10 6v4l3 2",
  exports: "M10 3v9M6 8l4 4 4-4M4 14v3h12v-3",
  admin: "M10 7a3 3 0 1 0 0 6 3 3 0 0 0 0-6zM10 2v2M10 16v2M2 10h2M16 10h2M4.3 4.3l1.4 1.4M14.3 14.3l1.4 1.4M4.3 15.7l1.4-1.4M14.3 5.7l1.4-1.4",
  journal: "M5 3h9l2 2v12H5zM8 7h5M8 10h5M8 13h3",
  home: "M3 9l7-6 7 6v8h-5v-5H8v5H3z",
  keyboard: "M2 6h16v9H2zM5 9h1M8 9h1M11 9h1M14 9h1M6 12h8",
  logout: "M8 4H4v12h4M12 6l4 4-4 4M16 10H8",
  key: "M7 13a4 4 0 1 1 2.8-1.2L17 19M14 16l2-2",
  clock: "M10 3a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM10 6v4l3 2",
  refresh: "M16 10a6 6 0 1 1-2-4.5M16 3v4h-4",
  download: "M10 3v10M6 9l4 4 4-4M4 17h12",
  inbox: "M3 11l2-7h10l2 7v5H3zM3 11h4l1 2h4l1-2h4",
  lock: "M5 9h10v8H5zM7 9V6a3 3 0 0 1 6 0v3",
};

export function Icon({ name, size = 18 }: { name: string; size?: number }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 20 20"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d={PATHS[name] ?? ""} />
    </svg>
  );
}
