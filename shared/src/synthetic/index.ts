export { Prng } from './prng.js';
export { generateTenant, type SyntheticTenant, type TenantOptions } from './tenant-generator.js';
export type { RawActivity, RawDeal, RawFxRate, RawManagerLink, RawPipeline, RawQuota, RawSplit, RawStageChange, RawTeam, RawUser } from './tenant-generator.js';
export { AE_PLAN_ID, MANAGER_PLAN_ID, generatePlans, type RawPlan } from './plan-generator.js';
