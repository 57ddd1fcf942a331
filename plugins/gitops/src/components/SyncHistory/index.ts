export { SyncHistoryList } from './SyncHistoryList';
