import type { HandlerRegistry } from '../queues/handler-registry.js';
import { createCoachingTaskHandler, refreshKpis, refreshPrompts, type CrmTaskWriter } from './coaching-jobs.js';
import { reconcileTenant, recomputePayees } from './compute-jobs.js';

/**
 * The worker's job handlers. CRM sync and write-back need the connectors, which register
 * their handlers and task writers here as they are added.
 */
export function createHandlerRegistry(options: { readonly crmTaskWriters?: Partial<Record<string, CrmTaskWriter>> } = {}): HandlerRegistry {
  return {
    compute: { 'recompute-payees': recomputePayees, 'reconcile-tenant': reconcileTenant },
    coaching: { 'refresh-kpis': refreshKpis, 'refresh-prompts': refreshPrompts },
    'crm-write-back': { 'create-coaching-task': createCoachingTaskHandler(options.crmTaskWriters ?? {}) },
  };
}
