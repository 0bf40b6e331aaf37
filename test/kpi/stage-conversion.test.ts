import { describe, expect, it } from 'vitest';
import { computeKpis } from '../../shared/src/kpi/kpi-report.js';
import { build, date, deal, period, user } from './fixture.js';

/**
 * Funnel Qualify → Propose → Negotiate → Won (Lost is an exit, not a step). Deals are
 * Alice's unless said otherwise; c4 and c7 are split 50/50 with Bob, so they weigh 0.5.
 * Q3 2026; "by the end" means by 30 Sep (or the as-of date, if earlier).
 */
const index = build({
  users: [
    { id: 'alice', name: 'Alice' },
    { id: 'bob', name: 'Bob' },
  ],
  pipelines: [
    {
      id: 'sales',
      name: 'Sales',
      stages: [
        { id: 'q', name: 'Qualify' },
        { id: 'p', name: 'Propose' },
        { id: 'n', name: 'Negotiate' },
        { id: 'won', name: 'Won', outcome: 'won' },
        { id: 'lost', name: 'Lost', outcome: 'lost' },
      ],
    },
    { id: 'renewals', name: 'Renewals', stages: [{ id: 'r-open', name: 'Open' }, { id: 'r-won', name: 'Renewed', outcome: 'won' }, { id: 'r-lost', name: 'Churned', outcome: 'lost' }] },
  ],
  deals: [
    // Every step in Q3, then won.
    deal({ id: 'c1', stageId: 'won', amount: '1000', closeDate: '2026-08-20', createdDate: '2026-06-25', ownerId: 'alice', stageHistory: [{ stageId: 'q', enteredAt: '2026-07-01' }, { stageId: 'p', enteredAt: '2026-07-10' }, { stageId: 'n', enteredAt: '2026-08-01' }, { stageId: 'won', enteredAt: '2026-08-20' }] }),
    // Qualify, Propose, then lost.
    deal({ id: 'c2', stageId: 'lost', amount: '1000', closeDate: '2026-08-01', createdDate: '2026-07-05', ownerId: 'alice', stageHistory: [{ stageId: 'q', enteredAt: '2026-07-05' }, { stageId: 'p', enteredAt: '2026-07-20' }, { stageId: 'lost', enteredAt: '2026-08-01' }] }),
    // Jumped from Qualify to Negotiate on 25 Jul: Propose counts as reached (and left) that day.
    deal({ id: 'c3', stageId: 'n', amount: '1000', closeDate: '2026-10-30', createdDate: '2026-07-07', ownerId: 'alice', stageHistory: [{ stageId: 'q', enteredAt: '2026-07-07' }, { stageId: 'n', enteredAt: '2026-07-25' }] }),
    // Qualified in Q2 (not in Q3's Qualify cohort), Propose in Q3. Split.
    deal({ id: 'c4', stageId: 'p', amount: '1000', closeDate: '2026-11-30', createdDate: '2026-06-01', ownerId: 'alice', splits: [{ userId: 'alice', type: 'revenue', percent: '50' }, { userId: 'bob', type: 'revenue', percent: '50' }], stageHistory: [{ stageId: 'q', enteredAt: '2026-06-01' }, { stageId: 'p', enteredAt: '2026-07-03' }] }),
    // Qualified in Q3, reached Propose only on 5 Oct: after the period.
    deal({ id: 'c5', stageId: 'p', amount: '1000', closeDate: '2026-11-30', createdDate: '2026-09-15', ownerId: 'alice', stageHistory: [{ stageId: 'q', enteredAt: '2026-09-15' }, { stageId: 'p', enteredAt: '2026-10-05' }] }),
    // No history: created in Qualify on 10 Aug.
    deal({ id: 'c6', stageId: 'q', amount: '1000', closeDate: '2026-11-30', createdDate: '2026-08-10', ownerId: 'alice' }),
    // Qualified in Q2; Propose 12 Jul and Negotiate 15 Aug in Q3. Split.
    deal({ id: 'c7', stageId: 'n', amount: '1000', closeDate: '2026-11-30', createdDate: '2026-06-20', ownerId: 'alice', splits: [{ userId: 'alice', type: 'revenue', percent: '50' }, { userId: 'bob', type: 'revenue', percent: '50' }], stageHistory: [{ stageId: 'q', enteredAt: '2026-06-20' }, { stageId: 'p', enteredAt: '2026-07-12' }, { stageId: 'n', enteredAt: '2026-08-15' }] }),
    // Bob's alone: not Alice's.
    deal({ id: 'c9', stageId: 'q', amount: '1000', closeDate: '2026-11-30', createdDate: '2026-07-01', ownerId: 'bob', stageHistory: [{ stageId: 'q', enteredAt: '2026-07-01' }] }),
    // History names a stage the pipeline does not have: ignored and reported. Its current stage dates from creation (March).
    deal({ id: 'c10', stageId: 'q', amount: '1000', closeDate: '2026-11-30', createdDate: '2026-03-01', ownerId: 'alice', stageHistory: [{ stageId: 'ghost', enteredAt: '2026-07-01' }] }),
  ],
});

const Q3 = period('2026-Q3');
const steps = (asOf: string) => {
  const r = computeKpis({ index, period: Q3, asOf: date(asOf), subject: { userId: user('alice') } });
  const sales = r.stageConversion.find((p) => p.pipelineId === 'sales')!;
  return { report: r, byStage: Object.fromEntries(sales.steps.map((s) => [s.stageId, s])), order: sales.steps.map((s) => s.stageId) };
};

describe('stage-to-stage conversion after the period (as of 15 Oct)', () => {
  const { report, byStage, order } = steps('2026-10-15');

  it('walks the open and won stages in pipeline order', () => {
    expect(order).toEqual(['q', 'p', 'n', 'won']);
  });

  it('Qualify: deals that qualified in Q3, and how many reached Propose by 30 Sep', () => {
    // Reached: c1, c2, c3, c5, c6 = 5 (c4 and c7 qualified in Q2, c9 is Bob's, c10 dates from March).
    // Advanced: c1, c2, c3 (via its jump) = 3 (c5 reached Propose in October) → 3 / 5 = 0.6.
    expect(byStage['q']?.reached.toString()).toBe('5');
    expect(byStage['q']?.advanced?.toString()).toBe('3');
    expect(byStage['q']?.conversion?.toString()).toBe('0.6');
  });

  it('Propose: split deals weigh their share, skipped stages count as reached', () => {
    // Reached: c1 1 + c2 1 + c3 1 + c4 0.5 + c7 0.5 = 4.
    // Advanced to Negotiate: c1 1 + c3 1 + c7 0.5 = 2.5 → 2.5 / 4 = 0.625.
    expect(byStage['p']?.reached.toString()).toBe('4');
    expect(byStage['p']?.advanced?.toString()).toBe('2.5');
    expect(byStage['p']?.conversion?.toString()).toBe('0.625');
  });

  it('Negotiate and Won', () => {
    // Negotiate: c1 1 + c3 1 + c7 0.5 = 2.5; won: c1 → 1 / 2.5 = 0.4.
    expect(byStage['n']?.reached.toString()).toBe('2.5');
    expect(byStage['n']?.conversion?.toString()).toBe('0.4');
    // The last step has no next stage.
    expect(byStage['won']?.reached.toString()).toBe('1');
    expect(byStage['won']?.nextStageId).toBeUndefined();
    expect(byStage['won']?.conversion).toBeUndefined();
  });

  it('lists every pipeline, empty ones with undefined conversion', () => {
    const renewals = report.stageConversion.find((p) => p.pipelineId === 'renewals');
    expect(renewals?.steps.map((s) => [s.stageId, s.reached.toString(), s.conversion])).toEqual([
      ['r-open', '0', undefined],
      ['r-won', '0', undefined],
    ]);
  });

  it('reports the unknown history stage', () => {
    expect(report.problems.map((p) => [p.code, p.recordId])).toEqual([['unknown_stage', 'c10']]);
  });
});

describe('stage-to-stage conversion during the period (as of 10 Aug)', () => {
  const { byStage } = steps('2026-08-10');

  it('only sees what had happened by the as-of date', () => {
    // Qualify: c1, c2, c3, c6 (created 10 Aug) = 4; c5 did not exist yet. Advanced c1, c2, c3 → 3 / 4 = 0.75.
    expect(byStage['q']?.reached.toString()).toBe('4');
    expect(byStage['q']?.conversion?.toString()).toBe('0.75');
    // Propose: c1 + c2 + c3 + c4 0.5 + c7 0.5 = 4; Negotiate by 10 Aug: c1, c3 (c7 only on 15 Aug) → 2 / 4 = 0.5.
    expect(byStage['p']?.reached.toString()).toBe('4');
    expect(byStage['p']?.conversion?.toString()).toBe('0.5');
    // Negotiate: c1, c3 = 2; none won yet (c1 won on 20 Aug) → 0.
    expect(byStage['n']?.reached.toString()).toBe('2');
    expect(byStage['n']?.conversion?.toString()).toBe('0');
    expect(byStage['won']?.reached.toString()).toBe('0');
  });
});
