import { ZERO, type Decimal } from '../money/decimal.js';
import type { Deal, Pipeline, Stage } from '../domain/deals.js';
import type { PipelineId, StageId } from '../domain/ids.js';
import { maxDate, minDate, type IsoDate } from '../time/iso-date.js';
import { lastDay } from '../time/period.js';
import type { KpiContext } from './kpi-context.js';
import { subjectDeals } from './subject.js';

export interface StageStep {
  readonly stageId: StageId;
  readonly stageName: string;
  /** Share-weighted count of the subject's deals that reached this stage during the period. */
  readonly reached: Decimal;
  /** The next stage in pipeline order; undefined for the last one. */
  readonly nextStageId: StageId | undefined;
  /** Of `reached`, those that also reached the next stage by the period's end (or `asOf`, if earlier). */
  readonly advanced: Decimal | undefined;
  /** advanced ÷ reached; undefined for the last stage or when nothing reached this one. */
  readonly conversion: Decimal | undefined;
}

export interface PipelineConversion {
  readonly pipelineId: PipelineId;
  readonly pipelineName: string;
  readonly steps: readonly StageStep[];
}

interface Milestone {
  readonly order: number;
  readonly date: IsoDate;
}

/**
 * Stage-to-stage conversion of the deals that moved through each stage in the period.
 *
 * - The funnel is the pipeline's open and won stages in order; lost stages are exits, not steps.
 * - A deal reaches stage S on the first date it enters S or any later funnel stage, so a
 *   skipped stage counts as reached when the deal jumped past it. The current stage counts
 *   even without a history entry: entered at the close date for won deals, otherwise at the
 *   deal's last recorded move (or creation).
 * - A deal is in S's cohort when it reached S during the period (by `asOf`); it advanced when it
 *   also reached the next stage by the end of the period (by `asOf`). Later progress belongs
 *   to later periods, so periods compare fairly in a trend.
 * - Deals created after the period or after `asOf` are ignored; weights are the subject's
 *   credit share on the day the deal reached S (a team counts members of that day).
 */
export function stageConversion(ctx: KpiContext): PipelineConversion[] {
  return ctx.index.data.pipelines.map((pipeline) => pipelineConversion(ctx, pipeline));
}

function pipelineConversion(ctx: KpiContext, pipeline: Pipeline): PipelineConversion {
  const { period, asOf } = ctx;
  const funnel = pipeline.stages.filter((s) => s.outcome !== 'lost').sort((a, b) => a.order - b.order);
  const stageById = new Map<string, Stage>(pipeline.stages.map((s) => [s.id, s]));
  const horizon = minDate(asOf, lastDay(period));
  const reached = funnel.map(() => ZERO);
  const advanced = funnel.map(() => ZERO);
  for (const deal of subjectDeals(ctx.index, ctx.scope)) {
    if (deal.pipelineId !== pipeline.id || deal.createdDate > asOf || deal.createdDate >= period.end) continue;
    const { milestones, unknownStages } = milestonesOf(deal, stageById);
    const seen = milestones.filter((m) => m.date <= horizon);
    const firstReach = (order: number): IsoDate | undefined => seen.reduce<IsoDate | undefined>((first, m) => (m.order >= order && (first === undefined || m.date < first) ? m.date : first), undefined);
    let counted = false;
    funnel.forEach((stage, i) => {
      const enteredAt = firstReach(stage.order);
      if (enteredAt === undefined || enteredAt < period.start) return;
      const share = ctx.shareOf(deal, enteredAt);
      if (share.isZero()) return;
      counted = true;
      reached[i] = reached[i]!.plus(share);
      const next = funnel[i + 1];
      if (next && firstReach(next.order) !== undefined) advanced[i] = advanced[i]!.plus(share);
    });
    if (unknownStages.length > 0 && (counted || !ctx.shareOf(deal, deal.closeDate).isZero())) {
      ctx.problems.add({
        code: 'unknown_stage',
        recordId: deal.id,
        message: `Deal ${deal.id}'s stage history names ${unknownStages.map((s) => `"${s}"`).join(', ')}, which pipeline "${pipeline.id}" does not have; those entries are ignored in stage conversion`,
        fix: 'sync the pipeline definitions again, or correct the deal\'s stage history',
      });
    }
  }
  return {
    pipelineId: pipeline.id,
    pipelineName: pipeline.name,
    steps: funnel.map((stage, i) => {
      const next = funnel[i + 1];
      const r = reached[i]!;
      const a = next ? advanced[i]! : undefined;
      return { stageId: stage.id, stageName: stage.name, reached: r, nextStageId: next?.id, advanced: a, conversion: a === undefined || r.isZero() ? undefined : a.dividedBy(r) };
    }),
  };
}

function milestonesOf(deal: Deal, stageById: ReadonlyMap<string, Stage>): { milestones: Milestone[]; unknownStages: string[] } {
  const milestones: Milestone[] = [];
  const unknownStages: string[] = [];
  let lastMove = deal.createdDate;
  for (const entry of deal.stageHistory) {
    const stage = stageById.get(entry.stageId);
    if (!stage) {
      unknownStages.push(entry.stageId);
      continue;
    }
    lastMove = maxDate(lastMove, entry.enteredAt);
    if (stage.outcome !== 'lost') milestones.push({ order: stage.order, date: entry.enteredAt });
  }
  const current = stageById.get(deal.stageId);
  if (current && current.outcome !== 'lost' && !deal.stageHistory.some((h) => h.stageId === current.id)) {
    milestones.push({ order: current.order, date: current.outcome === 'won' ? maxDate(deal.closeDate, lastMove) : lastMove });
  }
  return { milestones, unknownStages };
}
