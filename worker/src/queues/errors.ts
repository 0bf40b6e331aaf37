/**
 * Errors of the job layer. A handler throws `PermanentJobError` when trying again cannot
 * help (revoked CRM authorisation, input that will never be valid); the runner then fails
 * the job at once instead of retrying it (BullMQ `UnrecoverableError`). Every other error
 * is retried with the family's backoff, which is the only retry layer for jobs.
 */
export class PermanentJobError extends Error {
  /** A snake_case reason for dashboards and alerts, e.g. 'auth_revoked', 'invalid_input'. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
    this.code = code;
  }
}

/** True for errors that must not be retried: ours, and BullMQ's own `UnrecoverableError`. */
export function isPermanentJobError(err: unknown): boolean {
  return err instanceof PermanentJobError || (err instanceof Error && err.name === 'UnrecoverableError');
}

/** The failure reason stored with a failed job; the same text in both drivers. */
export function failureReason(err: unknown): string {
  if (err instanceof PermanentJobError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** A payload that fails its family's schema when it is enqueued (the caller's bug). */
export class InvalidJobPayloadError extends Error {
  readonly family: string;
  readonly job: string;
  readonly issues: readonly string[];

  constructor(family: string, job: string, issues: readonly string[]) {
    super(`Invalid payload for job ${family}/${job}: ${issues.join('; ')}`);
    this.name = 'InvalidJobPayloadError';
    this.family = family;
    this.job = job;
    this.issues = issues;
  }
}

/** The job store cannot take the job right now (Redis down or reconnecting). Producers fail fast with this. */
export class QueueUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueueUnavailableError';
  }
}

/** The runner is closing or closed and takes no more jobs. */
export class RunnerClosedError extends Error {
  constructor(message = 'The job runner is closed and takes no more jobs') {
    super(message);
    this.name = 'RunnerClosedError';
  }
}
