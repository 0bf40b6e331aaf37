import type { Pipeline, Stage, StageOutcome } from '../../shared/src/domain/deals.js';
import type { PipelineId, StageId } from '../../shared/src/domain/ids.js';
import { Decimal } from '../../shared/src/money/decimal.js';
import type { Mapped } from './hubspot-values.js';

export interface HsPipeline {
  readonly id: string;
  readonly label: string;
  readonly archived?: boolean;
  readonly stages: ReadonlyArray<{ readonly id: string; readonly label: string; readonly displayOrder: number; readonly archived?: boolean; readonly metadata: Readonly<Record<string, string>> }>;
}

/**
 * Stage outcome from HubSpot's stage metadata, which is a map of STRINGS: isClosed is
 * "true"/"false" and probability "0.0".."1.0". Closed at probability 1 is won, closed
 * at anything else is lost (HubSpot's own closed-won rule).
 */
export function stageOutcome(metadata: Readonly<Record<string, string>>): Mapped<{ outcome: StageOutcome; probability: Decimal }> {
  const raw = (metadata['probability'] ?? '').trim();
  if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(raw)) return { ok: false, problem: `probability "${metadata['probability'] ?? ''}" is not between 0.0 and 1.0` };
  const probability = new Decimal(raw);
  const closed = (metadata['isClosed'] ?? '').trim().toLowerCase() === 'true';
  return { ok: true, value: { outcome: !closed ? 'open' : probability.eq(1) ? 'won' : 'lost', probability } };
}

export function mapPipeline(p: HsPipeline): Mapped<Pipeline> {
  const stages: Stage[] = [];
  for (const s of [...p.stages].filter((s) => !s.archived).sort((a, b) => a.displayOrder - b.displayOrder)) {
    const outcome = stageOutcome(s.metadata);
    if (!outcome.ok) return { ok: false, problem: `HubSpot pipeline "${p.label}" (${p.id}), stage "${s.label}" (${s.id}): ${outcome.problem}; set the stage's win probability in the pipeline settings` };
    stages.push({ id: s.id as StageId, name: s.label, order: stages.length, probability: outcome.value.probability, outcome: outcome.value.outcome });
  }
  return { ok: true, value: { id: p.id as PipelineId, name: p.label, stages } };
}
