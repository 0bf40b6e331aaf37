import type { Decimal } from '../shared/src/money/decimal.js';
import type { CurrencyCode } from '../shared/src/money/currency.js';
import { displayMoney } from '../shared/src/money/money.js';

/** "USD 1,234.50" — the one money format people read. */
export function money(amount: Decimal, currency: CurrencyCode): string {
  return displayMoney({ amount, currency });
}

/** "1,234.50" for table columns whose header names the currency. */
export function amount(value: Decimal, currency: CurrencyCode): string {
  const text = displayMoney({ amount: value, currency });
  return text.startsWith('-') ? `-${text.slice(currency.length + 2)}` : text.slice(currency.length + 1);
}

/** "+1,234.50" / "-1,234.50" / "0.00" for changes. */
export function signed(value: Decimal, currency: CurrencyCode): string {
  const text = amount(value, currency);
  return value.greaterThan(0) ? `+${text}` : text;
}

/** A percentage to two decimals, trailing zeros dropped: "110 %", "33.33 %". */
export function percent(value: Decimal | undefined): string {
  return value === undefined ? '—' : `${value.toDecimalPlaces(2).toString()} %`;
}

/** A unit count (meetings, deals), up to four decimals for fractional split credit. */
export function units(value: Decimal): string {
  return value.toDecimalPlaces(4).toString();
}

const GLUE = '\u00a0';

/**
 * Keeps "USD 1,200.00", "30 %" and "tier 2" on one line: a reader checking the arithmetic
 * should never find a number separated from its unit.
 */
function glue(text: string): string {
  return text
    .replace(/\b([A-Z]{3}) (-?\d)/g, `$1${GLUE}$2`)
    .replace(/(\d) %/g, `$1${GLUE}%`)
    .replace(/ → /g, ` →${GLUE}`)
    .replace(/\b(tier|line|lines|version|v) (\d)/g, `$1${GLUE}$2`);
}

/** Greedy word wrap; words longer than the width are cut. */
export function wrap(text: string, width: number): string[] {
  return wrapWords(glue(text), width).map((line) => line.replaceAll(GLUE, ' '));
}

function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/[ \t\r\n]+/).filter((w) => w !== '')) {
    let w = word;
    while (w.length > width) {
      if (current) {
        lines.push(current);
        current = '';
      }
      lines.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (current === '') current = w;
    else if (current.length + 1 + w.length <= width) current += ` ${w}`;
    else {
      lines.push(current);
      current = w;
    }
  }
  if (current !== '' || lines.length === 0) lines.push(current);
  return lines;
}

export interface Column {
  readonly header: string;
  readonly align?: 'left' | 'right';
  /** The last column may wrap: give it the width left over. */
  readonly wrap?: boolean;
}

/**
 * A plain-text table: padded columns, a header row, and a last column that wraps with a
 * hanging indent so long explanations stay readable in an 80–120 column terminal.
 */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[], width: number, indent = '  '): string[] {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (c.wrap ? 0 : (r[i] ?? '').length))));
  const gap = '  ';
  const fixed = indent.length + columns.slice(0, -1).reduce((t, _c, i) => t + widths[i]! + gap.length, 0);
  const last = columns.length - 1;
  if (columns[last]?.wrap) widths[last] = Math.max(30, width - fixed);
  const cell = (text: string, i: number): string => (columns[i]!.align === 'right' ? text.padStart(widths[i]!) : i === last ? text : text.padEnd(widths[i]!));
  const out: string[] = [indent + columns.map((c, i) => cell(c.header, i)).join(gap).trimEnd()];
  for (const row of rows) {
    const wrapped = columns[last]?.wrap ? wrap(row[last] ?? '', widths[last]!) : [row[last] ?? ''];
    out.push((indent + columns.slice(0, -1).map((_c, i) => cell(row[i] ?? '', i)).join(gap) + gap + wrapped[0]).trimEnd());
    for (const more of wrapped.slice(1)) out.push(' '.repeat(fixed) + more);
  }
  return out;
}

/** "USD 1,000.00 + EUR 250.00" for totals across pay currencies. */
export function totalsByCurrency(totals: ReadonlyMap<CurrencyCode, Decimal>): string {
  if (totals.size === 0) return 'nothing';
  // Insertion order: the currency of the first statement (usually the tenant's) first.
  return [...totals].map(([c, t]) => money(t, c)).join(' + ');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
