import { describe, expect, it } from 'vitest';
import { InputError } from '../../shared/src/input/input-error.js';
import { parsePlanText } from '../../shared/src/plan/plan-document.js';

function problems(text: string): Array<{ path: string; message: string; fix: string }> {
  try {
    parsePlanText(text, 'plans/ae.yaml');
  } catch (error) {
    if (error instanceof InputError) return [...error.issues];
    throw error;
  }
  throw new Error('expected the plan to be rejected');
}

const header = `id: ae
version: 1
name: AE
effective: { from: 2026-01-01 }
period: quarter
currency: USD
payees: [{ user: ana }]
`;

describe('invalid plans are rejected with the path and the fix', () => {
  it('tier bounds that do not rise', () => {
    const issues = problems(`${header}components:
  - id: nb
    type: commission
    tiers:
      mode: marginal
      table:
        - { upTo: "100", rate: "0.05" }
        - { upTo: "50", rate: "0.08" }
        - { rate: "0.1" }
`);
    expect(issues).toEqual([{ path: 'components[0].tiers.table[1].upTo', message: 'bounds must rise: 50 is not above 100', fix: 'list tiers from lowest to highest with increasing "upTo"' }]);
  });

  it('a rate written as a float number, a misspelled field and an unknown mode, all at once', () => {
    const issues = problems(`${header}components:
  - id: nb
    type: commission
    rate: 0.05
    capp: "100"
  - id: x
    type: commission
    tiers: { mode: progressive, table: [{ rate: "0.1" }] }
`);
    expect(issues.map((i) => i.path)).toEqual(['components[0].rate', 'components[0]', 'components[1].tiers.mode']);
    expect(issues[0]!.message).toBe('0.05 is a floating-point number, which cannot hold money exactly');
    expect(issues[0]!.fix).toBe('write it as a string, e.g. "0.05"');
    expect(issues[1]!.message).toBe('unknown field(s) "capp"');
    expect(issues[2]!.fix).toBe('use one of: "retroactive", "marginal", "hybrid"');
  });

  it('a hybrid table whose marginal bound is not a tier bound', () => {
    const issues = problems(`${header}components:
  - id: nb
    type: commission
    tiers: { mode: hybrid, marginalFrom: "90", table: [{ upTo: "100", rate: "0.05" }, { rate: "0.08" }] }
`);
    expect(issues).toEqual([expect.objectContaining({ path: 'components[0].tiers.marginalFrom', message: '90 is not a tier bound' })]);
  });

  it('YAML syntax errors name the line', () => {
    const issues = problems('id: ae\nversion: 1\n  name: oops\n');
    // The parser stops at the mapping the stray indentation breaks (line 2 or 3).
    expect(issues[0]!.path).toMatch(/^line [23], column \d+$/);
  });

  it('an unknown currency, a bad date and a missing field', () => {
    const issues = problems(`id: ae
version: 1
effective: { from: 2026-02-30 }
period: quarter
currency: XYZ
payees: [{ user: ana }]
components: [{ id: nb, type: commission, rate: "0.1" }]
`);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'name: Invalid input: expected string, received undefined',
      'effective.from: "2026-02-30" is not a calendar date',
      'currency: "XYZ" is not a supported ISO 4217 currency code',
    ]);
    expect(issues[0]!.fix).toBe('add this required field');
  });
});
