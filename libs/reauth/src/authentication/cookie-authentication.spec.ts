import type { AccessTokenClaims } from '../interfaces';
import { cookieAuthentication } from './request-authenticator';

const base: AccessTokenClaims = { iss: 'https://idp.example', sub: 'user_1', iat: 100, exp: 400 };
const signIn = { authTime: 90, acr: 'urn:example:loa:2', amr: ['pwd', 'otp'] };

describe('cookieAuthentication', () => {
  it('takes auth_time, acr and amr from the sign-in when the access token has none', () => {
    const { claims, sessionId, source } = cookieAuthentication(base, {
      accessToken: 'at',
      sessionId: 'local_1',
      signIn,
    });
    expect(claims).toMatchObject({ auth_time: 90, acr: 'urn:example:loa:2', amr: ['pwd', 'otp'] });
    expect(Object.isFrozen(claims)).toBe(true);
    expect(sessionId).toBe('local_1');
    expect(source).toBe('cookie');
  });

  it('keeps what the access token says over the ID token', () => {
    const { claims } = cookieAuthentication(
      { ...base, auth_time: 90, acr: 'urn:example:loa:1' },
      { accessToken: 'at', signIn },
    );
    expect(claims).toMatchObject({ auth_time: 90, acr: 'urn:example:loa:1', amr: ['pwd', 'otp'] });
  });

  it('never lends one sign-in’s acr or amr to a token of another sign-in', () => {
    const later = { ...base, auth_time: 200 };
    const { claims } = cookieAuthentication(later, { accessToken: 'at', signIn });
    expect(claims).toBe(later);
    expect(claims.acr).toBeUndefined();
    expect(claims.amr).toBeUndefined();
  });

  it('names the session by the token’s sid first, and gives the same object for the same token', () => {
    const withSid = { ...base, sid: 'sid_1' };
    const session = { accessToken: 'at', sessionId: 'local_1', signIn };
    const first = cookieAuthentication(withSid, session);
    expect(first.sessionId).toBe('sid_1');
    expect(cookieAuthentication(withSid, session).claims).toBe(first.claims);
  });

  it('leaves a token alone when the session knows nothing of its sign-in', () => {
    expect(cookieAuthentication(base, { accessToken: 'at' }).claims).toBe(base);
  });
});
