import { parseDataset, type RawDataset } from '../../shared/src/input/dataset.schema.js';
import { indexTenant, type TenantIndex } from '../../shared/src/engine/tenant-index.js';
import type { TeamId, UserId } from '../../shared/src/domain/ids.js';
import type { IsoDate } from '../../shared/src/time/iso-date.js';
import { resolvePeriod, type Period } from '../../shared/src/time/period.js';

/** Hand-built data sets for the KPI tests: plain JSON-shaped objects, parsed like a data file. */
export type RawDeal = NonNullable<RawDataset['deals']>[number];

/**
 * One pipeline whose open stages carry easy probabilities: Qualify 10 %, Propose 50 %.
 * Stage order is the listing order.
 */
export const SALES_PIPELINE = {
  id: 'sales',
  name: 'Sales',
  stages: [
    { id: 'qualify', name: 'Qualify', probability: '0.1' },
    { id: 'propose', name: 'Propose', probability: '0.5' },
    { id: 'won', name: 'Closed Won', outcome: 'won' },
    { id: 'lost', name: 'Closed Lost', outcome: 'lost' },
  ],
} as const satisfies NonNullable<RawDataset['pipelines']>[number];

export function deal(fields: Partial<RawDeal> & Pick<RawDeal, 'id' | 'stageId' | 'amount' | 'closeDate' | 'createdDate' | 'ownerId'>): RawDeal {
  return { pipelineId: 'sales', currency: 'USD', ...fields };
}

export function build(raw: Omit<RawDataset, 'tenant'> & Partial<Pick<RawDataset, 'tenant'>>): TenantIndex {
  return indexTenant(parseDataset({ tenant: { id: 'acme', name: 'Acme', currency: 'USD' }, ...raw }));
}

export function period(id: string): Period {
  const p = resolvePeriod(id);
  if (!p) throw new Error(`bad period ${id}`);
  return p;
}

export const date = (text: string): IsoDate => text as IsoDate;
export const user = (id: string): UserId => id as UserId;
export const team = (id: string): TeamId => id as TeamId;
