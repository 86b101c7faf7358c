import { fr, type MessageKey, type Messages } from "./fr";

export type { MessageKey };

let catalogue: Messages = fr;

/** Switch the catalogue (one language per console for now: French). */
export function setCatalogue(messages: Messages): void {
  catalogue = messages;
}

/** The message `key`, with `{name}` placeholders replaced by `vars`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text = catalogue[key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(catalogue, key);
}
