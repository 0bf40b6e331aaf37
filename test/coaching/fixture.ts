import type { Dataset } from '../../shared/src/domain/dataset.js';
import type { UserId } from '../../shared/src/domain/ids.js';
import type { IsoDate } from '../../shared/src/time/iso-date.js';
import { resolvePeriod, type Period } from '../../shared/src/time/period.js';
import { dataset, open, plan, won } from '../support/tenant-builder.js';

/**
 * Mia manages Ana, Ben and Cal. Dan reported to Mia until 1 Jul 2026 and to Oz since; Zed
 * has always reported to Oz. Everyone sells on one retroactive plan: 5 % up to 100 % of a
 * 100,000 Q3 quota, 8 % on everything once 100 % is reached. Pipeline stages (builder
 * defaults): Discovery p = 0.2, Proposal p = 0.6, then Closed won (p = 1) / Closed lost.
 * Deals are created on 15 Jan unless said otherwise. The prompts are asked for Q3 as of 1 Aug.
 */
export const retro = plan({
  id: 'ae',
  payees: ['ana', 'ben', 'cal', 'dan', 'zed'].map((user) => ({ user })),
  components: [{ id: 'nb', type: 'commission', tiers: { mode: 'retroactive', table: [{ upTo: '100', rate: '0.05' }, { rate: '0.08' }] } }],
});

const inQ3 = (id: string, userId: string) => ({ id, userId, period: '2026-Q3', target: '100000' });
const history = (...entries: Array<[string, string]>) => ({ stageHistory: entries.map(([stageId, enteredAt]) => ({ stageId, enteredAt })) });
const call = (id: string, dealId: string, userId: string, occurredAt: string, extra: Record<string, string> = {}) => ({ id, type: 'call' as const, userId, dealId, occurredAt, ...extra });

export const data: Dataset = dataset({
  users: ['mia', 'ana', 'ben', 'cal', 'dan', 'oz', 'zed'].map((id) => ({ id, name: id[0]!.toUpperCase() + id.slice(1) })),
  managers: [
    { userId: 'ana', managerId: 'mia', from: '2026-01-01' },
    { userId: 'ben', managerId: 'mia', from: '2026-01-01' },
    { userId: 'cal', managerId: 'mia', from: '2026-01-01' },
    { userId: 'dan', managerId: 'mia', from: '2026-01-01', to: '2026-07-01' },
    { userId: 'dan', managerId: 'oz', from: '2026-07-01' },
    { userId: 'zed', managerId: 'oz', from: '2026-01-01' },
  ],
  quotas: ['ana', 'ben', 'cal', 'dan', 'zed'].map((u) => inQ3(`q-${u}`, u)),
  deals: [
    // Ana: 60,000 won; the rest open.
    won('a1', 'ana', '60000', '2026-07-10'),
    open('a2', 'ana', '30000', '2026-08-20'),
    open('a3', 'ana', '20000', '2026-09-10', { stageId: 'discovery', createdDate: '2026-07-10' }),
    open('a4', 'ana', '20000', '2026-08-10'),
    open('a5', 'ana', '55000', '2026-09-28', { stageId: 'discovery' }),
    open('a6', 'ana', '10000', '2026-10-15', { stageId: 'discovery' }),
    open('a7', 'ana', '10000', '2026-06-20', { stageId: 'discovery' }),
    // Ben: 50,000 won; four 10,000 deals created 6 Jul in Discovery, one moved on to Proposal.
    won('b1', 'ben', '50000', '2026-07-20'),
    open('b2', 'ben', '10000', '2026-09-15', { createdDate: '2026-07-06', ...history(['discovery', '2026-07-06'], ['proposal', '2026-07-20']) }),
    ...['b3', 'b4', 'b5'].map((id) => open(id, 'ben', '10000', '2026-09-15', { stageId: 'discovery', createdDate: '2026-07-06', ...history(['discovery', '2026-07-06']) })),
    // Cal: 100,000 won (quota met), one fresh open deal.
    won('c1', 'cal', '40000', '2026-07-15'),
    won('c2', 'cal', '30000', '2026-07-25', { createdDate: '2026-07-06', ...history(['discovery', '2026-07-06'], ['proposal', '2026-07-15']) }),
    won('c3', 'cal', '30000', '2026-07-28', { createdDate: '2026-07-06', ...history(['discovery', '2026-07-06'], ['proposal', '2026-07-15']) }),
    open('c4', 'cal', '20000', '2026-09-20', { stageId: 'discovery', createdDate: '2026-07-20', ...history(['discovery', '2026-07-20']) }),
    // Outside Mia's hierarchy on 1 Aug: deals that would fire every rule if they were hers.
    open('d1', 'dan', '30000', '2026-08-15'),
    ...['z1', 'z2', 'z3'].map((id) => open(id, 'zed', '10000', '2026-08-30', { stageId: 'discovery', createdDate: '2026-07-06', ...history(['discovery', '2026-07-06']) })),
  ],
  activities: [
    call('x1', 'a2', 'ana', '2026-07-19'),
    call('x2', 'a3', 'ana', '2026-07-30', { status: 'scheduled' }),
    call('x3', 'a3', 'ana', '2026-07-31', { status: 'canceled' }),
    { id: 'x4', type: 'email', userId: 'ana', dealId: 'a4', occurredAt: '2026-07-18' },
    call('x5', 'a4', 'ana', '2026-08-05'),
    call('x6', 'a5', 'ana', '2026-07-28'),
    call('x7', 'a7', 'ana', '2026-06-01'),
    ...['b2', 'b3', 'b4', 'b5'].map((dealId, i) => call(`y${i}`, dealId, 'ben', '2026-07-27')),
    call('w1', 'c4', 'cal', '2026-07-29'),
  ],
});

export const Q3: Period = resolvePeriod('2026-Q3')!;
export const date = (text: string): IsoDate => text as IsoDate;
export const user = (id: string): UserId => id as UserId;
