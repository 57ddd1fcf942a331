import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { catalogGitOpsColumnsModule } from './modules/catalog';
import { navModule } from './modules/nav';

export default createApp({
  features: [catalogPlugin, catalogGitOpsColumnsModule, navModule],
});
