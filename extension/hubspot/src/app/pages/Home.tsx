import { hubspot } from '@hubspot/ui-extensions';
import { HomeDashboard } from '../cards/components/HomeDashboard.js';

hubspot.extend<'home'>(({ context }) => <HomeDashboard context={context} />);
