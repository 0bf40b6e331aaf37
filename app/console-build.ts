import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const CONSOLE_CONFIG = 'extension/console/vite.config.ts';

/**
 * Builds the admin console (static files) when it has not been built yet, so a fresh
 * clone's `npm start` serves it. Production images build it once at image build time
 * (`npx vite build --config extension/console/vite.config.ts`).
 */
export async function ensureConsoleBuilt(consoleDir: string, log: (line: string) => void): Promise<boolean> {
  if (existsSync(resolve(consoleDir, 'index.html'))) return true;
  if (!existsSync(CONSOLE_CONFIG)) return false;
  log(`building the admin console (first run only) into ${consoleDir}`);
  const { build } = await import('vite');
  await build({ configFile: resolve(CONSOLE_CONFIG), logLevel: 'warn' });
  return existsSync(resolve(consoleDir, 'index.html'));
}
