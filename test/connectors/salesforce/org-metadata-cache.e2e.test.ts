import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordNewEvents } from '../../../connectors/core/event-receipts.js';
import { ORG_METADATA_TTL_MS } from '../../../connectors/salesforce/org-cache.js';
import { loadDeals } from '../../../worker/src/db/records.js';
import { PermanentJobError } from '../../../worker/src/queues/errors.js';
import { createServerDatabase, type TestDatabase } from '../../support/databases.js';
import { ORG } from './fixture.js';
import { install, jobContext, startHarness, type Harness } from './harness.js';

/**
 * Org metadata (describe Opportunity, the stage picklist, split types, describe Task) costs
 * REST calls from the org's daily allocation. The connector reads it once per tenant per TTL
 * on its own clock, re-reads it at once for a stage it has not seen, and never keeps a failure.
 */
describe('Salesforce org metadata cache', () => {
  let t: TestDatabase;
  let h: Harness;
  let nowMs = Date.now();
  const clock = { now: () => new Date(nowMs) };

  // Every request the sandbox serves, seen on the server side.
  const requests: string[] = [];
  const onRequest = (message: unknown): void => {
    const req = (message as { request: IncomingMessage }).request;
    if (h && req.socket.localPort === h.sandbox.port) requests.push(decodeURIComponent(req.url ?? ''));
  };
  const metadataCalls = () => ({
    describeOpportunity: requests.filter((u) => u.includes('/sobjects/Opportunity/describe')).length,
    stages: requests.filter((u) => u.includes('FROM OpportunityStage')).length,
    splitTypes: requests.filter((u) => u.includes('FROM OpportunitySplitType')).length,
    describeTask: requests.filter((u) => u.includes('/sobjects/Task/describe')).length,
  });
  const reset = (): void => void requests.splice(0);
  const sf = (kind: 'user' | 'deal', id: string): string => h.seeded.idMap.salesforceId(kind, id)!;
  const deal = async (id: string) => (await loadDeals(t.db, h.tenantId, [sf('deal', id)])).get(sf('deal', id));
  const lastError = async (object: string) => (await t.db.selectFrom('sync_cursors').select('last_error').where('tenant_id', '=', h.tenantId).where('source', '=', 'salesforce').where('object', '=', object).executeTakeFirst())?.last_error;

  beforeAll(async () => {
    diagnostics.subscribe('http.server.request.start', onRequest);
    t = await createServerDatabase();
    h = await startHarness(t.db, ORG, { clock });
    await install(h);
    await h.sync('users');
    await h.sync('pipelines');
    // Some deals jobs below run through the worker's handler (which records the failures cards
    // show): it syncs deals once every object before them was attempted.
    await h.job('fx-rates');
    await h.job('quotas');
  });
  afterAll(async () => {
    diagnostics.unsubscribe('http.server.request.start', onRequest);
    await h?.close();
    await t?.drop();
  });

  it('reads the org metadata once for two deals jobs within the TTL', async () => {
    reset();
    await h.sync('deals');
    h.sandbox.mutations.updateOpportunity(sf('deal', 'd2'), { Amount: 31000 });
    nowMs += ORG_METADATA_TTL_MS - 1_000;
    await h.sync('deals');
    expect((await deal('d2'))?.amount.toString()).toBe('31000');
    expect(metadataCalls()).toEqual({ describeOpportunity: 1, stages: 1, splitTypes: 1, describeTask: 0 });
  });

  /** d2's amount is edited in the org, and its change event is applied as a CDC batch (batch n). */
  async function editThroughCdc(amount: number, n: number): Promise<void> {
    h.sandbox.mutations.updateOpportunity(sf('deal', 'd2'), { Amount: amount });
    const header = { entityName: 'Opportunity', recordIds: [sf('deal', 'd2')], changeType: 'UPDATE', transactionKey: `tx-${n}` };
    const eventIds = await recordNewEvents(t.db, h.tenantId, 'salesforce', [{ id: `Opportunity:${n}:tx-${n}`, payload: { ChangeEventHeader: header } }]);
    await h.connector.processEvents({ tenantId: h.tenantId, source: 'salesforce', batchId: `cdc-${n}-${n}-1`, eventIds }, h.deps, jobContext());
    expect((await deal('d2'))?.amount.toString()).toBe(String(amount));
  }

  it('a CDC batch touching an opportunity within the TTL reuses it too', async () => {
    reset();
    await editThroughCdc(33000, 1);
    expect(metadataCalls()).toEqual({ describeOpportunity: 0, stages: 0, splitTypes: 0, describeTask: 0 });
  });

  it('reads it again once the TTL has passed', async () => {
    reset();
    nowMs += 2_000;
    await h.sync('deals');
    await h.sync('deals');
    expect(metadataCalls()).toEqual({ describeOpportunity: 1, stages: 1, splitTypes: 1, describeTask: 0 });
  });

  it('re-reads the stages once when an opportunity arrives in a stage added since, and maps it', async () => {
    const org = h.seeded.org;
    const stageId = org.nextId('OpportunityStage');
    org.load('OpportunityStage', { Id: stageId, MasterLabel: 'Negotiation', ApiName: 'Negotiation', IsActive: true, SortOrder: 10, IsClosed: false, IsWon: false, ForecastCategory: 'BestCase', ForecastCategoryName: 'Best Case', DefaultProbability: '80' });
    h.sandbox.mutations.updateOpportunity(sf('deal', 'd2'), { StageName: 'Negotiation' });
    reset();
    await h.sync('deals');
    expect((await deal('d2'))?.stageId).toBe(stageId);
    expect(metadataCalls()).toEqual({ describeOpportunity: 1, stages: 1, splitTypes: 1, describeTask: 0 });

    // The re-read replaced the cached entry: the next job maps the stage without another read.
    reset();
    h.sandbox.mutations.updateOpportunity(sf('deal', 'd2'), { Amount: 34000 });
    await h.sync('deals');
    expect(await deal('d2')).toMatchObject({ stageId });
    expect(metadataCalls()).toEqual({ describeOpportunity: 0, stages: 0, splitTypes: 0, describeTask: 0 });
  });

  it('does not keep a permission failure: the next job reads the org again', async () => {
    nowMs += ORG_METADATA_TTL_MS + 1_000;
    reset();
    h.sandbox.faults.failNext(1, { status: 403, errorCode: 'INSUFFICIENT_ACCESS', message: 'insufficient access rights on object id', match: /\/sobjects\/Opportunity\/describe$/ });
    const err = await h.sync('deals').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PermanentJobError);
    expect((err as PermanentJobError).code).toBe('missing_permission');
    await h.sync('deals');
    expect(metadataCalls()).toEqual({ describeOpportunity: 2, stages: 1, splitTypes: 1, describeTask: 0 });
  });

  it('describes User once for a users job and a CDC batch of user changes within the TTL', async () => {
    nowMs += ORG_METADATA_TTL_MS + 1_000;
    reset();
    const describeUser = () => requests.filter((u) => u.includes('/sobjects/User/describe')).length;
    await h.sync('users');
    expect(describeUser()).toBe(1);
    // Sam's pay currency changes in the org and arrives as a change event: the batch still reads
    // DefaultCurrencyIsoCode (the org is multi-currency) without describing User again.
    h.sandbox.mutations.update('User', sf('user', 'sam'), { DefaultCurrencyIsoCode: 'GBP' });
    const header = { entityName: 'User', recordIds: [sf('user', 'sam')], changeType: 'UPDATE', transactionKey: 'tx-user-1' };
    const eventIds = await recordNewEvents(t.db, h.tenantId, 'salesforce', [{ id: 'User:1:tx-user-1', payload: { ChangeEventHeader: header } }]);
    await h.connector.processEvents({ tenantId: h.tenantId, source: 'salesforce', batchId: 'cdc-user-1', eventIds }, h.deps, jobContext());
    const sam = await t.db.selectFrom('users').select('pay_currency').where('tenant_id', '=', h.tenantId).where('id', '=', sf('user', 'sam')).executeTakeFirstOrThrow();
    expect(sam.pay_currency).toBe('GBP');
    expect(describeUser()).toBe(1);
  });

  it('describes Task once for coaching tasks written within the TTL', async () => {
    reset();
    const writer = h.connector.taskWriter;
    const task = { tenantId: h.tenantId, taskId: 'task-cache-1', repId: sf('user', 'ana'), dealId: sf('deal', 'd2'), title: 'Confirm the budget holder', body: 'No economic buyer yet.', dueDate: '2026-09-01' };
    const first = await writer.createTask(task);
    expect(await writer.createTask(task)).toBe(first);
    await writer.createTask({ ...task, taskId: 'task-cache-2', title: 'Book the security review' });
    expect(metadataCalls().describeTask).toBe(1);
  });

  it('a Task describe whose field is refused on write is described again for the next task', async () => {
    nowMs += ORG_METADATA_TTL_MS + 1_000;
    reset();
    const writer = h.connector.taskWriter;
    const task = { tenantId: h.tenantId, taskId: 'task-forget-1', repId: sf('user', 'ana'), dealId: sf('deal', 'd2'), title: 'Map the buying committee', body: 'Who signs?', dueDate: '2026-09-02' };
    await writer.createTask(task);
    expect(metadataCalls().describeTask).toBe(1);
    // The managed package is removed: SPM_Task_Id__c, which the cached describe lists, is gone.
    h.seeded.org.hideField('Task', 'SPM_Task_Id__c');
    try {
      const err = await writer.createTask({ ...task, taskId: 'task-forget-2', title: 'Find the champion' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PermanentJobError);
      expect((err as PermanentJobError).message).toContain('INVALID_FIELD');
      expect(metadataCalls().describeTask).toBe(1);
      // The failed write forgot the describe: the next task describes Task again and is written without the field.
      const id = await writer.createTask({ ...task, taskId: 'task-forget-3', title: 'Schedule the demo' });
      expect(h.seeded.org.table('Task').byId.get(id)?.['Description']).toContain('[spm-task:task-forget-3]');
      expect(metadataCalls().describeTask).toBe(2);
    } finally {
      h.seeded.org.hideField('Task', 'SPM_Task_Id__c', false);
    }
  });

  /** With the metadata freshly cached by a deals job, the admin revokes `field` (field-level security) for the length of `body`. */
  async function afterRevoking(object: string, field: string, body: () => Promise<void>): Promise<void> {
    nowMs += ORG_METADATA_TTL_MS + 1_000;
    await h.sync('deals');
    reset();
    h.seeded.org.hideField(object, field);
    try {
      await body();
    } finally {
      h.seeded.org.hideField(object, field, false);
    }
  }

  it('an optional Opportunity field revoked inside the TTL: the next deals job reads the org again and succeeds', async () => {
    // LeadSource is in the cached describe.
    await afterRevoking('Opportunity', 'LeadSource', async () => {
      h.sandbox.mutations.updateOpportunity(sf('deal', 'd2'), { Amount: 35000 });
      nowMs += 60_000;
      await expect(h.sync('deals')).resolves.toBeDefined();
      expect((await deal('d2'))?.amount.toString()).toBe('35000');
      expect(await lastError('deals')).toBeNull();
      // One failed query, one fresh read of the metadata, and the rest of the TTL runs on it.
      expect(metadataCalls()).toEqual({ describeOpportunity: 1, stages: 1, splitTypes: 1, describeTask: 0 });
      expect(requests.filter((u) => u.includes('LeadSource')).length).toBe(1);
      reset();
      h.sandbox.mutations.updateOpportunity(sf('deal', 'd2'), { Amount: 36000 });
      await h.sync('deals');
      expect((await deal('d2'))?.amount.toString()).toBe('36000');
      expect(metadataCalls()).toEqual({ describeOpportunity: 0, stages: 0, splitTypes: 0, describeTask: 0 });
    });
  });

  it('a CDC batch after a field was revoked inside the TTL reads the org again and applies the change', async () => {
    await afterRevoking('Opportunity', 'Product_Line__c', async () => {
      await editThroughCdc(37000, 2);
      expect(metadataCalls()).toEqual({ describeOpportunity: 1, stages: 1, splitTypes: 1, describeTask: 0 });
    });
  });

  it('a query refused on metadata read by the same job is not retried, and the next job reads the org again', async () => {
    nowMs += ORG_METADATA_TTL_MS + 1_000;
    reset();
    // The metadata is read fresh by this job, so there is nothing stale to retry with: the job fails and forgets it.
    h.sandbox.faults.failNext(1, { status: 400, errorCode: 'INVALID_FIELD', message: "No such column 'LeadSource' on entity 'Opportunity'", match: /\/queryAll$/ });
    const err = await h.job('deals').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as PermanentJobError).code).toBe('missing_permission');
    expect(await lastError('deals')).toMatch(/INVALID_FIELD/);
    expect(metadataCalls().describeOpportunity).toBe(1);
    await h.job('deals');
    expect(await lastError('deals')).toBeNull();
    expect(metadataCalls().describeOpportunity).toBe(2);
  });

  it('a required field revoked still fails the job, after a single fresh read, with the field named', async () => {
    nowMs += ORG_METADATA_TTL_MS + 1_000;
    await h.sync('deals');
    reset();
    h.seeded.org.hideField('Opportunity', 'Amount');
    try {
      h.sandbox.mutations.updateOpportunity(sf('deal', 'd2'), { CloseDate: '2026-09-21' });
      const err = await h.job('deals').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PermanentJobError);
      expect((err as PermanentJobError).code).toBe('missing_permission');
      expect(await lastError('deals')).toMatch(/cannot see Opportunity field\(s\) Amount/);
      expect(metadataCalls().describeOpportunity).toBe(1);
    } finally {
      h.seeded.org.hideField('Opportunity', 'Amount', false);
    }
    await h.job('deals');
    expect(await lastError('deals')).toBeNull();
  });

  it('opportunities alternating between two stage names the org lacks cost one stage read per name per TTL', async () => {
    nowMs += ORG_METADATA_TTL_MS + 1_000;
    await h.sync('deals');
    const opp = h.seeded.org.table('Opportunity').byId.get(sf('deal', 'd2'))!;
    const stageBefore = opp['StageName'];
    let amount = 40000;
    // A picklist value deleted in Setup stays on the records that had it: the stage list no longer has it.
    const moveTo = (stage: string): void => {
      h.sandbox.mutations.updateOpportunity(sf('deal', 'd2'), { Amount: (amount += 100) });
      opp['StageName'] = stage;
    };
    reset();
    try {
      for (const stage of ['Retired A', 'Retired B', 'Retired A', 'Retired B', 'Retired A']) {
        moveTo(stage);
        nowMs += 60_000;
        await h.sync('deals');
        expect((await deal('d2'))?.stageId).toBe(stage);
      }
      // The first sight of each name re-reads the org once; the alternation afterwards reads nothing.
      expect(metadataCalls()).toEqual({ describeOpportunity: 2, stages: 2, splitTypes: 2, describeTask: 0 });
    } finally {
      h.sandbox.mutations.updateOpportunity(sf('deal', 'd2'), { StageName: stageBefore, Amount: 34000 });
    }
  });
});
