import { describe, expect, it } from 'vitest';
import { formatMoney, signedMoney } from '../../../extension/console/src/money-text.js';

describe('console money text', () => {
  it('groups thousands without losing a cent, even beyond what a float can hold', () => {
    // 12345678901234567.89 as a JS number prints 12345678901234568: the string is kept instead.
    expect(formatMoney('12345678901234567.89', 'USD')).toBe('USD 12,345,678,901,234,567.89');
    expect(formatMoney('10450.00', 'USD')).toBe('USD 10,450.00');
    expect(formatMoney('500')).toBe('500');
    expect(formatMoney('2057.12', 'EUR')).toBe('EUR 2,057.12');
  });

  it('shows the sign of a change, with a real minus for deductions', () => {
    expect(signedMoney('800.00', 'USD')).toBe('+USD 800.00');
    expect(signedMoney('-1234.5', 'USD')).toBe('−USD 1,234.5');
    expect(formatMoney(undefined)).toBe('—');
  });
});
