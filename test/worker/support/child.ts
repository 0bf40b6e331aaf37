import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './harness.js';

export const WORKER_FIXTURE = fileURLToPath(new URL('../fixtures/worker-child.ts', import.meta.url));
export const MAIN_ENTRY = fileURLToPath(new URL('../../../worker/src/main.ts', import.meta.url));

export interface ChildWorker {
  readonly process: ChildProcess;
  /** Parsed JSON log lines (stdout) so far. */
  logs(): Array<Record<string, unknown>>;
  stderr(): string;
  /** Resolves once the worker logged 'worker started'. */
  ready(): Promise<void>;
  /** Exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then wait for the exit; SIGKILL if it does not exit in time. */
  stop(timeoutMs?: number): Promise<number | string>;
}

/** Runs a TypeScript entry in its own Node process (`node --import tsx`). */
export function spawnWorker(env: Record<string, string>, entry: string = WORKER_FIXTURE): ChildWorker {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
          return logs().some((l) => l['msg'] === 'worker started');
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
