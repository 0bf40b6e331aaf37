import type { Dataset } from '../domain/dataset.js';
import type { Deal, Stage, StageOutcome } from '../domain/deals.js';
import type { UserId } from '../domain/ids.js';
import type { User } from '../domain/people.js';
import { FxTable } from './fx-table.js';
import { Hierarchy } from './hierarchy.js';
import { indexQuotas, type QuotaLookup } from './quota-target.js';

/**
 * Look-up structures built once per dataset and shared by every period, payee and
 * estimate computed from it. Building them is the only pass over all records that does
 * not depend on the period.
 */
export interface TenantIndex {
  readonly data: Dataset;
  readonly users: ReadonlyMap<UserId, User>;
  readonly dealsById: ReadonlyMap<string, Deal>;
  readonly hierarchy: Hierarchy;
  readonly fx: FxTable;
  /** Stages by pipeline id, then stage id. */
  readonly stages: ReadonlyMap<string, ReadonlyMap<string, Stage>>;
  readonly wonStageByPipeline: ReadonlyMap<string, Stage>;
  readonly quotas: Pick<QuotaLookup, 'quotasByOwner' | 'teamsManagedBy'>;
}

export function indexTenant(data: Dataset): TenantIndex {
  const stages = new Map<string, Map<string, Stage>>();
  const wonStageByPipeline = new Map<string, Stage>();
  for (const pipeline of data.pipelines) {
    const byId = new Map<string, Stage>();
    stages.set(pipeline.id, byId);
    for (const stage of pipeline.stages) {
      byId.set(stage.id, stage);
      if (stage.outcome === 'won' && !wonStageByPipeline.has(pipeline.id)) wonStageByPipeline.set(pipeline.id, stage);
    }
  }
  let dealsById: Map<string, Deal> | undefined;
  return {
    data,
    users: new Map(data.users.map((u) => [u.id, u])),
    // Only corrections to locked periods look deals up by id: a million-entry map is built when first needed.
    get dealsById(): ReadonlyMap<string, Deal> {
      dealsById ??= new Map(data.deals.map((d) => [d.id as string, d]));
      return dealsById;
    },
    hierarchy: new Hierarchy(data.managers),
    fx: new FxTable(data.fxRates),
    stages,
    wonStageByPipeline,
    quotas: indexQuotas(data),
  };
}

export function outcomeOf(index: TenantIndex, deal: Deal): StageOutcome | undefined {
  return index.stages.get(deal.pipelineId)?.get(deal.stageId)?.outcome;
}
