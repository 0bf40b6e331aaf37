import { describe, expect, it } from 'vitest';
import { InputError } from '../../shared/src/input/input-error.js';
import { parseDataset } from '../../shared/src/input/dataset.schema.js';

function problems(doc: unknown): string[] {
  try {
    parseDataset(doc, 'acme.json');
  } catch (error) {
    if (error instanceof InputError) return error.issues.map((i) => `${i.path}: ${i.message} | ${i.fix}`);
    throw error;
  }
  throw new Error('expected the data to be rejected');
}

const base = {
  tenant: { id: 't', currency: 'USD' },
  users: [{ id: 'ana', name: 'Ana' }],
  pipelines: [{ id: 'p', name: 'P', stages: [{ id: 'won', name: 'Won', outcome: 'won' }] }],
};
const deal = { id: 'd1', pipelineId: 'p', stageId: 'won', amount: '100.00', currency: 'USD', closeDate: '2026-07-01', createdDate: '2026-06-01', ownerId: 'ana' };

describe('invalid data files are rejected with the record and the fix', () => {
  it('names broken references between records', () => {
    expect(problems({ ...base, deals: [{ ...deal, ownerId: 'bob', stageId: 'lost' }] })).toEqual([
      'deals[0].ownerId: unknown user "bob" | add the user to "users" or correct the id',
      'deals[0].stageId: stage "lost" is not in pipeline "p" | use one of the pipeline\'s stage ids',
    ]);
  });

  it('rejects revenue splits that do not total 100 %', () => {
    const splits = [{ userId: 'ana', type: 'revenue', percent: '60' }];
    expect(problems({ ...base, deals: [{ ...deal, splits }] })).toEqual([
      'deals[0].splits: revenue splits of deal d1 total 60 %, not 100 % | adjust the revenue split percentages so they add up to exactly 100 (overlay splits may total anything)',
    ]);
  });

  it('rejects amounts with thousands separators', () => {
    expect(problems({ ...base, deals: [{ ...deal, amount: '1,000.00' }] })).toEqual([
      'deals[0].amount: "1,000.00" is not a decimal number | write digits with an optional "." and no thousands separators, e.g. "12500.00"',
    ]);
  });

  it('rejects quota phasing outside the quota period or not adding up to 1', () => {
    const issues = problems({ ...base, quotas: [{ id: 'q', userId: 'ana', period: '2026-Q3', target: '100', phasing: { '2026-07': '0.5', '2026-10': '0.4' } }] });
    expect(issues).toContain('quotas[0].phasing: phasing weights total 0.9, not 1 | make the monthly weights add up to exactly 1');
    expect(issues).toContain('quotas[0].phasing.2026-10: "2026-10" is not a month inside 2026-Q3 | key phasing weights by the months of the quota period, e.g. "2026-07"');
  });
});
