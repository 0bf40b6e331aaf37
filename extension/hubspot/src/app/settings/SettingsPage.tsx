import { hubspot } from '@hubspot/ui-extensions';
import { SettingsPanel } from './SettingsPanel.js';

hubspot.extend<'settings'>(({ context }) => <SettingsPanel context={context} />);
