import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACME_JSON, PLANS, spm, statementBlock, tempDir } from './helpers.js';

/**
 * Ana Alvarez, Q3 2026, on the account-executive plan (examples/plans/account-executive.yaml).
 * Her Q3 quota is 200,000 (version 2 of ana-2026-q3, corrected from 210,000 on Jul 10).
 * New business is a hybrid table: 4 % below 50 %, 8 % to 100 % (retroactive), 12 % above
 * 100 % (marginal).
 *   q3-a1 Jul 14  60,000  (0 → 30 %)   60,000 × 4 %                         = 2,400
 *                 first new-logo deal of the quarter: SPIFF                  =   500
 *   q3-a2 Aug 5   80,000 split 50/50 with Ben: 40,000 credited (30 → 50 %)
 *                 reaching 50 % unlocks 8 %: 40,000 × 8 %                    = 3,200
 *                 true-up on the 60,000 credited earlier: (8 % − 4 %) × 60,000 = 2,400
 *                 (a new-logo deal, but the SPIFF pays once per quarter)
 *   q3-a6 Aug 20  renewal 40,000 × 3 %                                       = 1,200
 *   q3-a3 Sep 3   90,000 (50 → 95 %)  90,000 × 8 %                         = 7,200
 *   q3-a5 Sep 15  lost: nothing
 *   q3-a4 Sep 22  30,000 (95 → 110 %): 10,000 × 8 % + 20,000 × 12 % = 800 + 2,400 = 3,200
 * Total: 2,400 + 500 + 3,200 + 2,400 + 1,200 + 7,200 + 3,200 = 20,100.
 * Check: 200,000 × 8 % + 20,000 × 12 % = 18,400 new business, + 500 SPIFF + 1,200 renewals.
 * No cap is reached (60,000 component, 90,000 plan), no draw, no rounding.
 */
describe('spm calc on the examples', () => {
  it('prints Ana\'s Q3 statement with the hand-computed total', async () => {
    const r = await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-Q3');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const ana = statementBlock(r.stdout, 'ana', '2026-Q3');
    expect(ana).toContain('Total USD 20,100.00');
    expect(ana).toMatch(/true-up\s+2026-08-05\s+2,400\.00/);
    expect(ana).toMatch(/commission\s+2026-09-22\s+3,200\.00/);
    expect(ana).toContain('USD 10,000.00 at 8 % (tier 2) + USD 20,000.00 at 12 %');
    expect(ana).toMatch(/account-executive \/ New business\s+revenue\s+USD 200,000\.00\s+USD 220,000\.00\s+110 %/);
    // The one-line summary a newcomer reads last.
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      'Summary: 12 payees, 14 statements, total payout USD 140,184.06 + EUR 11,889.89 for 2026-Q3 (quarterly) and 2026-07, 2026-08, 2026-09 (monthly), as of 2026-09-30; no exceptions.',
    );
  });

  it('computes the monthly SDR plan for each month of the quarter, and says so', async () => {
    const r = await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-Q3');
    expect(r.stdout).toContain('Monthly plans (sdr): computed for each month of 2026-Q3: 2026-07, 2026-08, 2026-09.');
    // July: 14 meetings of a 12-meeting quota (116.67 %) → all at 75 USD retroactively = 1,050.
    expect(statementBlock(r.stdout, 'tara', '2026-07')).toContain('Total USD 1,050.00');
    // August: 9 meetings (75 %) at 50 = 450, plus one sourced deal won (A. Datum) at 150 = 600.
    expect(statementBlock(r.stdout, 'tara', '2026-08')).toContain('Total USD 600.00');
  });

  it('skips plans of a longer cadence, naming the period that computes them', async () => {
    const r = await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-08');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Skipped quarterly plans (account-executive, sales-manager, solutions-engineer): they pay by quarter, and 2026-08 is only part of one; run spm calc --period 2026-Q3 for them.');
    expect(statementBlock(r.stdout, 'tara', '2026-08')).toContain('Total USD 600.00');
  });

  it('defaults --as-of to the last day of the period, not today', async () => {
    const r = await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-Q2', '--json', '--payee', 'ana');
    const out = JSON.parse(r.stdout);
    expect(out.asOf).toBe('2026-06-30');
    expect(out.period).toEqual({ id: '2026-Q2', kind: 'quarter', start: '2026-04-01', end: '2026-07-01' });
    // Q2 quota 180,000: q2-01 45,000 × 4 % = 1,800 + 500 SPIFF; q2-02 70,000 reaches 63.9 % → 8 %: 5,600 and a
    // 1,800 true-up on q2-01; renewal 25,000 × 3 % = 750. Total 10,450.
    expect(out.statements.map((s: { payeeId: string; total: string }) => [s.payeeId, s.total])).toEqual([['ana', '10450.00']]);
  });

  it('pays a multi-currency payee in her pay currency, with the rate on each line', async () => {
    const r = await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-Q3', '--payee', 'lena');
    const lena = statementBlock(r.stdout, 'lena', '2026-Q3');
    // EUR 50,000 closed Jul 20 → USD at the Jul 1 ECB rate 1.095 = 54,750; 4 % = 2,190 USD → EUR at 0.905 (Sep 30) = 1,981.95.
    expect(lena).toContain('paid in EUR');
    expect(lena).toMatch(/commission\s+2026-07-20\s+1,981\.95/);
    expect(lena).toContain('Paid in EUR at 0.905 (ECB, 2026-09-30)');
    expect(lena).toContain('Total EUR 11,889.89');
  });

  it('shows a ramped new hire\'s phased quota and guarantee draw', async () => {
    const r = await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-Q3', '--payee', 'hugo');
    const hugo = statementBlock(r.stdout, 'hugo', '2026-Q3');
    // 150,000 × (0.2 × 0.5 + 0.3 × 0.75 + 0.5 × 1) = 123,750; he earns 1,000 + 500 and is topped up to 7,500.
    expect(hugo).toContain('USD 123,750.00');
    expect(hugo).toMatch(/draw\s+2026-09-30\s+6,000\.00/);
    expect(hugo).toContain('Total USD 7,500.00');
    expect(hugo).toContain('draw 0.00 → 6,000.00');
  });
});

describe('locked periods', () => {
  it('--json output round-trips through --locked: locking Q2 changes nothing in Q3', async () => {
    const dir = tempDir();
    const q2 = await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-Q2', '--json');
    expect(q2.code).toBe(0);
    writeFileSync(join(dir, 'q2.json'), q2.stdout);
    const open = JSON.parse((await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-Q3', '--json')).stdout);
    const locked = JSON.parse((await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-Q3', '--json', '--locked', join(dir, 'q2.json'))).stdout);
    expect(locked.statements).toEqual(open.statements);
    // Asking for a locked period returns it exactly as locked, months of the SDR plan included.
    const again = JSON.parse((await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-Q2', '--json', '--locked', join(dir, 'q2.json'))).stdout);
    expect(again.periods.every((p: { locked: boolean }) => p.locked)).toBe(true);
    expect(again.statements).toEqual(JSON.parse(q2.stdout).statements);
  });

  it('a paid deal lost after its period was locked is clawed back in the next period', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'q2.json'), (await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-Q2', '--json')).stdout);
    const data = JSON.parse(readFileSync(ACME_JSON, 'utf8'));
    const q202 = data.deals.find((d: { id: string }) => d.id === 'q2-02');
    Object.assign(q202, { stageId: 'closed-lost', sourceVersion: '2026-08-02T10:00:00Z' });
    writeFileSync(join(dir, 'acme-edited.json'), JSON.stringify(data));
    const r = await spm('calc', '--plan', PLANS, '--data', join(dir, 'acme-edited.json'), '--period', '2026-Q3', '--locked', join(dir, 'q2.json'), '--payee', 'ana');
    expect(r.code).toBe(0);
    const ana = statementBlock(r.stdout, 'ana', '2026-Q3');
    // In Q2, q2-02 (70,000) paid 5,600 (8 %) and a 1,800 true-up on q2-01. The plan claws back what was paid.
    expect(ana).toMatch(/clawback\s+2026-07-01\s+-5,600\.00/);
    expect(ana).toMatch(/adjustment\s+2026-07-01\s+-1,800\.00/);
    expect(ana).toContain('Total USD 12,700.00');

    writeFileSync(join(dir, 'before.json'), (await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-Q3', '--json', '--locked', join(dir, 'q2.json'))).stdout);
    writeFileSync(join(dir, 'after.json'), (await spm('calc', '--plan', PLANS, '--data', join(dir, 'acme-edited.json'), '--period', '2026-Q3', '--json', '--locked', join(dir, 'q2.json'))).stdout);
    const diff = await spm('diff', '--before', join(dir, 'before.json'), '--after', join(dir, 'after.json'));
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('Ana Alvarez (ana) · 2026-Q3: USD 20,100.00 → USD 12,700.00 (-7,400.00)');
    expect(diff.stdout).toContain('By cause: attainment-shift -1,800.00, clawback -5,600.00');
  });
});

describe('spm estimate', () => {
  it('estimates Ana\'s open deals in declared order', async () => {
    const r = await spm('estimate', '--plan', PLANS, '--data', ACME_JSON, '--payee', 'ana');
    expect(r.code).toBe(0);
    // As of Nov 11 (the latest closed record in the data) Ana has 35,000 of a 220,000 Q4 quota (15.91 %).
    // q4-a1 (120,000) lifts her to 70.45 %: 120,000 × 8 % = 9,600, a true-up of 4 % × 35,000 = 1,400, and the 500 SPIFF.
    expect(r.stdout).toMatch(/q4-a1\s+Fourth Coffee — Enterprise\s+2026-11-20\s+2026-Q4\s+USD 120,000\.00\s+\+11,500\.00\s+\+11,500\.00\s+2/);
    expect(r.stdout).toContain('as of 2026-11-11');
    expect(r.stdout).toContain('Summary: 2 open deals, net pay +14,700.00 USD if all close as expected.');
  });

  it('--deal limits the estimate and rejects deals that are not open', async () => {
    const one = await spm('estimate', '--plan', PLANS, '--data', ACME_JSON, '--payee', 'ana', '--deal', 'q4-a2', '--json');
    expect(JSON.parse(one.stdout).estimates.map((e: { dealId: string; commission: string }) => [e.dealId, e.commission])).toEqual([['q4-a2', '1600']]);
    const closed = await spm('estimate', '--plan', PLANS, '--data', ACME_JSON, '--payee', 'ana', '--deal', 'q3-a1');
    expect(closed.code).toBe(2);
    expect(closed.stderr).toContain('deal q3-a1 is not an open deal that credits ana');
  });
});
