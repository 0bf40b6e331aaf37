#!/usr/bin/env node
// Launcher for the `spm` CLI: runs cli/main.ts through tsx (a TypeScript loader), so the
// CLI needs no build step. `npx spm calc ...` and `npm run spm -- calc ...` both end here.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Resolve tsx from this package, not from wherever the user happens to be.
const tsx = import.meta.resolve('tsx');
const child = spawnSync(process.execPath, ['--import', tsx, join(root, 'cli', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
if (child.error) {
  process.stderr.write(`error: could not start the spm CLI: ${child.error.message}\n`);
  process.exit(1);
}
if (child.signal) process.kill(process.pid, child.signal);
process.exit(child.status ?? 1);
