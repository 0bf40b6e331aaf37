import { sql } from 'kysely';
import type { Plan } from '../../../shared/src/plan/plan.js';
import { parsePlan } from '../../../shared/src/plan/plan.schema.js';
import type { Db } from './database.js';
import { WorkflowConflict } from './workflow-conflict.js';
import { bumpAdminStateVersion } from './admin-state-version.js';

/**
 * Plans are stored as the documents admins wrote and parsed again on every read, so the
 * stored form is exactly what docs/plans.md describes and a parser fix applies to old
 * versions too. A saved version is immutable: saving the same id and version again with the
 * same content (in any key order) changes nothing, and with different content is refused.
 */
export async function savePlanVersion(db: Db, tenantId: string, document: unknown, actor: string): Promise<Plan> {
  const plan = parsePlan(document, 'plan');
  await db.transaction().execute(async (tx) => {
    // Inserted unless the version exists: two saves of one version at the same moment (a double
    // click on Publish) then wait for each other instead of one failing on the primary key.
    const inserted = await tx
      .insertInto('plans')
      .values({ tenant_id: tenantId, plan_id: plan.id, version: plan.version, document: JSON.stringify(document), effective_from: plan.effectiveFrom, effective_to: plan.effectiveTo ?? null, created_by: actor })
      .onConflict((oc) => oc.columns(['tenant_id', 'plan_id', 'version']).doNothing())
      .returning('plan_id')
      .executeTakeFirst();
    if (!inserted) {
      // Compared as jsonb, not as text: jsonb keeps object keys in its own order (and numbers and
      // whitespace in its own form), so the document saved before reads back with another key order.
      // jsonb equality ignores object key order but not array order, so any other value is a conflict.
      const existing = await tx
        .selectFrom('plans')
        .select(sql<boolean>`document = cast(${JSON.stringify(document)} as jsonb)`.as('same'))
        .where('tenant_id', '=', tenantId)
        .where('plan_id', '=', plan.id)
        .where('version', '=', plan.version)
        .executeTakeFirstOrThrow();
      if (!existing.same) throw new WorkflowConflict(`Plan ${plan.id} version ${plan.version} already exists with other content: save your change as version ${plan.version + 1}`);
      return;
    }
    // The admin console's state version (migration 0007), moved in this transaction: readers see the new version exactly when they can see these rows.
    await bumpAdminStateVersion(tx, tenantId);
    await tx.insertInto('audit_log').values({ tenant_id: tenantId, actor, action: 'plan.saved', target: `${plan.id}@${plan.version}`, details: JSON.stringify({ effectiveFrom: plan.effectiveFrom }) }).execute();
  });
  return plan;
}

export async function loadPlans(db: Db, tenantId: string): Promise<Plan[]> {
  const rows = await db.selectFrom('plans').select(['plan_id', 'version', 'document']).where('tenant_id', '=', tenantId).orderBy('plan_id').orderBy('version').execute();
  return rows.map((r) => parsePlan(r.document, `stored plan ${r.plan_id} v${r.version}`));
}
