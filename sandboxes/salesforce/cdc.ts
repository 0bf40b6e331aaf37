import { objectNamed, type FieldDef } from './schema.js';
import type { ChangeRecord, SalesforceOrg, Value } from './store.js';

/**
 * Change Data Capture: turns committed changes into change events in the documented
 * CometD shape ({schema, payload: {ChangeEventHeader, …fields}, event: {replayId}}) and
 * keeps them for the retention window so subscribers can replay (-2 = all retained,
 * -1 = only new, n = after replay id n).
 *
 * Payload rules (Change Event Message Structure / Change Event Fields): CREATE and UNDELETE
 * carry every non-null field; UPDATE carries only the changed fields (nulled ones listed in
 * nulledFields); DELETE carries only the header. IsDeleted and SystemModstamp are never
 * included; the record id is in header.recordIds, not in the payload.
 */
export interface ChangeEventMessage {
  readonly channel: string;
  readonly data: {
    readonly schema: string;
    readonly payload: Record<string, unknown>;
    readonly event: { readonly replayId: number };
  };
}

interface Retained {
  readonly at: number;
  readonly replayId: number;
  readonly entity: string;
  readonly data: ChangeEventMessage['data'];
}

const EXCLUDED = new Set(['Id', 'IsDeleted', 'SystemModstamp']);

/** JSON.rawJSON (Node ≥ 21) lets money go out as the exact decimal text, not a float. */
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

function eventValue(field: FieldDef, v: Value): unknown {
  if (v === null) return null;
  switch (field.type) {
    case 'datetime':
      return new Date(v as number).toISOString();
    case 'currency':
    case 'double':
    case 'percent':
      return rawJSON(String(v));
    default:
      return v;
  }
}

export class ChangeEventBus {
  private readonly retained: Retained[] = [];
  private replayCounter = 0;
  private commitCounter = 10_650_131_000;
  private readonly listeners = new Set<(entity: string, data: ChangeEventMessage['data']) => void>();

  constructor(
    private readonly org: SalesforceOrg,
    private readonly retentionMs: number,
    private readonly apiVersion: () => string,
  ) {
    org.onChange((change) => this.publish(change));
  }

  /** Subscribe in-process (the connector can also use CometD at /cometd/<version>). */
  onEvent(listener: (entity: string, data: ChangeEventMessage['data']) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get lastReplayId(): number {
    return this.replayCounter;
  }

  /** Retained events of an entity (undefined = all CDC entities) after a replay id. */
  since(entity: string | undefined, replayId: number): ChangeEventMessage['data'][] {
    this.expire();
    return this.retained.filter((e) => e.replayId > replayId && (entity === undefined || e.entity === entity)).map((e) => e.data);
  }

  /** The oldest replay id still retained (undefined if none). */
  get oldestReplayId(): number | undefined {
    this.expire();
    return this.retained[0]?.replayId;
  }

  private expire(): void {
    const cutoff = this.org.now() - this.retentionMs;
    while (this.retained.length > 0 && this.retained[0]!.at < cutoff) this.retained.shift();
  }

  private publish(change: ChangeRecord): void {
    const def = objectNamed(change.entityName)!;
    const payloadFields: Record<string, unknown> = {};
    const nulledFields: string[] = [];
    if (change.changeType === 'CREATE' || change.changeType === 'UNDELETE') {
      for (const field of def.fields) {
        const v = change.record[field.name] ?? null;
        if (EXCLUDED.has(field.name) || v === null) continue;
        payloadFields[field.name] = eventValue(field, v);
      }
    } else if (change.changeType === 'UPDATE') {
      for (const name of change.changedFields) {
        const field = def.fieldByName.get(name.toLowerCase());
        if (!field || EXCLUDED.has(field.name)) continue;
        const v = change.record[field.name] ?? null;
        if (v === null) nulledFields.push(field.name);
        payloadFields[field.name] = eventValue(field, v);
      }
    }
    const replayId = ++this.replayCounter;
    const data = {
      schema: `sandbox-${change.entityName}ChangeEvent-v1`,
      payload: {
        ChangeEventHeader: {
          entityName: change.entityName,
          recordIds: [change.recordId],
          changeType: change.changeType,
          changeOrigin: `com/salesforce/api/rest/${this.apiVersion()}`,
          transactionKey: change.transactionKey,
          sequenceNumber: change.sequenceNumber,
          commitTimestamp: change.commitTimestamp,
          commitNumber: ++this.commitCounter,
          commitUser: change.commitUser,
          changedFields: change.changeType === 'UPDATE' ? change.changedFields.filter((f) => f !== 'SystemModstamp') : [],
          diffFields: [],
          nulledFields,
        },
        ...payloadFields,
      },
      event: { replayId },
    };
    this.retained.push({ at: change.commitTimestamp, replayId, entity: change.entityName, data });
    for (const listener of this.listeners) listener(change.entityName, data);
  }
}
