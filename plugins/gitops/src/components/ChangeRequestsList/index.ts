export { EntityChangeRequests } from './EntityChangeRequests';
