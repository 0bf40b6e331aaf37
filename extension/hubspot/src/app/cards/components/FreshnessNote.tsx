import { Text } from '@hubspot/ui-extensions';
import type { Freshness } from '../../../../../backend/src/cards/view-models.js';

/** Every figure is "as of" a day; say so, and warn when a sync or recompute may move it. */
export function FreshnessNote({ freshness, testId }: { freshness: Freshness; testId: string }) {
  const pending = freshness.syncPending || freshness.recomputePending;
  return (
    <Text variant="microcopy" testId={testId}>
      {freshness.display}
      {pending ? ' · Updating now: these figures may change in a few minutes.' : ''}
    </Text>
  );
}
