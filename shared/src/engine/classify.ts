import type { ChangeCause, PayoutLine } from './statement.js';

/**
 * Why a line differs between two computations of the same period: the first provenance
 * field that changed, checked from the most specific cause to the most general. Used by
 * adjustments to locked periods and by statement diffs, so both speak the same language.
 */
export function classifyChange(before: PayoutLine | undefined, after: PayoutLine | undefined): ChangeCause {
  const line = after ?? before;
  if (!line) throw new Error('classifyChange needs at least one line');
  switch (line.kind) {
    case 'draw':
    case 'draw-recovery':
      return 'draw';
    case 'carry-forward':
    case 'balance-recovery':
      return 'netting';
    case 'adjustment':
    case 'clawback':
      return line.adjusts?.cause ?? 'attainment-shift';
    default:
      break;
  }
  const dealLine = line.kind === 'commission' || line.kind === 'spiff';
  if (!before) return dealLine ? 'deal-added' : 'attainment-shift';
  if (!after) return dealLine ? 'deal-removed' : 'attainment-shift';
  const b = before.provenance;
  const a = after.provenance;
  if (!b || !a) return 'attainment-shift';
  if (b.planVersion !== a.planVersion) return 'plan-changed';
  if (b.deal && a.deal && (b.deal.version !== a.deal.version || !b.deal.amount.equals(a.deal.amount) || b.deal.currency !== a.deal.currency || b.deal.closeDate !== a.deal.closeDate)) return 'deal-edited';
  if ((b.credit?.percent.toString() ?? '') !== (a.credit?.percent.toString() ?? '') || b.credit?.kind !== a.credit?.kind) return 'deal-edited';
  if (b.quota?.version !== a.quota?.version || (b.quota && a.quota && !b.quota.effectiveTarget.equals(a.quota.effectiveTarget))) return 'quota-changed';
  if ((b.creditFx?.rate.toString() ?? '') !== (a.creditFx?.rate.toString() ?? '') || (b.payFx?.rate.toString() ?? '') !== (a.payFx?.rate.toString() ?? '')) return 'fx-changed';
  return 'attainment-shift';
}

export const CAUSE_TEXT: Record<ChangeCause, string> = {
  'deal-added': 'a deal was added or newly closed-won',
  'deal-removed': 'a deal is no longer closed-won',
  'deal-edited': 'the deal changed at source (amount, date or splits)',
  'plan-changed': 'the plan changed',
  'quota-changed': 'the quota changed',
  'fx-changed': 'an exchange rate changed',
  'attainment-shift': 'other deals moved attainment, and with it the tier',
  clawback: 'clawback of a deal that is no longer closed-won',
  draw: 'the draw',
  netting: 'carried balance netting',
};
