/**
 * Replaces every occurrence of the given secrets, and any `scheme://user:password@` in URLs, with `***`,
 * so git's output can be logged and shown. Secrets shorter than 4 characters are ignored: too likely
 * to mangle unrelated text.
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret.length >= 4) {
      redacted = redacted.split(secret).join('***');
    }
  }
  return redacted
    .replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/\s@]*:[^/\s@]*@/g, '$1***@')
    .replace(/(authorization:\s*\S+\s+)\S+/gi, '$1***');
}
