import { ONE, minDecimal } from '../money/decimal.js';
import type { CoachingContext, RepFacts } from './context.js';
import { money, multiple, percent, scored } from './format.js';
import { promptId } from './prompt-id.js';
import type { LowCoveragePrompt } from './types.js';

/**
 * Open pipeline closing in the period (the KPI module's pipelineCoverage: revenue credit
 * only, weighted by share, in the home currency) below coverageTarget × the quota still
 * to win. No quota, or a quota already met, gives no prompt: there is nothing to cover.
 *
 * Impact: the missing pipeline at the rep's marginal rate, i.e. what it would pay if it
 * all closed. Likelihood: 1 ÷ coverageTarget, the close rate a coverage target assumes
 * (3× coverage means about one pipeline dollar in three is won), capped at 1. So the
 * score is roughly the commission on the revenue the rep is short of.
 */
export function lowCoverage(ctx: CoachingContext, rep: RepFacts): LowCoveragePrompt[] {
  const c = rep.kpis.pipelineCoverage;
  if (c.quota === undefined || c.remaining === undefined || c.coverage === undefined || c.remaining.isZero()) return [];
  const targetPipeline = ctx.coverageTarget.times(c.remaining);
  if (c.openPipeline.greaterThanOrEqualTo(targetPipeline)) return [];
  const missingPipeline = targetPipeline.minus(c.openPipeline);
  const home = rep.kpis.currency;
  const impact = missingPipeline.times(rep.rate.perHomeUnit);
  const likelihood = minDecimal(ONE, ONE.dividedBy(ctx.coverageTarget));
  const name = rep.user.name;
  const s = scored(impact, likelihood, rep.payCurrency);
  const rateText = rep.rate.components.length > 0 ? `At ${name}'s current ${percent(rep.rate.perHomeUnit)} rate that pipeline would pay about ${money(s.impact, rep.payCurrency)} if it all closed.` : `No commission rate is known for ${name} this period, so no amount is put on it.`;
  return [
    {
      id: promptId('low-coverage', rep.repId, '', ctx.period.id),
      rule: 'low-coverage',
      managerId: ctx.managerId,
      repId: rep.repId,
      dealId: undefined,
      periodId: ctx.period.id,
      title: `${name}: build pipeline (${multiple(c.coverage)} of ${multiple(ctx.coverageTarget)} coverage)`,
      message: `${name}'s open pipeline for ${ctx.period.id} is ${money(c.openPipeline, home)}, ${multiple(c.coverage)} the ${money(c.remaining, home)} of quota still to win; ${multiple(ctx.coverageTarget)} coverage needs ${money(missingPipeline, home)} more. ${rateText}`,
      evidence: {
        homeCurrency: home,
        openPipeline: c.openPipeline,
        openDeals: c.openDeals,
        quota: c.quota,
        wonSoFar: c.wonSoFar,
        remaining: c.remaining,
        coverage: c.coverage,
        coverageTarget: ctx.coverageTarget,
        targetPipeline,
        missingPipeline,
        marginalRate: rep.rate,
      },
      currency: rep.payCurrency,
      ...s,
    },
  ];
}
