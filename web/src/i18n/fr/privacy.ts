// Section of the French catalogue: Masques de confidentialité. Merged into ../fr.ts (one catalogue, one key space).
export const frPrivacy = {
} as const;
