export { DeliveryMetrics } from './DeliveryMetrics';
export { DriftOverTime } from './DriftOverTime';
