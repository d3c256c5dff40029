import { sealState } from '../core/state-seal';
import { encryptCompactDir } from '../crypto/jwe';
import { deriveKey, STEP_UP_TICKET_KEY } from '../crypto/key-derivation';
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

  describe('of an action-bound route', () => {
    const DIGEST = 'x4Xz9Q0GpVrbJ3UQDLHl2Zle0BYeqHYSv5lWpWc4yC8';
    const BOUND: StepUpTicket = { ...TICKET, route: `${TICKET.route}#${DIGEST}`, d: DIGEST };

    /** A ticket sealed as ours, with whatever JSON a test puts in it. */
    function sealRaw(payload: unknown): string {
      return encryptCompactDir(
        Buffer.from(JSON.stringify(payload), 'utf8'),
        deriveKey(SECRET, STEP_UP_TICKET_KEY),
      );
    }

    it('open to the digest that was sealed', () => {
      const opened = openTicket(sealTicket(BOUND, SECRET), SECRET, 1_000);
      expect(opened).toStrictEqual(BOUND);
      expect(sealTicket(BOUND, SECRET)).not.toContain(DIGEST);
    });

    it('open without a d when none was sealed', () => {
      expect(openTicket(sealTicket(TICKET, SECRET), SECRET, 0)).not.toHaveProperty('d');
      expect(openTicket(sealRaw({ ...TICKET, d: undefined }), SECRET, 0)).toStrictEqual(TICKET);
    });

    it.each<[string, unknown]>([
      ['-1', -1],
      ['null', null],
      ['"1"', '1'],
      ['[]', []],
      ['{}', {}],
      ['true', true],
      ['1.5', 1.5],
      ['1e13', 1e13],
      ['an empty string', ''],
      ['42 characters', DIGEST.slice(1)],
      ['44 characters', `${DIGEST}A`],
      ['padding', `${DIGEST.slice(1)}=`],
      ['base64 (not url) characters', `+/${DIGEST.slice(2)}`],
      ['a space', ` ${DIGEST.slice(1)}`],
    ])('refuse a d of %s', (_label, d) => {
      expect(openTicket(sealRaw({ ...TICKET, d }), SECRET, 0)).toBeUndefined();
    });

    it('sealed as ours are still refused when anything else is malformed', () => {
      expect(openTicket(sealRaw({ ...BOUND, exp: 1.5 }), SECRET, 0)).toBeUndefined();
      expect(openTicket(sealRaw({ ...BOUND, maxAge: '0' }), SECRET, 0)).toBeUndefined();
      expect(openTicket(sealRaw({ ...BOUND, route: 1 }), SECRET, 0)).toBeUndefined();
      expect(openTicket(sealRaw(null), SECRET, 0)).toBeUndefined();
      expect(openTicket(sealRaw([BOUND]), SECRET, 0)).toBeUndefined();
      expect(openTicket(sealRaw(BOUND), SECRET, 0)).toStrictEqual(BOUND);
    });
  });
});
