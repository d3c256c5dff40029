// eslint-disable-next-line no-control-regex
const UNSHOWN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** A value of a token's claim or header as a log line shows it: JSON, at most 120 characters. */
export function shownValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = typeof value;
  }
  // Control, line-breaking and direction characters never reach a log line, whatever a
  // provider puts in a claim.
  text = text.replace(UNSHOWN, '?');
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
