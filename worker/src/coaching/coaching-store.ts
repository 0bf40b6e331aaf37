import { sql } from 'kysely';
import type { CoachingPrompt } from '../../../shared/src/coaching/types.js';
import type { Db } from '../db/database.js';
import { toJsonValue } from '../db/json-value.js';

/**
 * Stores a manager's current prompts for a period. A prompt keeps its id across runs, so
 * its status (dismissed, actioned) survives a refresh; a prompt the rules no longer raise
 * is marked resolved rather than deleted, so a task made from it keeps its origin.
 */
export async function savePrompts(db: Db, tenantId: string, managerId: string, periodId: string, prompts: readonly CoachingPrompt[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (prompts.length > 0) {
      await tx
        .insertInto('coaching_prompts')
        .values(
          prompts.map((p) => ({
            tenant_id: tenantId,
            id: p.id,
            rule: p.rule,
            manager_id: managerId,
            rep_id: p.repId,
            deal_id: p.dealId ?? null,
            period_id: p.periodId,
            evidence: JSON.stringify(toJsonValue({ title: p.title, message: p.message, currency: p.currency, evidence: p.evidence })),
            impact: p.impact.toString(),
            likelihood: p.likelihood.toString(),
            score: p.score.toString(),
          })),
        )
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'manager_id', 'id']).doUpdateSet((eb) => ({
            evidence: eb.ref('excluded.evidence'),
            impact: eb.ref('excluded.impact'),
            likelihood: eb.ref('excluded.likelihood'),
            score: eb.ref('excluded.score'),
            // A resolved prompt that the rules raise again is open again; dismissed and actioned stay as the manager left them.
            status: sql`case when coaching_prompts.status = 'resolved' then 'open' else coaching_prompts.status end`,
            updated_at: sql`now()`,
          })),
        )
        .execute();
    }
    let stale = tx.updateTable('coaching_prompts').set({ status: 'resolved', updated_at: sql`now()` }).where('tenant_id', '=', tenantId).where('manager_id', '=', managerId).where('period_id', '=', periodId).where('status', '=', 'open');
    if (prompts.length > 0) stale = stale.where('id', 'not in', prompts.map((p) => p.id));
    await stale.execute();
  });
}

export interface CoachingTaskRequest {
  readonly tenantId: string;
  readonly managerId: string;
  readonly promptId: string;
  readonly dueDate: string | undefined;
  readonly actor: string;
}

export interface CoachingTask {
  readonly id: string;
  readonly created: boolean;
  readonly status: 'pending' | 'created' | 'failed';
}

/**
 * A manager turns a prompt into a coaching task. The task id is derived from the prompt,
 * so clicking twice (or a retried request) yields one task; the CRM write-back job keys on
 * the same id so the CRM gets one task too.
 */
export async function createCoachingTask(db: Db, request: CoachingTaskRequest): Promise<CoachingTask> {
  return db.transaction().execute(async (tx) => {
    const prompt = await tx.selectFrom('coaching_prompts').selectAll().where('tenant_id', '=', request.tenantId).where('manager_id', '=', request.managerId).where('id', '=', request.promptId).forUpdate().executeTakeFirst();
    if (!prompt) throw new Error(`No coaching prompt ${request.promptId} for manager ${request.managerId}: refresh the prompts and pick one from the current list`);
    const id = `task-${request.promptId}`;
    const details = prompt.evidence as unknown as { title: string; message: string };
    const inserted = await tx
      .insertInto('coaching_tasks')
      .values({ tenant_id: request.tenantId, id, prompt_id: prompt.id, manager_id: request.managerId, rep_id: prompt.rep_id, deal_id: prompt.deal_id, title: details.title, body: details.message, due_date: request.dueDate ?? null, crm_task_id: null, last_error: null })
      .onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      await tx.updateTable('coaching_prompts').set({ status: 'actioned', updated_at: sql`now()` }).where('tenant_id', '=', request.tenantId).where('manager_id', '=', request.managerId).where('id', '=', request.promptId).execute();
      await tx.insertInto('audit_log').values({ tenant_id: request.tenantId, actor: request.actor, action: 'coaching-task.created', target: id, details: JSON.stringify({ promptId: prompt.id, repId: prompt.rep_id, dealId: prompt.deal_id }) }).execute();
    }
    const task = await tx.selectFrom('coaching_tasks').select(['id', 'status']).where('tenant_id', '=', request.tenantId).where('id', '=', id).executeTakeFirstOrThrow();
    return { id: task.id, created: inserted !== undefined, status: task.status };
  });
}

/** Records the CRM's id for a task once written back; a second write-back finds it and does nothing. */
export async function markTaskWritten(db: Db, tenantId: string, taskId: string, crmTaskId: string): Promise<void> {
  await db.updateTable('coaching_tasks').set({ status: 'created', crm_task_id: crmTaskId, last_error: null, updated_at: sql`now()` }).where('tenant_id', '=', tenantId).where('id', '=', taskId).execute();
}
