import { Client } from 'pg';
import { startDemo, type RunningDemo } from '../../src/demo';
import { loadDemoConfig, type DemoConfig } from '../../src/demo.config';
import { type PasskeyDatabase } from '../../src/passkey-database';
import { openTestPasskeyDatabase } from '../support/demo';
import type { HttpBrowser } from '../support/http-browser';
import { pageJson } from '../support/page-json';
import { freePort } from '../support/ports';
import { postgresAvailable, startPostgres, type TestPostgres } from '../support/postgres';
import { signInToApp } from '../support/reauth-app';
import { assertPasskey, createPasskey } from '../support/software-authenticator';

/**
 * The demo with `DATABASE_URL` set: enrolled passkeys are kept in that PostgreSQL server (a
 * throwaway one unless `DATABASE_URL` names one), outlive the demo, and confirm in the page.
 * WebAuthn answers come from a software authenticator, so no browser is needed.
 */

jest.setTimeout(120_000);

const describeWithPostgres = postgresAvailable() ? describe : describe.skip;

describeWithPostgres('The demo with DATABASE_URL: passkeys in PostgreSQL', () => {
  let postgres: TestPostgres;
  let config: DemoConfig;
  let database: PasskeyDatabase;
  let demo: RunningDemo;

  beforeAll(async () => {
    postgres = await startPostgres();
    const port = await freePort();
    config = loadDemoConfig({
      PORT: String(port),
      AUTHKIT_EMULATOR_PORT: '0',
      AUTHKIT_EMULATOR_TEST_CONTROLS: '1',
      DATABASE_URL: postgres.url,
    });
  });
  beforeEach(async () => {
    // As `npm start` opens it: a pg pool on DATABASE_URL, the table created if missing.
    database = await openTestPasskeyDatabase(config.databaseUrl);
    await sql('DELETE FROM reauth_passkey_credentials');
    demo = await startDemo(config, { logger: false, passkeys: database.credentials });
  });
  afterEach(async () => {
    await demo?.close();
    await database?.close();
  });
  afterAll(() => postgres?.close());

  /** A query on the server, beside the demo's own pool. */
  async function sql(query: string, params: unknown[] = []): Promise<unknown[]> {
    const client = new Client({ connectionString: postgres.url });
    await client.connect();
    try {
      return (await client.query<Record<string, unknown>>(query, params)).rows;
    } finally {
      await client.end();
    }
  }

  const call = (browser: HttpBrowser, method: string, path: string, body?: unknown) =>
    pageJson(browser, demo.url)(method, path, body);

  const ceremony = (challenge: unknown) => ({
    challenge: String(challenge),
    origin: demo.url,
    rpId: 'localhost',
  });

  const signIn = () =>
    signInToApp({ url: demo.url, emulator: demo.emulator!, redirectUri: config.redirectUri }, '/');

  it('enrols and lists a passkey kept in PostgreSQL, which outlives the demo', async () => {
    const { browser } = await signIn();
    expect((await call(browser, 'GET', '/auth/passkeys')).body).toEqual({ passkeys: [] });

    const options = await call(browser, 'POST', '/auth/passkeys/registration/options', {});
    expect(options.status).toBe(200);
    expect(options.body).toMatchObject({
      rp: { id: 'localhost', name: 'nest-workos-reauth demo' },
    });
    const { credential, response } = createPasskey(ceremony(options.body.challenge));
    const created = await call(browser, 'POST', '/auth/passkeys', { name: 'Laptop', response });
    expect(created.status).toBe(201);
    const id = credential.id.toString('base64url');
    expect(created.body).toMatchObject({ id, name: 'Laptop' });
    expect((await call(browser, 'GET', '/auth/passkeys')).body).toEqual({
      passkeys: [expect.objectContaining({ id, name: 'Laptop' })],
    });

    // In the server's table, and still there for the next run of the demo.
    expect(await sql('SELECT name FROM reauth_passkey_credentials WHERE id = $1', [id])).toEqual([
      { name: 'Laptop' },
    ]);
    await demo.close();
    await database.close();
    database = await openTestPasskeyDatabase(config.databaseUrl);
    demo = await startDemo(config, { logger: false, passkeys: database.credentials });
    const again = await signIn();
    expect((await call(again.browser, 'GET', '/auth/passkeys')).body).toEqual({
      passkeys: [expect.objectContaining({ id, name: 'Laptop' })],
    });
  });

  it('confirms a stale transfer with the stored passkey; enrolling while stale needs the provider', async () => {
    const { browser } = await signIn();
    const options = await call(browser, 'POST', '/auth/passkeys/registration/options', {});
    const { credential, response } = createPasskey(ceremony(options.body.challenge));
    expect(
      (await call(browser, 'POST', '/auth/passkeys', { name: 'Phone', response })).status,
    ).toBe(201);
    demo.emulator!.advanceClock(301);

    const refused = await call(browser, 'POST', '/api/transfers', { amount: 5, to: 'savings' });
    expect(refused.status).toBe(401);
    const stepUp = refused.body.stepUp as { ticket: string; methods: { kind: string }[] };
    expect(stepUp.methods.map((method) => method.kind)).toEqual([
      'passkey',
      'password',
      'provider',
    ]);
    const challenge = await call(browser, 'POST', '/auth/step-up/passkey/options', {
      ticket: stepUp.ticket,
    });
    const confirmed = await call(browser, 'POST', '/auth/step-up/passkey', {
      ticket: stepUp.ticket,
      response: assertPasskey(credential, ceremony(challenge.body.challenge)),
    });
    expect(confirmed.body).toMatchObject({ status: 'confirmed', method: 'passkey' });
    const retried = await call(browser, 'POST', '/api/transfers', { amount: 5, to: 'savings' });
    expect(retried).toMatchObject({ status: 201, body: { status: 'completed', amount: 5 } });

    // A passkey proof is not a sign-in: adding another one asks for the provider.
    const enrolStale = await call(browser, 'POST', '/auth/passkeys/registration/options', {});
    expect(enrolStale.status).toBe(401);
    expect(enrolStale.body).toMatchObject({ error: 'reauth_required', reason: 'stale' });
    expect(enrolStale.body.reauthUrl).toEqual(expect.any(String));
    expect(enrolStale.body.stepUp).toBeUndefined();
  });
});
