/// <reference lib="dom" />
/**
 * The console's only way to the server: same-origin calls to /api/admin with the session
 * cookie. A refusal arrives in the backend's one error shape,
 * `{ error: { code, message, fix?, issues?, requestId? } }` (issues only when there are
 * field problems), and is thrown as an ApiError the pages show as it is.
 */
export interface Issue {
  readonly path: string;
  readonly message: string;
  readonly fix: string;
  readonly line?: number | undefined;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fix: string | undefined,
    readonly issues: readonly Issue[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const API = '/api/admin';

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, accept: readonly number[] = []): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(`${API}${path}`, init);
  } catch {
    throw new ApiError(0, 'The server cannot be reached', 'check your connection and try again', []);
  }
  const json = (await response.json().catch(() => undefined)) as unknown;
  if (response.ok || accept.includes(response.status)) return json as T;
  const error = (json as { error?: { message?: string; fix?: string; issues?: Issue[] } } | undefined)?.error;
  if (response.status === 401) throw new ApiError(401, error?.message ?? 'You are not signed in', error?.fix ?? 'open the console from your CRM so it can sign you in', []);
  throw new ApiError(response.status, error?.message ?? `The server answered ${response.status}`, error?.fix, error?.issues ?? []);
}

export const get = <T>(path: string): Promise<T> => call<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}, accept: readonly number[] = []): Promise<T> => call<T>('POST', path, body, accept);

// ---- response shapes (extension/backend/src/admin) ---------------------------------------

/** Where the sync of one CRM object stands: the backend's own type (a type-only import, erased from the bundle). */
export type { SyncState, SyncStatus } from '../../backend/src/admin/admin-router.js';
import type { SyncStatus } from '../../backend/src/admin/admin-router.js';
/** What POST /syncs/:source/:object/run answered ("Sync now"): queued, or joined a sync of that object already queued. */
export type { SyncRequestResult } from '../../backend/src/admin/sync-requests.js';

export interface Connections {
  readonly tenant: { id: string; name: string; source: string; status: string; home_currency: string } | null;
  readonly connections: readonly { source: string; status: string; lastError: string | null; updatedAt: string }[];
  /** Per CRM source and object, ordered by source then object. */
  readonly syncs: readonly SyncStatus[];
  readonly links: { readonly hubspot: string; readonly salesforce: string };
}

export interface PlanSummary {
  readonly id: string;
  readonly name: string;
  readonly period: string;
  readonly currency: string;
  readonly latestVersion: number;
  readonly latestText: string;
  readonly versions: readonly { version: number; effectiveFrom: string; effectiveTo: string | null; createdBy: string; createdAt: string }[];
}

export interface Validation {
  readonly ok: boolean;
  readonly planId?: string;
  readonly version?: number;
  readonly issues: readonly Issue[];
}

export interface LineChange {
  readonly key: string;
  readonly kind: string;
  readonly before: string | undefined;
  readonly after: string | undefined;
  readonly delta: string;
  readonly cause?: string;
  readonly explanation: string;
}

export interface Simulation {
  readonly planId: string;
  readonly version: number;
  readonly period: string;
  readonly note?: string;
  readonly payees: readonly { payeeId: string; payeeName: string; currency: string; totalBefore: string; totalAfter: string; delta: string; changes: readonly LineChange[] }[];
}

export interface QuotaRow {
  readonly id: string;
  readonly version: number;
  readonly userId: string | null;
  readonly teamId: string | null;
  readonly measure: string;
  readonly period: string;
  readonly target: string;
  readonly currency: string | null;
  readonly effectiveFrom: string;
}

export type QuotaImport = { ok: true; rows: number; imported: number; unchanged: number } | { ok: false; rows: number; imported: 0; issues: readonly (Issue & { line: number })[] };

export type PeriodStatus = 'open' | 'calculated' | 'approved' | 'locked';

export interface PeriodRow {
  readonly id: string;
  readonly kind: string;
  readonly start: string;
  readonly end: string;
  readonly lastDay: string;
  readonly ended: boolean;
  readonly status: PeriodStatus;
  readonly approvedBy: string | null;
  readonly lockedBy: string | null;
}

export interface PeriodSummary {
  readonly period: string;
  readonly status: PeriodStatus;
  readonly payees: number;
  readonly totals: Readonly<Record<string, string>>;
}

export interface StatementListing {
  readonly period: string;
  readonly source: 'locked' | 'computed';
  /** When this list was worked out (ISO 8601): it is kept until the tenant's data, plans, quotas or locks change, or the day does. */
  readonly computedAt: string;
  readonly statements: readonly { payeeId: string; payeeName: string; currency: string; total: string; lines: number }[];
}

export interface StatementLine {
  readonly key: string;
  readonly kind: string;
  readonly date: string;
  readonly amount: string;
  readonly explanation: string;
  readonly provenance?: { deal?: { id: string; name: string; amount: string; currency: string } };
  readonly adjusts?: { period: string; cause: string };
}

export interface Dispute {
  readonly id: string;
  readonly payeeId: string;
  readonly period: string;
  readonly lineKey: string;
  readonly claim: { dealAmount?: string; splits?: unknown };
  readonly note: string;
  readonly status: 'open' | 'accepted' | 'rejected';
  readonly result: { dealId: string; currency: string; totalBefore: string; totalAfter: string; delta: string; changes: readonly LineChange[] };
  readonly resolution: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly resolvedBy: string | null;
}

export interface StatementDetail {
  readonly source: 'locked' | 'computed';
  readonly statement: { payeeId: string; payeeName: string; period: { id: string }; currency: string; total: string; residual: string; lines: readonly StatementLine[] };
  readonly disputes: readonly Dispute[];
}

export interface QueueHealth {
  readonly health: { ok: boolean; mode: string; [check: string]: unknown };
  readonly counts: Readonly<Record<string, Readonly<Record<string, number>>>>;
}
