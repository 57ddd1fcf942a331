const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** True for an RFC 1123 label, as Kubernetes names and this plugin's environment names must be. */
export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

/** Why a name is refused, worded for the form. */
export const DNS_LABEL_RULE =
  'use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit';
