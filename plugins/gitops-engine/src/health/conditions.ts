/** A status condition as Kubernetes and most controllers write it. */
export interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

export function conditionsOf(status: unknown): Condition[] {
  const conditions = (status as { conditions?: unknown } | undefined)
    ?.conditions;
  return Array.isArray(conditions)
    ? (conditions.filter(c => c && typeof c === 'object') as Condition[])
    : [];
}

export function findCondition(
  status: unknown,
  type: string,
): Condition | undefined {
  return conditionsOf(status).find(condition => condition.type === type);
}

/** `reason: message`, or whichever of the two is present. */
export function describeCondition(condition: Condition): string | undefined {
  if (condition.reason && condition.message)
    return `${condition.reason}: ${condition.message}`;
  return condition.message ?? condition.reason;
}
