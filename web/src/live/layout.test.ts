import { describe, expect, it } from "vitest";
import {
  clearTile,
  emptyWall,
  firstEmpty,
  fromTiles,
  loadLast,
  moveTile,
  place,
  saveLast,
  setGrid,
  SLOTS,
  toLayout,
  visibleTiles,
} from "./layout";

const cams = (s: { tiles: (number | null)[] }) => s.tiles.filter((id): id is number => id !== null);

describe("wall layout state", () => {
  it("resizing the grid keeps the tiles", () => {
    let s = place(place(emptyWall(4), 0, 11), 3, 14);
    s = setGrid(s, 1);
    expect(visibleTiles(s)).toEqual([11]);
    s = setGrid(s, 9);
    expect(visibleTiles(s).slice(0, 4)).toEqual([11, null, null, 14]);
    expect(s.tiles).toHaveLength(SLOTS);
    expect(toLayout(setGrid(s, 4))).toEqual({ grid: 4, tiles: [11, null, null, 14] });
  });

  it("moving a camera removes it from its old tile, never twice on the wall", () => {
    let s = place(emptyWall(4), 0, 7);
    s = place(s, 2, 7);
    expect(visibleTiles(s)).toEqual([null, null, 7, null]);
    s = place(s, 2, 8);
    expect(visibleTiles(s)).toEqual([null, null, 8, null]);
    expect(new Set(cams(s)).size).toBe(cams(s).length);
  });

  it("moving a tile onto another swaps them", () => {
    const s = moveTile(place(place(emptyWall(4), 0, 1), 1, 2), 0, 1);
    expect(visibleTiles(s)).toEqual([2, 1, null, null]);
  });

  it("clears a tile and finds the first empty one", () => {
    let s = place(place(emptyWall(4), 0, 1), 1, 2);
    expect(firstEmpty(s)).toBe(2);
    s = clearTile(s, 0);
    expect(firstEmpty(s)).toBe(0);
    expect(firstEmpty(fromTiles(1, [5]))).toBeNull();
  });

  it("a saved layout with a camera twice or a bad grid is repaired", () => {
    const s = fromTiles(5, [3, 3, null, 4]);
    expect(s.grid).toBe(4);
    expect(visibleTiles(s)).toEqual([3, null, null, 4]);
  });

  it("remembers the last wall in storage", () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    } as unknown as Storage;
    expect(loadLast(storage)).toBeNull();
    saveLast(place(emptyWall(9), 8, 42), storage);
    const back = loadLast(storage);
    expect(back?.grid).toBe(9);
    expect(back?.tiles[8]).toBe(42);
  });
});
