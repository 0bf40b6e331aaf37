/**
 * Amounts arrive from the API as exact decimal strings ("10450.00", "-400.00"). They are
 * shown with thousands separators by editing the string, never by going through a float,
 * so a payroll-sized total shows every cent it has.
 */
export function formatMoney(amount: string | undefined, currency?: string): string {
  if (amount === undefined) return '—';
  const negative = amount.startsWith('-');
  const [whole = '0', fraction] = (negative ? amount.slice(1) : amount).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const digits = `${grouped}${fraction !== undefined ? `.${fraction}` : ''}`;
  return `${negative ? '−' : ''}${currency ? `${currency} ` : ''}${digits}`;
}

/** A change, always with its sign: "+USD 800.00", "−USD 12.50". */
export function signedMoney(amount: string, currency?: string): string {
  return amount.startsWith('-') ? formatMoney(amount, currency) : `+${formatMoney(amount, currency)}`;
}
