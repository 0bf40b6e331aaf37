import { HUBSPOT_OBJECTS } from './hubspot/streams.js';
import { SALESFORCE_OBJECTS } from './salesforce/streams.js';

/**
 * The object streams each CRM connector syncs, in the order a first sync runs them (an
 * object syncs only after every earlier one was attempted, see connectors/core/crm-connector.ts),
 * so an earlier object's failure is the likelier cause of a later one's.
 */
export const SYNC_OBJECTS = { hubspot: HUBSPOT_OBJECTS, salesforce: SALESFORCE_OBJECTS } as const;
export type SyncSource = keyof typeof SYNC_OBJECTS;

export function isSyncSource(value: string): value is SyncSource {
  return Object.hasOwn(SYNC_OBJECTS, value);
}

/** Where `object` comes in its connector's order; undefined for one no connector syncs (a stream since removed). */
export function syncOrder(source: string, object: string): number | undefined {
  if (!isSyncSource(source)) return undefined;
  const at = (SYNC_OBJECTS[source] as readonly string[]).indexOf(object);
  return at < 0 ? undefined : at;
}
