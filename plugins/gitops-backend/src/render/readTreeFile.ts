/** Reads a file of a checked-out tree by its path relative to the config root; `undefined` when absent or not a file. */
export type ReadTreeFile = (path: string) => Promise<string | undefined>;
