// Section of the French catalogue: Carte. Merged into ../fr.ts (one catalogue, one key space).
export const frMap = {
} as const;
