import { revocationKeyOf, sessionSubject, unverifiedSessionClaims } from './session-claims';

/** A compact JWT with `payload` and no signature worth checking: only its payload is read. */
function token(payload: unknown): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(payload)}.sig`;
}

describe('unverifiedSessionClaims', () => {
  it('reads the payload of the sealed session’s token', () => {
    expect(unverifiedSessionClaims(token({ sub: 'user_1', sid: 'session_1' }))).toEqual({
      sub: 'user_1',
      sid: 'session_1',
    });
  });

  it.each(['', 'not-a-jwt', 'a.b', token([]), token('1')])(
    'gives undefined for a token it cannot read: %p',
    (value) => {
      expect(unverifiedSessionClaims(value)).toBeUndefined();
    },
  );
});

describe('revocationKeyOf', () => {
  it('names the session by its sid first', () => {
    expect(revocationKeyOf({ sid: 'session_1', jti: 'j1' }, 'local_1')).toBe('session_1');
  });

  it('falls back to the cookie’s session id, then to the jti', () => {
    expect(revocationKeyOf({ sid: '', jti: 'j1' }, 'local_1')).toBe('local_1');
    expect(revocationKeyOf({ jti: 'j1' })).toBe('jti:j1');
  });

  it.each<unknown>([-1, null, '', [], {}, true, 1.5, 1e13])(
    'names nothing when neither sid nor jti is a non-empty string: %p',
    (value) => {
      expect(revocationKeyOf({ sid: value, jti: value })).toBeUndefined();
    },
  );
});

describe('sessionSubject', () => {
  it('names the user and the session the token names', () => {
    expect(sessionSubject({ sub: 'user_1', sid: 'session_1' }, 'local_1')).toEqual({
      userId: 'user_1',
      sessionId: 'session_1',
    });
  });

  it('takes the cookie’s session id when the token has no sid, and no user that is not a string', () => {
    expect(sessionSubject({ sub: 42 }, 'local_1')).toEqual({
      userId: undefined,
      sessionId: 'local_1',
    });
  });
});
