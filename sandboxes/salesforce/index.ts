export { startSalesforceSandbox, type SalesforceSandbox, type SalesforceSandboxOptions, type SandboxStats } from './server.js';
export { seedOrgFromDataset, seedOrgFromSynthetic, IdMap, type CanonicalKind, type SeededOrg, type SeedOptions } from './seed.js';
export { SalesforceOrg, type SObjectRecord, type ChangeRecord } from './store.js';
export { SandboxMutations, type SplitInput } from './mutations.js';
export { salesforceId, to18, checksumSuffix, KEY_PREFIX } from './ids.js';
export type { ChangeEventMessage } from './cdc.js';
