// Characters git refuses anywhere in a ref name (git-check-ref-format rule 4 and 5).
// eslint-disable-next-line no-control-regex -- control characters are among them
const FORBIDDEN_CHARACTERS = /[\u0000-\u0020\u007f~^:?*[\\]/;
const MAX_BRANCH_NAME_BYTES = 255;

/**
 * Why `name` is not a valid branch name under `git check-ref-format --branch`, or `undefined` when it
 * is. Pure, so form fields and config are checked before any git process sees them.
 */
export function validateBranchName(name: string): string | undefined {
  if (name === '') {
    return 'a branch name cannot be empty';
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_BRANCH_NAME_BYTES) {
    return `a branch name cannot be longer than ${MAX_BRANCH_NAME_BYTES} bytes`;
  }
  if (name.startsWith('-')) {
    return 'a branch name cannot start with "-"';
  }
  if (name === 'HEAD' || name === '@') {
    return `"${name}" is reserved and cannot be a branch name`;
  }
  const forbidden = FORBIDDEN_CHARACTERS.exec(name);
  if (forbidden) {
    return `a branch name cannot contain ${describeCharacter(forbidden[0])}`;
  }
  if (name.includes('..')) {
    return 'a branch name cannot contain ".."';
  }
  if (name.includes('@{')) {
    return 'a branch name cannot contain "@{"';
  }
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) {
    return 'a branch name cannot start or end with "/" or contain "//"';
  }
  if (name.endsWith('.')) {
    return 'a branch name cannot end with "."';
  }
  for (const component of name.split('/')) {
    if (component.startsWith('.')) {
      return 'no part of a branch name can start with "."';
    }
    if (component.endsWith('.lock')) {
      return 'no part of a branch name can end with ".lock"';
    }
  }
  return undefined;
}

function describeCharacter(character: string): string {
  if (character === ' ') {
    return 'spaces';
  }
  const code = character.charCodeAt(0);
  return code < 0x20 || code === 0x7f ? 'control characters' : `"${character}"`;
}
