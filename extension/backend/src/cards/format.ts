import { HUNDRED, type Decimal } from '../../../../shared/src/money/decimal.js';
import { minorUnits, type CurrencyCode } from '../../../../shared/src/money/currency.js';
import { displayMoney } from '../../../../shared/src/money/money.js';
import type { AttainmentSummary } from '../../../../shared/src/engine/statement.js';
import type { NextTier } from '../../../../shared/src/engine/estimator.js';
import type { Plan } from '../../../../shared/src/plan/plan.js';
import type { ChartPoint, CountView, ExplanationLink, MoneyView, NextTierView, PercentView, QuantityView, RatioView, AttainmentView } from './view-models.js';
import { explainHref } from './links.js';

/** Exact string, currency and "USD 1,234.50". Payout amounts are already rounded by the engine; others are shown rounded half-even. */
export function moneyView(amount: Decimal, currency: string): MoneyView {
  return { amount: exactAmount(amount, currency), currency, display: displayMoney({ amount, currency: currency as CurrencyCode }) };
}

/** Padded to the currency's minor unit ("800.00") when that loses nothing; more places are kept, never rounded away. */
export function exactAmount(amount: Decimal, currency: string): string {
  const minor = minorUnits(currency as CurrencyCode);
  return amount.decimalPlaces() <= minor ? amount.toFixed(minor) : amount.toString();
}

/** `percent` in percent units (85.5 = 85.5 %). */
export function percentView(percent: Decimal): PercentView {
  return { value: percent.toString(), display: `${percent.toDecimalPlaces(2).toString()} %` };
}

/** A fraction (0.855) as a percent. */
export function fractionView(fraction: Decimal): PercentView {
  return percentView(fraction.times(HUNDRED));
}

export function countView(value: Decimal | number, unit: string): CountView {
  const text = typeof value === 'number' ? String(value) : value.toDecimalPlaces(2).toString();
  const exact = typeof value === 'number' ? String(value) : value.toString();
  return { value: exact, unit, display: `${text} ${text === '1' ? unit : plural(unit)}` };
}

function plural(unit: string): string {
  return /[^aeiou]y$/.test(unit) ? `${unit.slice(0, -1)}ies` : `${unit}s`;
}

export function ratioView(value: Decimal): RatioView {
  return { value: value.toString(), display: `${value.toDecimalPlaces(2).toString()}×` };
}

export function unitOfMeasure(measure: string): string {
  return measure === 'deal-count' ? 'deal' : measure.startsWith('activity:') ? measure.slice('activity:'.length) : measure;
}

/** Revenue measures are money in the plan currency; count and activity measures are units. */
export function quantityView(value: Decimal, measure: string, planCurrency: string): QuantityView {
  return measure === 'revenue' ? { kind: 'money', ...moneyView(value, planCurrency) } : { kind: 'count', ...countView(value, unitOfMeasure(measure)) };
}

export function attainmentViews(summaries: readonly AttainmentSummary[], plans: readonly Plan[], userId: string, periodId: string): AttainmentView[] {
  return summaries.map((s) => {
    const currency = plans.find((p) => p.id === s.planId)?.currency ?? '';
    return {
      planId: s.planId,
      componentId: s.componentId,
      measure: s.measure,
      quota: s.quota === undefined ? null : quantityView(s.quota, s.measure, currency),
      credited: quantityView(s.credited, s.measure, currency),
      attainment: s.attainment === undefined ? null : percentView(s.attainment),
      explain: explainLink('attainment', 'Why is my attainment this?', { userId, period: periodId, planId: s.planId, componentId: s.componentId }),
    };
  });
}

export function nextTierView(next: NextTier | undefined, summaries: readonly AttainmentSummary[], plans: readonly Plan[]): NextTierView | null {
  if (!next) return null;
  const measure = summaries.find((s) => s.planId === next.planId && s.componentId === next.componentId)?.measure ?? 'revenue';
  const currency = plans.find((p) => p.id === next.planId)?.currency ?? '';
  return { planId: next.planId, componentId: next.componentId, tier: next.tier, atAttainment: percentView(next.atAttainment), creditNeeded: quantityView(next.creditNeeded, measure, currency) };
}

export function explainLink(figure: ExplanationLink['figure'], label: string, params: Readonly<Record<string, string | undefined>>): ExplanationLink {
  return { figure, label, href: explainHref(figure, params) };
}

/** Plotting value only (2 places); the exact value travels next to it. */
export function chartPoint(x: string, value: Decimal, series?: string): ChartPoint {
  return { x, y: value.toDecimalPlaces(2).toNumber(), yExact: value.toString(), ...(series === undefined ? {} : { series }) };
}

