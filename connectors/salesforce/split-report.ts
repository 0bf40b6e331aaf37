import type { Logger } from 'pino';
import type { Deal } from '../../shared/src/domain/deals.js';
import type { Db } from '../../worker/src/db/database.js';
import { revenueSplitProblem } from './mapping.js';

export const SPLIT_PROBLEM_ACTION = 'sync.revenue_splits_not_100';

/**
 * Revenue splits must total 100 %. The sync keeps such a deal exactly as Salesforce has
 * it (the statement engine then refuses to pay on it and shows the exception), and also
 * reports it here: a warning in the log and an audit entry an admin can list, naming the
 * opportunity and the fix. One entry per opportunity version, however often it is re-read.
 */
export async function reportSplitProblems(db: Db, tenantId: string, deals: readonly Deal[], logger: Logger | undefined): Promise<number> {
  let reported = 0;
  for (const deal of deals) {
    const problem = revenueSplitProblem(deal);
    if (!problem) continue;
    const details = {
      opportunityId: problem.opportunityId,
      opportunityName: problem.name,
      revenueSplitTotal: problem.total.toString(),
      sourceVersion: deal.sourceVersion,
      message: `Opportunity ${problem.opportunityId} (${problem.name}) has Revenue splits totalling ${problem.total.toString()} %; nobody is paid on it until they total 100 %`,
      fix: 'In Salesforce, open the opportunity\'s Opportunity Splits and correct the Revenue split percentages so they add up to exactly 100 %',
    };
    const last = await db.selectFrom('audit_log').select('details').where('tenant_id', '=', tenantId).where('action', '=', SPLIT_PROBLEM_ACTION).where('target', '=', problem.opportunityId).orderBy('entry_id', 'desc').limit(1).executeTakeFirst();
    const lastVersion = (last?.details as { sourceVersion?: string } | undefined)?.sourceVersion;
    logger?.warn({ tenantId, opportunityId: problem.opportunityId, revenueSplitTotal: details.revenueSplitTotal }, details.message);
    if (lastVersion === deal.sourceVersion) continue;
    await db.insertInto('audit_log').values({ tenant_id: tenantId, actor: 'salesforce-sync', action: SPLIT_PROBLEM_ACTION, target: problem.opportunityId, details: JSON.stringify(details) }).execute();
    reported += 1;
  }
  return reported;
}
