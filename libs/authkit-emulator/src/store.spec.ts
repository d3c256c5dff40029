import { EmulatorClock } from './clock';
import { EmulatorStore } from './store';

describe('EmulatorStore', () => {
  let now: number;
  let store: EmulatorStore;

  beforeEach(() => {
    now = 1_700_000_000_000;
    store = new EmulatorStore(new EmulatorClock(() => now), 600);
  });

  it('hands out a code once, and not at all after it expired', () => {
    const session = store.createSession('user_1', 1, 'Password');
    const code = store.issueCode({ sessionId: session.id, redirectUri: 'http://x/cb' });
    expect(store.takeCode(code)).toMatchObject({ sessionId: session.id });
    expect(store.takeCode(code)).toBeUndefined();

    const late = store.issueCode({ sessionId: session.id, redirectUri: 'http://x/cb' });
    now += 600_000;
    expect(store.takeCode(late)).toBeUndefined();
  });

  it('keeps one live refresh token per session, single-use, and none after revocation', () => {
    const session = store.createSession('user_1', 1, 'Password');
    const first = store.rotateRefreshToken(session);
    const second = store.rotateRefreshToken(session);
    expect(store.takeRefreshToken(first)).toBeUndefined();
    expect(store.takeRefreshToken(second)).toBe(session);
    expect(store.takeRefreshToken(second)).toBeUndefined();

    const third = store.rotateRefreshToken(session);
    expect(store.revokeSession(session.id)).toBe(true);
    expect(store.takeRefreshToken(third)).toBeUndefined();
    expect(store.revokeSession('session_unknown')).toBe(false);
  });

  it('forgets a browser once its session is revoked', () => {
    const session = store.createSession('user_1', 1, 'Password');
    const cookie = store.bindBrowser(session.id);
    expect(store.browserSession(cookie)).toBe(session);
    store.revokeSession(session.id);
    expect(store.browserSession(cookie)).toBeUndefined();
    expect(store.browserSession(undefined)).toBeUndefined();
  });

  it('keeps a pending authentication and a challenge until both are spent together, once', () => {
    const token = store.createPendingAuthentication('user_1', 'auth_factor_1');
    const challenge = store.createChallenge('auth_factor_1', 'user_1');
    expect(store.findPendingAuthentication(token)).toMatchObject({ userId: 'user_1' });
    expect(store.findChallenge(challenge.id)).toBe(challenge);
    expect(store.completeMfa(token, 'auth_challenge_unknown')).toBe(false);
    expect(store.completeMfa('unknown', challenge.id)).toBe(false);
    expect(store.completeMfa(token, challenge.id)).toBe(true);
    expect(store.completeMfa(token, challenge.id)).toBe(false);
    expect(store.findPendingAuthentication(token)).toBeUndefined();
    expect(store.findChallenge(challenge.id)).toBeUndefined();
  });

  it('expires pending authentications and challenges after the code lifetime', () => {
    const token = store.createPendingAuthentication('user_1', 'auth_factor_1');
    const challenge = store.createChallenge('auth_factor_1', 'user_1');
    now += 599_999;
    expect(store.findPendingAuthentication(token)).toBeDefined();
    expect(store.findChallenge(challenge.id)).toBeDefined();
    now += 1;
    expect(store.findPendingAuthentication(token)).toBeUndefined();
    expect(store.findChallenge(challenge.id)).toBeUndefined();
    expect(store.completeMfa(token, challenge.id)).toBe(false);
  });

  it('expires sign-ins in progress after the code lifetime', () => {
    const request = store.createRequest({ redirectUri: 'http://x/cb', reauthenticating: false });
    expect(store.findRequest(request.id)).toBe(request);
    now += 600_001;
    expect(store.findRequest(request.id)).toBeUndefined();
  });

  it('reports each session that ends once, whatever ends it, with when it began', () => {
    const ended: string[] = [];
    store = new EmulatorStore(new EmulatorClock(() => now), 600, (session) =>
      ended.push(`${session.id} ${session.createdAtMs}`),
    );
    const first = store.createSession('user_1', 1, 'Password');
    now += 1000;
    const second = store.createSession('user_1', 1, 'SSO');
    expect(store.revokeSession(first.id)).toBe(true);
    expect(store.revokeSession(first.id)).toBe(true);
    expect(store.revokeSession('session_unknown')).toBe(false);
    store.revokeSession(second.id);
    expect(ended).toEqual([`${first.id} ${now - 1000}`, `${second.id} ${now}`]);
  });

  it('forgets a deleted user’s sessions, refresh tokens and browsers without reporting them ended', () => {
    const ended: string[] = [];
    store = new EmulatorStore(new EmulatorClock(() => now), 600, (session) =>
      ended.push(session.id),
    );
    const gone = store.createSession('user_1', 1, 'Password');
    const kept = store.createSession('user_2', 1, 'Password');
    const refresh = store.rotateRefreshToken(gone);
    const cookie = store.bindBrowser(gone.id);
    const keptCookie = store.bindBrowser(kept.id);
    store.forgetSessionsOf('user_1');
    expect(store.findSession(gone.id)).toBeUndefined();
    expect(store.takeRefreshToken(refresh)).toBeUndefined();
    expect(store.browserSession(cookie)).toBeUndefined();
    expect(store.revokeSession(gone.id)).toBe(false);
    expect(store.browserSession(keptCookie)).toBe(kept);
    expect(ended).toEqual([]);
  });
});
