import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activitySchema, dealSchema, parseDataset } from '../../shared/src/input/dataset.schema.js';
import { readActivity, readDeal } from '../../shared/src/input/record-fast-path.js';
import { InputError } from '../../shared/src/input/input-error.js';

/**
 * Deals and activities in their plain valid form are read without zod. The reader must
 * accept only records the schema accepts, and read them exactly as the schema does; any
 * other record sends the whole file through zod, so its problems are reported unchanged.
 */
const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_k, v) => (v instanceof Object && 'd' in v && 'e' in v && 's' in v ? (v as { toString(): string }).toString() : v)));
/** Mostly a valid value, sometimes one the schema rejects (or reads in an unusual way). */
const usually = <T, U>(valid: fc.Arbitrary<T>, odd: fc.Arbitrary<U>) => fc.oneof({ weight: 60, arbitrary: valid }, { weight: 1, arbitrary: odd });
const id = usually(fc.constantFrom('d1', 'ana', 'x|y', 'deal-0000001'), fc.constantFrom(' ana ', '', '  ', 5, null));
const decimalValue = usually(fc.constantFrom('100.00', '0', '12.5', '00012', '123456789012345678901234567890.123456789012345', 7, 0), fc.constantFrom('-5', '-0', '1,000', '1e5', ' 12.5 ', '', '7.', '.5', 12.5, Number.NaN, 2 ** 60, -0, -3));
const date = usually(fc.constantFrom('2026-07-01', '2026-12-31', '2026-07-01T10:00:00Z', '2026-07-01T23:30:00-05:00'), fc.constantFrom('2026-02-30', 'yesterday', '', '2026-7-1', '20260701', 20260701));
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });
const split = fc.record({ userId: id, type: usually(fc.constantFrom('revenue', 'overlay'), fc.constant('weird')), percent: decimalValue }, { noNullPrototype: true });
const deal = fc
  .record({
    id,
    name: optional(usually(fc.constantFrom('Acme', ''), fc.constant(5))),
    pipelineId: id,
    stageId: id,
    amount: decimalValue,
    currency: usually(fc.constantFrom('USD', 'usd', ' EUR', 'JPY'), fc.constantFrom('XXX', 1)),
    closeDate: date,
    createdDate: date,
    ownerId: id,
    splits: optional(usually(fc.array(split, { maxLength: 3 }), fc.constant('none'))),
    properties: optional(usually(fc.dictionary(fc.constantFrom('dealType', 'a', '1', 'toString'), fc.string({ maxLength: 3 }), { maxKeys: 3, noNullPrototype: true }), fc.constantFrom(null, { a: 1 }, []))),
    stageHistory: optional(usually(fc.array(fc.record({ stageId: id, enteredAt: date }, { noNullPrototype: true }), { maxLength: 2 }), fc.constant([{ stageId: 'a' }]))),
    sourceVersion: optional(usually(fc.constantFrom('v1', ''), fc.constant(null))),
    extra: usually(fc.constant(undefined), fc.constant(1)),
  }, { noNullPrototype: true })
  .map((d) => Object.fromEntries(Object.entries(d).filter(([k, v]) => v !== undefined || k === 'name')));
const activity = fc
  .record({
    id,
    type: usually(fc.constantFrom('call', 'email', 'meeting', 'task'), fc.constant('fax')),
    status: optional(usually(fc.constantFrom('completed', 'scheduled', 'canceled'), fc.constant('done'))),
    userId: id,
    dealId: optional(id),
    occurredAt: date,
    extra: usually(fc.constant(undefined), fc.constant(1)),
  }, { noNullPrototype: true })
  .map((a) => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)));

describe('deals and activities read without zod', () => {
  it('a deal is read exactly as the schema reads it, or left to the schema', () => {
    fc.assert(
      fc.property(deal, (record) => {
        const fast = readDeal(record);
        const zod = dealSchema.safeParse(record);
        if (!zod.success) expect(fast).toBeUndefined();
        // Every field the schema accepts in its plain form is read here too.
        else expect(fast).toBeDefined();
        if (fast !== undefined) expect(json(fast)).toEqual(json(zod.data));
      }),
      { numRuns: 3000 },
    );
  });

  it('an activity is read exactly as the schema reads it, or left to the schema', () => {
    fc.assert(
      fc.property(activity, (raw) => {
        const fast = readActivity(raw);
        const zod = activitySchema.safeParse(raw);
        if (!zod.success) expect(fast).toBeUndefined();
        else expect(fast).toBeDefined();
        if (fast !== undefined) expect(json(fast)).toEqual(json({ ...zod.data, dealId: zod.data!.dealId }));
      }),
      { numRuns: 2000 },
    );
  });

  it('a file with one record the fast reader leaves to zod reports what zod reports', () => {
    const base = {
      tenant: { id: 't', currency: 'USD' },
      users: [{ id: 'ana', name: 'Ana' }],
      pipelines: [{ id: 'p', name: 'P', stages: [{ id: 'won', name: 'Won', outcome: 'won' }] }],
      deals: [
        { id: 'd1', pipelineId: 'p', stageId: 'won', amount: '100.00', currency: 'USD', closeDate: '2026-07-01', createdDate: '2026-06-01', ownerId: 'ana' },
        { id: 'd2', pipelineId: 'p', stageId: 'won', amount: 100, currency: 'usd', closeDate: '2026-07-01T10:00:00Z', createdDate: '2026-06-01', ownerId: ' ana ', properties: { a: 'b' } },
      ],
    };
    const ok = parseDataset(base);
    expect(ok.deals.map((d) => [d.id, d.amount.toString(), d.currency, d.closeDate, d.ownerId])).toEqual([
      ['d1', '100', 'USD', '2026-07-01', 'ana'],
      ['d2', '100', 'USD', '2026-07-01', 'ana'],
    ]);
    const bad = { ...base, deals: [...base.deals, { ...base.deals[0], id: 'd3', amount: 12.5 }] };
    expect(() => parseDataset(bad)).toThrow(InputError);
    expect(() => parseDataset(bad)).toThrow('deals[2].amount: 12.5 is a floating-point number');
  });
});
