import { describe, expect, it } from 'vitest';
import { ACME_CSV, ACME_JSON, PLANS, spm } from './helpers.js';

describe('CSV data', () => {
  it.each(['2026-Q2', '2026-Q3', '2026-Q4'])('gives the same statements as the JSON file for %s', async (period) => {
    const fromJson = await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', period, '--json');
    const fromCsv = await spm('calc', '--plan', PLANS, '--data', ACME_CSV, '--period', period, '--json');
    expect(fromJson.code).toBe(0);
    expect(fromCsv.code).toBe(0);
    const a = JSON.parse(fromJson.stdout);
    const b = JSON.parse(fromCsv.stdout);
    expect(b.statements.length).toBeGreaterThan(10);
    expect(b.statements).toEqual(a.statements);
    expect(b.exceptions).toEqual(a.exceptions);
  });

  it('gives the same estimates as the JSON file', async () => {
    const a = await spm('estimate', '--plan', PLANS, '--data', ACME_JSON, '--payee', 'lena', '--json');
    const b = await spm('estimate', '--plan', PLANS, '--data', ACME_CSV, '--payee', 'lena', '--json');
    expect(JSON.parse(b.stdout)).toEqual(JSON.parse(a.stdout));
    expect(JSON.parse(a.stdout).estimates).toHaveLength(1);
  });
});
