import { describe, expect, it } from "vitest";
import { contentBox } from "./MaskOverlay";

const video = (vw: number, vh: number, ew: number, eh: number) =>
  ({ videoWidth: vw, videoHeight: vh, offsetWidth: ew, offsetHeight: eh, offsetLeft: 10, offsetTop: 20 }) as HTMLVideoElement;

describe("contentBox", () => {
  it("letterboxes a wide picture in a tall element (object-fit: contain)", () => {
    expect(contentBox(video(1600, 900, 800, 600))).toEqual({ left: 10, top: 20 + 75, width: 800, height: 450 });
  });
  it("pillarboxes a 4:3 picture in a 16:9 element", () => {
    expect(contentBox(video(704, 576, 1280, 720))).toEqual({ left: 10 + (1280 - 880) / 2, top: 20, width: 880, height: 720 });
  });
  it("knows nothing before the stream's size is known", () => {
    expect(contentBox(video(0, 0, 800, 600))).toBeNull();
  });
});
