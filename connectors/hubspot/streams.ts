/** The object streams, in dependency order: people and pipelines before deals before activities and goals. */
export const HUBSPOT_OBJECTS = ['owners', 'pipelines', 'deals', 'calls', 'emails', 'meetings', 'tasks', 'goals'] as const;
export type HubspotObject = (typeof HUBSPOT_OBJECTS)[number];

export function isHubspotObject(value: string): value is HubspotObject {
  return (HUBSPOT_OBJECTS as readonly string[]).includes(value);
}

