import { PermanentJobError } from '../../worker/src/queues/errors.js';

/**
 * What went wrong talking to Salesforce, decided once from jsforce's error (its `errorCode`
 * is Salesforce's own code, or ERROR_HTTP_<status> for bodies that were not JSON) so each
 * caller reacts the same way.
 */
export type SalesforceFailure =
  /** The refresh token was revoked or the app uninstalled: stop, keep the data, ask for a reconnect. */
  | 'revoked'
  /** Rolling 24 h API allocation used up (REQUEST_LIMIT_EXCEEDED): waiting minutes will not help. */
  | 'daily-limit'
  /** 5xx, 429, concurrent-request limit, network: the job runner's backoff retries the job, which resumes at its cursor. */
  | 'transient'
  /** A field or object the integration user can't see or the org doesn't have: an admin must fix permissions. */
  | 'missing-access'
  /** A query locator that expired (15 min idle) or was used up: restart the window from its watermark. */
  | 'locator-expired'
  | 'other';

const TRANSIENT_CODES = new Set(['SERVER_UNAVAILABLE', 'UNKNOWN_EXCEPTION', 'REQUEST_RUNNING_TOO_LONG', 'QUERY_TIMEOUT', 'UNABLE_TO_LOCK_ROW', 'ERROR_HTTP_429', 'ERROR_HTTP_420']);
const ACCESS_CODES = new Set(['INVALID_FIELD', 'INVALID_TYPE', 'INSUFFICIENT_ACCESS', 'INSUFFICIENT_ACCESS_OR_READONLY', 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY', 'API_DISABLED_FOR_ORG', 'FUNCTIONALITY_NOT_ENABLED', 'NOT_FOUND', 'INVALID_CROSS_REFERENCE_KEY', 'FIELD_INTEGRITY_EXCEPTION', 'API_CURRENTLY_DISABLED']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN']);

export function errorCodeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { errorCode?: unknown; name?: unknown };
  if (typeof e.errorCode === 'string') return e.errorCode;
  return typeof e.name === 'string' ? e.name : undefined;
}

export function classifySalesforceError(err: unknown): SalesforceFailure {
  if (err instanceof SalesforceAuthRevokedError) return 'revoked';
  const code = errorCodeOf(err) ?? '';
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'invalid_grant' || /Unable to refresh session due to: .*(expired access\/refresh token|invalid_grant|inactive user|app must be installed)/i.test(message)) return 'revoked';
  if (code === 'REQUEST_LIMIT_EXCEEDED') return /concurrent/i.test(message) ? 'transient' : 'daily-limit';
  if (code === 'INVALID_QUERY_LOCATOR' || code === 'QUERY_TOO_COMPLICATED_LOCATOR') return 'locator-expired';
  if (TRANSIENT_CODES.has(code) || /^ERROR_HTTP_5\d\d$/.test(code)) return 'transient';
  if (ACCESS_CODES.has(code)) return 'missing-access';
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  if (err instanceof TypeError && typeof cause?.code === 'string' && NETWORK_CODES.has(cause.code)) return 'transient';
  if (typeof (err as { code?: unknown }).code === 'string' && NETWORK_CODES.has((err as { code: string }).code)) return 'transient';
  return 'other';
}

export class SalesforceAuthRevokedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SalesforceAuthRevokedError';
  }
}

/** The sync stopped on purpose to leave the customer's other integrations their share of the daily API allocation. */
export class ApiBudgetExhaustedError extends Error {
  constructor(
    readonly used: number,
    readonly limit: number,
    readonly reserve: number,
  ) {
    super(`Salesforce API usage is ${used} of ${limit} calls in the rolling 24 hours; the sync pauses before touching the last ${reserve} calls it leaves for the org's other integrations, and resumes from its cursor on a later run`);
    this.name = 'ApiBudgetExhaustedError';
  }
}

/**
 * The error a job handler throws: permanent where retrying cannot help (the job runner then
 * stops at once), the original error otherwise (the runner's backoff is the one retry layer).
 */
export function toJobError(err: unknown, what: string): Error {
  const kind = classifySalesforceError(err);
  const message = err instanceof Error ? err.message : String(err);
  const code = errorCodeOf(err);
  switch (kind) {
    case 'revoked':
      return new PermanentJobError('auth_revoked', `Salesforce refused the stored authorisation while ${what} (${message}); the tenant is disconnected and its data kept: an admin must reconnect Salesforce from the admin console`, { cause: err });
    case 'daily-limit':
      return new PermanentJobError('api_limit', `Salesforce's daily API allocation is used up (REQUEST_LIMIT_EXCEEDED) while ${what}; the sync resumes from its cursor on the next scheduled run. Raise the org's API allocation or lower the sync frequency if this repeats`, { cause: err });
    case 'missing-access':
      return new PermanentJobError('missing_permission', `Salesforce answered ${code ?? 'an error'} while ${what}: ${message}. Give the integration user read access to this object and field (profile or permission set, field-level security), or enable the feature in Setup, then run the sync again`, { cause: err });
    default:
      if (err instanceof ApiBudgetExhaustedError) return new PermanentJobError('api_budget', err.message, { cause: err });
      return err instanceof Error ? err : new Error(`${what}: ${message}`);
  }
}
