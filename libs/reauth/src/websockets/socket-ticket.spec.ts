import { openSocketTicket, sealSocketTicket, SOCKET_TICKET_SECONDS } from './socket-ticket';
import { sealTicket } from '../factors/step-up-ticket';

const SECRET = 'a-cookie-password-of-at-least-32-characters';
const NOW = 1_800_000_000;

describe('socket tickets', () => {
  const details = {
    reason: 'stale' as const,
    maxAge: 300,
    sub: 'user_1',
    sid: 'session_1',
    authTime: NOW - 900,
    loginHint: 'alice@example.com',
    route: ':ChatGateway.deleteChannel',
    acrValues: ['urn:mfa'],
    amr: ['otp'],
  };

  it('opens what it sealed, until it expires', () => {
    const token = sealSocketTicket(details, SECRET, NOW);
    expect(openSocketTicket(token, SECRET, NOW + SOCKET_TICKET_SECONDS)).toEqual({
      maxAge: 300,
      sub: 'user_1',
      sid: 'session_1',
      authTime: NOW - 900,
      loginHint: 'alice@example.com',
      route: ':ChatGateway.deleteChannel',
      acr: ['urn:mfa'],
      amr: ['otp'],
      exp: NOW + SOCKET_TICKET_SECONDS,
    });
    expect(openSocketTicket(token, SECRET, NOW + SOCKET_TICKET_SECONDS + 1)).toBeUndefined();
  });

  it('opens nothing sealed with another secret or for another purpose, nor anything malformed', () => {
    const token = sealSocketTicket(details, SECRET, NOW);
    expect(openSocketTicket(token, `${SECRET}x`, NOW)).toBeUndefined();
    const stepUp = sealTicket(
      { sk: 'k', sub: 'user_1', route: 'r', maxAge: 0, exp: NOW + 60 },
      SECRET,
    );
    expect(openSocketTicket(stepUp, SECRET, NOW)).toBeUndefined();
    const tampered = token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA');
    for (const value of [tampered, '', 'x', 'a.b.c.d.e', 'A'.repeat(5000), 1, null, [], {}]) {
      expect(openSocketTicket(value, SECRET, NOW)).toBeUndefined();
    }
  });
});
