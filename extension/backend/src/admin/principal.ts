import type { Request } from 'express';
import { principalOf } from '../auth/principal.js';
import { ApiFailure } from '../http/api-failure.js';

export interface AdminPrincipal {
  readonly tenantId: string;
  readonly userId: string;
}

/**
 * Who is calling: the backend's admin-session guard (requireAdminSession) has proven it
 * and set the principal. The role is checked again here so that a router mounted without
 * the guard by mistake fails closed instead of serving a tenant's payroll.
 */
export function adminPrincipal(req: Request): AdminPrincipal {
  const principal = principalOf(req);
  if (!principal.grantedRoles.includes('admin')) throw new ApiFailure('forbidden', 'The admin console is for admins of this account', 'ask an admin of this account to grant you the admin role');
  return { tenantId: principal.tenantId, userId: principal.userId };
}
