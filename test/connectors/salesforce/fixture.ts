import type { RawDataset } from '../../../shared/src/input/dataset.schema.js';

/**
 * A small org: Mia manages Ana and Bo; Sam is a solutions engineer paid in EUR.
 * - d1 won by Ana, 40,000 USD, no splits (Salesforce's default 100 % Revenue split).
 * - d2 open, Ana, 30,000 USD.
 * - d3 won by Bo, 20,000 EUR, Revenue 50/50 Bo/Ana plus a 10 % Overlay for Sam.
 * - d4 won by Bo, 10,000 USD, Revenue splits 60 + 30 = 90 %: must be reported, not paid.
 */
export const ORG: RawDataset = {
  tenant: { id: 'acme', name: 'Acme', currency: 'USD' },
  users: [
    { id: 'mia', name: 'Mia Manager', email: 'mia@acme.test' },
    { id: 'ana', name: 'Ana Rep', email: 'ana@acme.test' },
    { id: 'bo', name: 'Bo Rep', email: 'bo@acme.test' },
    { id: 'sam', name: 'Sam Engineer', email: 'sam@acme.test', payCurrency: 'EUR' },
  ],
  managers: [
    { userId: 'ana', managerId: 'mia', from: '2026-01-01' },
    { userId: 'bo', managerId: 'mia', from: '2026-01-01' },
  ],
  pipelines: [
    {
      id: 'sales',
      name: 'Sales',
      stages: [
        { id: 'discovery', name: 'Discovery', probability: '0.2' },
        { id: 'proposal', name: 'Proposal', probability: '0.6' },
        { id: 'won', name: 'Closed Won', outcome: 'won' },
        { id: 'lost', name: 'Closed Lost', outcome: 'lost' },
      ],
    },
  ],
  deals: [
    { id: 'd1', name: 'Globex', pipelineId: 'sales', stageId: 'won', amount: '40000', currency: 'USD', closeDate: '2026-07-10', createdDate: '2026-05-02', ownerId: 'ana' },
    { id: 'd2', name: 'Initech', pipelineId: 'sales', stageId: 'proposal', amount: '30000', currency: 'USD', closeDate: '2026-09-20', createdDate: '2026-06-01', ownerId: 'ana' },
    {
      id: 'd3', name: 'Umbrella', pipelineId: 'sales', stageId: 'won', amount: '20000', currency: 'EUR', closeDate: '2026-08-03', createdDate: '2026-04-11', ownerId: 'bo',
      splits: [{ userId: 'bo', type: 'revenue', percent: '50' }, { userId: 'ana', type: 'revenue', percent: '50' }, { userId: 'sam', type: 'overlay', percent: '10' }],
    },
    {
      id: 'd4', name: 'Hooli', pipelineId: 'sales', stageId: 'won', amount: '10000', currency: 'USD', closeDate: '2026-08-20', createdDate: '2026-05-20', ownerId: 'bo',
      splits: [{ userId: 'bo', type: 'revenue', percent: '60' }, { userId: 'ana', type: 'revenue', percent: '30' }],
    },
  ],
  activities: [
    { id: 'a1', type: 'call', userId: 'ana', dealId: 'd2', occurredAt: '2026-07-05' },
    { id: 'a2', type: 'meeting', userId: 'bo', dealId: 'd3', occurredAt: '2026-07-15' },
    { id: 'a3', type: 'email', userId: 'ana', occurredAt: '2026-07-06' },
    { id: 'a4', type: 'meeting', status: 'canceled', userId: 'ana', dealId: 'd2', occurredAt: '2026-07-20' },
  ],
  quotas: [{ id: 'q-ana', userId: 'ana', period: '2026-Q3', target: '100000', effectiveFrom: '2026-07-01' }],
  fxRates: [{ from: 'EUR', to: 'USD', rate: '1.25', date: '2026-01-01', source: 'ECB' }],
};
