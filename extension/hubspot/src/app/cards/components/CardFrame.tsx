import type { ReactNode } from 'react';
import { Flex, LoadingSpinner, Text } from '@hubspot/ui-extensions';
import type { Freshness } from '../../../../../backend/src/cards/view-models.js';
import { apiOriginFrom } from '../lib/api-origin.js';
import { createCardApi, type CardApi } from '../lib/card-api.js';
import { useLoadable } from '../lib/use-loadable.js';
import { ProblemView } from './ProblemView.js';

// The frame every card and panel shares, so each keeps only its own content: the backend's
// origin (or why the app is not set up), the spinner while a view loads, the problem with its
// fix when it fails, and the freshness footer under the figures.

/** The card API for this portal; without an API_ORIGIN the card explains the setup instead of calling anything. */
export function WithCardApi({ variables, subject, children }: { variables: Readonly<Record<string, unknown>> | undefined; subject: string; children: (api: CardApi) => ReactNode }) {
  const origin = apiOriginFrom(variables);
  if (!origin.ok) return <ProblemView problem={{ kind: 'config', message: origin.problem }} subject={subject} />;
  return <>{children(createCardApi(origin.origin))}</>;
}

interface LoadFrameProps<T> {
  load: () => Promise<T>;
  /** Names what `load` fetches: a new key loads again. */
  loadKey: string;
  /** The spinner's label: "Loading your team". */
  loading: string;
  /** What failed to load, for the problem's title: "your team". */
  subject: string;
  /** A panel inside a card gets a small inline spinner; a whole card a centred one. */
  inline?: boolean;
  children: (data: T) => ReactNode;
}

/** Spinner while loading, the problem with "Try again" when it fails, else the content drawn from the data. */
export function LoadFrame<T>({ load, loadKey, loading, subject, inline = false, children }: LoadFrameProps<T>) {
  const { state, reload } = useLoadable(load, loadKey);
  if (state.status === 'loading') return inline ? <LoadingSpinner label={loading} size="sm" /> : <LoadingSpinner label={loading} layout="centered" />;
  if (state.status === 'failed') return <ProblemView problem={state.problem} subject={subject} onRetry={reload} />;
  return <>{children(state.data)}</>;
}

interface FreshnessFrameProps {
  freshness: Freshness;
  freshnessTestId: string;
  gap: 'sm' | 'md';
  testId?: string;
  children: ReactNode;
}

/** Every figure is "as of" a day: the backend's note says so, and warns when a sync or recompute may move it. */
export function FreshnessFrame({ freshness, freshnessTestId, gap, testId, children }: FreshnessFrameProps) {
  return (
    <Flex direction="column" gap={gap} {...(testId === undefined ? {} : { testId })}>
      {children}
      <Text variant="microcopy" testId={freshnessTestId}>
        {freshness.display}
      </Text>
    </Flex>
  );
}
