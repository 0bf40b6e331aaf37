import { describe, expect, it } from 'vitest';
import { InvalidJobPayloadError } from '../../worker/src/queues/errors.js';
import { FAMILIES, FAMILY_POLICIES, JOBS, backoffDelay, identify, jobNames, parsePayload, type Family } from '../../worker/src/queues/families.js';
import { idSegment } from '../../worker/src/queues/job-ids.js';
import { tenantSchedulerEntries } from '../../worker/src/queues/schedules.js';

const VALID_BULLMQ_ID = /^[A-Za-z][A-Za-z0-9_.-]*$/;

describe('job families', () => {
  it('has one queue per family, with the named jobs', () => {
    expect(FAMILIES).toEqual(['crm-sync', 'compute', 'coaching', 'crm-write-back']);
    expect(jobNames('compute')).toEqual(['recompute-payees', 'reconcile-tenant']);
    expect(jobNames('crm-sync')).toEqual(['sync-object', 'process-webhook-batch']);
    expect(jobNames('coaching')).toEqual(['refresh-kpis', 'refresh-prompts']);
    expect(jobNames('crm-write-back')).toEqual(['create-coaching-task']);
  });

  it('requires tenantId in every payload', () => {
    for (const family of FAMILIES) {
      for (const name of jobNames(family)) {
        const parsed = parsePayload(family, name, {});
        expect(parsed.ok, `${family}/${name}`).toBe(false);
        if (!parsed.ok) expect(parsed.issues.some((i) => i.startsWith('tenantId:')), `${family}/${name}: ${parsed.issues.join('; ')}`).toBe(true);
      }
    }
  });

  it('rejects unknown keys (a token slipped into a payload) and names the field', () => {
    expect(() => identify('crm-write-back', 'create-coaching-task', { tenantId: 'acme', taskId: 't1', accessToken: 'secret' })).toThrow(InvalidJobPayloadError);
    expect(() => identify('compute', 'recompute-payees', { tenantId: 'acme', payeeIds: [], periodIds: ['2026-07'], cause: 'x' })).toThrow(/payeeIds/);
    expect(() => identify('compute', 'recompute-payees', { tenantId: 'acme', payeeIds: ['a'], periodIds: ['July'], cause: 'x' })).toThrow(/periodIds\.0: must be a period id/);
    expect(parsePayload('compute', 'no-such-job', { tenantId: 'acme' })).toEqual({ ok: false, issues: [expect.stringContaining("unknown job 'no-such-job'")] });
  });
});

describe('job ids', () => {
  const base = { tenantId: 'acme', payeeIds: ['bo', 'ana'], periodIds: ['2026-07', '2026-08'], cause: 'webhook-batch:b1' };

  it('are deterministic, independent of the order of id sets, and differ per request', () => {
    const a = identify('compute', 'recompute-payees', base);
    const b = identify('compute', 'recompute-payees', { ...base, payeeIds: ['ana', 'bo', 'ana'], periodIds: ['2026-08', '2026-07'] });
    expect(b.jobId).toBe(a.jobId);
    expect(a.jobId).toMatch(/^recompute-acme-[0-9a-f]{40}$/);
    expect(a.payload['payeeIds']).toEqual(['ana', 'bo']);
    const other = identify('compute', 'recompute-payees', { ...base, cause: 'webhook-batch:b2' });
    expect(other.jobId).not.toBe(a.jobId);
    // ...but the same deduplication id: the second request collapses into the first.
    expect(other.deduplicationId).toBe(a.deduplicationId);
    expect(identify('compute', 'recompute-payees', { ...base, payeeIds: ['ana'] }).deduplicationId).not.toBe(a.deduplicationId);
    expect(identify('compute', 'recompute-payees', { ...base, tenantId: 'globex' }).deduplicationId).not.toBe(a.deduplicationId);
  });

  it('never contain ":" and are never digits only, whatever the tenant id looks like', () => {
    const samples: Record<Family, Record<string, Record<string, unknown>>> = {
      'crm-sync': {
        'sync-object': { source: 'hubspot', object: 'deals', mode: 'incremental', cause: 'schedule' },
        'process-webhook-batch': { source: 'salesforce', batchId: 'b:1', eventIds: ['e1'] },
      },
      compute: { 'recompute-payees': { payeeIds: ['u:1'], periodIds: ['2026-Q3'], cause: 'manual:ana@x' }, 'reconcile-tenant': { cause: 'schedule' } },
      coaching: { 'refresh-kpis': { periodId: '2026-07', userIds: ['u:1'], cause: 'schedule' }, 'refresh-prompts': { periodId: '2026-07', cause: 'schedule' } },
      'crm-write-back': { 'create-coaching-task': { taskId: 'task:9' } },
    };
    for (const tenantId of ['12345', 'org:00D5e000001', 'a'.repeat(128), 'acme.eu-1', 'x!#%']) {
      for (const family of FAMILIES) {
        for (const name of jobNames(family)) {
          const id = identify(family, name, { tenantId, ...samples[family][name] });
          expect(id.jobId, `${family}/${name} for ${tenantId}`).toMatch(VALID_BULLMQ_ID);
          if (id.deduplicationId) expect(id.deduplicationId).toMatch(VALID_BULLMQ_ID);
        }
      }
    }
    expect(idSegment('12345')).toBe('12345');
    expect(idSegment('org:1')).toMatch(/^h[0-9a-f]{16}$/);
  });

  it('deduplicates recomputes, syncs, reconciles and KPI and prompt refreshes, but never webhook batches or CRM writes', () => {
    expect(Object.entries(JOBS).flatMap(([f, jobs]) => Object.entries(jobs).filter(([, d]) => 'deduplication' in d).map(([n]) => `${f}/${n}`))).toEqual([
      'crm-sync/sync-object',
      'compute/recompute-payees',
      'compute/reconcile-tenant',
      'coaching/refresh-kpis',
      'coaching/refresh-prompts',
    ]);
  });
});

describe('retry policy', () => {
  it('backs off exponentially, as BullMQ computes it', () => {
    const policy = { ...FAMILY_POLICIES.compute, backoff: { delayMs: 1_000, jitter: 0 } };
    expect([1, 2, 3, 4].map((n) => backoffDelay(policy, n))).toEqual([1_000, 2_000, 4_000, 8_000]);
    const jittered = { ...policy, backoff: { delayMs: 1_000, jitter: 0.5 } };
    expect(backoffDelay(jittered, 3, () => 0)).toBe(2_000);
    expect(backoffDelay(jittered, 3, () => 0.999)).toBe(3_998);
  });

  it('retries every family, and keeps finished jobs for a bounded time and count', () => {
    for (const family of FAMILIES) {
      const p = FAMILY_POLICIES[family];
      expect(p.attempts).toBeGreaterThan(1);
      expect(p.keepCompleted.count).toBeGreaterThan(0);
      expect(p.keepFailed.ageSeconds).toBeGreaterThanOrEqual(p.keepCompleted.ageSeconds);
    }
  });
});

describe('tenant schedules', () => {
  it('one incremental sync per object and one nightly reconcile, with valid payloads and ids', () => {
    const entries = tenantSchedulerEntries({ tenantId: 'acme', source: 'hubspot', objects: ['deals', 'activities'] });
    expect(entries.map((e) => [e.family, e.name, e.repeat])).toEqual([
      ['crm-sync', 'sync-object', { every: 900_000 }],
      ['crm-sync', 'sync-object', { every: 900_000 }],
      ['compute', 'reconcile-tenant', { pattern: '30 2 * * *', tz: 'UTC' }],
    ]);
    expect(entries[0]?.payload).toEqual({ tenantId: 'acme', source: 'hubspot', object: 'deals', mode: 'incremental', cause: 'schedule' });
    for (const e of entries) expect(e.id).toMatch(VALID_BULLMQ_ID);
    expect(new Set(entries.map((e) => e.id)).size).toBe(3);
  });
});
