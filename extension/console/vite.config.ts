import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The admin console: a static single-page app the backend serves at /console
 * (createApp({ consoleDir: 'extension/console/dist' })). It talks only to /api/admin on the
 * same origin, with the session cookie, so it needs no configuration of its own.
 * Build: `npx vite build --config extension/console/vite.config.ts`.
 */
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  build: { outDir: fileURLToPath(new URL('./dist', import.meta.url)), emptyOutDir: true, sourcemap: true },
  logLevel: 'warn',
});
