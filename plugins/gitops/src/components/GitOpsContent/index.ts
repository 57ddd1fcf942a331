export { GitOpsContent } from './GitOpsContent';
