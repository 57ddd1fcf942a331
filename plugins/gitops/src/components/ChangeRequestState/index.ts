export {
  ChangeRequestStateChip,
  CHANGE_REQUEST_STATE_LABELS,
} from './ChangeRequestStateChip';
