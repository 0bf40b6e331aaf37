import { ZERO, type Decimal } from '../money/decimal.js';
import { teamMedian } from '../kpi/kpi-report.js';
import type { CoachingContext, RepFacts } from './context.js';
import { deals, money, percent, scored } from './format.js';
import { promptId } from './prompt-id.js';
import type { WeakStageConversionPrompt } from './types.js';

/**
 * A stage where the rep's stage-to-stage conversion in the period is strictly below the
 * median of the manager's reports (each report's own computeKpis; reports with no deals
 * reaching the stage have no conversion and are left out of the median). Judged only once
 * at least `minStageDeals` (share-weighted) of the rep's deals reached the stage, so one
 * unlucky deal does not make a prompt.
 *
 * Impact: the deals the rep would have moved on at the team median,
 * (median − conversion) × reached, valued at the rep's average won deal size (the team
 * median of those averages when the rep has no wins yet), at the rep's marginal rate.
 * Likelihood: the next stage's probability, the chance such a deal would then be won.
 */
export function weakStageConversion(ctx: CoachingContext, rep: RepFacts): WeakStageConversionPrompt[] {
  const prompts: WeakStageConversionPrompt[] = [];
  const name = rep.user.name;
  const home = rep.kpis.currency;
  const repSize = rep.kpis.averageDealSize.average;
  const teamSize = teamMedian(ctx.team.map((m) => m.kpis.averageDealSize.average).filter((a): a is Decimal => a !== undefined));
  const averageDealSize = repSize ?? teamSize;
  const dealSizeSource = repSize !== undefined ? 'rep' : teamSize !== undefined ? 'team-median' : undefined;
  for (const pipeline of rep.kpis.stageConversion) {
    for (const step of pipeline.steps) {
      if (step.conversion === undefined || step.advanced === undefined || step.nextStageId === undefined) continue;
      if (step.reached.lessThan(ctx.minStageDeals)) continue;
      const values = ctx.team
        .map((m) => m.kpis.stageConversion.find((p) => p.pipelineId === pipeline.pipelineId)?.steps.find((s) => s.stageId === step.stageId)?.conversion)
        .filter((v): v is Decimal => v !== undefined);
      const median = teamMedian(values);
      if (median === undefined || !step.conversion.lessThan(median)) continue;
      const next = ctx.stageOf(pipeline.pipelineId, step.nextStageId);
      if (!next) continue;
      const missingAdvances = median.minus(step.conversion).times(step.reached);
      const missingValue = averageDealSize === undefined ? ZERO : missingAdvances.times(averageDealSize);
      const s = scored(missingValue.times(rep.rate.perHomeUnit), next.probability, rep.payCurrency);
      const worth = averageDealSize === undefined ? '' : `, worth about ${money(s.impact, rep.payCurrency)} in commission at ${name}'s current rate`;
      prompts.push({
        id: promptId('weak-stage-conversion', rep.repId, `stage:${pipeline.pipelineId}/${step.stageId}`, ctx.period.id),
        rule: 'weak-stage-conversion',
        managerId: ctx.managerId,
        repId: rep.repId,
        dealId: undefined,
        periodId: ctx.period.id,
        title: `${name}: coach ${step.stageName} → ${next.name} conversion`,
        message: `${name} moved ${percent(step.conversion)} of the ${deals(step.reached)} that reached ${step.stageName} on to ${next.name} this period, against a team median of ${percent(median)}. At the median, another ${deals(missingAdvances)} would have advanced${worth}.`,
        evidence: {
          pipelineId: pipeline.pipelineId,
          pipelineName: pipeline.pipelineName,
          stageId: step.stageId,
          stageName: step.stageName,
          nextStageId: step.nextStageId,
          nextStageName: next.name,
          reached: step.reached,
          advanced: step.advanced,
          conversion: step.conversion,
          teamMedian: median,
          teamMembersCompared: values.length,
          minStageDeals: ctx.minStageDeals,
          missingAdvances,
          homeCurrency: home,
          averageDealSize,
          dealSizeSource,
          missingValue,
          nextStageProbability: next.probability,
          marginalRate: rep.rate,
        },
        currency: rep.payCurrency,
        ...s,
      });
    }
  }
  return prompts;
}
