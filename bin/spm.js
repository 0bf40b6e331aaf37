#!/usr/bin/env node
// Launcher for the `spm` CLI: runs cli/main.ts through tsx (a TypeScript loader), so the
// CLI needs no build step. `npx spm calc ...` and `npm run spm -- calc ...` both end here.
// The child is spawned (not spawnSync) so SIGTERM/SIGHUP from Docker or systemd reach
// `spm serve` / `spm worker` and they shut down gracefully. Ctrl-C already reaches the
// child through the terminal's process group; forwarding it too would count as a second,
// impatient Ctrl-C, so the launcher only waits for the child to finish.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`error: spm needs Node.js 22 or newer (this is ${process.version}); run it through npm (\`npm run spm -- ...\` or \`npx spm ...\`), which uses the project's own Node 24\n`);
  process.exit(1);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Resolve tsx from this package, not from wherever the user happens to be.
const tsx = import.meta.resolve('tsx');
const child = spawn(process.execPath, ['--import', tsx, join(root, 'cli', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
process.on('SIGINT', () => {});
child.on('error', (error) => {
  process.stderr.write(`error: could not start the spm CLI: ${error.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
