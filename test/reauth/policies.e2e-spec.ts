import { type AuthKitEmulatorOptions } from 'authkit-emulator';
import {
  MemoryReauthStore,
  ReauthModule,
  type ReauthModuleOptions,
  type ReauthOrganizationPolicy,
  type ReauthStore,
} from 'nest-workos-reauth';
import { RedisReauthStore } from 'nest-workos-reauth/redis';
import { type INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { emulatorModuleOptions, signInThroughPages, type Credentials } from '../support/emulator';
import { type BrowserResponse, type HttpBrowser } from '../support/http-browser';
import { freePort } from '../support/ports';
import {
  COOKIE_PASSWORD,
  signInToApp,
  startScenarioApp,
  type ScenarioApp,
} from '../support/reauth-app';
import { RecordingLogger } from '../support/recording-logger';
import { redisAvailable, startRedis, type TestRedis } from '../support/redis';
import {
  BoundOnSlidingLevelController,
  DefaultLevelController,
  LEVELS,
  PolicyController,
  UnknownLevelController,
} from './policies.routes';

const JSON_ACCEPT = { accept: 'application/json' };
const NAVIGATE = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };
const ALICE: Credentials = { email: 'alice@example.com', password: 'alice-password' };
const BOB: Credentials = {
  email: 'bob@example.com',
  password: 'bob-password',
  totpSecret: 'JBSWY3DPEHPK3PXP',
};
/** Alice works for org_A, whose rules are strict; Bob for org_B, which has none. */
const EMULATOR: AuthKitEmulatorOptions = {
  users: [
    { ...ALICE, password: ALICE.password, organizationId: 'org_A' },
    { ...BOB, password: BOB.password, organizationId: 'org_B' },
  ],
};
const ORG_A_SIXTY: ReauthOrganizationPolicy['resolve'] = (organization) =>
  organization === 'org_A' ? { maxAge: 60 } : undefined;

type Options = Partial<ReauthModuleOptions>;

/** An app with the scenario's levels (and `options`) on a fresh emulator. */
function startPolicyApp(options: Options = {}, logger?: RecordingLogger): Promise<ScenarioApp> {
  return startScenarioApp([PolicyController], {
    emulator: EMULATOR,
    logger,
    reauth: () => ({ levels: LEVELS, defaultLevel: 'moderate', ...options }),
  });
}

const body = (res: BrowserResponse) => JSON.parse(res.text) as Record<string, unknown>;

describe('Policies on AuthKit', () => {
  let scenario: ScenarioApp | undefined;
  let browser: HttpBrowser;

  afterEach(async () => {
    await scenario?.close();
    scenario = undefined;
  });

  const api = (path: string) => browser.get(`${scenario!.url}${path}`, JSON_ACCEPT);
  const advance = (seconds: number) => scenario!.emulator.advanceClock(seconds);
  /** Signs `who` in, then lets `seconds` pass. */
  async function signInAged(seconds: number, who: Credentials = ALICE): Promise<void> {
    ({ browser } = await signInToApp(scenario!, '/policies/signed-in', who));
    advance(seconds);
  }
  function expectRefused(res: BrowserResponse, maxAge: number): void {
    expect(res.status).toBe(401);
    expect(body(res)).toMatchObject({ error: 'reauth_required', reason: 'stale', maxAge });
    expect(res.headers.get('www-authenticate')).toContain(`max_age="${maxAge}"`);
  }

  describe('named levels', () => {
    beforeEach(async () => {
      scenario = await startPolicyApp();
    });

    it.each(['/policies/strict', '/policies/delete-project'])(
      'refuses %s on the strict level at 301 s, asking for max_age 300',
      async (path) => {
        await signInAged(301);
        expectRefused(await api(path), 300);
      },
    );

    it.each(['/policies/strict', '/policies/delete-project'])(
      'lets %s on the strict level through at 299 s',
      async (path) => {
        await signInAged(299);
        const res = await api(path);
        expect(res.status).toBe(200);
      },
    );

    it('gives @RequireRecentAuth() the default level: through at 3600 s, refused at 3601 s', async () => {
      await signInAged(3600);
      expect((await api('/policies/default')).status).toBe(200);
      advance(1);
      expectRefused(await api('/policies/default'), 3600);
    });
  });

  describe('start-up', () => {
    it('stops on a route whose level the module does not define, naming route and level', async () => {
      await expect(
        startScenarioApp([UnknownLevelController], {
          reauth: () => ({ levels: LEVELS, defaultLevel: 'moderate' }),
        }),
      ).rejects.toThrow(
        'ReauthModule: GET /broken/unknown (UnknownLevelController.unknown) uses the level "paranoid", which the module\'s levels do not define (moderate, strict, sudo)',
      );
    });

    it('stops on @RequireRecentAuth() when the module sets no defaultLevel, naming the handler', async () => {
      await expect(
        startScenarioApp([DefaultLevelController], { reauth: () => ({ levels: LEVELS }) }),
      ).rejects.toThrow(
        'ReauthModule: GET /broken/default (DefaultLevelController.byDefault) uses the default level, but the module sets no defaultLevel',
      );
    });

    it('stops on an action bound to a level that is not one-time', async () => {
      await expect(
        startScenarioApp([BoundOnSlidingLevelController], {
          reauth: () => ({ levels: LEVELS, defaultLevel: 'moderate' }),
        }),
      ).rejects.toThrow(
        'ReauthModule: POST /broken/pay (BoundOnSlidingLevelController.pay) binds its action, which makes it one-time, but the level "sudo" has maxAge 600',
      );
    });

    it.each<[string, Options, string]>([
      [
        'a sliding one-time level',
        { levels: { once: { maxAge: 0, slide: { capSeconds: 60 } } } },
        'ReauthModule: levels.once.slide cannot slide a one-time level',
      ],
      [
        'a cap below the level’s maxAge',
        { levels: { sudo: { maxAge: 600, slide: { capSeconds: 300 } } } },
        "ReauthModule: levels.sudo.slide.capSeconds must be an integer from the level's maxAge (600)",
      ],
      [
        'an acr with methods in the page',
        { levels: { strong: { maxAge: 300, acr: ['loa2'], methods: ['passkey'] } } },
        'ReauthModule: levels.strong.methods cannot count with acr',
      ],
      [
        'an unknown defaultLevel',
        { levels: LEVELS, defaultLevel: 'relaxed' },
        'ReauthModule: defaultLevel must name one of levels (moderate, strict, sudo), got "relaxed"',
      ],
    ])('refuses %s with a TypeError naming the option', async (_label, options, message) => {
      const compile = async () => {
        const port = await freePort();
        await Test.createTestingModule({
          imports: [
            ReauthModule.forRoot({
              apiKey: 'sk_test_policies',
              clientId: 'client_policies',
              redirectUri: `http://localhost:${port}/auth/callback`,
              cookiePassword: COOKIE_PASSWORD,
              ...options,
            }),
          ],
        }).compile();
      };
      const failure = await compile().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(TypeError);
      expect((failure as Error).message).toContain(message);
    });
  });

  describe('a sliding level (maxAge 600, cap 1800)', () => {
    beforeEach(async () => {
      scenario = await startPolicyApp();
    });

    it('stays open while used within maxAge, up to the cap after the proof', async () => {
      await signInAged(500);
      expect((await api('/policies/sudo')).status).toBe(200);
      advance(500); // T+1000: the proof is 1000 s old, the last use 500 s
      expect((await api('/policies/sudo')).status).toBe(200);
      advance(500); // T+1500
      expect((await api('/policies/sudo')).status).toBe(200);
      advance(301); // T+1801: the last use was 301 s ago, but the cap has passed
      expectRefused(await api('/policies/sudo'), 600);
    });

    it('does not extend a window that nothing used: refused at 601 s', async () => {
      await signInAged(601);
      expectRefused(await api('/policies/sudo'), 600);
    });

    it('closes when a use comes more than maxAge after the last one', async () => {
      await signInAged(500);
      expect((await api('/policies/sudo')).status).toBe(200);
      advance(601);
      expectRefused(await api('/policies/sudo'), 600);
    });

    it('starts a new window with a new sign-in', async () => {
      await signInAged(1500);
      expect((await api('/policies/sudo')).status).toBe(401);
      const asked = await browser.get(`${scenario!.url}/policies/sudo`, NAVIGATE);
      expect(asked.status).toBe(302);
      const callback = await signInThroughPages(
        browser,
        asked.location!,
        ALICE,
        scenario!.emulator,
        scenario!.redirectUri,
      );
      const back = await browser.get(callback.href, NAVIGATE);
      expect(back.status).toBe(303);
      advance(500);
      expect((await api('/policies/sudo')).status).toBe(200);
      advance(500);
      expect((await api('/policies/sudo')).status).toBe(200);
    });
  });

  describe('organization rules', () => {
    it('tightens the route for org_A: refused at 120 s with max_age 60', async () => {
      scenario = await startPolicyApp({ organizationPolicy: { resolve: ORG_A_SIXTY } });
      await signInAged(120);
      expectRefused(await api('/policies/strict'), 60);
    });

    it('leaves the route as it is for org_B, which has no rule: through at 120 s', async () => {
      scenario = await startPolicyApp({ organizationPolicy: { resolve: ORG_A_SIXTY } });
      await signInAged(120, BOB);
      expect((await api('/policies/strict')).status).toBe(200);
    });

    it('never loosens: an answer of maxAge 100000 leaves the level’s 300', async () => {
      scenario = await startPolicyApp({
        organizationPolicy: { resolve: () => ({ maxAge: 100_000 }) },
      });
      await signInAged(299);
      expect((await api('/policies/strict')).status).toBe(200);
      advance(2);
      expectRefused(await api('/policies/strict'), 300);
    });

    it('applies a level the resolver names as the organization’s rule', async () => {
      scenario = await startPolicyApp({
        organizationPolicy: {
          resolve: (organization) => (organization === 'org_A' ? 'strict' : undefined),
        },
      });
      await signInAged(299);
      expect((await api('/policies/default')).status).toBe(200);
      advance(2);
      expectRefused(await api('/policies/default'), 300);
    });

    it('ends the sliding window for an organization that answers slide: false', async () => {
      scenario = await startPolicyApp({
        organizationPolicy: { resolve: () => ({ slide: false }) },
      });
      await signInAged(500);
      expect((await api('/policies/sudo')).status).toBe(200);
      advance(500);
      expectRefused(await api('/policies/sudo'), 600);
    });

    it('slides on the organization’s shorter maxAge, within the level’s cap', async () => {
      scenario = await startPolicyApp({ organizationPolicy: { resolve: () => ({ maxAge: 100 }) } });
      await signInAged(90);
      expect((await api('/policies/sudo')).status).toBe(200);
      advance(90);
      expect((await api('/policies/sudo')).status).toBe(200);
      advance(101);
      expectRefused(await api('/policies/sudo'), 100);
    });

    it('asks the resolver once for many requests, and again after cacheSeconds', async () => {
      const asked: string[] = [];
      scenario = await startPolicyApp({
        organizationPolicy: {
          cacheSeconds: 30,
          resolve: (organization, route) => {
            asked.push(`${organization} ${route.route} ${route.level} ${route.maxAge}`);
            return undefined;
          },
        },
      });
      await signInAged(0);
      for (let i = 0; i < 5; i++) expect((await api('/policies/strict')).status).toBe(200);
      expect(asked).toEqual(['org_A policies:PolicyController.strict strict 300']);
      advance(31);
      expect((await api('/policies/strict')).status).toBe(200);
      expect(asked).toHaveLength(2);
    });

    it('answers 503 reauth_unavailable, with Retry-After, when the resolver throws', async () => {
      scenario = await startPolicyApp({
        organizationPolicy: {
          resolve: () => {
            throw new Error('policy service down');
          },
        },
      });
      await signInAged(10);
      const res = await api('/policies/strict');
      expect(res.status).toBe(503);
      expect(body(res)).toMatchObject({ error: 'reauth_unavailable' });
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    });

    it('applies the onFailure level instead when the resolver throws', async () => {
      scenario = await startPolicyApp({
        organizationPolicy: {
          onFailure: 'strict',
          resolve: () => Promise.reject(new Error('policy service down')),
        },
      });
      await signInAged(299);
      expect((await api('/policies/default')).status).toBe(200);
      advance(2);
      expectRefused(await api('/policies/default'), 300);
    });

    it('answers 503 when the resolver does not answer within timeoutMs', async () => {
      scenario = await startPolicyApp({
        organizationPolicy: { timeoutMs: 50, resolve: () => new Promise(() => undefined) },
      });
      await signInAged(10);
      const res = await api('/policies/strict');
      expect(res.status).toBe(503);
      expect(body(res)).toMatchObject({ error: 'reauth_unavailable' });
    });

    it.each<[string, unknown]>([
      ['a number', 42],
      ['an array', ['org_A']],
      ['an object', { id: 'org_A' }],
      ['a boolean', true],
      ['empty', ''],
      ['a name with a control character', 'org_A\nforged'],
      ['a name of 257 characters', 'o'.repeat(257)],
    ])('fails closed on an org_id claim that is %s', async (_label, organization) => {
      scenario = await startPolicyApp({ organizationPolicy: { resolve: ORG_A_SIXTY } });
      const token = await scenario.emulator.mintAccessToken({
        email: ALICE.email,
        authTime: scenario.emulator.now() - 10,
        claims: { org_id: organization },
      });
      const res = await fetch(`${scenario.url}/policies/strict`, {
        headers: { ...JSON_ACCEPT, authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: 'reauth_unavailable' });
    });

    it('asks nothing about a token without an org_id claim, and applies the route as it is', async () => {
      const asked: string[] = [];
      scenario = await startPolicyApp({
        organizationPolicy: {
          resolve: (organization) => {
            asked.push(organization);
            return { maxAge: 0 };
          },
        },
      });
      const token = await scenario.emulator.mintAccessToken({
        email: ALICE.email,
        authTime: scenario.emulator.now() - 10,
        claims: { org_id: null },
      });
      const res = await fetch(`${scenario.url}/policies/strict`, {
        headers: { ...JSON_ACCEPT, authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      expect(asked).toEqual([]);
    });

    it.each<[string, unknown]>([
      ['a maxAge that is a string', { maxAge: '60' }],
      ['an array', []],
      ['a number', 42],
      ['an unknown key', { maxAge: 60, minAge: 0 }],
      ['a level that does not exist', 'paranoid'],
      ['null', null],
      ['true', true],
      ['a negative maxAge', { maxAge: -1 }],
      ['a fractional maxAge', { maxAge: 1.5 }],
      ['a maxAge in milliseconds', { maxAge: 1e13 }],
      ['slide: true', { slide: true }],
      ['an empty acr', { acr: [] }],
      ['an unknown method', { methods: ['sms'] }],
    ])('fails closed on an answer with %s: 503, never a pass', async (_label, answer) => {
      scenario = await startPolicyApp({
        organizationPolicy: { resolve: () => answer as undefined },
      });
      await signInAged(10);
      const res = await api('/policies/strict');
      expect(res.status).toBe(503);
      expect(body(res)).toMatchObject({ error: 'reauth_unavailable' });
    });
  });

  describe('explained refusals', () => {
    it('names the level, the organization and max_age in Reauth-Explain', async () => {
      scenario = await startPolicyApp({
        organizationPolicy: { resolve: ORG_A_SIXTY },
        explainRefusals: { header: true },
      });
      await signInAged(120);
      const res = await api('/policies/strict');
      expect(res.status).toBe(401);
      expect(res.headers.get('reauth-explain')).toBe(
        'reason=stale; rules=level strict, organization org_A; needs=max_age=60; satisfied-by=provider',
      );
    });

    it('sends no Reauth-Explain unless asked', async () => {
      scenario = await startPolicyApp({ organizationPolicy: { resolve: ORG_A_SIXTY } });
      await signInAged(120);
      const res = await api('/policies/strict');
      expect(res.status).toBe(401);
      expect(res.headers.get('reauth-explain')).toBeNull();
    });

    it('logs one debug line per refusal with explainRefusals.log', async () => {
      const logger = new RecordingLogger();
      scenario = await startPolicyApp(
        { organizationPolicy: { resolve: ORG_A_SIXTY }, explainRefusals: { log: true } },
        logger,
      );
      await signInAged(120);
      expect((await api('/policies/strict')).status).toBe(401);
      expect(logger.lines.filter((line) => line.startsWith('Refused '))).toEqual([
        'Refused policies:PolicyController.strict: reason=stale; rules=level strict, organization org_A; needs=max_age=60; satisfied-by=provider',
      ]);
    });
  });
});

describe('A sliding window shared by two instances', () => {
  let redis: TestRedis | undefined;
  let scenario: ScenarioApp;
  let second: INestApplication | undefined;
  let secondUrl: string;
  let browser: HttpBrowser;
  const storeFor = (prefix: string): ReauthStore =>
    redis
      ? new RedisReauthStore({ connection: redis.url, keyPrefix: prefix })
      : new MemoryReauthStore({ now: () => scenario.emulator.now() * 1000 });

  beforeAll(async () => {
    if (redisAvailable()) redis = await startRedis();
  });
  afterAll(() => redis?.close());
  afterEach(async () => {
    await second?.close();
    second = undefined;
    await scenario.close();
  });

  /**
   * The first instance on its own emulator, the second on the same one: sharing the first's
   * store (a second connection to the same Redis), or with a store of its own.
   */
  async function startInstances(shared: boolean): Promise<void> {
    const prefix = `slide-${Date.now()}-${Math.random().toString(36).slice(2)}:`;
    const first = storeFor(prefix);
    scenario = await startPolicyAppWithStore(first);
    const own = new MemoryReauthStore({ now: () => scenario.emulator.now() * 1000 });
    const port = await freePort();
    @Module({
      imports: [
        ReauthModule.forRoot({
          ...emulatorModuleOptions(scenario.emulator),
          redirectUri: scenario.redirectUri,
          cookiePassword: COOKIE_PASSWORD,
          levels: LEVELS,
          defaultLevel: 'moderate',
          store: shared ? (redis ? storeFor(prefix) : first) : own,
        }),
      ],
      controllers: [PolicyController],
    })
    class SecondInstance {}
    const moduleRef = await Test.createTestingModule({ imports: [SecondInstance] }).compile();
    second = moduleRef.createNestApplication({ logger: false });
    await second.listen(port, '127.0.0.1');
    secondUrl = `http://localhost:${port}`;
    ({ browser } = await signInToApp(scenario, '/policies/signed-in', ALICE));
  }

  function startPolicyAppWithStore(store: ReauthStore): Promise<ScenarioApp> {
    return startScenarioApp([PolicyController], {
      emulator: EMULATOR,
      reauth: () => ({ levels: LEVELS, defaultLevel: 'moderate', store }),
    });
  }

  const on = (url: string) => browser.get(`${url}/policies/sudo`, JSON_ACCEPT);

  it('honours on the second instance a window extended on the first', async () => {
    await startInstances(true);
    scenario.emulator.advanceClock(500);
    expect((await on(scenario.url)).status).toBe(200);
    scenario.emulator.advanceClock(500);
    expect((await on(secondUrl)).status).toBe(200);
    scenario.emulator.advanceClock(500);
    expect((await on(scenario.url)).status).toBe(200);
  });

  it('refuses, never extends, where the store holds no record of the window', async () => {
    await startInstances(false);
    scenario.emulator.advanceClock(500);
    expect((await on(scenario.url)).status).toBe(200);
    scenario.emulator.advanceClock(500);
    const res = await on(secondUrl);
    expect(res.status).toBe(401);
    expect(body(res)).toMatchObject({ reason: 'stale', maxAge: 600 });
    // The first instance, whose store kept the record, still has the window open.
    expect((await on(scenario.url)).status).toBe(200);
  });
});
