import { z } from 'zod';
import { InvalidJobPayloadError } from './errors.js';
import { canonicalSet, jobKey } from './job-ids.js';

/**
 * Job families: one queue each, grouped by resource profile (anchors 12.6). Each family
 * has named jobs, one worker per queue switches on the job name (BullMQ named-processor
 * pattern), and every payload has a zod schema checked when the job is added AND when it
 * is processed (a job written by an older producer, or by hand, is caught before a
 * handler sees it).
 *
 * Payloads carry ids, never data or secrets: CRM tokens stay in `crm_connections`,
 * webhook bodies in `event_receipts`.
 */
export const FAMILIES = ['crm-sync', 'compute', 'coaching', 'crm-write-back'] as const;
export type Family = (typeof FAMILIES)[number];

export function isFamily(value: string): value is Family {
  return (FAMILIES as readonly string[]).includes(value);
}

// ---------------------------------------------------------------------------------------
// Payload building blocks

const TenantId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
const CrmSource = z.enum(['hubspot', 'salesforce']);
const RecordId = z.string().min(1).max(256);
/** The calendar period ids of `shared/src/time/period.ts`: 2026, 2026-Q3, 2026-07, 2026-W27. */
const PeriodId = z.string().regex(/^\d{4}(-(\d{2}|Q[1-4]|W\d{2}))?$/, 'must be a period id such as 2026-Q3, 2026-07, 2026-W27 or 2026');
/**
 * Why the job was requested, unique per request: 'webhook-batch:<batchId>',
 * 'plan-change:<planId>@<version>', 'manual:<user>@<iso time>', 'schedule'. It is part
 * of the job id, so re-sending the same request is a no-op while distinct requests are
 * distinct jobs (which deduplication then collapses). The ledger records it as `cause`.
 */
const Cause = z.string().min(1).max(200);
/** A CRM object stream: deals, activities, users, pipelines, teams… (the connectors own the list). */
const CrmObject = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'must be a lower-case object name such as deals or activities');
const IdSet = (max: number) => z.array(RecordId).min(1).max(max).transform(canonicalSet);
const IsoDate = z.iso.date();

export const SyncObjectPayload = z.strictObject({
  tenantId: TenantId,
  source: CrmSource,
  object: CrmObject,
  /** incremental: from the stored cursor; full: re-read everything (after a mapping change). */
  mode: z.enum(['incremental', 'full']),
  cause: Cause,
});

export const ProcessWebhookBatchPayload = z.strictObject({
  tenantId: TenantId,
  source: CrmSource,
  /** The receiver's id for the batch; the events themselves are stored in `event_receipts`. */
  batchId: RecordId,
  eventIds: IdSet(1_000),
});

export const RecomputePayeesPayload = z.strictObject({
  tenantId: TenantId,
  payeeIds: IdSet(5_000),
  periodIds: z.array(PeriodId).min(1).max(60).transform(canonicalSet),
  cause: Cause,
});

export const ReconcileTenantPayload = z.strictObject({
  tenantId: TenantId,
  /** Reconcile as of this date (defaults to the handler's clock). */
  asOf: IsoDate.optional(),
  cause: Cause,
});

export const RefreshPromptsPayload = z.strictObject({
  tenantId: TenantId,
  periodId: PeriodId,
  /** Only these managers' teams; all managers when absent. */
  managerIds: IdSet(1_000).optional(),
  cause: Cause,
});

export const RefreshKpisPayload = z.strictObject({
  tenantId: TenantId,
  periodId: PeriodId,
  /** Only these users' snapshots (and every team's); everyone when absent. */
  userIds: IdSet(5_000).optional(),
  cause: Cause,
});

export const CreateCoachingTaskPayload = z.strictObject({
  tenantId: TenantId,
  /** The `coaching_tasks` row to push to the CRM; the handler stores `crm_task_id` so a retry does not create a second task. */
  taskId: RecordId,
});

// ---------------------------------------------------------------------------------------
// Job definitions

export interface DeduplicationRule {
  /**
   * Requests with the same id collapse into one job while it waits, is delayed or is
   * retrying. While it is running, the LAST such request is kept and runs once after it
   * (BullMQ `keepLastIfActive`), so a change that arrives mid-run is not lost.
   */
  readonly id: string;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  /** Deterministic job id: the same request (same payload) is the same job. */
  jobId(payload: z.output<S>): string;
  /** Which requests do the same work and collapse into one job; absent for jobs that never collapse. */
  deduplication?(payload: z.output<S>): DeduplicationRule;
}

function define<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}

export const JOBS = {
  'crm-sync': {
    'sync-object': define({
      schema: SyncObjectPayload,
      jobId: (p) => jobKey('sync', p.tenantId, p.source, p.object, p.mode, p.cause),
      deduplication: (p) => ({ id: jobKey('sync', p.tenantId, p.source, p.object, p.mode) }),
    }),
    'process-webhook-batch': define({
      schema: ProcessWebhookBatchPayload,
      // The batch id is the identity: the receiver re-sending a batch is a no-op. No
      // deduplication: every batch carries different events.
      jobId: (p) => jobKey('webhook', p.tenantId, p.source, p.batchId),
    }),
  },
  compute: {
    'recompute-payees': define({
      schema: RecomputePayeesPayload,
      jobId: (p) => jobKey('recompute', p.tenantId, p.payeeIds, p.periodIds, p.cause),
      // A burst of webhook events for the same payees and periods collapses into one recompute.
      deduplication: (p) => ({ id: jobKey('recompute', p.tenantId, p.payeeIds, p.periodIds) }),
    }),
    'reconcile-tenant': define({
      schema: ReconcileTenantPayload,
      jobId: (p) => jobKey('reconcile', p.tenantId, p.asOf ?? null, p.cause),
      deduplication: (p) => ({ id: jobKey('reconcile', p.tenantId) }),
    }),
  },
  coaching: {
    // KPI snapshots feed the cards and the prompts alike; they refresh with the prompts, off the ledger's path.
    'refresh-kpis': define({
      schema: RefreshKpisPayload,
      jobId: (p) => jobKey('kpis', p.tenantId, p.periodId, p.userIds ?? null, p.cause),
      deduplication: (p) => ({ id: jobKey('kpis', p.tenantId, p.periodId, p.userIds ?? null) }),
    }),
    'refresh-prompts': define({
      schema: RefreshPromptsPayload,
      jobId: (p) => jobKey('coaching', p.tenantId, p.periodId, p.managerIds ?? null, p.cause),
      deduplication: (p) => ({ id: jobKey('coaching', p.tenantId, p.periodId, p.managerIds ?? null) }),
    }),
  },
  'crm-write-back': {
    'create-coaching-task': define({
      schema: CreateCoachingTaskPayload,
      jobId: (p) => jobKey('write-task', p.tenantId, p.taskId),
    }),
  },
} as const satisfies { readonly [F in Family]: Readonly<Record<string, JobDefinition>> };

export type Jobs = typeof JOBS;
export type JobName<F extends Family> = keyof Jobs[F] & string;
/** The payload a handler receives (after parsing: id sets sorted and without repeats). */
export type Payload<F extends Family, N extends JobName<F>> = Jobs[F][N] extends JobDefinition<infer S> ? z.output<S> : never;
/** The payload a producer passes to `enqueue`. */
export type PayloadInput<F extends Family, N extends JobName<F>> = Jobs[F][N] extends JobDefinition<infer S> ? z.input<S> : never;

export type SyncObject = z.output<typeof SyncObjectPayload>;
export type ProcessWebhookBatch = z.output<typeof ProcessWebhookBatchPayload>;
export type RecomputePayees = z.output<typeof RecomputePayeesPayload>;
export type ReconcileTenant = z.output<typeof ReconcileTenantPayload>;
export type RefreshPrompts = z.output<typeof RefreshPromptsPayload>;
export type RefreshKpis = z.output<typeof RefreshKpisPayload>;
export type CreateCoachingTask = z.output<typeof CreateCoachingTaskPayload>;

/** The definition of a job, or undefined for a name the family does not have. */
export function jobDefinition(family: Family, name: string): JobDefinition | undefined {
  const jobs: Readonly<Record<string, JobDefinition>> = JOBS[family];
  return Object.hasOwn(jobs, name) ? jobs[name] : undefined;
}

export function jobNames(family: Family): string[] {
  return Object.keys(JOBS[family]);
}

export type ParsedPayload = { readonly ok: true; readonly payload: Record<string, unknown> } | { readonly ok: false; readonly issues: string[] };

/** Checks a payload against its job's schema; used on add and again on process. */
export function parsePayload(family: Family, name: string, data: unknown): ParsedPayload {
  const definition = jobDefinition(family, name);
  if (!definition) return { ok: false, issues: [`unknown job '${name}' in family '${family}' (known: ${jobNames(family).join(', ')})`] };
  const result = definition.schema.safeParse(data);
  if (result.success) return { ok: true, payload: result.data as Record<string, unknown> };
  return { ok: false, issues: result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(payload)'}: ${i.message}`) };
}

export interface JobIdentity {
  readonly payload: Record<string, unknown>;
  readonly jobId: string;
  readonly deduplicationId: string | undefined;
}

/** Validates a payload for adding and derives its job id and deduplication id; throws InvalidJobPayloadError. */
export function identify(family: Family, name: string, data: unknown): JobIdentity {
  const parsed = parsePayload(family, name, data);
  if (!parsed.ok) throw new InvalidJobPayloadError(family, name, parsed.issues);
  const definition = jobDefinition(family, name) as JobDefinition;
  return {
    payload: parsed.payload,
    jobId: definition.jobId(parsed.payload),
    deduplicationId: definition.deduplication?.(parsed.payload).id,
  };
}

// ---------------------------------------------------------------------------------------
// Retry and retention policy: the ONE retry layer for jobs (CRM clients must not retry
// on their own as well, or one failure multiplies into attempts × client retries).

export interface FamilyPolicy {
  /** Total attempts, the first included. */
  readonly attempts: number;
  /** Exponential backoff: the n-th retry waits delayMs × 2^(n-1), ± jitter (a fraction). */
  readonly backoff: { readonly delayMs: number; readonly jitter: number };
  /** Concurrent jobs per worker process. */
  readonly concurrency: number;
  /** Finished jobs kept for inspection (and as "already done" markers for their ids). */
  readonly keepCompleted: { readonly ageSeconds: number; readonly count: number };
  readonly keepFailed: { readonly ageSeconds: number; readonly count: number };
}

const DAY = 24 * 3600;

export const FAMILY_POLICIES: { readonly [F in Family]: FamilyPolicy } = {
  // I/O bound; CRM APIs rate-limit, so retries back off to minutes (5 s … 80 s).
  'crm-sync': { attempts: 5, backoff: { delayMs: 5_000, jitter: 0.2 }, concurrency: 10, keepCompleted: { ageSeconds: DAY, count: 1_000 }, keepFailed: { ageSeconds: 7 * DAY, count: 5_000 } },
  // DB and CPU bound: low concurrency; failures are mostly transient database errors.
  compute: { attempts: 4, backoff: { delayMs: 2_000, jitter: 0.2 }, concurrency: 2, keepCompleted: { ageSeconds: DAY, count: 1_000 }, keepFailed: { ageSeconds: 7 * DAY, count: 5_000 } },
  coaching: { attempts: 3, backoff: { delayMs: 5_000, jitter: 0.2 }, concurrency: 2, keepCompleted: { ageSeconds: DAY, count: 1_000 }, keepFailed: { ageSeconds: 7 * DAY, count: 5_000 } },
  // Writes into the customer's CRM: more attempts, longer waits (10 s … 5 min).
  'crm-write-back': { attempts: 6, backoff: { delayMs: 10_000, jitter: 0.2 }, concurrency: 5, keepCompleted: { ageSeconds: 3 * DAY, count: 1_000 }, keepFailed: { ageSeconds: 14 * DAY, count: 5_000 } },
};

export type FamilyPolicies = { readonly [F in Family]: FamilyPolicy };
export type PolicyOverrides = { readonly [F in Family]?: Partial<FamilyPolicy> };

export function resolvePolicies(overrides: PolicyOverrides = {}): FamilyPolicies {
  const out = {} as { [F in Family]: FamilyPolicy };
  for (const f of FAMILIES) out[f] = { ...FAMILY_POLICIES[f], ...overrides[f] };
  return out;
}

/** The delay before retry number `retry` (1 for the first retry), as BullMQ's exponential strategy computes it. */
export function backoffDelay(policy: FamilyPolicy, retry: number, random: () => number = Math.random): number {
  const max = Math.round(2 ** (retry - 1) * policy.backoff.delayMs);
  if (policy.backoff.jitter <= 0) return max;
  const min = max * (1 - policy.backoff.jitter);
  return Math.floor(random() * max * policy.backoff.jitter + min);
}
