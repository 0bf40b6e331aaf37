import { Divider, Flex } from '@hubspot/ui-extensions';
import type { AppHomeContext } from '@hubspot/ui-extensions';
import type { ManagerCardView, RepCardView } from '../../../../../backend/src/cards/view-models.js';
import { CARD_PATHS } from '../lib/card-routes.js';
import { LoadFrame, WithCardApi } from './CardFrame.js';
import { ManagerView } from './ManagerView.js';
import { RepView } from './RepView.js';

/**
 * The app home page: the viewer's own figures, and for managers their team below. The rep
 * card says who the viewer is (roles), so the team view is only fetched for managers/admins.
 */
export function HomeDashboard({ context }: { context: Pick<AppHomeContext, 'variables'> }) {
  return (
    <WithCardApi variables={context.variables} subject="your commissions">
      {(api) => (
        <LoadFrame load={() => api.get<RepCardView>(CARD_PATHS.rep(), 'rep')} loadKey="rep" loading="Loading your commissions" subject="your commissions">
          {(rep) => (
            <Flex direction="column" gap="lg">
              <RepView view={rep} api={api} />
              {rep.viewer.roles.includes('manager') || rep.viewer.roles.includes('admin') ? (
                <>
                  <Divider />
                  <LoadFrame load={() => api.get<ManagerCardView>(CARD_PATHS.manager(), 'manager')} loadKey="manager" loading="Loading your team" subject="your team">
                    {(team) => <ManagerView view={team} api={api} />}
                  </LoadFrame>
                </>
              ) : null}
            </Flex>
          )}
        </LoadFrame>
      )}
    </WithCardApi>
  );
}
