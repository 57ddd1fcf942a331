const RANKS: ReadonlyArray<[rank: number, names: string[]]> = [
  [0, ['local', 'dev', 'develop', 'development', 'sandbox']],
  [1, ['test', 'testing', 'qa', 'int', 'integration', 'ci']],
  [2, ['stage', 'staging', 'stg', 'preprod', 'uat', 'preview']],
  [3, ['prod', 'production', 'prd', 'live']],
];

const RANK_BY_NAME = new Map(
  RANKS.flatMap(([rank, names]) => names.map(name => [name, rank] as const)),
);

const UNRECOGNIZED_RANK = RANKS.length;

/**
 * Where an environment goes in the conventional order dev < test < staging < prod, judged by the first
 * word of its name that is recognized (`prod-eu` is prod); unrecognized environments come last.
 */
export function environmentRank(environment: string): number {
  for (const word of environment
    .toLocaleLowerCase('en-US')
    .split(/[^a-z0-9]+/)) {
    const rank = RANK_BY_NAME.get(word);
    if (rank !== undefined) {
      return rank;
    }
  }
  return UNRECOGNIZED_RANK;
}
