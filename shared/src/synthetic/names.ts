/** Word lists for synthetic people, companies and products. Small on purpose: names are combined, not listed. */
export const FIRST_NAMES: readonly string[] = [
  'Ava', 'Ben', 'Chloe', 'Dev', 'Elena', 'Felix', 'Grace', 'Hugo', 'Isla', 'Jamal', 'Kira', 'Liam', 'Maya', 'Noah', 'Olga', 'Priya',
  'Quinn', 'Rosa', 'Sam', 'Tara', 'Umar', 'Vera', 'Wes', 'Xin', 'Yara', 'Zane', 'Amir', 'Bea', 'Carlos', 'Dana', 'Emeka', 'Fatima',
];

export const LAST_NAMES: readonly string[] = [
  'Adams', 'Baker', 'Chen', 'Diaz', 'Evans', 'Fischer', 'Garcia', 'Hansen', 'Ito', 'Jones', 'Kowalski', 'Lopez', 'Martin', 'Nguyen', 'Okafor', 'Patel',
  'Quist', 'Rossi', 'Schmidt', 'Tanaka', 'Ueda', 'Varga', 'Weber', 'Xu', 'Young', 'Zhang', 'Ahmed', 'Brown', 'Costa', 'Dubois', 'Ek', 'Novak',
];

export const COMPANY_PREFIXES: readonly string[] = [
  'Acme', 'Blue', 'Cedar', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor', 'Iron', 'Juniper', 'Kestrel', 'Lumen', 'Maple', 'Nova', 'Orbit', 'Pine',
  'Quartz', 'River', 'Summit', 'Tidal', 'Union', 'Vector', 'Willow', 'Zenith', 'Atlas', 'Beacon', 'Cobalt', 'Drift', 'Echo', 'Fjord', 'Helix', 'Polar',
];

export const COMPANY_SUFFIXES: readonly string[] = [
  'Analytics', 'Bank', 'Biotech', 'Foods', 'Freight', 'Health', 'Labs', 'Logistics', 'Media', 'Motors', 'Networks', 'Energy', 'Retail', 'Robotics', 'Software', 'Systems',
];

export const PRODUCT_LINES: readonly string[] = ['platform', 'analytics', 'services', 'integrations'];
export const PRODUCT_LABELS: readonly string[] = ['Platform', 'Analytics', 'Services', 'Integrations'];
export const LEAD_SOURCES: readonly string[] = ['inbound', 'outbound', 'partner', 'event'];
