export { ChangeRequestPage } from './ChangeRequestPage';
