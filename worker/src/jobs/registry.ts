import type { HandlerRegistry } from '../queues/handler-registry.js';
import { createCoachingTaskHandler, refreshKpis, refreshPrompts, type CrmTaskWriter } from './coaching-jobs.js';
import { reconcileTenant, recomputePayees } from './compute-jobs.js';

/**
 * The worker's job handlers. CRM sync and write-back come from the connectors
 * (connectors/core/crm-connector.ts builds both from the configured connectors); the
 * composition root passes them in, so the worker itself knows no CRM.
 */
export function createHandlerRegistry(options: { readonly crmTaskWriters?: Partial<Record<string, CrmTaskWriter>>; readonly crmSync?: HandlerRegistry['crm-sync'] } = {}): HandlerRegistry {
  return {
    ...(options.crmSync ? { 'crm-sync': options.crmSync } : {}),
    compute: { 'recompute-payees': recomputePayees, 'reconcile-tenant': reconcileTenant },
    coaching: { 'refresh-kpis': refreshKpis, 'refresh-prompts': refreshPrompts },
    'crm-write-back': { 'create-coaching-task': createCoachingTaskHandler(options.crmTaskWriters ?? {}) },
  };
}
