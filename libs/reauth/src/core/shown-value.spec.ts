import { shownValue } from './shown-value';

describe('shownValue', () => {
  it('shows a claim as JSON', () => {
    expect(shownValue('https://api.example')).toBe('"https://api.example"');
    expect(shownValue(['a', 'b'])).toBe('["a","b"]');
    expect(shownValue(3600)).toBe('3600');
    expect(shownValue(undefined)).toBe('nothing');
  });

  it('keeps control, line-breaking and direction characters out of the log', () => {
    const shown = shownValue('a\u0085b\u009bc\u2028d\u2029e\u202ef\u2066g\u200fh\u061c');
    expect(shown).toBe('"a?b?c?d?e?f?g?h?"');
    // JSON escapes the C0 ones already: what reaches the log is their escape, never the byte.
    expect(shownValue('x\ny\u0000')).toBe('"x\\ny\\u0000"');
  });

  it('cuts a long value at 120 characters', () => {
    const shown = shownValue('a'.repeat(500));
    expect(shown).toHaveLength(120);
    expect(shown.endsWith('...')).toBe(true);
  });

  it('never throws, even for a value JSON cannot show', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(shownValue(cyclic)).toBe('object');
    expect(shownValue(10n)).toBe('bigint');
  });
});
