import { Divider, Flex, LoadingSpinner } from '@hubspot/ui-extensions';
import type { AppHomeContext } from '@hubspot/ui-extensions';
import type { ManagerCardView, RepCardView } from '../../../../../backend/src/cards/view-models.js';
import { apiOriginFrom } from '../lib/api-origin.js';
import { createCardApi, type CardApi } from '../lib/card-api.js';
import { CARD_PATHS } from '../lib/card-routes.js';
import { useLoadable } from '../lib/use-loadable.js';
import { ManagerView } from './ManagerView.js';
import { ProblemView } from './ProblemView.js';
import { RepView } from './RepView.js';

/**
 * The app home page: the viewer's own figures, and for managers their team below. The rep
 * card says who the viewer is (roles), so the team view is only fetched for managers/admins.
 */
export function HomeDashboard({ context }: { context: Pick<AppHomeContext, 'variables'> }) {
  const origin = apiOriginFrom(context.variables);
  if (!origin.ok) return <ProblemView problem={{ kind: 'config', message: origin.problem }} subject="your commissions" />;
  return <HomeLoader api={createCardApi(origin.origin)} />;
}

function HomeLoader({ api }: { api: CardApi }) {
  const { state, reload } = useLoadable(() => api.get<RepCardView>(CARD_PATHS.rep(), 'rep'), 'rep');
  if (state.status === 'loading') return <LoadingSpinner label="Loading your commissions" layout="centered" />;
  if (state.status === 'failed') return <ProblemView problem={state.problem} subject="your commissions" onRetry={reload} />;
  const roles = state.data.viewer.roles;
  return (
    <Flex direction="column" gap="lg">
      <RepView view={state.data} api={api} />
      {roles.includes('manager') || roles.includes('admin') ? (
        <>
          <Divider />
          <TeamSection api={api} />
        </>
      ) : null}
    </Flex>
  );
}

function TeamSection({ api }: { api: CardApi }) {
  const { state, reload } = useLoadable(() => api.get<ManagerCardView>(CARD_PATHS.manager(), 'manager'), 'manager');
  if (state.status === 'loading') return <LoadingSpinner label="Loading your team" layout="centered" />;
  if (state.status === 'failed') return <ProblemView problem={state.problem} subject="your team" onRetry={reload} />;
  return <ManagerView view={state.data} api={api} />;
}
