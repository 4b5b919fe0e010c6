import type { MatrixRow } from './row.ts';

export const rows: readonly MatrixRow[] = [];
