// Section of the French catalogue: Administration — autorisations, zones, caméras. Merged into ../fr.ts (one catalogue, one key space).
export const frAdminRegistry = {
} as const;
