import { z } from 'zod';

/**
 * The worker's part of the environment (database, Redis, concurrency, /metrics, logging,
 * shutdown). app/config.ts reads it together with the API's and the connectors' parts.
 */

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const urlWith = (protocols: readonly string[], what: string) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a ${what} URL (${protocols.map((p) => `${p}//`).join(' or ')})` },
  );

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .refine((s) => /^\d+$/.test(s) && Number(s) >= min && Number(s) <= max, { message: `must be a whole number from ${min} to ${max}` })
    .transform(Number);

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, value: string) => z.preprocess((v) => blankToUndefined(v) ?? value, schema);

export const WorkerEnvSchema = z.object({
  /** Unset: jobs run in-process (embedded mode). */
  REDIS_URL: optional(urlWith(['redis:', 'rediss:'], 'Redis')),
  /** Unset: the embedded PGlite database in SPM_DATA_DIR. */
  DATABASE_URL: optional(urlWith(['postgres:', 'postgresql:'], 'PostgreSQL')),
  SPM_DATA_DIR: optional(z.string()),
  /** Concurrent jobs per family in this process; unset: the per-family defaults. */
  WORKER_CONCURRENCY: optional(wholeNumber(1, 256)),
  /** Port of /metrics and /healthz; 0 picks a free one. */
  METRICS_PORT: withDefault(wholeNumber(0, 65_535), '9464'),
  METRICS_HOST: withDefault(z.string().min(1), '0.0.0.0'),
  LOG_LEVEL: withDefault(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'must be one of fatal, error, warn, info, debug, trace, silent' }), 'info'),
  /** How long a shutdown waits for running jobs before aborting them. */
  SHUTDOWN_TIMEOUT_MS: withDefault(wholeNumber(0, 3_600_000), '30000'),
  /** Redis key prefix of the queues. */
  QUEUE_PREFIX: withDefault(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1 to 64 letters, digits, _ or -' }), 'spm'),
});
export type WorkerEnv = z.output<typeof WorkerEnvSchema>;

/** Variables whose value may hold a password: named in errors, never echoed. */
const SECRET_VARS = new Set(['REDIS_URL', 'DATABASE_URL']);

export class WorkerEnvError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid worker environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'WorkerEnvError';
  }
}

/** Reads the worker's environment; a malformed variable fails with a message that names it. */
export function parseWorkerEnv(env: NodeJS.ProcessEnv): WorkerEnv {
  const result = WorkerEnvSchema.safeParse(env);
  if (result.success) return result.data;
  throw new WorkerEnvError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      const raw = env[name];
      const shown = raw === undefined || SECRET_VARS.has(name) ? '' : ` (got ${JSON.stringify(raw)})`;
      return `${name} ${issue.message}${shown}`;
    }),
  );
}
