import type { CrmTaskWriter } from '../../worker/src/jobs/coaching-jobs.js';
import { describeObject, queryAllRows, soqlString } from './api.js';
import type { SalesforceConfig } from './config.js';
import { classifySalesforceError, errorCodeOf, toJobError } from './errors.js';
import type { OrgMetadataCache } from './org-cache.js';
import { openSession, type SalesforceDeps } from './session.js';

/** A custom external-id field the managed package may add to Task; when present, writes are atomic upserts. */
export const EXTERNAL_ID_FIELD = 'SPM_Task_Id__c';
const TASK_DESCRIBE = 'describe:Task';

export function taskMarker(taskId: string): string {
  return `[spm-task:${taskId}]`;
}

/**
 * Coaching tasks, created exactly once however often the write-back job runs.
 *
 * With the package's external-id field on Task, the write is an upsert keyed by our task
 * id (PATCH /sobjects/Task/SPM_Task_Id__c/<id>): atomic, nothing to look up. When the field
 * exists but is not flagged External ID, it is still an exact filterable key: query, then
 * create with it set. Without it
 * (plain OAuth install), the task carries a marker in its Description, and before creating
 * we look for a Task with the same owner and subject whose Description has the marker
 * (Description is a long text area and cannot be filtered in SOQL, so the candidates are
 * checked here). queryAll also finds a task the rep already deleted, so it is not
 * re-created. The gap: two attempts running at the same moment could both create; the
 * job runner never runs two attempts of one job at once, which closes it in practice.
 */
export function createTaskWriter(config: SalesforceConfig, deps: SalesforceDeps, orgCache: OrgMetadataCache): CrmTaskWriter {
  return {
    async createTask(task) {
      const session = await openSession(config, deps, task.tenantId);
      try {
        const subject = task.title.slice(0, 255);
        const marker = taskMarker(task.taskId);
        const fields = {
          Subject: subject,
          Description: `${task.body}\n\n${marker}`,
          OwnerId: task.repId,
          Status: 'Not Started',
          Priority: 'Normal',
          ...(task.dealId && task.dealId.startsWith('006') ? { WhatId: task.dealId } : {}),
          ...(task.dueDate ? { ActivityDate: task.dueDate } : {}),
        };
        // Whether Task has the package field changes only when the package is installed or removed:
        // described once per TTL, not once per task. No access to Task at all is not kept.
        const taskFields = await orgCache.get(task.tenantId, TASK_DESCRIBE, () => describeObject(session, 'Task'), (fields) => fields !== undefined);
        const idField = taskFields?.get(EXTERNAL_ID_FIELD);
        if (idField?.externalId) {
          session.assertBudget();
          try {
            const res = await session.conn.request<{ id?: string } | undefined>({ method: 'PATCH', url: `/sobjects/Task/${EXTERNAL_ID_FIELD}/${encodeURIComponent(task.taskId)}`, body: JSON.stringify(fields), headers: { 'Content-Type': 'application/json' } });
            if (res?.id) return res.id;
            const found = await queryAllRows(session, `SELECT Id FROM Task WHERE ${EXTERNAL_ID_FIELD} = ${soqlString(task.taskId)}`, { all: true });
            if (found[0]) return found[0].Id;
          } catch (err) {
            // An org (or API version) without upsert by external id on Task answers NOT_FOUND: use the field as a plain key below.
            if (errorCodeOf(err) !== 'NOT_FOUND') throw err;
            deps.logger?.warn({ tenantId: task.tenantId }, 'salesforce upsert by SPM_Task_Id__c is not available; creating the coaching task with a look-up first');
          }
        }
        if (idField) {
          // The package field exists but is not marked External ID: still an exact, filterable key.
          const found = await queryAllRows(session, `SELECT Id FROM Task WHERE ${EXTERNAL_ID_FIELD} = ${soqlString(task.taskId)}`, { all: true });
          if (found[0]) return found[0].Id;
          session.assertBudget();
          const created = await session.conn.sobject('Task').create({ ...fields, [EXTERNAL_ID_FIELD]: task.taskId });
          if (!created.success) throw new Error(`Salesforce did not create the coaching task ${task.taskId}: ${JSON.stringify(created.errors)}`);
          return created.id;
        }
        const candidates = await queryAllRows(session, `SELECT Id, Description FROM Task WHERE OwnerId = ${soqlString(task.repId)} AND Subject = ${soqlString(subject)}`, { all: true });
        const existing = candidates.find((c) => typeof c['Description'] === 'string' && c['Description'].includes(marker));
        if (existing) return existing.Id;
        session.assertBudget();
        const created = await session.conn.sobject('Task').create(fields);
        if (!created.success) throw new Error(`Salesforce did not create the coaching task ${task.taskId}: ${JSON.stringify(created.errors)}`);
        return created.id;
      } catch (err) {
        // The field the cached describe promised may be gone (package removed): the retry describes Task again.
        if (classifySalesforceError(err) === 'missing-access') orgCache.forget(task.tenantId, TASK_DESCRIBE);
        throw toJobError(err, `creating coaching task ${task.taskId} for rep ${task.repId}`);
      }
    },
  };
}
