// Keyboard shortcuts: two-key sequences ("g" then a letter) and single keys ("?").
export interface Binding {
  keys: string[];
  action: string;
}

export const SEQUENCE_TIMEOUT_MS = 1500;

/** Feeds keys one at a time and says which binding, if any, a key completes. */
export class ShortcutMatcher {
  private pending: string[] = [];
  private last = 0;

  constructor(
    private readonly bindings: readonly Binding[],
    private readonly now: () => number = () => Date.now(),
  ) {}

  feed(key: string): string | null {
    const time = this.now();
    if (time - this.last > SEQUENCE_TIMEOUT_MS) this.pending = [];
    this.last = time;
    const sequence = [...this.pending, key];
    const exact = this.bindings.find((b) => same(b.keys, sequence));
    if (exact) {
      this.pending = [];
      return exact.action;
    }
    if (this.bindings.some((b) => startsWith(b.keys, sequence))) {
      this.pending = sequence;
      return null;
    }
    // Not a continuation: maybe the key starts a sequence or is a binding on its own.
    this.pending = [];
    if (sequence.length > 1) return this.feed(key);
    return null;
  }

  reset(): void {
    this.pending = [];
  }
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

function startsWith(a: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length < a.length && prefix.every((k, i) => k === a[i]);
}

/** True when a key event happens while typing in a field (shortcuts must not fire). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
}
