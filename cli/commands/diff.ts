import { diffStatements, type StatementDiff } from '../../shared/src/engine/diff.js';
import { money, plural, signed, table } from '../format.js';
import type { CliIo } from '../io.js';
import { loadStatements } from '../load.js';
import { requireString, width, type ParsedValues } from '../options.js';

export function diffCommand(values: ParsedValues, io: CliIo): number {
  const cwd = io.cwd ?? process.cwd();
  const beforePath = requireString(values, 'before', 'diff');
  const afterPath = requireString(values, 'after', 'diff');
  const before = loadStatements(cwd, beforePath);
  const after = loadStatements(cwd, afterPath);
  const diffs = diffStatements(before, after);
  if (values['json']) {
    io.stdout(`${JSON.stringify({ before: beforePath, after: afterPath, diffs: diffs.map(diffJson) }, null, 2)}\n`);
    return 0;
  }
  const names = new Map([...before, ...after].map((s) => [s.payeeId as string, s.payeeName]));
  const cols = width(values, io.columns, 'diff');
  const out: string[] = [`Changes from ${beforePath} to ${afterPath}, per payee and period, with the input that caused each.`];
  for (const d of diffs) {
    out.push('', `${names.get(d.payeeId) ?? d.payeeId} (${d.payeeId}) · ${d.period}: ${money(d.totalBefore, d.currency)} → ${money(d.totalAfter, d.currency)} (${signed(d.delta, d.currency)})`);
    out.push(`  By cause: ${[...d.byCause].map(([cause, delta]) => `${cause} ${signed(delta, d.currency)}`).join(', ') || 'none'}`);
    out.push(
      ...table(
        [{ header: 'KIND' }, { header: 'BEFORE', align: 'right' }, { header: 'AFTER', align: 'right' }, { header: 'CHANGE', align: 'right' }, { header: 'CAUSE' }, { header: 'WHY', wrap: true }],
        d.changes.map((c) => [c.kind, c.before === undefined ? '—' : signed(c.before, d.currency).replace(/^\+/, ''), c.after === undefined ? '—' : signed(c.after, d.currency).replace(/^\+/, ''), signed(c.delta, d.currency), c.cause, c.explanation]),
        cols,
      ),
    );
  }
  const compared = new Set([...before, ...after].map((s) => `${s.payeeId}|${s.period.id}`)).size;
  out.push('', diffs.length === 0 ? `No differences in ${plural(compared, 'statement')}.` : `Summary: ${plural(diffs.length, 'statement')} changed of ${compared} compared.`);
  io.stdout(`${out.join('\n')}\n`);
  return 0;
}

function diffJson(d: StatementDiff) {
  return {
    payeeId: d.payeeId,
    period: d.period,
    currency: d.currency,
    totalBefore: d.totalBefore.toString(),
    totalAfter: d.totalAfter.toString(),
    delta: d.delta.toString(),
    byCause: Object.fromEntries([...d.byCause].map(([k, v]) => [k, v.toString()])),
    changes: d.changes.map((c) => ({ key: c.key, kind: c.kind, before: c.before?.toString(), after: c.after?.toString(), delta: c.delta.toString(), cause: c.cause, explanation: c.explanation })),
  };
}
