import { createHash } from 'node:crypto';
import type { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/tasks/index.js';
import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/index.js';
import type { CrmTaskWriter } from '../../worker/src/jobs/coaching-jobs.js';
import type { PortalGateway } from './portal-gateway.js';

/** HubSpot's association type id for task → deal (AssociationTypes.taskToDeal). */
export const TASK_TO_DEAL = 216;

/**
 * The idempotency key written into the task: one alphanumeric token, so HubSpot's
 * CONTAINS_TOKEN search matches it whole (its tokenizer splits on punctuation).
 */
export function idempotencyKey(tenantId: string, taskId: string): string {
  return `spm${createHash('sha256').update(`${tenantId}\u0000${taskId}`).digest('hex').slice(0, 24)}`;
}

function bodyWithKey(body: string, key: string): string {
  return `${body}\n\n(Coaching task ref ${key})`;
}

/**
 * Coaching tasks into HubSpot, exactly once under retries. HubSpot has no idempotency
 * header, so the key goes into the task body and a search for it runs before every
 * create: a retry after "created but the answer was lost" finds the first task. Search
 * is eventually consistent (seconds), so the tasks this process created are also
 * remembered by key; the job's retry backoff (10 s and more) covers another process.
 */
export function hubspotTaskWriter(gatewayFor: (tenantId: string) => Promise<PortalGateway>): CrmTaskWriter {
  const created = new Map<string, string>();
  return {
    async createTask(task) {
      const key = idempotencyKey(task.tenantId, task.taskId);
      const remembered = created.get(key);
      if (remembered) return remembered;
      const gateway = await gatewayFor(task.tenantId);
      const found = await gateway.call('search', `looking for coaching task ${task.taskId}`, (c) =>
        c.crm.objects.tasks.searchApi.doSearch({
          filterGroups: [{ filters: [{ propertyName: 'hs_task_body', operator: 'CONTAINS_TOKEN' as FilterOperatorEnum, value: key }] }],
          properties: ['hs_task_body'],
          limit: 10,
          after: '0',
          sorts: [],
        }),
      );
      const existing = found.results.find((t) => (t.properties['hs_task_body'] ?? '').includes(key));
      if (existing) {
        created.set(key, existing.id);
        return existing.id;
      }
      const due = task.dueDate ? Date.parse(`${task.dueDate}T12:00:00Z`) : Date.now();
      const result = await gateway.call('general', `creating coaching task ${task.taskId}`, (c) =>
        c.crm.objects.tasks.basicApi.create({
          properties: {
            hs_task_subject: task.title,
            hs_task_body: bodyWithKey(task.body, key),
            hs_task_status: 'NOT_STARTED',
            hs_task_type: 'TODO',
            hs_task_priority: 'MEDIUM',
            hs_timestamp: new Date(due).toISOString(),
            // Our user ids are HubSpot OWNER ids (never user ids, which HubSpot refuses here).
            hubspot_owner_id: task.repId,
          },
          associations: task.dealId
            ? [{ to: { id: task.dealId }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as AssociationSpecAssociationCategoryEnum, associationTypeId: TASK_TO_DEAL }] }]
            : [],
        }),
      );
      created.set(key, result.id);
      return result.id;
    },
  };
}
