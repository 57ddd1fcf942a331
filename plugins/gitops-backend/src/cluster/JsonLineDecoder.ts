/**
 * Splits a watch stream into its newline-delimited JSON documents, however the network chunks it.
 * A line longer than `maxLineBytes` is an error rather than unbounded buffering.
 */
export class JsonLineDecoder {
  private pending = '';

  constructor(private readonly maxLineBytes = 64 * 1024 * 1024) {}

  /** Feeds a chunk; returns the documents completed by it, parsed. Throws on a malformed or oversized line. */
  push(chunk: string): unknown[] {
    const documents: unknown[] = [];
    let text = this.pending + chunk;
    let newline = text.indexOf('\n');
    while (newline >= 0) {
      const line = text.slice(0, newline).trim();
      if (line) documents.push(JSON.parse(line));
      text = text.slice(newline + 1);
      newline = text.indexOf('\n');
    }
    if (text.length > this.maxLineBytes) {
      throw new Error(`watch event larger than ${this.maxLineBytes} bytes`);
    }
    this.pending = text;
    return documents;
  }

  /** The document left without a trailing newline when the stream ended, if any. */
  end(): unknown[] {
    const line = this.pending.trim();
    this.pending = '';
    return line ? [JSON.parse(line)] : [];
  }
}
