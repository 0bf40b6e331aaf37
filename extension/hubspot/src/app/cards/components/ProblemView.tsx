import { Button, EmptyState, ErrorState, Text } from '@hubspot/ui-extensions';
import type { CardProblem } from '../lib/card-api.js';

interface ProblemViewProps {
  problem: CardProblem;
  /** What failed to load, for the title: "what this deal pays you". */
  subject: string;
  onRetry?: () => void;
}

/**
 * Turns a failed load into something the user can act on. "Not ready" and "not found" are
 * ordinary states (first sync still running, a brand-new deal not synced yet), so they are
 * empty states; everything else is an error with the backend's fix and a request id to quote.
 */
export function ProblemView({ problem, subject, onRetry }: ProblemViewProps) {
  const retry = onRetry ? (
    <Button variant="secondary" onClick={onRetry}>
      Try again
    </Button>
  ) : null;

  if (problem.kind === 'config') {
    return (
      <ErrorState title="The app is not set up yet" type="support">
        <Text>{problem.message}</Text>
      </ErrorState>
    );
  }
  if (problem.kind !== 'api') {
    return (
      <ErrorState title={`Couldn't load ${subject}`} type="error">
        <Text>{problem.message}</Text>
        {retry}
      </ErrorState>
    );
  }

  const { error } = problem;
  const fix = error.fix ? <Text>{error.fix}</Text> : null;
  const reference = error.requestId ? <Text variant="microcopy">Reference: {error.requestId}</Text> : null;
  switch (error.code) {
    case 'not_ready':
      return (
        <EmptyState title="No figures yet" imageName="building" layout="vertical">
          <Text>{error.message}</Text>
          {fix}
          {retry}
        </EmptyState>
      );
    case 'not_found':
      return (
        <EmptyState title="Nothing to show yet" imageName="deals" layout="vertical">
          <Text>{error.message}</Text>
          {fix}
          {retry}
        </EmptyState>
      );
    case 'forbidden':
    case 'unauthenticated':
      return (
        <ErrorState title={`You can't see ${subject}`} type="lock">
          <Text>{error.message}</Text>
          {fix}
          {reference}
        </ErrorState>
      );
    default:
      return (
        <ErrorState title={`Couldn't load ${subject}`} type="error">
          <Text>{error.message}</Text>
          {fix}
          {reference}
          {retry}
        </ErrorState>
      );
  }
}
