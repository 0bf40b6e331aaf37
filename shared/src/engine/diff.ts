import { ZERO, type Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import type { UserId } from '../domain/ids.js';
import type { PeriodId } from '../time/period.js';
import { CAUSE_TEXT, classifyChange } from './classify.js';
import type { ChangeCause, LineKind, PayoutLine, Statement } from './statement.js';

export interface LineChange {
  readonly key: string;
  readonly kind: LineKind;
  readonly before: Decimal | undefined;
  readonly after: Decimal | undefined;
  readonly delta: Decimal;
  readonly cause: ChangeCause;
  readonly explanation: string;
}

export interface StatementDiff {
  readonly payeeId: UserId;
  readonly period: PeriodId;
  readonly currency: CurrencyCode;
  readonly totalBefore: Decimal;
  readonly totalAfter: Decimal;
  readonly delta: Decimal;
  /** Every changed line, and the delta per cause (they sum to `delta`). */
  readonly changes: readonly LineChange[];
  readonly byCause: ReadonlyMap<ChangeCause, Decimal>;
}

/**
 * What changed between two runs, per payee and period, and why: each line is matched by
 * its stable key and the difference classified by which input moved.
 */
export function diffStatements(before: readonly Statement[], after: readonly Statement[]): StatementDiff[] {
  const keyOf = (s: Statement): string => `${s.payeeId}|${s.period.id}`;
  const b = new Map(before.map((s) => [keyOf(s), s]));
  const a = new Map(after.map((s) => [keyOf(s), s]));
  const diffs: StatementDiff[] = [];
  for (const key of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const sb = b.get(key);
    const sa = a.get(key);
    const ref = (sa ?? sb)!;
    const linesBefore = new Map((sb?.lines ?? []).map((l) => [l.key, l]));
    const linesAfter = new Map((sa?.lines ?? []).map((l) => [l.key, l]));
    const changes: LineChange[] = [];
    const byCause = new Map<ChangeCause, Decimal>();
    for (const lineKey of [...new Set([...linesBefore.keys(), ...linesAfter.keys()])].sort()) {
      const lb: PayoutLine | undefined = linesBefore.get(lineKey);
      const la: PayoutLine | undefined = linesAfter.get(lineKey);
      const delta = (la?.amount ?? ZERO).minus(lb?.amount ?? ZERO);
      if (delta.isZero() && lb && la) continue;
      const cause = classifyChange(lb, la);
      byCause.set(cause, (byCause.get(cause) ?? ZERO).plus(delta));
      changes.push({ key: lineKey, kind: (la ?? lb)!.kind, before: lb?.amount, after: la?.amount, delta, cause, explanation: `${CAUSE_TEXT[cause]}: ${(la ?? lb)!.explanation}` });
    }
    const totalBefore = sb?.total ?? ZERO;
    const totalAfter = sa?.total ?? ZERO;
    if (changes.length === 0 && totalBefore.equals(totalAfter)) continue;
    diffs.push({ payeeId: ref.payeeId, period: ref.period.id, currency: ref.currency, totalBefore, totalAfter, delta: totalAfter.minus(totalBefore), changes, byCause });
  }
  return diffs;
}
