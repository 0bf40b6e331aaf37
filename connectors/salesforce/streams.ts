/** Object streams, in dependency order: people and stages before deals, deals before activities. */
export const SALESFORCE_OBJECTS = ['users', 'pipelines', 'fx-rates', 'quotas', 'deals', 'activities'] as const;
export type SalesforceObject = (typeof SALESFORCE_OBJECTS)[number];

export function isSalesforceObject(value: string): value is SalesforceObject {
  return (SALESFORCE_OBJECTS as readonly string[]).includes(value);
}
