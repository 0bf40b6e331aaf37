import { createHash } from 'node:crypto';
import type { Enqueue } from '../../../../worker/src/queues/handler-registry.js';
import { createCoachingTask } from '../../../../worker/src/coaching/coaching-store.js';
import { ApiFailure } from '../http/api-failure.js';
import type { CardContext } from './card-context.js';
import { forgetPrompts } from './manager-card.js';
import { CARD_API_VERSION, type CoachingTaskView, type CreateCoachingTaskRequest } from './view-models.js';

export interface ActionResult {
  readonly status: number;
  readonly body: CoachingTaskView;
}

/**
 * A manager turns a coaching prompt into a CRM task. Two layers of idempotency: the
 * client's key returns the first answer to a retried request (and refuses the same key
 * for a different request), and the task id is derived from the prompt, so even two keys
 * for one prompt make one task. The write-back job id derives from the task id, so the
 * CRM gets one task too.
 */
export async function createTaskFromPrompt(ctx: CardContext, enqueue: Enqueue, promptId: string, request: CreateCoachingTaskRequest): Promise<ActionResult> {
  const tenantId = ctx.snapshot.tenantId;
  const actor = `${ctx.principal.via}:${ctx.viewer.userId}`;
  const requestHash = createHash('sha256').update(JSON.stringify({ promptId, dueDate: request.dueDate ?? null })).digest('hex');
  const earlier = await ctx.db.selectFrom('card_api_idempotency').select(['request_hash', 'status_code', 'response']).where('tenant_id', '=', tenantId).where('actor', '=', actor).where('key', '=', request.idempotencyKey).executeTakeFirst();
  if (earlier) return replay(earlier);

  const prompt = await ctx.db.selectFrom('coaching_prompts').select(['id']).where('tenant_id', '=', tenantId).where('manager_id', '=', ctx.viewer.userId).where('id', '=', promptId).executeTakeFirst();
  if (!prompt) throw new ApiFailure('not_found', `No coaching prompt ${promptId} for you`, 'refresh the manager card and pick a prompt from its current list');
  const task = await createCoachingTask(ctx.db, { tenantId, managerId: ctx.viewer.userId, promptId, dueDate: request.dueDate, actor });
  // The prompt is now 'actioned': the manager's next card must show it.
  forgetPrompts(ctx, ctx.viewer.userId);
  // Enqueued on every request, not only the first: if an earlier enqueue failed after the task row was written, a retry delivers it (the job id makes it one job).
  if (task.status !== 'created') await enqueue('crm-write-back', 'create-coaching-task', { tenantId, taskId: task.id });
  const result: ActionResult = { status: task.created ? 201 : 200, body: { kind: 'coaching-task', version: CARD_API_VERSION, task: { id: task.id, promptId, status: task.status, created: task.created } } };
  await ctx.db
    .insertInto('card_api_idempotency')
    .values({ tenant_id: tenantId, actor, key: request.idempotencyKey, request_hash: requestHash, status_code: result.status, response: JSON.stringify(result.body) })
    .onConflict((oc) => oc.columns(['tenant_id', 'actor', 'key']).doNothing())
    .execute();
  // A concurrent request with the same key may have stored first: answer as it did.
  const stored = await ctx.db.selectFrom('card_api_idempotency').select(['request_hash', 'status_code', 'response']).where('tenant_id', '=', tenantId).where('actor', '=', actor).where('key', '=', request.idempotencyKey).executeTakeFirstOrThrow();
  return replay(stored);

  function replay(row: { request_hash: string; status_code: number; response: unknown }): ActionResult {
    if (row.request_hash !== requestHash) throw new ApiFailure('conflict', 'This idempotency key was already used for a different request', 'use a new idempotency key for each new task');
    return { status: row.status_code, body: row.response as CoachingTaskView };
  }
}
