/** The target names alone, free of Node types, so the renderer's copy of the contract can use them. */
export const TARGET_IDS = ['vpc', 'classic-vhd', 'classic-luks'] as const;
export type TargetId = (typeof TARGET_IDS)[number];
