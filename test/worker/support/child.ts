import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { STARTED } from '../../../app/runtime.js';
import { waitFor } from './harness.js';

export const WORKER_FIXTURE = fileURLToPath(new URL('../fixtures/worker-child.ts', import.meta.url));
/** The `spm` command line, as bin/spm.js runs it. */
export const CLI_ENTRY = fileURLToPath(new URL('../../../cli/main.ts', import.meta.url));

/** The least configuration `spm worker` starts with (a CRM app and the token key); the tests add the database and Redis. */
export const DEPLOYMENT_ENV: Readonly<Record<string, string>> = {
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  HUBSPOT_CLIENT_ID: 'test-client',
  HUBSPOT_CLIENT_SECRET: 'test-secret',
  HUBSPOT_APP_ID: '123456',
};

export interface ChildWorker {
  readonly process: ChildProcess;
  /** Parsed JSON log lines (stdout) so far. */
  logs(): Array<Record<string, unknown>>;
  stderr(): string;
  /** Resolves once the process logged that it started (app/runtime.ts STARTED). */
  ready(): Promise<void>;
  /** Exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then wait for the exit; SIGKILL if it does not exit in time. */
  stop(timeoutMs?: number): Promise<number | string>;
}

/** Runs a TypeScript entry in its own Node process (`node --import tsx`), configured as a deployment (DEPLOYMENT_ENV, then `env`). */
export function spawnWorker(env: Record<string, string>, entry: string = WORKER_FIXTURE, args: readonly string[] = []): ChildWorker {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { env: { ...process.env, ...DEPLOYMENT_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  let exitValue: number | string | undefined;
  void exited.then((v) => (exitValue = v));
  const logs = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    process: child,
    logs,
    stderr: () => err,
    ready: async () => {
      await waitFor(
        'the worker to start',
        () => {
          if (exitValue !== undefined) throw new Error(`worker exited (${exitValue}) before starting: ${err || out}`);
          return logs().some((l) => l['msg'] === STARTED);
        },
        30_000,
      );
    },
    exited,
    stop: async (timeoutMs = 20_000) => {
      if (exitValue !== undefined) return exitValue;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
