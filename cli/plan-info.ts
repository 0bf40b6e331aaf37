import type { Plan } from '../shared/src/plan/plan.js';

/**
 * Whether a component's pay depends on quota attainment. The engine reports attainment for
 * every component (credited value over the payee's quota), but for a flat rate or a SPIFF
 * that number pays nothing, so the CLI shows it only where it matters.
 */
export function usesQuota(plans: readonly Plan[], planId: string, componentId: string): boolean {
  const component = plans.find((p) => p.id === planId)?.components.find((c) => c.id === componentId);
  if (!component) return true;
  if (component.gate !== undefined) return true;
  if (component.type === 'commission') return component.tiers.basis === 'attainment';
  return component.type === 'attainment-bonus';
}
