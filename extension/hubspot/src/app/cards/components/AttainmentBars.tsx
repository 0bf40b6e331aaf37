import { Flex, ProgressBar, Text } from '@hubspot/ui-extensions';
import type { AttainmentView } from '../../../../../backend/src/cards/view-models.js';
import { measureLabel } from './measure-label.js';
import { progressFill } from './progress-value.js';

interface AttainmentBarsProps {
  rows: readonly AttainmentView[];
  /** Prefix for titles and aria labels: "Now", "If this deal closes". */
  caption: string;
  testId: string;
}

/** One bar per plan component; components without a quota say so instead of a fake 0 %. */
export function AttainmentBars({ rows, caption, testId }: AttainmentBarsProps) {
  return (
    <Flex direction="column" gap="sm" testId={testId}>
      {rows.map((row) => {
        const label = `${caption}: ${measureLabel(row.measure)}`;
        if (!row.attainment || !row.quota) {
          return (
            <Text key={`${row.planId}/${row.componentId}`}>
              {label}: {row.credited.display} credited (no quota set)
            </Text>
          );
        }
        return (
          <ProgressBar
            key={`${row.planId}/${row.componentId}`}
            title={label}
            aria-label={`${label} attainment ${row.attainment.display}`}
            value={progressFill(row.attainment.value)}
            maxValue={100}
            valueDescription={`${row.attainment.display} · ${row.credited.display} of ${row.quota.display}`}
            variant={progressFill(row.attainment.value) >= 100 ? 'success' : 'warning'}
          />
        );
      })}
    </Flex>
  );
}
