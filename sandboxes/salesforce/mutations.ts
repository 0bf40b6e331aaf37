import type { IdMap } from './seed.js';
import { RecordError, type SalesforceOrg, type SObjectRecord } from './store.js';
import { compareDecimal } from './query-engine.js';

/**
 * Sandbox-only changes for tests, made the way a user in the Salesforce UI would make them:
 * each write stamps LastModifiedDate/SystemModstamp, recomputes derived fields (IsClosed,
 * IsWon, Probability from the stage, ExpectedRevenue, SplitAmount) and publishes Change Data
 * Capture events for the objects CDC covers. Opportunity ids may be given as Salesforce ids
 * or as canonical deal ids of the seed.
 */
export interface SplitInput {
  readonly ownerId: string;
  readonly percent: string;
  readonly type: 'Revenue' | 'Overlay';
  readonly note?: string;
}

export class SandboxMutations {
  constructor(
    private readonly org: SalesforceOrg,
    private readonly idMap: IdMap | undefined,
  ) {}

  private resolve(kind: 'deal' | 'user' | 'activity', id: string): string {
    return this.idMap?.salesforceId(kind, id) ?? id;
  }

  createOpportunity(fields: Readonly<Record<string, unknown>>, asUserId?: string): SObjectRecord {
    return this.org.transaction(asUserId ?? '', (tx) => {
      const input = { ...fields };
      if (typeof input['OwnerId'] === 'string') input['OwnerId'] = this.resolve('user', input['OwnerId']);
      // The owner's default 100 % Revenue split comes with it (see Transaction.insert).
      return tx.insert('Opportunity', input);
    });
  }

  updateOpportunity(id: string, fields: Readonly<Record<string, unknown>>, asUserId?: string): SObjectRecord {
    const input = { ...fields };
    if (typeof input['OwnerId'] === 'string') input['OwnerId'] = this.resolve('user', input['OwnerId']);
    return this.org.transaction(asUserId ?? '', (tx) => tx.update('Opportunity', this.resolve('deal', id), input));
  }

  deleteOpportunity(id: string, asUserId?: string): void {
    this.org.transaction(asUserId ?? '', (tx) => tx.softDelete('Opportunity', this.resolve('deal', id)));
  }

  undeleteOpportunity(id: string, asUserId?: string): void {
    this.org.transaction(asUserId ?? '', (tx) => tx.undelete('Opportunity', this.resolve('deal', id)));
  }

  /**
   * Replaces an opportunity's splits. Revenue splits must total exactly 100 % (Salesforce
   * validates the Revenue type); Overlay splits may total anything. The old rows are deleted
   * (they show up in getDeleted/queryAll) and new rows with new ids are created.
   */
  setSplits(opportunityId: string, splits: readonly SplitInput[], asUserId?: string): SObjectRecord[] {
    const oppId = this.resolve('deal', opportunityId);
    const opp = this.org.table('Opportunity').byId.get(oppId);
    if (!opp || opp['IsDeleted'] === true) throw new RecordError('ENTITY_IS_DELETED', `entity is deleted or does not exist: ${opportunityId}`, [], 404);
    const revenue = splits.filter((s) => s.type === 'Revenue');
    if (revenue.length > 0) {
      let total = '0';
      for (const s of revenue) total = addDecimal(total, s.percent);
      if (compareDecimal(total, '100') !== 0) throw new RecordError('FIELD_INTEGRITY_EXCEPTION', `Revenue splits must total 100%; they total ${total}%`, ['SplitPercentage']);
    }
    return this.org.transaction(asUserId ?? '', (tx) => {
      for (const row of this.org.table('OpportunitySplit').rows) if (row['OpportunityId'] === oppId && row['IsDeleted'] !== true) tx.softDelete('OpportunitySplit', row['Id'] as string);
      return splits.map((s) => tx.insert('OpportunitySplit', { OpportunityId: oppId, SplitOwnerId: this.resolve('user', s.ownerId), SplitPercentage: s.percent, SplitTypeId: this.splitTypeId(s.type), SplitNote: s.note ?? null }));
    });
  }

  /** Any object the sandbox stores: insert, update, delete, undelete with the same side effects. */
  insert(objectName: string, fields: Readonly<Record<string, unknown>>, asUserId?: string): SObjectRecord {
    return this.org.transaction(asUserId ?? '', (tx) => tx.insert(objectName, fields));
  }

  update(objectName: string, id: string, fields: Readonly<Record<string, unknown>>, asUserId?: string): SObjectRecord {
    return this.org.transaction(asUserId ?? '', (tx) => tx.update(objectName, id, fields));
  }

  delete(objectName: string, id: string, asUserId?: string): void {
    this.org.transaction(asUserId ?? '', (tx) => tx.softDelete(objectName, id));
  }

  undelete(objectName: string, id: string, asUserId?: string): void {
    this.org.transaction(asUserId ?? '', (tx) => tx.undelete(objectName, id));
  }

  /**
   * Empties the delete log of an object (or all), as Salesforce's background purge does when a
   * log grows large: getDeleted then reports earliestDateAvailable = now, which tells a
   * replicating client its deletion watermark is too old and it must resync.
   */
  purgeDeleteLog(objectName?: string): void {
    for (const [name, log] of this.org.deleteLog) if (!objectName || name === objectName) log.length = 0;
    const at = this.org.now();
    for (const name of this.org.tables.keys()) if (!objectName || name === objectName) this.org.deleteLogPurgedAt.set(name, at);
  }

  private splitTypeId(type: 'Revenue' | 'Overlay'): string {
    const row = this.org.table('OpportunitySplitType').rows.find((r) => r['DeveloperName'] === type);
    if (!row) throw new RecordError('INVALID_CROSS_REFERENCE_KEY', `split type ${type} does not exist`);
    return row['Id'] as string;
  }
}

function addDecimal(a: string, b: string): string {
  const scale = Math.max((a.split('.')[1] ?? '').length, (b.split('.')[1] ?? '').length);
  const toInt = (x: string): bigint => {
    const [i = '0', f = ''] = x.split('.');
    const negative = i.startsWith('-');
    const v = BigInt(i.replace('-', '') + f.padEnd(scale, '0'));
    return negative ? -v : v;
  };
  const sum = toInt(a) + toInt(b);
  if (scale === 0) return sum.toString();
  const negative = sum < 0n;
  const digits = (negative ? -sum : sum).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}
