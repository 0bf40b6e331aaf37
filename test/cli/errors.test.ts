import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { ACME_CSV, ACME_JSON, PLANS, ROOT, spm, STACK_FRAME, tempDir } from './helpers.js';

const AE_PLAN = readFileSync(join(PLANS, 'account-executive.yaml'), 'utf8');

function brokenPlan(edit: (text: string) => string): string {
  const dir = tempDir();
  const text = edit(AE_PLAN);
  expect(text).not.toBe(AE_PLAN);
  writeFileSync(join(dir, 'account-executive.yaml'), text);
  return join(dir, 'account-executive.yaml');
}

describe('invalid input exits 2 with the path and a fix, never a stack or a partial statement', () => {
  it('tier rows with decreasing upTo', async () => {
    const plan = brokenPlan((t) => t.replace('- { upTo: "100", multiplier: "1" }', '- { upTo: "40", multiplier: "1" }'));
    const r = await spm('calc', '--plan', plan, '--data', ACME_JSON, '--period', '2026-Q3');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: .*account-executive\.yaml\n/);
    expect(r.stderr).toContain('  components[0].tiers.table[1].upTo (line 69): bounds must rise: 40 is not above 50. Fix: list tiers from lowest to highest with increasing "upTo".');
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('a misspelled field', async () => {
    const plan = brokenPlan((t) => t.replace('    frequency: once-per-period', '    frequncy: once-per-period'));
    const r = await spm('validate', '--plan', plan);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('  components[1] (line 72): unknown field(s) "frequncy". Fix: remove them or check the spelling against the documented format.');
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('every broken plan file is reported in one run', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.yaml'), AE_PLAN.replace('rate: "0.03"', 'rate: 0.03'));
    writeFileSync(join(dir, 'b.yaml'), 'id: b\nversion: 1\nname: [unclosed\n');
    const r = await spm('validate', '--plan', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('0.03 is a floating-point number, which cannot hold money exactly. Fix: write it as a string, e.g. "0.03".');
    expect(r.stderr).toMatch(/error: .*b\.yaml\n {2}line 4, column 1: .*Fix: correct the YAML syntax/);
  });

  it('an invalid CSV row names the file and line', async () => {
    const dir = tempDir();
    cpSync(ACME_CSV, dir, { recursive: true });
    const deals = join(dir, 'deals.csv');
    const text = readFileSync(deals, 'utf8');
    const lines = text.split('\n');
    const index = lines.findIndex((l) => l.startsWith('q3-c5,'));
    writeFileSync(deals, text.replace(',12500.50,', ',"12,5",'));
    const r = await spm('calc', '--plan', PLANS, '--data', dir, '--period', '2026-Q3');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: ${dir}\n`);
    expect(r.stderr).toContain(`  deals.csv line ${index + 1}: amount: "12,5" is not a decimal number. Fix: write digits with an optional "." and no thousands separators, e.g. "12500.00".`);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('a CSV split row is traced back to splits.csv, and an unknown column to the header', async () => {
    const dir = tempDir();
    cpSync(ACME_CSV, dir, { recursive: true });
    writeFileSync(join(dir, 'splits.csv'), readFileSync(join(dir, 'splits.csv'), 'utf8').replace('q3-e3,felix,revenue,30', 'q3-e3,felix,revenue,20'));
    const r = await spm('validate', '--plan', PLANS, '--data', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ {2}splits\.csv lines \d+, \d+: revenue splits of deal q3-e3 total 90 %, not 100 %\. Fix: /);

    writeFileSync(join(dir, 'fx-rates.csv'), readFileSync(join(dir, 'fx-rates.csv'), 'utf8').replace('from,to,rate', 'from,to,rat'));
    const header = await spm('validate', '--plan', PLANS, '--data', dir);
    expect(header.stderr).toContain('  fx-rates.csv line 1: unknown column "rat". Fix: use the documented columns: from, to, rate, date, source.');
  });

  it('an unreadable file is named', async () => {
    const r = await spm('calc', '--plan', 'examples/plans/nope.yaml', '--data', ACME_JSON, '--period', '2026-Q3');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: examples/plans/nope.yaml\n  cannot read examples/plans/nope.yaml: no such file or directory. Fix: check the path (relative paths start from the current directory) and that the file is readable.\n');
  });

  it('a bad command line exits 2 with a pointer to --help', async () => {
    const r = await spm('calc', '--plan', PLANS, '--data', ACME_JSON);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'error: --period is required\nRun "spm calc --help" for its options.\n' });
    expect((await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-Q3', '--as-of', '30/09/2026')).code).toBe(2);
    expect((await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', 'Q3')).stderr).toContain('"Q3" is not a period');
    expect((await spm('frobnicate')).code).toBe(2);
    expect((await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-Q3', '--payee', 'zoe')).stderr).toContain('unknown user "zoe"');
  });

  it('an unexpected failure exits 1 with one line; --debug adds the stack', async () => {
    const failing = (args: string[]) => {
      let stderr = '';
      const io = {
        stdout: () => {
          throw new Error('disk full');
        },
        stderr: (t: string) => void (stderr += t),
        cwd: ROOT,
      };
      return main(args, io).then((code) => ({ code, stderr }));
    };
    const plain = await failing(['validate', '--plan', PLANS]);
    expect(plain.code).toBe(1);
    expect(plain.stderr.split('\n')[0]).toBe('error: unexpected failure in spm validate: disk full');
    expect(plain.stderr).not.toMatch(STACK_FRAME);
    const debug = await failing(['validate', '--plan', PLANS, '--debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(STACK_FRAME);
  });
});

describe('exceptions', () => {
  it('calc --strict and validate --period exit 3 when the engine refused to pay on a record', async () => {
    // Felix has no Q4 quota in the example data.
    const calc = await spm('calc', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-Q4', '--strict', '--payee', 'felix');
    expect(calc.code).toBe(3);
    expect(calc.stdout).toContain('missing_quota (felix/account-executive/new-business): Felix Wagner has no revenue quota for');
    expect(calc.stdout).toContain('Fix: add a revenue quota for felix covering 2026-Q4.');
    const validate = await spm('validate', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-Q4');
    expect(validate.code).toBe(3);
    expect((await spm('validate', '--plan', PLANS, '--data', ACME_JSON, '--period', '2026-Q3')).code).toBe(0);
  });
});
