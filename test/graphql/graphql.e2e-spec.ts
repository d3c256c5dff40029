import { createClient, type FormattedExecutionResult } from 'graphql-ws';
import { decodeJwt } from 'jose';
import mercurius from 'mercurius';
import { askedByStepUpFetch } from '../support/declining-reauth-fetch';
import { STORE_KEYS } from '../../libs/reauth/src/core/constants';
import { FaultyStore } from '../support/faulty-store';
import { HttpBrowser } from '../support/http-browser';
import { signInThroughPages } from '../support/emulator';
import { RecordingLogger } from '../support/recording-logger';
import { signInToApp } from '../support/reauth-app';
import { GRAPHQL_DRIVERS, startGraphQLApp, type GraphQLScenario } from './support/graphql-app';

interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

interface GraphQLResult {
  data?: Record<string, unknown> | null;
  errors?: GraphQLError[];
}

const ALICE = { email: 'alice@example.com', password: 'alice-password' };
const STALE_CHALLENGE =
  'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300"';

describe.each(GRAPHQL_DRIVERS)(
  '@RequireRecentAuth on GraphQL resolvers (%s, real app, emulator)',
  (driver) => {
    let scenario: GraphQLScenario;
    const logger = new RecordingLogger();
    // The store fails reads of these key prefixes, as a store that lost its connection does.
    const failing = { methods: ['get' as const], prefixes: [] as string[] };

    beforeAll(async () => {
      scenario = await startGraphQLApp({ driver, store: new FaultyStore(failing), logger });
    });
    afterAll(() => scenario.close());

    const now = () => scenario.emulator.now();
    const token = (authTime: number, claims?: Record<string, unknown>) =>
      scenario.emulator.mintAccessToken({ email: ALICE.email, authTime, claims });
    const fresh = () => token(now() - 10);
    const stale = () => token(now() - 301);

    /** A GraphQL request over HTTP, as an SPA's `fetch` sends it. */
    async function graphql(
      body: unknown,
      init: { token?: string; headers?: Record<string, string> } = {},
    ): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
      const res = await fetch(scenario.graphqlUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...init.headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    }

    const query = async (
      source: string,
      init: { token?: string; headers?: Record<string, string>; variables?: object } = {},
    ) => {
      const res = await graphql({ query: source, variables: init.variables }, init);
      return { ...res, result: res.body as GraphQLResult };
    };

    const bindingCookies = (headers: Headers) =>
      headers.getSetCookie().filter((cookie) => cookie.startsWith('wos-reauth='));

    it('lets a fresh token through to the query, untouched', async () => {
      const res = await query('{ balance }', { token: await fresh() });
      expect(res.status).toBe(200);
      expect(res.result).toEqual({ data: { balance: expect.stringMatching(/^balance of user_/) } });
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect(bindingCookies(res.headers)).toEqual([]);
    });

    it('refuses a stale query with REAUTH_REQUIRED, the challenge and a re-auth URL', async () => {
      const value = await stale();
      const res = await query('{ balance }', { token: value });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('www-authenticate')).toBe(STALE_CHALLENGE);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(bindingCookies(res.headers)).toHaveLength(1);
      expect(res.result).toEqual({
        data: { balance: null },
        errors: [
          {
            message: 'More recent authentication is required.',
            locations: [{ line: 1, column: 3 }],
            path: ['balance'],
            extensions: {
              code: 'REAUTH_REQUIRED',
              reason: 'stale',
              maxAge: 300,
              reauthUrl: expect.any(String),
            },
          },
        ],
      });
      const reauthUrl = new URL(res.result.errors![0].extensions!.reauthUrl as string);
      expect(reauthUrl.origin + reauthUrl.pathname).toBe(
        `${scenario.emulator.url}/user_management/authorize`,
      );
      expect(reauthUrl.searchParams.get('max_age')).toBe('300');
      expect(reauthUrl.searchParams.get('redirect_uri')).toBe(scenario.redirectUri);
      expect(reauthUrl.searchParams.get('state')).toMatch(/^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/);
      // Nothing of the token beyond what the JSON 401 carries.
      const claims = decodeJwt(value);
      expect(res.text).not.toContain(value);
      expect(res.text).not.toContain(claims.sid as string);
      expect(res.text).not.toContain(String(claims.auth_time));
    });

    it('is recognised by step-up-fetch with its default settings', async () => {
      const asked = await askedByStepUpFetch(scenario.url, scenario.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await stale()}` },
        body: JSON.stringify({ query: '{ hello balance }' }),
      });
      expect(asked).toMatchObject({
        graphql: true,
        reason: 'stale',
        maxAge: 300,
        challenge: { maxAge: 300 },
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/user_management\/authorize\?/),
      });
    });

    it('answers application/graphql-response+json with 200 too: the refusal is a field error', async () => {
      const res = await query('{ hello balance }', {
        token: await stale(),
        headers: { accept: 'application/graphql-response+json' },
      });
      expect(res.status).toBe(200);
      // Mercurius answers application/json whatever the request accepts.
      expect(res.headers.get('content-type')).toMatch(
        driver === 'mercurius' ? /^application\/json/ : /^application\/graphql-response\+json/,
      );
      expect(res.result.data).toEqual({ hello: 'world', balance: null });
      expect(res.result.errors?.map((error) => error.extensions?.code)).toEqual([
        'REAUTH_REQUIRED',
      ]);
    });

    it('guards mutations', async () => {
      const mutation = 'mutation Change($email: String!) { changeEmail(email: $email) }';
      const variables = { email: 'new@example.com' };
      const refused = await query(mutation, { token: await stale(), variables });
      expect(refused.status).toBe(200);
      expect(refused.result.data).toEqual({ changeEmail: null });
      expect(refused.result.errors).toEqual([
        expect.objectContaining({
          path: ['changeEmail'],
          extensions: expect.objectContaining({ code: 'REAUTH_REQUIRED', reason: 'stale' }),
        }),
      ]);
      expect(refused.headers.get('www-authenticate')).toBe(STALE_CHALLENGE);

      const done = await query(mutation, { token: await fresh(), variables });
      expect(done.result).toEqual({
        data: { changeEmail: expect.stringMatching(/^user_\w+ is now new@example\.com$/) },
      });
    });

    it('guards field resolvers (fieldResolverEnhancers: ["guards"]), leaving their parent', async () => {
      const source = '{ account { id signedInAt recoveryCodes } }';
      const authTime = now() - 301;
      const refused = await query(source, { token: await token(authTime) });
      expect(refused.status).toBe(200);
      expect(refused.result.data).toEqual({
        account: { id: expect.stringMatching(/^user_/), signedInAt: authTime, recoveryCodes: null },
      });
      expect(refused.result.errors).toEqual([
        expect.objectContaining({
          path: ['account', 'recoveryCodes'],
          extensions: {
            code: 'REAUTH_REQUIRED',
            reason: 'stale',
            maxAge: 300,
            reauthUrl: expect.any(String),
          },
        }),
      ]);

      const passed = await query(source, { token: await fresh() });
      expect(passed.result.errors).toBeUndefined();
      expect((passed.result.data!.account as { recoveryCodes: string[] }).recoveryCodes).toEqual([
        expect.stringMatching(/-code-1$/),
        expect.stringMatching(/-code-2$/),
      ]);
    });

    it('returns the unguarded data of a mixed operation, with one error per refused field', async () => {
      const res = await query('{ hello balance account { id } }', { token: await stale() });
      expect(res.status).toBe(200);
      expect(res.result.data).toEqual({
        hello: 'world',
        balance: null,
        account: { id: expect.stringMatching(/^user_/) },
      });
      expect(res.result.errors?.map((error) => error.path)).toEqual([['balance']]);
    });

    it('refuses a guarded field under every alias, all bound to one browser cookie', async () => {
      const res = await query('{ first: balance second: balance hello }', {
        token: await stale(),
      });
      expect(res.result.data).toEqual({ first: null, second: null, hello: 'world' });
      const errors = res.result.errors ?? [];
      expect(errors.map((error) => error.path).sort()).toEqual([['first'], ['second']]);
      const urls = errors.map((error) => error.extensions?.reauthUrl as string);
      // Aliases of one field ask for the same thing: one start, one sealed state, one URL, so that
      // hundreds of aliases cost no more than one.
      expect(urls).toHaveLength(2);
      expect(new Set(urls).size).toBe(1);
      expect(bindingCookies(res.headers)).toHaveLength(1);
      expect(res.headers.get('www-authenticate')).toBe(STALE_CHALLENGE);
    });

    it('refuses a guarded field in each operation of a batch', async () => {
      const res = await graphql([{ query: '{ balance }' }, { query: '{ hello b: balance }' }], {
        token: await stale(),
      });
      expect(res.status).toBe(200);
      const results = res.body as GraphQLResult[];
      expect(results).toHaveLength(2);
      expect(results[0].data).toEqual({ balance: null });
      expect(results[1].data).toEqual({ hello: 'world', b: null });
      expect(results.flatMap((result) => result.errors ?? []).map((error) => error.path)).toEqual([
        ['balance'],
        ['b'],
      ]);
      for (const result of results) {
        expect(result.errors![0].extensions).toMatchObject({
          code: 'REAUTH_REQUIRED',
          reason: 'stale',
        });
      }
      expect(bindingCookies(res.headers)).toHaveLength(1);
    });

    it('asks an anonymous caller to sign in: REAUTH_REQUIRED with reason unauthenticated', async () => {
      const res = await query('{ account { id } balance hello }');
      expect(res.status).toBe(200);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.result.data).toEqual({ account: null, balance: null, hello: 'world' });
      const byPath = Object.fromEntries(
        (res.result.errors ?? []).map((error) => [error.path!.join('.'), error]),
      );
      expect(byPath.account).toEqual(
        expect.objectContaining({
          message: 'Authentication is required.',
          // @RequireSignIn(): no max_age.
          extensions: {
            code: 'REAUTH_REQUIRED',
            reason: 'unauthenticated',
            reauthUrl: expect.any(String),
          },
        }),
      );
      expect(byPath.balance.extensions).toEqual({
        code: 'REAUTH_REQUIRED',
        reason: 'unauthenticated',
        maxAge: 300,
        reauthUrl: expect.any(String),
      });
    });

    it('carries the acr values a field asks for', async () => {
      const res = await query('{ payoutLimits }', { token: await fresh() });
      expect(res.result.errors?.[0].extensions).toEqual({
        code: 'REAUTH_REQUIRED',
        reason: 'insufficient_assurance',
        maxAge: 300,
        acrValues: ['urn:example:loa:2'],
        reauthUrl: expect.stringContaining('acr_values=urn%3Aexample%3Aloa%3A2'),
      });
      expect(res.headers.get('www-authenticate')).toBe(
        'Bearer error="insufficient_user_authentication", error_description="A stronger authentication is required", max_age="300", acr_values="urn:example:loa:2"',
      );
    });

    it('keeps the challenge of every refused field that asks for something else', async () => {
      const res = await query('{ balance payoutLimits }', { token: await stale() });
      expect(res.result.errors?.map((error) => error.extensions?.reason)).toEqual([
        'stale',
        'stale',
      ]);
      expect(res.headers.get('www-authenticate')).toBe(
        `${STALE_CHALLENGE}, Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300", acr_values="urn:example:loa:2"`,
      );
      expect(bindingCookies(res.headers)).toHaveLength(1);
    });

    it('refuses someone acting as the user with REAUTH_FORBIDDEN', async () => {
      const acting = await token(now() - 10, { act: { sub: 'user_support_agent' } });
      const res = await query('{ balance account { id } }', { token: acting });
      expect(res.status).toBe(200);
      expect(res.result.data).toEqual({
        balance: null,
        account: { id: expect.stringMatching(/^user_/) },
      });
      expect(res.result.errors).toEqual([
        expect.objectContaining({
          message:
            'This action needs the user’s own recent sign-in; it cannot be done on their behalf.',
          path: ['balance'],
          extensions: { code: 'REAUTH_FORBIDDEN', reason: 'impersonation_not_allowed' },
        }),
      ]);
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect(logger.lines).toContain(
        'Refused the GraphQL field Query.balance: impersonation_not_allowed',
      );
    });

    it('answers REAUTH_UNAVAILABLE with Retry-After when the store cannot be read', async () => {
      failing.prefixes.push(STORE_KEYS.revokedSession);
      try {
        const res = await query('{ hello balance first: balance }', { token: await fresh() });
        expect(res.status).toBe(200);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(res.result.data).toEqual({ hello: 'world', balance: null, first: null });
        expect(res.result.errors?.map((error) => error.extensions)).toEqual([
          { code: 'REAUTH_UNAVAILABLE' },
          { code: 'REAUTH_UNAVAILABLE' },
        ]);
        expect(res.result.errors?.[0].message).toBe(
          'Authentication is temporarily unavailable. Try again shortly.',
        );
        expect(res.text).not.toContain('ECONNRESET');
      } finally {
        failing.prefixes.length = 0;
      }
    });

    it('answers the exceptions a resolver throws itself through the exception filter', async () => {
      const res = await query(
        '{ required: refuseItself(kind: "required") unavailable: refuseItself(kind: "unavailable") }',
        { headers: { 'x-reauth-mode': 'popup' } },
      );
      expect(res.status).toBe(200);
      expect(res.result.data).toEqual({ required: null, unavailable: null });
      const byPath = Object.fromEntries(
        (res.result.errors ?? []).map((error) => [error.path!.join('.'), error.extensions]),
      );
      expect(byPath).toEqual({
        required: {
          code: 'REAUTH_REQUIRED',
          reason: 'stale',
          maxAge: 600,
          reauthUrl: expect.stringContaining('max_age=600'),
        },
        unavailable: { code: 'REAUTH_UNAVAILABLE' },
      });
      expect(res.headers.get('www-authenticate')).toContain('max_age="600"');
      expect(res.headers.get('retry-after')).toBe('5');
    });

    it.each([
      ['invalid JSON', '{"query": '],
      ['an empty body', ''],
      ['no query', {}],
      ['a query that is not a string', { query: 1 }],
      ['a query that does not parse', { query: '{ balance' }],
      ['a field that does not exist', { query: '{ balance nope }' }],
      ['a missing required argument', { query: 'mutation { changeEmail }' }],
      ['variables that are not an object', { query: '{ balance }', variables: 'x' }],
      ['an unknown operation name', { query: 'query A { balance }', operationName: 'B' }],
      [
        'a variable of the wrong type',
        { query: 'mutation M($e: String!) { changeEmail(email: $e) }', variables: { e: 5 } },
      ],
      ['an empty batch', []],
      ['a batch of numbers', [1, 2]],
      ['a batch holding a malformed operation', [{ query: '{ balance' }, { query: 1 }]],
    ])('leaves a malformed body (%s) to GraphQL: an error, no re-auth', async (_case, body) => {
      const res = await graphql(body, { token: await stale() });
      expect(res.status).toBeLessThan(500);
      if (res.status < 400) {
        // Mercurius answers some malformed operations with 200 and their GraphQL errors (as
        // GraphQL over HTTP allows for application/json), and an empty batch with [].
        expect(driver).toBe('mercurius');
        const results = Array.isArray(res.body) ? res.body : [res.body];
        for (const result of results as GraphQLResult[]) {
          expect(result.data ?? null).toBeNull();
          expect(result.errors?.length).toBeGreaterThan(0);
        }
      }
      expect(res.text).not.toContain('REAUTH_REQUIRED');
      expect(bindingCookies(res.headers)).toEqual([]);
      expect(res.headers.get('www-authenticate')).toBeNull();
    });

    const apolloOnly = driver === 'mercurius' ? it.skip : it;
    const mercuriusOnly = driver === 'mercurius' ? it : it.skip;

    apolloOnly(
      'leaves a GET without a CSRF-proof header, and a mutation over GET, to Apollo',
      async () => {
        const bearer = { authorization: `Bearer ${await stale()}` };
        const get = (source: string, headers: Record<string, string> = {}) =>
          fetch(`${scenario.graphqlUrl}?query=${encodeURIComponent(source)}`, {
            headers: { ...bearer, ...headers },
          });
        expect((await get('{ balance }')).status).toBe(400);
        expect(
          (await get('mutation { changeEmail(email: "x") }', { 'apollo-require-preflight': '1' }))
            .status,
        ).toBe(405);
        const allowed = await get('{ balance }', { 'apollo-require-preflight': '1' });
        expect(allowed.status).toBe(200);
        expect(((await allowed.json()) as GraphQLResult).errors?.[0].extensions?.code).toBe(
          'REAUTH_REQUIRED',
        );
      },
    );

    mercuriusOnly(
      'refuses a query over GET like one over POST; Mercurius refuses mutations',
      async () => {
        const bearer = { authorization: `Bearer ${await stale()}` };
        const get = (source: string) =>
          fetch(`${scenario.graphqlUrl}?query=${encodeURIComponent(source)}`, { headers: bearer });
        const mutation = await get('mutation { changeEmail(email: "x") }');
        expect(mutation.status).toBe(405);
        expect(mutation.headers.getSetCookie()).toEqual([]);
        const refused = await get('{ balance }');
        expect(refused.status).toBe(200);
        expect(refused.headers.get('www-authenticate')).toBe(STALE_CHALLENGE);
        expect(bindingCookies(refused.headers)).toHaveLength(1);
        expect(((await refused.json()) as GraphQLResult).errors?.[0].extensions?.code).toBe(
          'REAUTH_REQUIRED',
        );
      },
    );

    describe('the re-auth URL completes the flow', () => {
      /** Signs in at the re-auth URL as the browser that got the refusal, and calls the callback. */
      async function completeReauth(browser: HttpBrowser, reauthUrl: string) {
        const callback = await signInThroughPages(
          browser,
          reauthUrl,
          ALICE,
          scenario.emulator,
          scenario.redirectUri,
        );
        return browser.get(callback.href, { accept: 'text/html', 'sec-fetch-mode': 'navigate' });
      }

      async function refuseInBrowser(browser: HttpBrowser, headers: Record<string, string>) {
        // Two different guarded fields: two starts, two URLs, one binding cookie.
        const res = await query('{ balance account { id recoveryCodes } }', {
          token: await stale(),
          headers,
        });
        for (const cookie of res.headers.getSetCookie()) {
          await browser.jar.setCookie(cookie, scenario.url);
        }
        const urls = res.result.errors!.map((error) => error.extensions!.reauthUrl as string);
        expect(new Set(urls).size).toBe(2);
        return urls;
      }

      it('in a popup when the request says X-Reauth-Mode: popup, whichever URL is followed', async () => {
        const browser = new HttpBrowser();
        const urls = await refuseInBrowser(browser, { 'x-reauth-mode': 'popup' });
        for (const url of urls) {
          const done = await completeReauth(browser, url);
          expect(done.status).toBe(200);
          expect(done.text).toContain('data-status="ok"');
        }
      });

      it('by redirect back to the page otherwise, after which the cookie session passes', async () => {
        const browser = new HttpBrowser();
        const id = 'AAAAAAAAAAAAAAAAAAAAAA';
        const [url] = await refuseInBrowser(browser, {
          referer: `${scenario.url}/settings`,
          'x-reauth-id': id,
        });
        const done = await completeReauth(browser, url);
        expect(done.status).toBe(303);
        expect(done.location).toBe(`${scenario.url}/settings?reauth=ok&reauth_id=${id}`);

        const cookie = await browser.jar.getCookieString(scenario.graphqlUrl);
        const retried = await query('{ balance }', {
          headers: { cookie, origin: scenario.url },
        });
        expect(retried.result).toEqual({ data: { balance: expect.stringMatching(/^balance of/) } });

        // The same cookie, sent by another site's page: refused before freshness counts.
        const forged = await query('{ balance hello }', {
          headers: { cookie, origin: 'https://evil.example' },
        });
        expect(forged.result).toEqual({
          data: { balance: null, hello: 'world' },
          errors: [
            expect.objectContaining({
              path: ['balance'],
              extensions: { code: 'REAUTH_FORBIDDEN', reason: 'cross_site_request' },
            }),
          ],
        });
      });
    });

    it('binds a one-time mutation to its arguments: the confirmed one runs once, no other', async () => {
      const transfer =
        'mutation T($amount: Int!, $to: String!) { transfer(amount: $amount, to: $to) }';
      const confirmed = { amount: 5, to: 'bob' };
      const browser = new HttpBrowser();
      const refused = await query(transfer, {
        token: await fresh(),
        variables: confirmed,
        headers: { referer: `${scenario.url}/pay` },
      });
      expect(refused.result.data).toEqual({ transfer: null });
      const extensions = refused.result.errors![0].extensions!;
      expect(extensions).toMatchObject({
        code: 'REAUTH_REQUIRED',
        reason: 'stale',
        maxAge: 0,
        actionSummary: 'Transfer 5 EUR to bob',
      });
      for (const cookie of refused.headers.getSetCookie()) {
        await browser.jar.setCookie(cookie, scenario.url);
      }
      const callback = await signInThroughPages(
        browser,
        extensions.reauthUrl as string,
        ALICE,
        scenario.emulator,
        scenario.redirectUri,
      );
      const done = await browser.get(callback.href, {
        accept: 'text/html',
        'sec-fetch-mode': 'navigate',
      });
      expect(done.status).toBe(303);

      const session = {
        cookie: await browser.jar.getCookieString(scenario.graphqlUrl),
        origin: scenario.url,
      };
      const other = await query(transfer, {
        headers: session,
        variables: { amount: 500, to: 'bob' },
      });
      expect(other.result.errors?.[0].extensions).toMatchObject({
        code: 'REAUTH_REQUIRED',
        actionSummary: 'Transfer 500 EUR to bob',
      });
      const ran = await query(transfer, { headers: session, variables: confirmed });
      expect(ran.result).toEqual({ data: { transfer: 'sent 5 to bob' } });
      const again = await query(transfer, { headers: session, variables: confirmed });
      expect(again.result.errors?.[0].extensions?.code).toBe('REAUTH_REQUIRED');
    });

    it('verifies once, and refreshes an expired session cookie once, for all fields of a request', async () => {
      const { sealedSession } = await signInToApp(scenario, '/');
      scenario.emulator.advanceClock(3600);
      const res = await query('{ a: account { id } b: account { id } balance }', {
        headers: { cookie: `wos-session=${sealedSession}`, origin: scenario.url },
      });
      expect(res.result.data).toEqual({
        a: { id: expect.stringMatching(/^user_/) },
        b: { id: expect.stringMatching(/^user_/) },
        balance: null,
      });
      expect(res.result.errors?.map((error) => error.extensions?.reason)).toEqual(['stale']);
      const sessions = res.headers.getSetCookie().filter((c) => c.startsWith('wos-session='));
      expect(sessions).toHaveLength(1);
      expect(sessions[0]).not.toContain(sealedSession);
    });

    it('does not start when field resolvers would run without guards', async () => {
      // The suite's logger: Nest's logger is process-wide, and the other tests read this one.
      await expect(startGraphQLApp({ driver, fieldResolverEnhancers: [], logger })).rejects.toThrow(
        "ReauthModule: AccountResolver.recoveryCodes is a GraphQL field resolver that requires a sign-in, but GraphQLModule runs field resolvers without guards: add fieldResolverEnhancers: ['guards'] to its options, or it would be left open",
      );
    });

    it('logs no refusal as an unexpected error, and found a response for every one', () => {
      const logged = logger.lines.join('\n');
      expect(logged).not.toContain('has no response to write');
      expect(logged).not.toContain('ExceptionsHandler');
      expect(logged).not.toContain('More recent authentication is required');
      expect(logged).not.toContain('Authentication is required');
    });

    it('refuses a guarded subscription, and says why in the log', async () => {
      // ws has no type declarations here; graphql-ws only needs a WebSocket constructor.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const WebSocket = require('ws') as unknown;
      const client = createClient({
        url: scenario.graphqlUrl.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${await fresh()}` },
        retryAttempts: 0,
      });
      try {
        // Apollo sends the refusal as an event with errors; Mercurius ends the subscription with
        // them.
        const messages = await new Promise<string[]>((resolve, reject) => {
          const seen: string[] = [];
          const messagesOf = (errors: readonly { message: string }[] = []) =>
            errors.map((error) => error.message);
          client.subscribe(
            { query: 'subscription { alerts }' },
            {
              next: (event: FormattedExecutionResult<Record<string, unknown>, unknown>) =>
                void seen.push(...messagesOf(event.errors)),
              error: (error) =>
                Array.isArray(error)
                  ? resolve([...seen, ...messagesOf(error as { message: string }[])])
                  : reject(error as Error),
              complete: () => resolve(seen),
            },
          );
        });
        expect(messages).toEqual(['Forbidden resource']);
      } finally {
        await client.dispose();
      }
      expect(logger.lines).toContain(
        ':AccountResolver.alerts requires a recent sign-in but is a GraphQL subscription: refused',
      );
    });
  },
);

describe.each(GRAPHQL_DRIVERS)(
  'Confirming in the page from a refused GraphQL field (%s)',
  (driver) => {
    let scenario: GraphQLScenario;

    beforeAll(async () => {
      scenario = await startGraphQLApp({ driver, reauth: { stepUp: { password: true } } });
    });
    afterAll(() => scenario.close());

    it('carries stepUp in the error’s extensions; after the confirmation the field resolves', async () => {
      const { browser } = await signInToApp(scenario, '/');
      scenario.emulator.advanceClock(400);
      const post = async (path: string, body: unknown) => {
        const url = `${scenario.url}${path}`;
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            origin: scenario.url,
            cookie: await browser.jar.getCookieString(url),
          },
          body: JSON.stringify(body),
        });
        for (const cookie of res.headers.getSetCookie()) await browser.jar.setCookie(cookie, url);
        return (await res.json()) as { data?: unknown; errors?: GraphQLError[]; status?: string };
      };

      const refused = await post('/graphql', { query: '{ balance }' });
      const extensions = refused.errors![0].extensions!;
      expect(extensions).toMatchObject({ code: 'REAUTH_REQUIRED', reason: 'stale', maxAge: 300 });
      const stepUp = extensions.stepUp as { ticket: string; methods: { kind: string }[] };
      expect(stepUp.methods).toEqual([
        { kind: 'password', confirmUrl: '/auth/step-up/password' },
        { kind: 'provider', url: extensions.reauthUrl },
      ]);
      const confirmed = await post('/auth/step-up/password', {
        ticket: stepUp.ticket,
        password: ALICE.password,
      });
      expect(confirmed.status).toBe('confirmed');
      expect(await post('/graphql', { query: '{ balance }' })).toEqual({
        data: { balance: expect.stringMatching(/^balance of user_/) },
      });
    });
  },
);

describe('Mercurius settings an app may add: csrfPrevention and its own errorFormatter', () => {
  let scenario: GraphQLScenario;

  beforeAll(async () => {
    scenario = await startGraphQLApp({
      driver: 'mercurius',
      mercurius: {
        csrfPrevention: true,
        // An app's formatter that hides the messages of unexpected errors: built on Mercurius's
        // default, it keeps every error's extensions, which the refusal is read from.
        errorFormatter: (execution, context) => {
          const formatted = mercurius.defaultErrorFormatter(execution, context);
          const errors = formatted.response.errors?.map((error) =>
            error.extensions?.code ? error : { ...error, message: 'Something went wrong.' },
          );
          return { ...formatted, response: { ...formatted.response, errors } };
        },
      },
    });
  });
  afterAll(() => scenario.close());

  const stale = () =>
    scenario.emulator.mintAccessToken({
      email: ALICE.email,
      authTime: scenario.emulator.now() - 301,
    });

  it('keeps the refusal’s extensions, the challenge and the binding cookie', async () => {
    const res = await fetch(scenario.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await stale()}` },
      body: JSON.stringify({ query: '{ hello balance }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('www-authenticate')).toBe(STALE_CHALLENGE);
    expect(res.headers.getSetCookie().filter((c) => c.startsWith('wos-reauth='))).toHaveLength(1);
    const result = (await res.json()) as GraphQLResult;
    expect(result.data).toEqual({ hello: 'world', balance: null });
    expect(result.errors?.[0].extensions).toEqual({
      code: 'REAUTH_REQUIRED',
      reason: 'stale',
      maxAge: 300,
      reauthUrl: expect.any(String),
    });
  });

  it('blocks a simple cross-site GET before any resolver: no re-auth is started', async () => {
    const res = await fetch(`${scenario.graphqlUrl}?query=${encodeURIComponent('{ balance }')}`, {
      headers: { authorization: `Bearer ${await stale()}` },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await res.text()).not.toContain('REAUTH_REQUIRED');
  });
});
