import { useState } from 'react';
import { Alert, Button, Flex, Heading, List, Text } from '@hubspot/ui-extensions';
import type { SettingsContext } from '@hubspot/ui-extensions';
import type { MeView } from '../../../../backend/src/cards/view-models.js';
import { apiOriginFrom } from '../cards/lib/api-origin.js';
import { createCardApi, problemOf, type CardProblem } from '../cards/lib/card-api.js';
import { CARD_PATHS } from '../cards/lib/card-routes.js';

type Check = { status: 'idle' } | { status: 'checking' } | { status: 'ok'; asOf: string; syncFailing: boolean } | { status: 'failed'; problem: CardProblem };

/**
 * The app's settings page: where the backend is, whether this portal reaches it with a valid
 * signature and a known tenant, and how to place the cards. Plan setup lives in the backend's
 * admin console, not here.
 */
export function SettingsPanel({ context }: { context: Pick<SettingsContext, 'variables'> }) {
  const origin = apiOriginFrom(context.variables);
  const [check, setCheck] = useState<Check>({ status: 'idle' });

  const runCheck = () => {
    if (!origin.ok) return;
    setCheck({ status: 'checking' });
    // Proves the whole chain without needing figures of one's own: HubSpot signs the call, the
    // backend maps the portal to a tenant and the user to a person or an admin.
    createCardApi(origin.origin)
      .get<MeView>(CARD_PATHS.me, 'me')
      .then(
        (view) => setCheck({ status: 'ok', asOf: view.freshness.display, syncFailing: view.freshness.syncFailing.length > 0 }),
        (error: unknown) => setCheck({ status: 'failed', problem: problemOf(error) }),
      );
  };

  return (
    <Flex direction="column" gap="md">
      <Heading>Connection</Heading>
      {origin.ok ? (
        <Text>
          Backend: <Text inline format={{ fontWeight: 'demibold' }}>{origin.origin}</Text>
        </Text>
      ) : (
        <Alert title="The app is not set up yet" variant="error">
          {origin.problem}
        </Alert>
      )}
      <Button variant="primary" disabled={!origin.ok || check.status === 'checking'} onClick={runCheck} testId="check-connection">
        {check.status === 'checking' ? 'Checking…' : 'Check the connection'}
      </Button>
      {check.status === 'ok' ? (
        // Connected, yet a failing sync leaves figures out of date: not a success to show in green.
        <Alert title={check.syncFailing ? 'Connected, but a sync is failing' : 'Connected'} variant={check.syncFailing ? 'warning' : 'success'}>
          This HubSpot account reaches the SPM backend and you are known to it. {check.asOf}
        </Alert>
      ) : null}
      {check.status === 'failed' ? (
        <Alert title="Not connected" variant="error">
          {check.problem.kind === 'api'
            ? [check.problem.error.message, check.problem.error.fix].filter(Boolean).join(' ')
            : check.problem.message}
        </Alert>
      ) : null}
      <Heading>Put the cards where people work</Heading>
      <List variant="ordered">
        <Text>Open any deal, choose Customize, and add the "What this deal pays me" card from the App card library.</Text>
        <Text>Reps and managers find their own figures and the team view on this app's home page.</Text>
        <Text>Plans, quotas and payouts are managed in the SPM admin console.</Text>
      </List>
    </Flex>
  );
}
