import type { Decimal } from '../money/decimal.js';
import type { TenantIndex } from '../engine/tenant-index.js';
import type { IsoDate } from '../time/iso-date.js';
import { buildContext } from './context.js';
import { lowCoverage } from './low-coverage.js';
import { nextTierWithinReach } from './next-tier-within-reach.js';
import { stalledDeals } from './stalled-deal.js';
import type { CoachingInput, CoachingPrompt } from './types.js';
import { weakStageConversion } from './weak-stage-conversion.js';

// Callers need only this module.
export { COACHING_RULES } from './types.js';
export type * from './types.js';
export type { MarginalRate, RateComponent } from './marginal-rate.js';
export { promptId } from './prompt-id.js';

/**
 * Pay-aware coaching prompts for every rep reporting (directly or not) to the manager on
 * asOf: stalled deals, low pipeline coverage, weak stage conversion and a next tier within
 * reach, each with the commission at stake, its likelihood and the facts behind it.
 * Pure: the same input always gives the same prompts, ids and order.
 */
export function coachingPrompts(input: CoachingInput): CoachingPrompt[] {
  const ctx = buildContext(input);
  const prompts: CoachingPrompt[] = [];
  for (const rep of ctx.team) {
    prompts.push(...stalledDeals(ctx, rep), ...lowCoverage(ctx, rep), ...weakStageConversion(ctx, rep), ...nextTierWithinReach(ctx, rep));
  }
  return rankPrompts(prompts, ctx.index, input.asOf);
}

/**
 * Highest score first, then id. Scores are in each rep's pay currency, so a team paid in
 * several currencies is compared in the home currency (rates known on asOf); a score with
 * no known rate is compared as it stands rather than dropped.
 */
export function rankPrompts(prompts: readonly CoachingPrompt[], index: TenantIndex, asOf: IsoDate): CoachingPrompt[] {
  const home = index.data.tenant.currency;
  const key = (p: CoachingPrompt): Decimal => {
    const fx = index.fx.lookup(p.currency, home, asOf);
    return fx === undefined || fx === 'same' ? p.score : p.score.times(fx.rate);
  };
  return prompts
    .map((p) => ({ p, k: key(p) }))
    .sort((a, b) => b.k.comparedTo(a.k) || (a.p.id < b.p.id ? -1 : a.p.id > b.p.id ? 1 : 0))
    .map((x) => x.p);
}
