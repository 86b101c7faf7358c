// The wall's layout state: a grid of 1, 4, 9 or 16 tiles, the camera of each (or none).
// Sixteen slots are kept whatever the grid: shrinking hides tiles, growing shows them again.
export const GRIDS = [1, 4, 9, 16] as const;
export type Grid = (typeof GRIDS)[number];
export const SLOTS = 16;

export interface WallState {
  grid: Grid;
  tiles: (number | null)[]; // always SLOTS long
}

export function isGrid(n: unknown): n is Grid {
  return typeof n === "number" && (GRIDS as readonly number[]).includes(n);
}

export function emptyWall(grid: Grid = 4): WallState {
  return { grid, tiles: Array<number | null>(SLOTS).fill(null) };
}

/** A state from saved tiles (a layout, localStorage): padded, a camera kept only once. */
export function fromTiles(grid: number, tiles: readonly (number | null | undefined)[]): WallState {
  const state = emptyWall(isGrid(grid) ? grid : 4);
  const seen = new Set<number>();
  tiles.slice(0, SLOTS).forEach((id, i) => {
    if (typeof id === "number" && Number.isInteger(id) && !seen.has(id)) {
      seen.add(id);
      state.tiles[i] = id;
    }
  });
  return state;
}

export function setGrid(state: WallState, grid: Grid): WallState {
  return { grid, tiles: state.tiles.slice() };
}

/** The visible tiles, row by row. */
export function visibleTiles(state: WallState): (number | null)[] {
  return state.tiles.slice(0, state.grid);
}

/** Put a camera on a tile; if it was on another tile it leaves it (a camera is shown once). */
export function place(state: WallState, index: number, cameraId: number): WallState {
  if (index < 0 || index >= SLOTS) return state;
  const tiles = state.tiles.map((id) => (id === cameraId ? null : id));
  tiles[index] = cameraId;
  return { grid: state.grid, tiles };
}

/** Move a tile's camera onto another tile; the two swap. */
export function moveTile(state: WallState, from: number, to: number): WallState {
  if (from === to || from < 0 || to < 0 || from >= SLOTS || to >= SLOTS) return state;
  const tiles = state.tiles.slice();
  [tiles[from], tiles[to]] = [tiles[to] ?? null, tiles[from] ?? null];
  return { grid: state.grid, tiles };
}

export function clearTile(state: WallState, index: number): WallState {
  const tiles = state.tiles.slice();
  tiles[index] = null;
  return { grid: state.grid, tiles };
}

/** The first visible empty tile, or null when the grid is full. */
export function firstEmpty(state: WallState): number | null {
  const i = visibleTiles(state).indexOf(null);
  return i < 0 ? null : i;
}

/** What a saved layout holds: the visible tiles only. */
export function toLayout(state: WallState): { grid: Grid; tiles: (number | null)[] } {
  return { grid: state.grid, tiles: visibleTiles(state) };
}

const STORAGE_KEY = "sentinelle.wall.last";

export function saveLast(state: WallState, storage: Storage = localStorage): void {
  try {
    storage.setItem(STORAGE_KEY, JSON.stringify(state));
  } catch {
    /* private mode, quota: the wall works without */
  }
}

export function loadLast(storage: Storage = localStorage): WallState | null {
  try {
    const raw = storage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as { grid?: unknown; tiles?: unknown };
    if (!isGrid(value.grid) || !Array.isArray(value.tiles)) return null;
    return fromTiles(value.grid, value.tiles as (number | null)[]);
  } catch {
    return null;
  }
}
