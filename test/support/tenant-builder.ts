import { parseDataset, type RawDataset } from '../../shared/src/input/dataset.schema.js';
import { parsePlan } from '../../shared/src/plan/plan.schema.js';
import type { Plan } from '../../shared/src/plan/plan.js';
import type { Dataset } from '../../shared/src/domain/dataset.js';
import { runStatements, type LockedPeriod, type RunResult } from '../../shared/src/engine/run.js';
import type { Statement } from '../../shared/src/engine/statement.js';
import type { IsoDate } from '../../shared/src/time/iso-date.js';
import type { PeriodId } from '../../shared/src/time/period.js';

/**
 * Small, readable tenants for worked examples. Defaults: USD tenant, one pipeline with
 * open/won/lost stages, everyone paid in USD. Tests spell out only what their example needs.
 */
type Raw = Partial<RawDataset> & { users: RawDataset['users'] };

export function dataset(raw: Raw): Dataset {
  return parseDataset({
    tenant: { id: 'acme', name: 'Acme', currency: 'USD' },
    pipelines: [
      {
        id: 'sales',
        name: 'Sales',
        stages: [
          { id: 'discovery', name: 'Discovery', probability: '0.2' },
          { id: 'proposal', name: 'Proposal', probability: '0.6' },
          { id: 'won', name: 'Closed won', outcome: 'won' },
          { id: 'lost', name: 'Closed lost', outcome: 'lost' },
        ],
      },
    ],
    ...raw,
  });
}

type RawDeal = NonNullable<RawDataset['deals']>[number];

/** A closed-won deal in the default pipeline. */
export function won(id: string, ownerId: string, amount: string, closeDate: string, extra: Partial<RawDeal> = {}): RawDeal {
  return { id, name: id.toUpperCase(), pipelineId: 'sales', stageId: 'won', amount, currency: 'USD', closeDate, createdDate: '2026-01-15', ownerId, sourceVersion: 'v1', ...extra };
}

export function open(id: string, ownerId: string, amount: string, closeDate: string, extra: Partial<RawDeal> = {}): RawDeal {
  return won(id, ownerId, amount, closeDate, { stageId: 'proposal', ...extra });
}

export function plan(doc: Record<string, unknown>): Plan {
  return parsePlan({ version: 1, name: String(doc['id']), effective: { from: '2026-01-01' }, period: 'quarter', currency: 'USD', ...doc });
}

export function run(plans: Plan[], data: Dataset, period: string, options: { asOf?: string; locked?: LockedPeriod[] } = {}): RunResult {
  return runStatements({ plans, data, period: period as PeriodId, asOf: (options.asOf ?? '2026-12-31') as IsoDate, ...(options.locked ? { locked: options.locked } : {}) });
}

export function statementOf(result: RunResult | readonly Statement[], payeeId: string): Statement {
  const list = 'statements' in result ? result.statements : result;
  const s = list.find((x) => x.payeeId === payeeId);
  if (!s) throw new Error(`no statement for ${payeeId}; have ${list.map((x) => x.payeeId).join(', ')}`);
  return s;
}

/** Line amounts as fixed strings, for exact assertions: [kind, key suffix, amount]. */
export function amounts(s: Statement): Array<[string, string, string]> {
  return s.lines.map((l) => [l.kind, l.key.split('|').pop() ?? '', l.amount.toFixed(2)]);
}
