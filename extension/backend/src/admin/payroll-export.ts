import type { Statement } from '../../../../shared/src/engine/statement.js';
import { formatAmount } from '../../../../shared/src/money/rounding.js';
import { ApiFailure } from '../http/api-failure.js';
import { planPeriod, type TenantState } from './period-statements.js';

export const PAYROLL_COLUMNS = ['payee_id', 'payee_name', 'period', 'currency', 'amount', 'line_count'] as const;

/** RFC 4180 quoting, and a leading ' on cells a spreadsheet would run as a formula (a payee named "=SUM(…)"). */
function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The payroll file for one locked period: one row per payee with what their locked
 * statement pays. Each line of a statement was rounded once, to the pay currency's minor
 * unit, with its plan's rounding mode; the amount here is the sum of those rounded lines
 * (the statement total), written as an exact decimal string with the currency's minor
 * digits, so payroll pays to the cent what the rep's statement shows. Only locked periods
 * are exported: payroll pays frozen numbers, never ones that can still move.
 */
export function payrollCsv(state: TenantState, periodId: string): { filename: string; csv: string } {
  const period = planPeriod(state, periodId);
  const locked = state.locked.find((l) => l.period === period.id);
  if (!locked) throw new ApiFailure('conflict', `${period.id} is not locked, so its numbers can still change`, 'approve and lock the period, then export payroll');
  const rows = [...locked.statements].sort((a: Statement, b: Statement) => (a.payeeId < b.payeeId ? -1 : a.payeeId > b.payeeId ? 1 : 0));
  const lines = [PAYROLL_COLUMNS.join(',')];
  for (const s of rows) lines.push([s.payeeId, s.payeeName, period.id, s.currency, formatAmount(s.total, s.currency), String(s.lines.length)].map(cell).join(','));
  return { filename: `payroll-${period.id}.csv`, csv: `${lines.join('\r\n')}\r\n` };
}
