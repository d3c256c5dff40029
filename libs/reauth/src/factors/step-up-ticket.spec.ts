import { sealState } from '../core/state-seal';
import { openTicket, sealTicket, type StepUpTicket } from './step-up-ticket';

const SECRET = 'a-cookie-password-of-at-least-32-characters';
const TICKET: StepUpTicket = {
  sk: 'session_1',
  sub: 'user_1',
  route: '/account:AccountController.close',
  maxAge: 0,
  exp: 1_000,
};

describe('step-up tickets', () => {
  it('open to what was sealed, until they expire', () => {
    const sealed = sealTicket(TICKET, SECRET);
    expect(openTicket(sealed, SECRET, 1_000)).toEqual(TICKET);
    expect(openTicket(sealed, SECRET, 1_001)).toBeUndefined();
  });

  it('hide the route from the page', () => {
    expect(sealTicket(TICKET, SECRET)).not.toContain('AccountController');
  });

  it('open nothing sealed with another secret, changed, or not a ticket at all', () => {
    const sealed = sealTicket(TICKET, SECRET);
    expect(openTicket(sealed, `${SECRET}-rotated`, 0)).toBeUndefined();
    const parts = sealed.split('.');
    parts[3] = `${parts[3].slice(0, -2)}${parts[3].endsWith('AA') ? 'AB' : 'AA'}`;
    expect(openTicket(parts.join('.'), SECRET, 0)).toBeUndefined();
    for (const token of [undefined, 42, '', 'x'.repeat(3000), 'a.b.c.d.e', {}]) {
      expect(openTicket(token, SECRET, 0)).toBeUndefined();
    }
  });

  it('open no sealed state: each has its own key', async () => {
    const state = await sealState(
      { v: 1, returnTo: '/', nonce: 'n'.repeat(22), iat: 0, exp: 600 },
      SECRET,
    );
    expect(openTicket(state, SECRET, 0)).toBeUndefined();
  });
});
