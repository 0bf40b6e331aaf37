import { hubspot } from '@hubspot/ui-extensions';
import { DealCard } from './components/DealCard.js';

hubspot.extend<'crm.record.tab'>(({ context }) => <DealCard context={context} />);
