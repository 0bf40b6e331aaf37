/** Branded ids: a DealId cannot be passed where a UserId is expected. */
type Brand<T, B extends string> = T & { readonly __brand: B };

export type TenantId = Brand<string, 'TenantId'>;
export type UserId = Brand<string, 'UserId'>;
export type TeamId = Brand<string, 'TeamId'>;
export type DealId = Brand<string, 'DealId'>;
export type ActivityId = Brand<string, 'ActivityId'>;
export type PipelineId = Brand<string, 'PipelineId'>;
export type StageId = Brand<string, 'StageId'>;
export type QuotaId = Brand<string, 'QuotaId'>;
export type PlanId = Brand<string, 'PlanId'>;
export type ComponentId = Brand<string, 'ComponentId'>;
