import type { Decimal } from '../../../../shared/src/money/decimal.js';
import type { PayoutLine } from '../../../../shared/src/engine/statement.js';
import type { Plan } from '../../../../shared/src/plan/plan.js';
import type { LedgerLine } from '../../../../worker/src/ledger/payout-ledger.js';
import { moneyView, quantityView } from './format.js';
import type { ExplanationLine } from './view-models.js';

/** The subset of stored provenance (statement-json's provenanceToJson) a card line shows. */
interface StoredProvenance {
  readonly planId?: string;
  readonly componentId?: string;
  readonly deal?: { readonly id?: string; readonly name?: string } | null;
  readonly creditedValue?: string | null;
}

function stored(provenance: unknown): StoredProvenance {
  return provenance !== null && typeof provenance === 'object' ? (provenance as StoredProvenance) : {};
}

export function ledgerDealId(line: LedgerLine): string | undefined {
  return stored(line.provenance).deal?.id ?? undefined;
}

export function fromLedger(line: LedgerLine): ExplanationLine {
  const p = stored(line.provenance);
  return {
    key: line.lineKey,
    kind: line.kind,
    period: line.periodId,
    date: null,
    amount: moneyView(line.amount, line.currency),
    credited: null,
    explanation: line.explanation,
    cause: line.cause,
    dealId: p.deal?.id ?? null,
    dealName: p.deal?.name ?? null,
  };
}

export function fromPayoutLine(line: PayoutLine, currency: string, periodId: string, plans: readonly Plan[], measureOf: (planId: string, componentId: string) => string | undefined): ExplanationLine {
  const p = line.provenance;
  const measure = p?.componentId ? measureOf(p.planId, p.componentId) : undefined;
  const credited: Decimal | undefined = p?.creditedValue;
  return {
    key: line.key,
    kind: line.kind,
    period: periodId,
    date: line.date,
    amount: moneyView(line.amount, currency),
    credited: credited !== undefined && measure !== undefined ? quantityView(credited, measure, plans.find((x) => x.id === p!.planId)?.currency ?? currency) : null,
    explanation: line.explanation,
    cause: line.adjusts?.cause ?? null,
    dealId: p?.deal?.id ?? null,
    dealName: p?.deal?.name ?? null,
  };
}
