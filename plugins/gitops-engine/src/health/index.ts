export type { HealthResult, HealthStatus } from './HealthResult';
export { HEALTH_ORDER } from './HealthResult';
export { aggregateHealth } from './aggregateHealth';
export { assessHealth } from './assessHealth';
export { healthFields } from './healthFields';
