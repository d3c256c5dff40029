import { markerQuery, withoutMarker, withQuery } from './markers';
import { PROTOCOL } from './protocol';
import { sanitizeReturnTo } from './return-to';

describe('withQuery', () => {
  it.each<[string, Record<string, string>, string]>([
    ['/settings', { reauth: 'ok' }, '/settings?reauth=ok'],
    ['/settings?tab=email', { reauth: 'cancelled' }, '/settings?tab=email&reauth=cancelled'],
    ['/settings#top', { reauth: 'ok' }, '/settings?reauth=ok#top'],
    ['/settings?tab=email#top', { reauth: 'failed' }, '/settings?tab=email&reauth=failed#top'],
    [
      '/settings',
      { reauth: 'ok', reauth_id: 'AbCdEfGhIjKlMnOp' },
      '/settings?reauth=ok&reauth_id=AbCdEfGhIjKlMnOp',
    ],
    ['/', { reauth: 'ok' }, '/?reauth=ok'],
  ])('adds to %p the params %p', (path, params, expected) => {
    expect(withQuery(path, params)).toBe(expected);
  });

  it('replaces a marker an earlier attempt left, instead of repeating it', () => {
    expect(withQuery('/settings?reauth=failed&tab=email', { reauth: 'ok' })).toBe(
      '/settings?reauth=ok&tab=email',
    );
  });

  it('encodes values that need it', () => {
    expect(withQuery('/a', { note: 'a b&c=d' })).toBe('/a?note=a+b%26c%3Dd');
  });

  it('leaves the path as it is with no params', () => {
    expect(withQuery('/settings?tab=email', {})).toBe('/settings?tab=email');
  });

  it.each<[string, Record<string, string>]>([
    ['a backslash', { reauth_id: 'a\\b' }],
    ['a control character', { reauth_id: 'a\r\nSet-Cookie: x=1' }],
    ['a NUL', { reauth: '\u0000' }],
  ])('falls back to the input path when a value holds %s', (_label, params) => {
    expect(withQuery('/settings?tab=email', params)).toBe('/settings?tab=email');
  });

  it('falls back to the input path when the result would be too long', () => {
    const path = `/${'a'.repeat(2040)}`;
    expect(withQuery(path, { reauth: 'cancelled' })).toBe(path);
  });

  it.each(['//evil.example/x', '/\\evil.example', 'https://evil.example/x', '/a/../b'])(
    'never answers %p with a path that is not same-origin',
    (path) => {
      for (const result of [
        withQuery(path, { reauth: 'ok' }),
        withoutMarker(`${path}?reauth=ok`),
      ]) {
        expect(result === path || sanitizeReturnTo(result) === result).toBe(true);
        expect(result).not.toMatch(/evil|^\/\/|\\/);
      }
    },
  );
});

describe('withoutMarker', () => {
  it.each([
    ['/settings?reauth=cancelled&tab=email', '/settings?tab=email'],
    ['/settings?tab=email&reauth=ok', '/settings?tab=email'],
    ['/settings?reauth=failed', '/settings'],
    ['/settings?reauth_id=AbCdEfGhIjKlMnOp', '/settings'],
    ['/settings?reauth=ok&reauth_id=AbCdEfGhIjKlMnOp&tab=email', '/settings?tab=email'],
    ['/settings?reauth=ok#top', '/settings#top'],
    ['/settings?reauth=ok&reauth=failed&tab=1', '/settings?tab=1'],
  ])('removes the markers from %p', (path, expected) => {
    expect(withoutMarker(path)).toBe(expected);
  });

  it.each([
    '/settings',
    '/settings?tab=email',
    '/settings?tab=email#reauth=ok',
    '/settings?reauthx=1&x_reauth=2',
    // Untouched, so not re-encoded either.
    '/settings?q=a%20b',
  ])('returns %p unchanged when it has no marker', (path) => {
    expect(withoutMarker(path)).toBe(path);
  });

  it('falls back to the input path when the result would not be safe', () => {
    // URLSearchParams decodes %5c and encodes it again; the result is refused as a whole.
    const path = '/settings?x=%5c&reauth=ok';
    expect(withoutMarker(path)).toBe(path);
  });

  it('uses the names of the protocol', () => {
    const path = `/a?${PROTOCOL.marker}=ok&${PROTOCOL.idMarker}=AbCdEfGhIjKlMnOp&keep=1`;
    expect(withoutMarker(path)).toBe('/a?keep=1');
  });
});

describe('markerQuery', () => {
  it.each(['ok', 'cancelled', 'failed'] as const)('carries the marker %p alone', (marker) => {
    expect(markerQuery(marker, undefined)).toEqual({ [PROTOCOL.marker]: marker });
    expect(Object.keys(markerQuery(marker, undefined))).toEqual(['reauth']);
  });

  it('carries the request id next to the marker', () => {
    expect(markerQuery('ok', 'AbCdEfGhIjKlMnOp')).toEqual({
      reauth: 'ok',
      reauth_id: 'AbCdEfGhIjKlMnOp',
    });
  });

  it('round-trips through withQuery and withoutMarker', () => {
    const path = '/settings?tab=email';
    const marked = withQuery(path, markerQuery('cancelled', 'AbCdEfGhIjKlMnOp'));
    expect(marked).toBe('/settings?tab=email&reauth=cancelled&reauth_id=AbCdEfGhIjKlMnOp');
    expect(withoutMarker(marked)).toBe(path);
  });
});
