export { loadPortalDataset, type PortalSource } from './source.js';
export { canonicalTimeMs } from './canonical-time.js';
export { stableHash, mix32, stableUuid } from './stable-hash.js';
export { TableIdMap, arrayIdTable, type IdKind, type IdMap, type IdTable } from './id-map.js';
export { FxTable, type FxPoint } from './fx-table.js';
export { quotaWindow } from './quota-window.js';
