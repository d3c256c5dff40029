/** A value of a token's claim or header as a log line shows it: JSON, at most 120 characters. */
export function shownValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = typeof value;
  }
  // Control characters never reach a log line, whatever a provider puts in a claim.
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
