// The review screen's keyboard (review.ts keyAction): not while typing in a field (except
// Ctrl+S), not while a dialog is open, not right after the shell's "g" (its "g m", "g r"…).
import { useEffect, useRef } from "react";
import { isTyping, SEQUENCE_TIMEOUT_MS } from "../shell/shortcuts";
import { type KeyAction, keyAction } from "./review";

export function useReviewKeys(run: (action: KeyAction) => void): void {
  const latest = useRef(run);
  latest.current = run;
  useEffect(() => {
    let previous = { key: "", at: 0 };
    const onKey = (e: KeyboardEvent) => {
      const after = previous;
      previous = { key: e.key, at: Date.now() };
      if (document.querySelector("dialog[open]")) return;
      const action = keyAction(e);
      if (!action || (action.kind !== "save" && typing(e.target))) return;
      if (after.key === "g" && Date.now() - after.at < SEQUENCE_TIMEOUT_MS) return;
      e.preventDefault();
      latest.current(action);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}

/** Typing in a field; a checkbox or a radio button takes no letters (the keys still work). */
function typing(target: EventTarget | null): boolean {
  if (target instanceof HTMLInputElement && (target.type === "checkbox" || target.type === "radio")) return false;
  return isTyping(target);
}
