// Section of the French catalogue: Administration — utilisateurs, rôles, habilitations, conservation, registres. Merged into ../fr.ts (one catalogue, one key space).
export const frAdminPeople = {
} as const;
