const NAMED: Readonly<Record<string, string>> = {
  revenue: 'Revenue',
  'deal-count': 'Deals won',
  'gross-margin': 'Gross margin',
};

/** "activity:call" → "Calls"; unknown measures keep their id rather than guessing. */
export function measureLabel(measure: string): string {
  const named = NAMED[measure];
  if (named) return named;
  if (measure.startsWith('activity:')) {
    const kind = measure.slice('activity:'.length);
    return kind.length > 0 ? `${kind.charAt(0).toUpperCase()}${kind.slice(1)}s` : 'Activities';
  }
  return measure;
}
