import { coachingPrompts } from '../../../shared/src/coaching/coaching-prompts.js';
import type { UserId } from '../../../shared/src/domain/ids.js';
import { indexTenant } from '../../../shared/src/engine/tenant-index.js';
import { resolvePeriod } from '../../../shared/src/time/period.js';
import { markTaskWritten, savePrompts } from '../coaching/coaching-store.js';
import { loadDataset } from '../db/dataset-loader.js';
import { loadPlans } from '../db/plans.js';
import type { CreateCoachingTask, RefreshKpis, RefreshPrompts } from '../queues/families.js';
import { refreshKpiSnapshots } from '../kpi/kpi-snapshots.js';
import { PermanentJobError } from '../queues/errors.js';
import type { JobContext, JobDeps } from '../queues/handler-registry.js';
import { businessDate } from './compute-jobs.js';

export async function refreshKpis(payload: RefreshKpis, deps: JobDeps): Promise<{ snapshots: number }> {
  const asOf = businessDate(deps.clock.now());
  const data = await loadDataset(deps.db, payload.tenantId);
  const period = resolvePeriod(payload.periodId, data.calendar);
  if (!period) throw new PermanentJobError('invalid_input', `Period ${payload.periodId} does not exist in tenant ${payload.tenantId}'s calendar`);
  const snapshots = await refreshKpiSnapshots(deps.db, indexTenant(data), payload.tenantId, period, asOf, payload.userIds as UserId[] | undefined);
  return { snapshots };
}

export async function refreshPrompts(payload: RefreshPrompts, deps: JobDeps, ctx: JobContext): Promise<{ managers: number; prompts: number }> {
  const asOf = businessDate(deps.clock.now());
  const [data, plans] = await Promise.all([loadDataset(deps.db, payload.tenantId), loadPlans(deps.db, payload.tenantId)]);
  const period = resolvePeriod(payload.periodId, data.calendar);
  if (!period) throw new PermanentJobError('invalid_input', `Period ${payload.periodId} does not exist in tenant ${payload.tenantId}'s calendar`);
  const index = indexTenant(data);
  const managers = payload.managerIds ?? [...new Set(data.managers.filter((l) => l.managerId !== null && l.from <= asOf && (l.to === undefined || asOf < l.to)).map((l) => l.managerId!))].sort();
  let count = 0;
  for (const managerId of managers) {
    const prompts = coachingPrompts({ plans, data, index, managerId: managerId as UserId, period, asOf });
    await savePrompts(deps.db, payload.tenantId, managerId, period.id, prompts);
    count += prompts.length;
    if (ctx.signal.aborted) throw new Error('worker shutting down: the rest of the managers are refreshed when the job runs again');
  }
  return { managers: managers.length, prompts: count };
}

/** Writes one coaching task into the CRM it came from; the CRM connectors provide the writer. */
export interface CrmTaskWriter {
  /**
   * Creates the task, or finds the one an earlier attempt created (the task id is the
   * idempotency key), and returns the CRM's id for it.
   */
  createTask(task: { tenantId: string; taskId: string; repId: string; dealId: string | null; title: string; body: string; dueDate: string | null }): Promise<string>;
}

export function createCoachingTaskHandler(writers: Partial<Record<string, CrmTaskWriter>>) {
  return async (payload: CreateCoachingTask, deps: JobDeps): Promise<{ crmTaskId: string; alreadyWritten: boolean }> => {
    const task = await deps.db.selectFrom('coaching_tasks').selectAll().where('tenant_id', '=', payload.tenantId).where('id', '=', payload.taskId).executeTakeFirst();
    if (!task) throw new PermanentJobError('invalid_input', `Coaching task ${payload.taskId} does not exist for tenant ${payload.tenantId}`);
    if (task.crm_task_id) return { crmTaskId: task.crm_task_id, alreadyWritten: true };
    const tenant = await deps.db.selectFrom('tenants').select(['source', 'status']).where('id', '=', payload.tenantId).executeTakeFirstOrThrow();
    if (tenant.status !== 'active') throw new PermanentJobError('tenant_disconnected', `Tenant ${payload.tenantId} is disconnected; reconnect the CRM to write coaching tasks`);
    const writer = writers[tenant.source];
    if (!writer) throw new PermanentJobError('no_crm_writer', `No CRM connector writes tasks for ${tenant.source} tenants in this process`);
    const crmTaskId = await writer.createTask({ tenantId: payload.tenantId, taskId: task.id, repId: task.rep_id, dealId: task.deal_id, title: task.title, body: task.body, dueDate: task.due_date });
    await markTaskWritten(deps.db, payload.tenantId, task.id, crmTaskId);
    return { crmTaskId, alreadyWritten: false };
  };
}
