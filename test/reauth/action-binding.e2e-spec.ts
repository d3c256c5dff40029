import { MemoryPasskeyCredentialStore } from 'nest-workos-reauth';
import { createHash } from 'node:crypto';
import { signInToApp, startScenarioApp, type ScenarioApp } from '../support/reauth-app';
import type { HttpBrowser } from '../support/http-browser';
import { pageJson, type JsonAnswer } from '../support/page-json';
import {
  assertPasskey,
  createPasskey,
  type SoftwareCredential,
} from '../support/software-authenticator';
import { handlerCalls, PaymentRoutes, TRANSFER_ROUTE } from './action-binding.routes';

// Real providers and apps start per test: slow on a loaded machine, never waited on by time.
jest.setTimeout(60_000);

const FIFTY_TO_BOB = { amount: 50, payee: 'Bob' };

/** The digest a confirmation of a transfer commits to, computed independently of the library. */
function transferDigest(amount: unknown, payee: unknown): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        'POST',
        TRANSFER_ROUTE,
        [
          ['amount', amount],
          ['payee', payee],
        ],
      ]),
    )
    .digest('base64url');
}

interface BoundRefusal {
  ticket: string;
  summary: unknown;
}

describe('Step-up bound to one action, confirmed inside the page', () => {
  let scenario: ScenarioApp;
  let browser: HttpBrowser;

  const call = (method: string, path: string, body?: unknown) =>
    pageJson(browser, scenario.url)(method, path, body);
  const transfer = (body: unknown) => call('POST', '/payments/transfer', body);

  /** The refusal of a transfer: a 401 naming the action, with a ticket for it. */
  async function refusal(body: unknown): Promise<BoundRefusal> {
    const res = await transfer(body);
    expect(res.status).toBe(401);
    const stepUp = res.body.stepUp as { ticket: string };
    expect(stepUp.ticket).toEqual(expect.any(String));
    return { ticket: stepUp.ticket, summary: res.body.actionSummary };
  }

  describe('with a passkey', () => {
    let credential: SoftwareCredential;

    beforeEach(async () => {
      scenario = await startScenarioApp([PaymentRoutes], {
        reauth: (_emulator, { url }) => ({
          stepUp: {
            passkeys: {
              rpId: 'localhost',
              rpName: 'Payments',
              origins: [url],
              credentials: new MemoryPasskeyCredentialStore(),
            },
          },
        }),
      });
      ({ browser } = await signInToApp(scenario, '/payments/form'));
      credential = await enrol();
      handlerCalls.transfer = 0;
    });
    afterEach(() => scenario.close());

    const ceremony = (challenge: unknown) => ({
      challenge: String(challenge),
      origin: scenario.url,
      rpId: 'localhost',
    });

    async function enrol(): Promise<SoftwareCredential> {
      const options = await call('POST', '/auth/passkeys/registration/options', {});
      expect(options.status).toBe(200);
      const { credential: created, response } = createPasskey(ceremony(options.body.challenge));
      expect((await call('POST', '/auth/passkeys', { name: 'Laptop', response })).status).toBe(201);
      return created;
    }

    const passkeyOptions = (ticket: string) =>
      call('POST', '/auth/step-up/passkey/options', { ticket });

    async function confirm(ticket: string): Promise<JsonAnswer> {
      const options = await passkeyOptions(ticket);
      expect(options.status).toBe(200);
      const response = assertPasskey(credential, ceremony(options.body.challenge));
      return call('POST', '/auth/step-up/passkey', { ticket, response });
    }

    it('refuses the transfer with its summary and a ticket for it', async () => {
      const res = await transfer(FIFTY_TO_BOB);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        error: 'reauth_required',
        maxAge: 0,
        actionSummary: 'Transfer 50 EUR to Bob',
        stepUp: { ticket: expect.any(String) },
      });
      expect(handlerCalls.transfer).toBe(0);
    });

    it('issues a 48-byte challenge: 16 random bytes, then the digest of the action', async () => {
      const { ticket } = await refusal(FIFTY_TO_BOB);
      const first = await passkeyOptions(ticket);
      const second = await passkeyOptions(ticket);
      expect([first.status, second.status]).toEqual([200, 200]);
      const bytes = Buffer.from(String(first.body.challenge), 'base64url');
      expect(bytes).toHaveLength(48);
      expect(bytes.subarray(16).toString('base64url')).toBe(transferDigest(50, 'Bob'));
      const again = Buffer.from(String(second.body.challenge), 'base64url');
      expect(again.subarray(16)).toEqual(bytes.subarray(16));
      expect(again.subarray(0, 16)).not.toEqual(bytes.subarray(0, 16));
    });

    it('lets the confirmed transfer through once', async () => {
      const { ticket } = await refusal(FIFTY_TO_BOB);
      const confirmed = await confirm(ticket);
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toMatchObject({ status: 'confirmed', method: 'passkey' });
      const done = await transfer(FIFTY_TO_BOB);
      expect(done.status).toBe(201);
      expect(done.body).toEqual({ done: true, amount: 50, payee: 'Bob' });
      const again = await transfer(FIFTY_TO_BOB);
      expect(again.status).toBe(401);
      expect(again.body.actionSummary).toBe('Transfer 50 EUR to Bob');
      expect(handlerCalls.transfer).toBe(1);
    });

    it('lets one of two simultaneous retries through', async () => {
      expect((await confirm((await refusal(FIFTY_TO_BOB)).ticket)).status).toBe(200);
      const statuses = await Promise.all([transfer(FIFTY_TO_BOB), transfer(FIFTY_TO_BOB)]);
      expect(statuses.map((res) => res.status).sort()).toEqual([201, 401]);
      expect(handlerCalls.transfer).toBe(1);
    });

    it('refuses another amount after a confirmation for 50', async () => {
      expect((await confirm((await refusal(FIFTY_TO_BOB)).ticket)).status).toBe(200);
      const res = await transfer({ amount: 500, payee: 'Bob' });
      expect(res.status).toBe(401);
      expect(res.body.actionSummary).toBe('Transfer 500 EUR to Bob');
      expect(handlerCalls.transfer).toBe(0);
    });

    it('refuses another payee after a confirmation for Bob', async () => {
      expect((await confirm((await refusal(FIFTY_TO_BOB)).ticket)).status).toBe(200);
      const res = await transfer({ amount: 50, payee: 'Eve' });
      expect(res.status).toBe(401);
      expect(res.body.actionSummary).toBe('Transfer 50 EUR to Eve');
      expect(handlerCalls.transfer).toBe(0);
    });

    it('keeps the confirmation of 50 through a refused 500: grants are per action', async () => {
      expect((await confirm((await refusal(FIFTY_TO_BOB)).ticket)).status).toBe(200);
      expect((await transfer({ amount: 500, payee: 'Bob' })).status).toBe(401);
      expect((await transfer({ amount: 50, payee: 'Eve' })).status).toBe(401);
      expect((await transfer(FIFTY_TO_BOB)).status).toBe(201);
      expect(handlerCalls.transfer).toBe(1);
    });

    it('reads the same fields in another key order, or with other fields beside them, as the same action', async () => {
      expect((await confirm((await refusal(FIFTY_TO_BOB)).ticket)).status).toBe(200);
      const res = await transfer({ note: 'rent', payee: 'Bob', amount: 50 });
      expect(res.status).toBe(201);
    });

    it('never takes an assertion for one action with the ticket of another', async () => {
      const fifty = await refusal(FIFTY_TO_BOB);
      const fiveHundred = await refusal({ amount: 500, payee: 'Bob' });
      const options = await passkeyOptions(fifty.ticket);
      const response = assertPasskey(credential, ceremony(options.body.challenge));
      const res = await call('POST', '/auth/step-up/passkey', {
        ticket: fiveHundred.ticket,
        response,
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('challenge_expired');
      expect((await transfer({ amount: 500, payee: 'Bob' })).status).toBe(401);
      expect((await transfer(FIFTY_TO_BOB)).status).toBe(401);
      expect(handlerCalls.transfer).toBe(0);
    });

    it('never takes an assertion for a bound challenge without its ticket', async () => {
      const { ticket } = await refusal(FIFTY_TO_BOB);
      const options = await passkeyOptions(ticket);
      const response = assertPasskey(credential, ceremony(options.body.challenge));
      const res = await call('POST', '/auth/step-up/passkey', { response });
      expect([res.status, res.body.error]).toEqual([400, 'challenge_expired']);
      expect((await transfer(FIFTY_TO_BOB)).status).toBe(401);
    });
  });

  describe('with the AuthKit password', () => {
    beforeEach(async () => {
      scenario = await startScenarioApp([PaymentRoutes], { reauth: () => ({ stepUp: {} }) });
      ({ browser } = await signInToApp(scenario, '/payments/form'));
      handlerCalls.transfer = 0;
    });
    afterEach(() => scenario.close());

    const confirmWithPassword = (ticket: string) =>
      call('POST', '/auth/step-up/password', { ticket, password: 'alice-password' });

    it('offers the password for the transfer', async () => {
      const res = await transfer(FIFTY_TO_BOB);
      expect(res.status).toBe(401);
      expect(res.body.actionSummary).toBe('Transfer 50 EUR to Bob');
      const methods = (res.body.stepUp as { methods: { kind: string }[] }).methods;
      expect(methods.map((m) => m.kind)).toEqual(['password', 'provider']);
    });

    it('lets the transfer confirmed for 50 to Bob through once, and refuses 500', async () => {
      const { ticket } = await refusal(FIFTY_TO_BOB);
      const confirmed = await confirmWithPassword(ticket);
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toMatchObject({ status: 'confirmed', method: 'password' });
      const more = await transfer({ amount: 500, payee: 'Bob' });
      expect(more.status).toBe(401);
      expect(more.body.actionSummary).toBe('Transfer 500 EUR to Bob');
      expect((await transfer(FIFTY_TO_BOB)).status).toBe(201);
      expect((await transfer(FIFTY_TO_BOB)).status).toBe(401);
      expect(handlerCalls.transfer).toBe(1);
    });

    it('grants nothing to the transfer when the password is confirmed without its ticket', async () => {
      await refusal(FIFTY_TO_BOB);
      const confirmed = await call('POST', '/auth/step-up/password', {
        password: 'alice-password',
      });
      expect(confirmed.status).toBe(200);
      expect((await transfer(FIFTY_TO_BOB)).status).toBe(401);
      expect(handlerCalls.transfer).toBe(0);
    });
  });

  describe('refuses a request it cannot bind, with a 400 before the handler', () => {
    beforeAll(async () => {
      scenario = await startScenarioApp([PaymentRoutes], { reauth: () => ({ stepUp: {} }) });
      ({ browser } = await signInToApp(scenario, '/payments/form'));
    });
    afterAll(() => scenario.close());
    beforeEach(() => {
      handlerCalls.transfer = 0;
      handlerCalls.broken = 0;
    });

    it('a body without the payee', async () => {
      const res = await transfer({ amount: 50 });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        error: 'reauth_bad_action',
        reason: 'action_fields_missing',
        fields: ['payee'],
      });
      expect(handlerCalls.transfer).toBe(0);
    });

    it.each([
      ['an object', { name: 'Bob' }],
      ['an array', ['Bob']],
      ['null', null],
    ])('a payee that is %s', async (_label, payee) => {
      const res = await transfer({ amount: 50, payee });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        error: 'reauth_bad_action',
        reason: 'action_fields_missing',
        fields: ['payee'],
      });
      expect(handlerCalls.transfer).toBe(0);
    });

    it('a body that is no object, naming both fields', async () => {
      const res = await transfer([50, 'Bob']);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        reason: 'action_fields_missing',
        fields: ['amount', 'payee'],
      });
      expect(handlerCalls.transfer).toBe(0);
    });

    it('a summary over 200 characters', async () => {
      const res = await transfer({ amount: 50, payee: 'B'.repeat(250) });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        error: 'reauth_bad_action',
        reason: 'action_summary_invalid',
      });
      expect(JSON.stringify(res.body)).not.toContain('BBBB');
      expect(handlerCalls.transfer).toBe(0);
    });

    it('a summary function that throws', async () => {
      const res = await call('POST', '/payments/broken', { amount: 50 });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        error: 'reauth_bad_action',
        reason: 'action_summary_invalid',
      });
      expect(JSON.stringify(res.body)).not.toContain('no words');
      expect(handlerCalls.broken).toBe(0);
    });
  });
});
