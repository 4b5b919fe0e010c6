// `pnpm selftest:matrix`: runs the fault matrix and prints it as a table, each row with its
// faults, the checks it must turn red, and its result. Every row asks for a slot at once, in the
// matrix selftest's order; the machine-wide slots (served here unless a selftest run already
// serves them) bound the runs as in `pnpm test`.
import { slotOrder } from './concurrency.ts';
import { judgeRow, rowName, type RowVerdict } from './judge.ts';
import { MATRIX, type MatrixRow } from './matrix.ts';
import { textTable } from '../src/measure/format.ts';

const verdicts = new Map<MatrixRow, RowVerdict>();
await Promise.all(
  slotOrder(MATRIX).map(async (row) => {
    const v = await judgeRow(row);
    process.stderr.write(`${v.problems.length ? 'FAIL' : 'ok  '} ${rowName(row)}\n`);
    verdicts.set(row, v);
  }),
);
const results = MATRIX.map((row) => verdicts.get(row) as RowVerdict);

const rows = results.map((v) => [
  v.name,
  v.row.faults.join(', ') || '-',
  v.row.fails.join(', ') || '(all green)',
  v.problems.length ? `FAIL: ${v.problems[0]}` : 'ok',
]);
const columns = [
  { title: 'row', max: 60 },
  { title: 'faults', max: 60 },
  { title: 'must turn red', max: 60 },
  { title: 'result' },
] as const;
process.stdout.write(`${textTable(columns, rows, ' | ')}\n`);
const failed = results.filter((v) => v.problems.length > 0);
process.stdout.write(`\n${results.length - failed.length} rows ok, ${failed.length} failed\n`);
for (const f of failed) process.stdout.write(`\n${f.name}:\n${f.problems.map((p) => `  - ${p}`).join('\n')}\n`);
process.exitCode = failed.length ? 1 : 0;
