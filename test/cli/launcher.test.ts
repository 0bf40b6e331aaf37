import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

describe('bin/spm.js', () => {
  it('runs the CLI through tsx from any directory and passes the exit code on', () => {
    const ok = spawnSync(process.execPath, [join(ROOT, 'bin/spm.js'), 'calc', '--plan', 'plans', '--data', 'data/acme.json', '--period', '2026-Q3', '--payee', 'ana'], { cwd: join(ROOT, 'examples'), encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('Total USD 20,100.00');
    const bad = spawnSync(process.execPath, [join(ROOT, 'bin/spm.js'), 'calc'], { cwd: ROOT, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('error: --plan is required');
  });
});
