import { Text } from '@hubspot/ui-extensions';
import type { Freshness } from '../../../../../backend/src/cards/view-models.js';

/** Every figure is "as of" a day; the backend's note says so, and warns when a sync or recompute may move it. */
export function FreshnessNote({ freshness, testId }: { freshness: Freshness; testId: string }) {
  return (
    <Text variant="microcopy" testId={testId}>
      {freshness.display}
    </Text>
  );
}
