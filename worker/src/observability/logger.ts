import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values never reach the logs: OAuth tokens and other secrets, and the
 * personal data we hold about CRM users. pino's `*` matches one level, so each key is
 * listed at the top level and at the two nesting depths our log objects use
 * (`{ tenant: { connection: { accessToken } } }` is the deepest we log).
 */
const SECRET_KEYS = [
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'idToken',
  'id_token',
  'token',
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'apiKey',
  'api_key',
  'authorization',
  'cookie',
  'email',
  'phone',
] as const;

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
  // HTTP-shaped objects (request options logged by a connector, headers of a failed call).
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  '*.*.headers.authorization',
];

export const REDACTED = '[redacted]';

export interface LoggerOptions {
  readonly level?: LevelWithSilent;
  readonly name?: string;
  /** Where lines go (tests pass a memory stream); stdout by default. */
  readonly destination?: DestinationStream;
  /** Fields bound to every line (service, pid…). */
  readonly base?: Record<string, unknown>;
}

/** The worker's logger: JSON lines, ISO times, secrets and personal data redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const config = {
    level: options.level ?? 'info',
    name: options.name ?? 'spm-worker',
    base: { pid: process.pid, hostname: hostname(), ...options.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: { err: pino.stdSerializers.err },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
